"""Telemetry span rows into the ``spans`` table (migration 5's columns are the contract).

A ``SpanSink`` writes a batch of finished spans and, in the same transaction, adds
them to the rollups the Telemetry page reads (``coach.store.rollups``). Two sinks:
``DuckDBSpanSink`` here, and ``PostgresSpanSink`` (``coach.store.postgres_spans``,
psycopg's ``COPY``) when ``COACH_STORE__URL`` is set.

On DuckDB a batch becomes one Arrow table and one ``INSERT ... SELECT`` in one short
transaction on the store's connection lease, which is what keeps a span's write cost
in microseconds (a multi-row ``VALUES`` list with bound parameters costs ~200 µs a
row) and keeps the file free for notebooks between batches. The rollups are summed in
Python (``rollup_delta``: a DuckDB query has a fixed cost of milliseconds, more than
the batch's own insert) and upserted from two more Arrow tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:  # pyarrow (and numpy under it) loads with the first batch, not at start
    import pyarrow as pa

from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.rollups import DIMENSIONS, SUM_COLUMNS, RollupDelta, rollup_delta

__all__ = [
    "SPAN_COLUMNS",
    "STATUS_ERROR",
    "STATUS_OK",
    "DuckDBSpanSink",
    "SpanRow",
    "SpanSink",
    "insert_spans",
]

STATUS_OK = "ok"
STATUS_ERROR = "error"


class SpanRow(NamedTuple):
    """One finished span, flattened: the GenAI and ``coach.*`` attributes the charts
    filter on get columns; ``attributes`` holds, as JSON, every attribute without one."""

    span_id: str
    trace_id: str
    parent_span_id: str | None
    name: str
    start_time_ns: int
    end_time_ns: int
    duration_ms: float
    status: str
    status_message: str | None
    operation: str | None
    provider: str | None
    request_model: str | None
    response_model: str | None
    temperature: float | None
    max_tokens: int | None
    agent: str | None
    persona: str | None
    variant: str | None
    session_id: str | None
    input_tokens: int | None
    output_tokens: int | None
    queue_ms: float | None
    ttft_ms: float | None
    fallback: bool | None
    score: float | None
    demo: bool
    attributes: str


@cache
def _arrow_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    timestamp = pa.timestamp("ns", tz="UTC")
    return {
        "start_time_ns": timestamp,
        "end_time_ns": timestamp,
        "duration_ms": pa.float64(),
        "temperature": pa.float64(),
        "max_tokens": pa.int32(),
        "input_tokens": pa.int32(),
        "output_tokens": pa.int32(),
        "queue_ms": pa.float64(),
        "ttft_ms": pa.float64(),
        "fallback": pa.bool_(),
        "score": pa.float64(),
        "demo": pa.bool_(),
    }


# Row field -> table column: the two times travel as nanoseconds since the epoch.
SPAN_COLUMNS: tuple[str, ...] = tuple(
    field.removesuffix("_ns") if field.endswith("_time_ns") else field for field in SpanRow._fields
)
_BATCH_VIEW = "coach_span_batch"
_INSERT_SQL = (
    f"INSERT INTO spans ({', '.join(SPAN_COLUMNS)}) "
    f"SELECT {', '.join(SpanRow._fields)} FROM {_BATCH_VIEW}"
)


_ROLLUPS_VIEW = "coach_rollup_batch"
_BINS_VIEW = "coach_bins_batch"
_KEY = ", ".join(("width_s", "bucket", *DIMENSIONS))
_UPSERT_ROLLUPS_SQL = (
    f"INSERT INTO span_rollups SELECT * FROM {_ROLLUPS_VIEW} ON CONFLICT ({_KEY}) DO UPDATE SET "
    + ", ".join(f"{name} = span_rollups.{name} + excluded.{name}" for name in SUM_COLUMNS)
)
_UPSERT_BINS_SQL = (
    f"INSERT INTO span_latency_bins SELECT * FROM {_BINS_VIEW} "
    f"ON CONFLICT ({_KEY}, histogram, bin) DO UPDATE SET "
    "spans = span_latency_bins.spans + excluded.spans"
)


class SpanSink(Protocol):
    """Where finished spans go: ``write`` stores a batch (and its rollups) in one
    transaction and returns how many spans it wrote. Called on the exporter's thread,
    never on a request's path."""

    def write(self, rows: Sequence[SpanRow]) -> int: ...


class DuckDBSpanSink:
    """Spans and their rollups into the DuckDB file, through the store's lease."""

    def __init__(self, store: DuckDBSessionStore) -> None:
        self._store = store

    def write(self, rows: Sequence[SpanRow]) -> int:
        return insert_spans(self._store, rows)

    def __repr__(self) -> str:
        return f"DuckDBSpanSink({self._store!r})"


def insert_spans(store: DuckDBSessionStore, rows: Sequence[SpanRow]) -> int:
    """Write ``rows`` in one INSERT, and their rollups, in one transaction; returns how
    many spans were written.

    No ``ON CONFLICT`` clause on spans: it costs ~7 µs a row, and the batch processor
    never exports a span twice (a failed batch is dropped, not retried). The rollups
    (a few rows per key and bucket) do upsert.
    """
    if not rows:
        return 0
    batch = _arrow_batch(rows)
    delta = rollup_delta(rows)
    rollups, bins = _arrow_rollups(delta)
    with store.transaction() as db:
        db.register(_BATCH_VIEW, batch)
        db.register(_ROLLUPS_VIEW, rollups)
        db.register(_BINS_VIEW, bins)
        try:
            db.execute(_INSERT_SQL)
            db.execute(_UPSERT_ROLLUPS_SQL)
            db.execute(_UPSERT_BINS_SQL)
        finally:
            db.unregister(_BATCH_VIEW)
            db.unregister(_ROLLUPS_VIEW)
            db.unregister(_BINS_VIEW)
    return len(rows)


def _arrow_rollups(delta: RollupDelta) -> tuple[pa.Table, pa.Table]:
    import pyarrow as pa

    key_types = [pa.int32(), pa.int64(), *(pa.string() for _ in DIMENSIONS)]
    sum_types = [pa.float64() if name == "score_sum" else pa.int64() for name in SUM_COLUMNS]
    rollup_names = ["width_s", "bucket", *DIMENSIONS, *SUM_COLUMNS]
    bin_names = ["width_s", "bucket", *DIMENSIONS, "histogram", "bin", "spans"]
    bin_types = [*key_types, pa.string(), pa.int32(), pa.int64()]
    return (
        _columns(delta.rollups, rollup_names, [*key_types, *sum_types]),
        _columns(delta.bins, bin_names, bin_types),
    )


def _columns(
    rows: list[tuple[object, ...]], names: list[str], types: list[pa.DataType]
) -> pa.Table:
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.table(
        {
            name: pa.array(values, type=kind)
            for name, kind, values in zip(names, types, columns, strict=True)
        }
    )


def _arrow_batch(rows: Sequence[SpanRow]) -> pa.Table:
    import pyarrow as pa

    types = _arrow_types()
    columns = zip(*rows, strict=True)
    return pa.table(
        {
            field: pa.array(values, type=types.get(field, pa.string()))
            for field, values in zip(SpanRow._fields, columns, strict=True)
        }
    )
