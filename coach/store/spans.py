"""Telemetry span rows into the ``spans`` table (migration 5's columns are the contract).

DuckDB-only on purpose, so the portable ``SessionStore`` SQL stays portable: a batch
becomes one Arrow table and one ``INSERT ... SELECT`` in one short transaction on the
store's connection lease, which is what keeps a span's write cost in microseconds
(a multi-row ``VALUES`` list with bound parameters costs ~200 µs a row) and keeps the
file free for notebooks between batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pyarrow (and numpy under it) loads with the first batch, not at start
    import pyarrow as pa

from coach.store.duckdb_store import DuckDBSessionStore

__all__ = ["SPAN_COLUMNS", "STATUS_ERROR", "STATUS_OK", "SpanRow", "insert_spans"]

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


def insert_spans(store: DuckDBSessionStore, rows: Sequence[SpanRow]) -> int:
    """Write ``rows`` in one INSERT and one transaction; returns how many were written.

    No ``ON CONFLICT`` clause: it costs ~7 µs a row, and the batch processor never
    exports a span twice (a failed batch is dropped, not retried).
    """
    if not rows:
        return 0
    batch = _arrow_batch(rows)
    with store.transaction() as db:
        db.register(_BATCH_VIEW, batch)
        try:
            db.execute(_INSERT_SQL)
        finally:
            db.unregister(_BATCH_VIEW)
    return len(rows)


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
