"""``ExperimentStore`` in the DuckDB file (migrations 6, 7 and 9), on the session
store's lease.

The SQL is ``SqlExperimentStore``'s; DuckDB's own part is the bulk writes: a run's
results and an experiment's items go in as one Arrow table and one
``INSERT ... SELECT`` (a row at a time would cost DuckDB a statement each), and the
cache looks up its keys by joining such a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from coach.experiments.records import PairResult
from coach.experiments.sql_store import (
    ITEM_COLUMNS,
    RESULT_COLUMNS,
    SqlExperimentStore,
    result_from_row,
)
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.sql_store import Cursor

if TYPE_CHECKING:  # pyarrow (and numpy under it) loads with the first write, not at start
    import pyarrow as pa

__all__ = ["DuckDBExperimentStore"]

_BATCH_VIEW = "coach_experiment_batch"
_WANTED_VIEW = "coach_experiment_cache_keys"


@cache
def _types() -> dict[str, pa.DataType]:
    """Arrow types of the columns that are not text."""
    import pyarrow as pa

    return {
        "position": pa.int32(),
        "reference_score": pa.float64(),
        "repeat": pa.int32(),
        "ok": pa.bool_(),
        "score": pa.float64(),
        "quality": pa.float64(),
        "fallback": pa.bool_(),
        "latency_ms": pa.float64(),
        "queue_ms": pa.float64(),
        "input_tokens": pa.int32(),
        "output_tokens": pa.int32(),
        "cached": pa.bool_(),
        "created_at": pa.timestamp("us", tz="UTC"),
    }


class DuckDBExperimentStore(SqlExperimentStore):
    """Reads and writes experiments through ``store``'s connection lease."""

    def __init__(self, store: DuckDBSessionStore) -> None:
        self._store = store

    @property
    def where(self) -> str:
        return str(self._store.path)

    def _write(self) -> AbstractContextManager[Cursor]:
        # Experiment writers take turns with each other (no conflict to retry); they
        # never write a session's rows.
        return self._store.transaction()

    def _read(self) -> AbstractContextManager[Cursor]:
        return cast(AbstractContextManager[Cursor], self._store.reading())

    def _insert_items(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        _insert_table(db, "experiment_items", ITEM_COLUMNS, rows, conflicts="")

    def _insert_results(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        _insert_table(
            db, "experiment_results", RESULT_COLUMNS, rows, conflicts=" ON CONFLICT DO NOTHING"
        )

    def cached(
        self, wanted: Sequence[tuple[str, str, int]], *, judge: str
    ) -> dict[tuple[str, str, int], PairResult]:
        """As ``SqlExperimentStore.cached``, joining the wanted keys as a table (DuckDB
        reads the cache index for each)."""
        if not wanted:
            return {}
        import pyarrow as pa

        keys = pa.table(
            {
                "fingerprint": [w[0] for w in wanted],
                "item_hash": [w[1] for w in wanted],
                "repeat": pa.array([w[2] for w in wanted], type=pa.int32()),
            }
        )
        columns = ", ".join(f"r.{column}" for column in RESULT_COLUMNS)
        with self._store.transaction() as db:
            db.register(_WANTED_VIEW, keys)
            try:
                rows = db.execute(
                    f"SELECT {columns} FROM experiment_results r "
                    f"JOIN {_WANTED_VIEW} w USING (fingerprint, item_hash, repeat) "
                    "WHERE r.ok AND NOT r.fallback AND r.judge = ? "
                    "QUALIFY row_number() OVER "
                    "(PARTITION BY r.fingerprint, r.item_hash, r.repeat ORDER BY r.created_at) = 1",
                    [judge],
                ).fetchall()
            finally:
                db.unregister(_WANTED_VIEW)
        found: dict[tuple[str, str, int], PairResult] = {}
        for row in rows:
            result = result_from_row(row)
            found[(result.fingerprint, result.item_hash, result.repeat)] = result
        return found


def _insert_table(
    db: Any,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflicts: str,
) -> None:
    """``rows`` into ``table`` as one Arrow table and one statement."""
    import pyarrow as pa

    types = _types()
    batch = pa.table(
        {
            column: pa.array(values, type=types.get(column, pa.string()))
            for column, values in zip(columns, zip(*rows, strict=True), strict=True)
        }
    )
    db.register(_BATCH_VIEW, batch)
    try:
        db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {_BATCH_VIEW}{conflicts}"
        )
    finally:
        db.unregister(_BATCH_VIEW)
