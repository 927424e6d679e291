"""``SpanSinkExporter``: finished spans into the workbench's database.

The SDK's ``BatchSpanProcessor`` calls ``export`` on its own thread with up to a batch
of spans; each batch goes to a ``SpanSink`` (the DuckDB file's, or PostgreSQL's when
``COACH_STORE__URL`` is set) as one write in one short transaction, off every request's
path. Like every exporter it must never raise into the app: a failed batch is logged,
reported as ``FAILURE`` and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import orjson
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import StatusCode

from coach.store.spans import STATUS_ERROR, STATUS_OK, SpanRow, SpanSink
from coach.telemetry import attributes as names

__all__ = ["SpanSinkExporter", "span_row"]

log = logging.getLogger(__name__)

# Two states are what the charts need: OpenTelemetry's UNSET means "no error".
_STATUS = {
    StatusCode.OK: STATUS_OK,
    StatusCode.ERROR: STATUS_ERROR,
    StatusCode.UNSET: STATUS_OK,
}


class SpanSinkExporter(SpanExporter):
    """Writes span batches to the ``spans`` table (and its rollups) through ``sink``."""

    def __init__(self, sink: SpanSink, *, demo: bool = False) -> None:
        self._sink = sink
        self._demo = demo
        self._shut_down = False
        self.written = 0
        """Spans stored so far (``coach seed-demo`` reports them)."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shut_down:
            return SpanExportResult.FAILURE
        try:
            self._sink.write([span_row(span, demo=self._demo) for span in spans])
            self.written += len(spans)
        except Exception as error:  # an exporter must not raise into the app
            log.warning(
                "spans not stored",
                extra={"spans": len(spans), "error": type(error).__name__},
                exc_info=True,
            )
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._shut_down = True

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True  # every export is written before it returns


def span_row(span: ReadableSpan, *, demo: bool = False) -> SpanRow:
    """One span as a row: each well-known attribute in its column, the rest as JSON.

    An attribute is stored once: taken out (``pop``) for its column, so the JSON holds
    only what has no column (``coach.team``, ``error.type``, prompts when recorded).
    That halves what a span writes, and what DuckDB later compresses at checkpoints.
    Runs on the exporter thread: reads the attributes into a plain dict once (the SDK's
    mapping answers each lookup in Python), builds the row by position, and checks
    types only where a wrong one would fail the batch's INSERT."""
    attributes = dict(span.attributes or _NO_ATTRIBUTES)
    take = attributes.pop
    context = span.context
    parent = span.parent
    start = span.start_time or 0
    end = span.end_time or start
    status = span.status
    return SpanRow(  # in SpanRow's field order
        format(context.span_id, "016x") if context else "",
        format(context.trace_id, "032x") if context else "",
        format(parent.span_id, "016x") if parent else None,
        span.name,
        start,
        end,
        (end - start) / 1e6,
        _STATUS[status.status_code],
        status.description,
        _text(take(names.OPERATION, None) or take(names.COACH_OPERATION, None)),
        _text(take(names.PROVIDER, None)),
        _text(take(names.REQUEST_MODEL, None)),
        _text(take(names.RESPONSE_MODEL, None)),
        _number(take(names.TEMPERATURE, None)),
        _integer(take(names.MAX_TOKENS, None)),
        _text(take(names.AGENT, None) or take(names.AGENT_NAME, None)),
        _text(take(names.PERSONA, None)),
        _text(take(names.VARIANT, None)),
        _text(take(names.SESSION_ID, None)),
        _integer(take(names.INPUT_TOKENS, None)),
        _integer(take(names.OUTPUT_TOKENS, None)),
        _number(take(names.QUEUE_MS, None)),
        _number(take(names.TTFT_MS, None)),
        _flag(take(names.FALLBACK, None)),
        _number(take(names.SCORE, None)),
        demo,
        _dumps(attributes),
    )


_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


def _dumps(attributes: dict[str, Any]) -> str:
    """Compact JSON of attribute values (str, bool, int, float or sequences of them);
    orjson because the standard encoder was a third of a span's write cost."""
    return orjson.dumps(attributes, default=str).decode()


def _text(value: object) -> str | None:
    return value if value is None or value.__class__ is str else str(value)  # type: ignore[return-value]


def _number(value: object) -> float | None:
    kind = value.__class__
    if kind is float:
        return value  # type: ignore[return-value]
    return float(value) if kind is int else None  # type: ignore[arg-type]


def _integer(value: object) -> int | None:
    return value if value.__class__ is int else None  # type: ignore[return-value]


def _flag(value: object) -> bool | None:
    return value if value.__class__ is bool else None  # type: ignore[return-value]
