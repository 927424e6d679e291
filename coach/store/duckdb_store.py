"""``SessionStore`` on one DuckDB file, shared politely with notebooks.

DuckDB lets only one process open a file at a time, and analysts open the same file
from notebooks while the workbench runs. The store *leases* the file
(``coach.store.lease``): it keeps it open, warm, while it is the only one using it, and
hands it over within tens of milliseconds when another process knocks (a notebook's
snapshot, the CLI), or after ``idle_release_seconds`` without use. When another process
holds the file, opening knocks and retries for up to ``lock_timeout_seconds``, then
raises ``StoreBusy`` with a message a person can act on.

Each operation runs on its own cursor, so reads from many threads run side by side;
writes take turns (one write lock), which keeps attempt numbering and ``updated_at``
bumps trivially correct. Every public method is one short transaction (autosave, with
no separate "save"); ``batch()`` joins a thread's several writes into one commit and
``reading()`` its several reads into one snapshot.

The SQL itself lives in ``SqlSessionStore`` (``coach.store.sql_store``), which the PostgreSQL store
(``coach.store.postgres_store``) shares: write it so both engines run it, and the
contract suite (tests/store) proves it on both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import duckdb

from coach.settings import StoreSettings
from coach.store.lease import ConnectionLease
from coach.store.migrations import migrate
from coach.store.sql_store import SqlSessionStore

logger = logging.getLogger(__name__)


class DuckDBSessionStore(SqlSessionStore):
    """Sessions, questions, answers and evaluations in one DuckDB file.

    Build one per process (the page layer caches it) and share it between threads.
    """

    def __init__(self, settings: StoreSettings | None = None) -> None:
        super().__init__()
        self._settings = settings or StoreSettings()
        self._path = Path(self._settings.path).expanduser()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._migrated = False
        self._lease = ConnectionLease(
            self._path,
            open_connection=self._open,
            lock_timeout_seconds=self._settings.lock_timeout_seconds,
            idle_release_seconds=self._settings.idle_release_seconds,
            busy_message=self._busy_message(),
        )

    # --- lifecycle ----------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def where(self) -> str:
        """The file's path, for messages (the PostgreSQL store names its database)."""
        return str(self._path)

    @property
    def is_open(self) -> bool:
        """True while this store holds the database file (other processes must knock)."""
        return self._lease.is_open

    def close(self) -> None:
        """Releases the file and stops watching it; a later call reopens it lazily."""
        self._lease.close()

    def __repr__(self) -> str:
        return f"DuckDBSessionStore(path={str(self._path)!r})"

    # --- analytics ----------------------------------------------------------------

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Runs one read-only query through the lease, for DuckDB-only analytics modules.

        The query runs in a transaction that is always rolled back, so an analytics
        module can read everything but can never change the file.
        """
        with self._reading() as db:
            return db.execute(sql, list(parameters)).fetchall()

    # --- the connection lease -----------------------------------------------------

    def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """One short transaction on the leased connection, for writers that keep their
        DuckDB-only SQL in their own module (telemetry spans: ``coach.store.spans``).

        These writers take turns with each other (no conflict to retry), never with the
        session writes."""
        return self._lease.transaction(exclusive=True)

    def batch(self) -> AbstractContextManager[object]:
        """Several writes (and reads) of this thread as one transaction and one commit.

        A use case that stores several things before it calls a model (a new session
        and its documents) commits them together, still before the call.
        """
        return self._lease.transaction()

    def reading(self) -> AbstractContextManager[object]:
        """Several reads of this thread as one consistent snapshot (a page's view)."""
        return self._lease.reading()

    def _connection_lease(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A cursor for one operation (the thread's open one when nested)."""
        return self._lease.cursor()

    def _transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """One write as one transaction: all of it is stored, or none of it."""
        return self._lease.transaction()

    def _reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """Several reads in one transaction, side by side with other threads' reads."""
        return self._lease.reading()

    @property
    def _in_batch(self) -> bool:
        return self._lease.in_transaction

    def _rollback(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._lease.rollback(connection)

    def _busy_message(self) -> str:
        return (
            f"The workbench database at {self._path} is in use by another program (a "
            f"notebook?), and it was still busy after "
            f"{self._settings.lock_timeout_seconds:g} seconds. Close that program's "
            "connection to the file (for example `connection.close()` in the "
            "notebook), then try again."
        )

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Opens the file (the lease waits while another process holds it)."""
        started = time.monotonic()
        connection = duckdb.connect(str(self._path))
        try:
            # Timestamps come back as UTC whatever the machine's zone is, on every cursor.
            connection.execute("SET GLOBAL TimeZone = 'UTC'")
            connection.execute("SET GLOBAL memory_limit = ?", [self._settings.memory_limit])
            if not self._migrated:
                migrate(connection)
                self._migrated = True
        except BaseException:
            connection.close()
            raise
        logger.debug(
            "database opened",
            extra={"path": str(self._path), "seconds": round(time.monotonic() - started, 4)},
        )
        return connection
