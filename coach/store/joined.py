"""A thread's nested store operations join its open one, on either engine.

A page's several reads are one snapshot (``reading()``) and a use case's several writes
one commit (``batch()``): an operation nested in the thread's open one uses that one's
cursor. The DuckDB file's lease and the PostgreSQL pool differ only in how a cursor is
had and how a snapshot begins and ends, so the joining is written once, here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Generic, TypeVar

C = TypeVar("C")


class JoinedOperations(Generic[C]):
    """Mixin: ``reading()`` and the write-joining rule over a subclass's ``cursor()``."""

    _local: threading.local

    def cursor(self) -> AbstractContextManager[C]:
        """A cursor for one operation; inside a thread's open operation, that one's."""
        raise NotImplementedError

    def _begin_snapshot(self, cursor: C) -> None:
        raise NotImplementedError

    def _end_snapshot(self, cursor: C) -> None:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside an open write transaction (a batch)."""
        return getattr(self._local, "mode", None) == "write"

    @contextmanager
    def reading(self) -> Iterator[C]:
        """Several reads as one consistent snapshot (one transaction, never a write)."""
        if getattr(self._local, "cursor", None) is not None:
            with self.cursor() as cursor:
                yield cursor
            return
        with self.cursor() as cursor:
            self._begin_snapshot(cursor)
            self._local.mode = "read"
            try:
                yield cursor
            finally:
                self._local.mode = None
                self._end_snapshot(cursor)

    def _joins_open_write(self) -> bool:
        """Whether a write joins the thread's open write transaction; a write inside a
        read snapshot is refused."""
        mode = getattr(self._local, "mode", None)
        if mode == "read":
            raise RuntimeError("a write cannot join a read-only batch; use batch()")
        return mode == "write"
