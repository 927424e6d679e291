"""``ExperimentStore`` on PostgreSQL, so app replicas share experiments and rollouts.

The tables come with the session store's migrations (``coach.store.postgres_schema``,
version 3), applied under its advisory lock; connections are its pool's, one per
operation. The SQL is ``SqlExperimentStore``'s; PostgreSQL's own part is the bulk
writes, which psycopg pipelines (``executemany``: one round trip for the batch, not
one per row).

Two replicas starting the same experiment both try ``claim``'s conditional UPDATE:
PostgreSQL locks the row for the first, makes the second wait, then re-checks the
second's condition against the committed row, so the second finds it running and
gets False.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

from coach.experiments.sql_store import ITEM_COLUMNS, RESULT_COLUMNS, SqlExperimentStore
from coach.store.postgres_store import PostgresSessionStore
from coach.store.sql_store import Cursor

__all__ = ["PostgresExperimentStore"]


def _insert_sql(table: str, columns: Sequence[str], conflicts: str = "") -> str:
    placeholders = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}){conflicts}"


_INSERT_ITEMS = _insert_sql("experiment_items", ITEM_COLUMNS)
_INSERT_RESULTS = _insert_sql("experiment_results", RESULT_COLUMNS, " ON CONFLICT DO NOTHING")


class PostgresExperimentStore(SqlExperimentStore):
    """Reads and writes experiments through ``store``'s connection pool."""

    def __init__(self, store: PostgresSessionStore) -> None:
        self._store = store

    @property
    def where(self) -> str:
        return self._store.where

    def _write(self) -> AbstractContextManager[Cursor]:
        return cast(AbstractContextManager[Cursor], self._store.batch())

    def _read(self) -> AbstractContextManager[Cursor]:
        return cast(AbstractContextManager[Cursor], self._store.reading())

    def _insert_items(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        db.executemany(_INSERT_ITEMS, rows)

    def _insert_results(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        db.executemany(_INSERT_RESULTS, rows)
