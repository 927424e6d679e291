"""Log lines with their structured fields, for the app and the CLI.

``logger.info("agent call", extra={"agent": "feedback", ...})`` prints as
``... INFO coach.agents.team agent call agent=feedback ...``. Secrets never reach a
log call in the first place; this only decides how records look. A line logged inside
a traced operation carries ``trace_id`` and ``span_id``, so it leads to its trace.
"""

from __future__ import annotations

import logging

from opentelemetry import trace

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_HANDLER_NAME = "coach-structured"


class TraceContextFilter(logging.Filter):
    """Adds the current span's ``trace_id`` and ``span_id`` to records logged in one."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True


class StructuredFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
        return line


def configure_logging(level: str = "INFO") -> None:
    """Send ``coach.*`` records to stderr with their fields; safe to call every rerun."""
    logger = logging.getLogger("coach")
    logger.setLevel(level.upper())
    if any(handler.get_name() == _HANDLER_NAME for handler in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(StructuredFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    # On the handler, not the logger: a logger's filters skip records from its children.
    handler.addFilter(TraceContextFilter())
    logger.addHandler(handler)
