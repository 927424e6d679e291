"""Where sessions live: the ``SessionStore`` protocol, its DuckDB implementation and
the schema migrations. The PostgreSQL store (``coach.store.postgres_store``, chosen by
``COACH_STORE__URL``) is imported where it is used, so psycopg loads only then."""

from coach.store.base import SessionStore
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.migrations import migrate

__all__ = ["DuckDBSessionStore", "SessionStore", "migrate"]
