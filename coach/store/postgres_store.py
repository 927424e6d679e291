"""``SessionStore`` on PostgreSQL, so several app processes (replicas) share sessions.

DuckDB lets one process write a file; PostgreSQL takes writers from many processes
and machines. Every method is ``SqlSessionStore``'s (the same SQL the DuckDB store
runs, proven by one contract suite); this module only supplies connections:

- **A pool, a connection per operation.** ``psycopg_pool`` keeps a few connections
  open; each operation borrows one for one transaction (autosave). A thread's nested
  operations join its open one, so ``batch()`` is one commit and ``reading()`` one
  ``REPEATABLE READ`` snapshot, as on DuckDB.
- **Collisions are conflicts.** Two writers numbering the same attempt or chat
  position collide on a unique key (PostgreSQL makes the second wait, then refuses
  it); that, a serialization failure or a deadlock raises ``StoreConflict``, which
  the store retries for single operations, exactly like DuckDB's write conflicts.
- **Placeholders are translated.** The shared SQL uses DuckDB's ``?``; psycopg takes
  ``%s``. The cursor here translates, and answers a write's ``fetchone()`` with its
  row count the way DuckDB does.
- **Migrations under a lock.** Replicas that start together take an advisory lock
  before migrating, so one applies each version and the others find it done.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Self

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from coach.errors import CoachError, StoreConflict
from coach.settings import StoreSettings
from coach.store.joined import JoinedOperations
from coach.store.migrations import migrate
from coach.store.postgres_schema import POSTGRES_MIGRATIONS
from coach.store.sql_store import SqlSessionStore

logger = logging.getLogger(__name__)

POOL_MAX_SIZE = 8
"""Connections per process: a page's threads rarely need more at once."""
CONNECT_TIMEOUT_SECONDS = 10
_MIGRATION_LOCK = 0x436F616368  # "Coach": one advisory lock id for every replica
_CONFLICTS = (errors.UniqueViolation, errors.SerializationFailure, errors.DeadlockDetected)


class StoreUnavailable(CoachError):
    """The PostgreSQL server could not be reached or refused the connection."""


