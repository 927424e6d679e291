"""One DuckDB file, held open while it is useful and handed over when someone asks.

Why this shape (issue 13): closing the file after half a second idle made every real
click after a pause start cold (the buffer cache dies with the connection: 3x slower at
100,000 sessions), and one process-wide lock around every operation made twenty users
queue behind each other's milliseconds. So:

- **One database handle, a cursor per operation.** Every operation gets its own cursor
  (a DuckDB connection to the same in-process database), so reads and writes run side
  by side under DuckDB's snapshot isolation. Two transactions that change the same row
  (every write to a session bumps its ``updated_at``) conflict: the later one is undone
  and raises ``StoreConflict``, which the store retries for single operations. Writers
  that asked for it (``exclusive=True``: span batches, experiments) still take turns.
  A thread's nested operations join its open one (``batch``), so a page's nine reads
  are one snapshot and a use case's writes one commit.
- **Hand over on request, not on a timer.** DuckDB lets one process open a file. A
  process that finds it locked (a notebook taking a snapshot, the CLI, a second
  workbench) *knocks*: it touches ``<file>.release`` while it retries
  (``coach.store.locking``). The holder watches that file and lets go as soon as no
  operation is in flight, then waits a moment before it reopens so the knocker gets
  in. With nobody knocking it keeps the file (and its warm cache) for
  ``idle_release_seconds`` (a long time by default), which still frees the file for a
  program that cannot knock (a bare ``duckdb.connect``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb

from coach.errors import StoreConflict
from coach.store.joined import JoinedOperations
from coach.store.locking import knock_path, retry_while_locked

logger = logging.getLogger(__name__)

# How often the holder looks for a knock: the longest a knocker waits on an idle holder.
KNOCK_POLL_SECONDS = 0.02
# After handing the file over, wait this long before reopening it, so the knocker (who
# retries every few milliseconds) gets in before we take it back.
COURTESY_SECONDS = 0.03
WATCHER_THREAD_NAME = "coach-store-idle-release"
_CONFLICT_TEXTS = ("Conflict", "Duplicate key")


class ConnectionLease(JoinedOperations[duckdb.DuckDBPyConnection]):
    """The database handle of one process, shared by its threads.

    ``open_connection`` opens (and migrates) the file; ``busy_message`` is what a person
    reads when another program keeps the file too long.
    """

    def __init__(
        self,
        path: Path,
        *,
        open_connection: Callable[[], duckdb.DuckDBPyConnection],
        lock_timeout_seconds: float,
        idle_release_seconds: float,
        busy_message: str,
    ) -> None:
        self._path = path
        self._open_connection = open_connection
        self._lock_timeout = lock_timeout_seconds
        self._idle_release = idle_release_seconds
        self._busy_message = busy_message
        self._knock = knock_path(path)
        # Guards the handle and its bookkeeping; held for microseconds, never during a
        # query (except while opening, when everyone must wait for the file anyway).
        self._state = threading.Condition(threading.Lock())
        self._write_lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._last_used = 0.0
        self._opened_at = 0.0
        self._handed_over_at = 0.0
        self._release_requested = False
        self._watcher: threading.Thread | None = None
        self._closing = False
        self._local = threading.local()

    # --- state --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        with self._state:
            return self._connection is not None

    def close(self) -> None:
        """Lets go of the file (waiting for operations in flight) and stops the watcher."""
        with self._state:
            self._closing = True
            while self._users:
                self._state.wait()
            self._release("close")
            watcher, self._watcher = self._watcher, None
            self._closing = False
            self._state.notify_all()
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=1.0)

    # --- operations -----------------------------------------------------------------

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one operation; inside a thread's open operation, that one's."""
        current: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if current is not None:
            yield current
            return
        cursor = self._check_out()
        self._local.cursor = cursor
        try:
            yield cursor
        finally:
            self._local.cursor = None
            try:
                cursor.close()
            finally:
                self._check_in()

    def _begin_snapshot(self, cursor: duckdb.DuckDBPyConnection) -> None:
        cursor.execute("BEGIN TRANSACTION")

    def _end_snapshot(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.rollback(cursor)

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all of it is stored, or none of it.

        Nested in the thread's open transaction, it joins it (one commit at the end).
        ``exclusive`` transactions take turns with each other; the others run side by
        side and raise ``StoreConflict`` (nothing stored) when another changed a row
        they change.
        """
        if self._joins_open_write():
            with self.cursor() as cursor:
                yield cursor
            return
        with self._write_lock if exclusive else nullcontext(), self.cursor() as cursor:
            cursor.execute("BEGIN TRANSACTION")
            self._local.mode = "write"
            try:
                yield cursor
                cursor.execute("COMMIT")
            except (duckdb.TransactionException, duckdb.ConstraintException) as error:
                # Two writers numbering the same attempt also collide, on its unique key.
                self.rollback(cursor)
                if not any(text in str(error) for text in _CONFLICT_TEXTS):
                    raise
                raise StoreConflict(
                    "Someone else (another tab?) changed this at the same moment, so "
                    "nothing was saved from this step. Try again."
                ) from error
            except BaseException:
                self.rollback(cursor)
                raise
            finally:
                self._local.mode = None

    def rollback(self, cursor: duckdb.DuckDBPyConnection) -> None:
        try:
            cursor.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass  # a failed COMMIT has already ended the transaction
        except duckdb.Error:
            # A handle that cannot roll back is unusable: drop it once nobody uses it,
            # and let the next operation open a fresh one.
            logger.warning("rollback failed; reopening the database", exc_info=True)
            with self._state:
                self._release_requested = True

    # --- the handle -------------------------------------------------------------------

    def _check_out(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the handle (opened if needed), counted as in use."""
        with self._state:
            while self._closing:
                self._state.wait()
            if self._connection is None:
                courtesy = self._handed_over_at + COURTESY_SECONDS - time.monotonic()
                if courtesy > 0:
                    time.sleep(courtesy)
                self._connection = self._open()
                self._opened_at = time.monotonic()
                self._release_requested = False
            # Made under the state lock: the parent handle is not itself thread-safe.
            cursor = self._connection.cursor()
            self._users += 1
            self._start_watcher()
            return cursor

    def _check_in(self) -> None:
        with self._state:
            self._users -= 1
            self._last_used = time.monotonic()
            if self._users == 0:
                if self._release_requested:
                    self._release("knock")
                elif self._idle_release == 0:
                    self._release("idle")
                self._state.notify_all()

    def _open(self) -> duckdb.DuckDBPyConnection:
        connection, _ = retry_while_locked(
            self._open_connection,
            path=self._path,
            timeout_seconds=self._lock_timeout,
            busy_message=self._busy_message,
        )
        return connection

    def _release(self, reason: str) -> None:
        """Closes the handle; the caller holds ``_state`` and no operation is in flight."""
        connection, self._connection = self._connection, None
        self._release_requested = False
        if connection is None:
            return
        if reason == "knock":
            self._handed_over_at = time.monotonic()
        try:
            connection.close()
        except duckdb.Error:
            logger.warning("closing the database failed", exc_info=True)
        logger.debug("database released", extra={"path": str(self._path), "reason": reason})

    # --- watching for knocks and idleness ---------------------------------------------

    def _start_watcher(self) -> None:
        if self._idle_release == 0 or (self._watcher is not None and self._watcher.is_alive()):
            return
        self._watcher = threading.Thread(target=self._watch, name=WATCHER_THREAD_NAME, daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        """While the file is open: hand it over when knocked, close it when long idle."""
        while True:
            knocked = self._knocked_since(self._opened_at)
            with self._state:
                if self._connection is None or self._watcher is not threading.current_thread():
                    if self._watcher is threading.current_thread():
                        self._watcher = None
                    return
                idle = self._users == 0 and (
                    time.monotonic() - self._last_used >= self._idle_release
                )
                if knocked or idle:
                    if self._users == 0:
                        self._release("knock" if knocked else "idle")
                        self._watcher = None
                        return
                    self._release_requested = True  # the last operation out lets go
                self._state.wait(timeout=KNOCK_POLL_SECONDS)

    def _knocked_since(self, opened_at: float) -> bool:
        """Whether another process asked for the file after we opened it."""
        try:
            knocked_at = self._knock.stat().st_mtime
        except FileNotFoundError:
            return False
        # st_mtime is wall-clock time; compare with when we opened, in wall-clock terms.
        opened_wall = time.time() - (time.monotonic() - opened_at)
        return knocked_at > opened_wall
