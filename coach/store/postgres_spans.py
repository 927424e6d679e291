"""``PostgresSpanSink``: span batches into PostgreSQL with ``COPY``, rollups upserted.

``COPY ... FROM STDIN`` streams a batch as one command (psycopg adapts each row's
values as it would a query's parameters), where an ``INSERT`` with a ``VALUES`` row per
span would be parsed and planned as one long statement. The batch's rollups
(``coach.store.rollups.rollup_delta``, a few rows per key and bucket) are upserted in
the same transaction, keys sorted, so two replicas writing the same bucket wait for
each other's rows in one order instead of deadlocking. Runs on the exporter's thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from coach.store.postgres_store import PostgresSessionStore
from coach.store.rollups import DIMENSIONS, SUM_COLUMNS, rollup_delta
from coach.store.spans import SPAN_COLUMNS, SpanRow

__all__ = ["PostgresSpanSink"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COPY_SQL = f"COPY spans ({', '.join(SPAN_COLUMNS)}) FROM STDIN"
_KEY = ("width_s", "bucket", *DIMENSIONS)
_UPSERT_ROLLUPS_SQL = (
    f"INSERT INTO span_rollups ({', '.join((*_KEY, *SUM_COLUMNS))}) "
    f"VALUES ({', '.join('?' for _ in (*_KEY, *SUM_COLUMNS))}) "
    f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
    + ", ".join(f"{name} = span_rollups.{name} + excluded.{name}" for name in SUM_COLUMNS)
)
_UPSERT_BINS_SQL = (
    f"INSERT INTO span_latency_bins ({', '.join(_KEY)}, histogram, bin, spans) "
    f"VALUES ({', '.join('?' for _ in _KEY)}, ?, ?, ?) "
    f"ON CONFLICT ({', '.join(_KEY)}, histogram, bin) DO UPDATE SET "
    "spans = span_latency_bins.spans + excluded.spans"
)


class PostgresSpanSink:
    """Spans and their rollups into the PostgreSQL store's database."""

    def __init__(self, store: PostgresSessionStore) -> None:
        self._store = store

    def write(self, rows: Sequence[SpanRow]) -> int:
        if not rows:
            return 0
        delta = rollup_delta(rows)
        with self._store.transaction() as cursor:
            with cursor.raw.copy(_COPY_SQL) as copy:  # type: ignore[arg-type]  # our own SQL
                for row in rows:
                    copy.write_row(_copy_row(row))
            cursor.executemany(_UPSERT_ROLLUPS_SQL, delta.rollups)
            cursor.executemany(_UPSERT_BINS_SQL, delta.bins)
        return len(rows)

    def __repr__(self) -> str:
        return f"PostgresSpanSink({self._store.where})"


def _copy_row(row: SpanRow) -> tuple[object, ...]:
    """The row in ``SPAN_COLUMNS`` order, its two times as timestamps (microseconds)."""
    start = _EPOCH + timedelta(microseconds=row.start_time_ns // 1000)
    end = _EPOCH + timedelta(microseconds=row.end_time_ns // 1000)
    return (*row[:4], start, end, *row[6:])
