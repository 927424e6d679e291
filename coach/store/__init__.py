"""Where sessions live: the ``SessionStore`` protocol, its DuckDB implementation and
the schema migrations they share."""

from coach.store.base import SessionStore
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.migrations import migrate

__all__ = ["DuckDBSessionStore", "SessionStore", "migrate"]
