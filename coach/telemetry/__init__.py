"""Tracing for the workbench: OpenTelemetry spans into the store's span sink (DuckDB or
PostgreSQL), optionally to OTLP.

``build_workbench`` builds one ``Telemetry`` per workbench; the team, the providers
and the services record spans through it, with the GenAI semantic-convention names
in ``coach.telemetry.attributes``.
"""

from coach.telemetry.exporter import SpanSinkExporter, span_row
from coach.telemetry.tracing import (
    AgentCall,
    Telemetry,
    TracedProvider,
    TracedStore,
    Turn,
    carry_context,
)

__all__ = [
    "AgentCall",
    "SpanSinkExporter",
    "Telemetry",
    "TracedProvider",
    "TracedStore",
    "Turn",
    "carry_context",
    "span_row",
]