@functools.lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (the shared SQL has no ``?``
    or ``%`` of its own: LIKE patterns arrive as parameters)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Cursor:
    """A psycopg cursor that speaks the shared SQL's dialect (DuckDB's)."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def raw(self) -> psycopg.Cursor[Any]:
        """The psycopg cursor itself, for what the shared dialect has no words for
        (``COPY``: ``coach.store.postgres_spans``)."""
        return self._cursor

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Self:
        if parameters:
            self._cursor.execute(_pyformat(sql), list(parameters))
        else:
            self._cursor.execute(sql)  # type: ignore[arg-type]  # our own SQL text
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(_pyformat(sql), [list(row) for row in rows])

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._cursor.description is None:  # a write: DuckDB answers with its count
            return (self._cursor.rowcount,)
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._cursor.description is None:
            return [(self._cursor.rowcount,)]
        return self._cursor.fetchall()


class _Connections(JoinedOperations[_Cursor]):
    """Borrowed pool connections, one transaction each, joined by a thread's nested
    operations (the PostgreSQL twin of ``coach.store.lease.ConnectionLease``)."""

    def __init__(self, pool: ConnectionPool, where: str) -> None:
        self._pool = pool
        self._where = where
        self._local = threading.local()

    @contextmanager
    def cursor(self) -> Iterator[_Cursor]:
        """A cursor for one operation; inside a thread's open operation, that one's."""
        current: _Cursor | None = getattr(self._local, "cursor", None)
        if current is not None:
            yield current
            return
        try:
            with self._pool.connection() as connection, connection.cursor() as raw:
                self._local.cursor = _Cursor(raw)
                try:
                    yield self._local.cursor
                finally:
                    self._local.cursor = None
        except _CONFLICTS:
            raise  # the transaction's to handle (they are OperationalErrors too)
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise StoreUnavailable(
                f"The PostgreSQL database {self._where} did not answer, so nothing from "
                f"this step was saved ({str(error).strip()}). Try again in a moment."
            ) from error

    def _begin_snapshot(self, cursor: _Cursor) -> None:
        # The pool's connection opened the transaction; this must be its first statement.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def _end_snapshot(self, cursor: _Cursor) -> None:
        """The pool ends the (read-only) transaction when the connection goes back."""

    @contextmanager
    def transaction(self) -> Iterator[_Cursor]:
        """One write transaction (joined when nested); collisions raise ``StoreConflict``."""
        if self._joins_open_write():
            with self.cursor() as cursor:
                yield cursor
            return
        try:
            with self.cursor() as cursor:
                self._local.mode = "write"
                try:
                    yield cursor
                finally:
                    self._local.mode = None
        except _CONFLICTS as error:  # the pool has rolled the transaction back
            raise StoreConflict(
                "Someone else (another tab or app replica?) changed this at the same "
                "moment, so nothing was saved from this step. Try again."
            ) from error


class PostgresSessionStore(SqlSessionStore):
    """Sessions, questions, answers and evaluations in a PostgreSQL database.

    Build one per process and share it between threads; ``settings.url`` names the
    database. Opening migrates it, and fails at once with ``StoreUnavailable`` (a
    message without the password) when the server cannot be reached.
    """

    def __init__(self, settings: StoreSettings) -> None:
        super().__init__()
        if settings.url is None:
            raise CoachError("The PostgreSQL store needs COACH_STORE__URL.")
        url = settings.url.get_secret_value()
        self._where = describe_url(url)
        self._migrate(url)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            # A connection the server dropped (a restart, a failover) is replaced before
            # an operation gets it, for the price of one round trip.
            check=ConnectionPool.check_connection,
            timeout=settings.lock_timeout_seconds,
            name="coach-store",
            open=True,
        )
        self._connections = _Connections(self._pool, self._where)

    @property
    def where(self) -> str:
        """Host, port and database, never the password (for notices and logs)."""
        return self._where

    def close(self) -> None:
        self._pool.close()

    def __repr__(self) -> str:
        return f"PostgresSessionStore({self._where})"

    def batch(self) -> AbstractContextManager[object]:
        """Several writes (and reads) of this thread as one transaction and one commit."""
        return self._connections.transaction()

    def transaction(self) -> AbstractContextManager[_Cursor]:
        """One write transaction, for writers with SQL of their own (the span sink)."""
        return self._connections.transaction()

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Runs one read-only query (the analytics SQL behind Telemetry), in a
        ``REPEATABLE READ, READ ONLY`` transaction: it can read everything and change
        nothing, like ``DuckDBSessionStore.query``."""
        with self._connections.reading() as cursor:
            return cursor.execute(sql, parameters).fetchall()

    def reading(self) -> AbstractContextManager[object]:
        """Several reads of this thread as one consistent snapshot (a page's view)."""
        return self._connections.reading()

    def _connection_lease(self) -> AbstractContextManager[Any]:
        return self._connections.cursor()

    def _transaction(self) -> AbstractContextManager[Any]:
        return self._connections.transaction()

    def _reading(self) -> AbstractContextManager[Any]:
        return self._connections.reading()

    @property
    def _in_batch(self) -> bool:
        return self._connections.in_transaction

    def _migrate(self, url: str) -> None:
        try:
            connection = psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.OperationalError as error:
            raise StoreUnavailable(
                f"Cannot reach the PostgreSQL database {self._where} (COACH_STORE__URL): "
                f"{str(error).strip()}. Check that the server runs and the URL is right, "
                "or unset COACH_STORE__URL to use the DuckDB file."
            ) from error
        with connection, connection.cursor() as raw:
            cursor = _Cursor(raw)
            cursor.execute("SELECT pg_advisory_lock(?)", [_MIGRATION_LOCK])
            try:
                version = migrate(cursor, POSTGRES_MIGRATIONS)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(?)", [_MIGRATION_LOCK])
        logger.info("postgresql store ready", extra={"where": self._where, "version": version})


def describe_url(url: str) -> str:
    """``database coach on db.example:5432``: what a person needs, without secrets."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise CoachError(
            "COACH_STORE__URL is not a valid PostgreSQL URL "
            "(postgresql://user:password@host:port/database)."
        ) from error
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"database {parts.get('dbname') or parts.get('user') or '?'} on {host}:{port}"
