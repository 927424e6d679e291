"""Telemetry aggregation in SQL: percentiles, rates and distributions for charts.

Portable SQL that DuckDB and PostgreSQL both run (``percentile_cont ... WITHIN GROUP``,
``extract(epoch ...)``, ``FILTER``, no lists, JSON or ``GROUP BY ALL``), so the
Telemetry page and notebooks read either store the same way. Every number is computed
in SQL and only the aggregates cross into Python: a chart over a million spans moves a
few hundred rows. The queries read through any ``SpanReader`` (``query`` on either
store), which runs them in a read-only transaction on the store's own connections.

These functions read the raw spans, exactly. The Telemetry page reads the rollups
instead when its window allows (``coach.analytics_rollups``: the same results, with
percentiles within 9%), so a week of millions of spans costs thousands of rows.

Which spans are which (the shapes ``coach.telemetry`` writes):
- an *agent call* is an ``invoke_agent`` span: one per team call, with the agent,
  persona, queue time, the provider that answered and whether it was a fallback; the
  latency, queue and fallback charts are about agent calls;
- a *model call* is a ``chat`` span beneath it, one per attempt (the failed primary
  and the fallback that answered); time to first token, tokens and the error rate
  are about model calls;
- a *turn* is a root span (``parent_span_id IS NULL``): what the candidate waited for.

An empty database gives empty results, never errors.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from coach.errors import CoachError
from coach.store.rollups import EXPERIMENT_TEAM_PATTERNS, LEVELS

logger = logging.getLogger(__name__)

__all__ = [
    "AgentLatency",
    "FilterOptions",
    "ScoreBin",
    "SlowTurn",
    "SpanFilter",
    "SpanReader",
    "TelemetryOverview",
    "TimePoint",
    "TimeSeries",
    "WaterfallSpan",
    "bucket_for",
    "filter_options",
    "latency_by_agent",
    "overview",
    "score_distribution_by_dimension",
    "score_distribution_by_persona",
    "slowest_turns",
    "time_series",
    "waterfall",
]

_AGENT_CALL = "operation = 'invoke_agent'"
_FLOAT = "DOUBLE PRECISION"  # both engines' name for a float8 (PostgreSQL averages as numeric)
_MODEL_CALL = "operation = 'chat'"
# Model calls that failed (a failed primary counts even when the fallback answered), and
# agent calls the fallback answered.
_ERROR_RATE = (
    f"CAST(avg(CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END) FILTER (WHERE {_MODEL_CALL}) "
    f"AS {_FLOAT})"
)
_FALLBACK_RATE = (
    "CAST(avg(CASE WHEN fallback THEN 1.0 WHEN fallback IS NOT NULL THEN 0.0 END) "
    f"FILTER (WHERE {_AGENT_CALL}) AS {_FLOAT})"
)


def _percentiles(column: str, fractions: Sequence[float], where: str = "") -> str:
    """``percentile_cont`` of ``column`` at each fraction (DuckDB's ``quantile_cont``)."""
    condition = f" FILTER (WHERE {where})" if where else ""
    return ", ".join(
        f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {column}){condition}"
        for fraction in fractions
    )


def _mean(expression: str) -> str:
    return f"CAST(avg({expression}) AS {_FLOAT})"


def _epoch_bucket(width_seconds: int) -> str:
    """The start of ``start_time``'s bucket, in whole seconds since the epoch."""
    return (
        f"CAST(floor(extract(epoch FROM start_time) / {width_seconds}) AS BIGINT) * {width_seconds}"
    )


# Bucket widths a chart may use, narrowest first; the first one that keeps a range
# within _MAX_POINTS points wins, so a day is drawn in 15-minute steps, a week hourly.
_BUCKETS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=7),
)
_MAX_POINTS = 200


@runtime_checkable
class SpanReader(Protocol):
    """Something that runs one read-only SQL query on the workbench database."""

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class SpanFilter(BaseModel):
    """Which spans a chart looks at; empty tuples mean "all".

    Frozen and JSON-serialisable, so the page can use ``model_dump_json()`` as a cache key.
    """

    model_config = ConfigDict(frozen=True)

    start: datetime | None = None
    end: datetime | None = None
    personas: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """Naive times are taken as UTC: the store keeps every timestamp in UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("personas", "variants", "agents", "providers", "models")
    @classmethod
    def _sorted(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        """Order does not change the result, so it must not change the cache key."""
        return tuple(sorted(set(values)))

    @model_validator(mode="after")
    def _ordered(self) -> SpanFilter:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise CoachError("The time range is empty: pick a start before the end.")
        return self


class TelemetryOverview(BaseModel):
    spans: int
    demo_spans: int = 0
    first: datetime | None = None
    last: datetime | None = None


class FilterOptions(BaseModel):
    personas: list[str] = []
    variants: list[str] = []
    agents: list[str] = []
    providers: list[str] = []
    models: list[str] = []


class TimePoint(BaseModel):
    """Calls in one time bucket; ``bucket`` is None for the whole range's totals (which
    carry only the headline numbers)."""

    bucket: datetime | None
    agent_calls: int
    model_calls: int
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    queue_p50_ms: float | None = None
    queue_p95_ms: float | None = None
    ttft_p50_ms: float | None = None
    ttft_p95_ms: float | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    error_rate: float | None = None
    fallback_rate: float | None = None


class TimeSeries(BaseModel):
    bucket_seconds: float
    points: list[TimePoint]
    total: TimePoint | None


class AgentLatency(BaseModel):
    agent: str
    calls: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_rate: float


class VariantStats(BaseModel):
    """One persona variant's agent calls: live (a rollout's share, or its control) or
    in an experiment, side by side with the others."""

    variant: str
    source: str  # "live" or "experiment"
    calls: int
    p50_ms: float
    p95_ms: float
    error_rate: float
    fallback_rate: float
    mean_score: float | None


class ScoreBin(BaseModel):
    """``count`` scores of ``group`` (a persona or a dimension) in [score, score + 1)."""

    group: str
    score: int
    count: int


class SlowTurn(BaseModel):
    trace_id: str
    span_id: str
    name: str
    start_time: datetime
    duration_ms: float
    status: str
    persona: str | None
    variant: str | None
    session_id: str | None
    spans: int


class WaterfallSpan(BaseModel):
    span_id: str
    parent_span_id: str | None
    name: str
    depth: int
    offset_ms: float
    duration_ms: float
    status: str
    agent: str | None
    provider: str | None
    model: str | None


# --- choosing buckets -----------------------------------------------------------------


def bucket_for(start: datetime, end: datetime) -> timedelta:
    """The narrowest bucket that keeps the range within a readable number of points."""
    span = end - start
    for width in _BUCKETS:
        if span / width <= _MAX_POINTS:
            return width
    return _BUCKETS[-1]


# --- the queries ----------------------------------------------------------------------


def overview(reader: SpanReader) -> TelemetryOverview:
    """How many spans there are and when they start and end: counts from the hourly
    rollups (exact), first and last from the spans (an index on PostgreSQL, zone maps
    on DuckDB make both cheap)."""
    counts = reader.query(
        "SELECT sum(spans), sum(demo_spans) FROM span_rollups WHERE width_s = ?", [_WIDEST]
    )
    times = reader.query("SELECT min(start_time), max(start_time) FROM spans")
    count, demo = counts[0] if counts else (None, None)
    first, last = times[0] if times else (None, None)
    if not count:
        return TelemetryOverview(spans=0)
    return TelemetryOverview(spans=int(count), demo_spans=int(demo or 0), first=first, last=last)


def filter_options(
    reader: SpanReader, start: datetime | None = None, end: datetime | None = None
) -> FilterOptions:
    """The values each filter can take within the time range: from the rollups when the
    range starts and ends on their buckets (the page's ranges do), else the spans."""
    window = SpanFilter(start=start, end=end)
    level = rollup_level(window)
    if level is not None:
        where, parameters = rollup_time_condition(window, level)
        source = "span_rollups"
    else:
        where, parameters = _time_condition(window)
        source = "spans"
    rows = reader.query(
        f"SELECT DISTINCT persona, variant, agent, provider, request_model FROM {source} "
        f"WHERE {where}",
        parameters,
    )
    # Turn spans carry an empty variant until one is set: not a choice anyone can make.
    columns = list(zip(*rows, strict=True)) if rows else [()] * 5
    lists = [sorted({value for value in column if value}) for column in columns]
    return FilterOptions(
        personas=lists[0], variants=lists[1], agents=lists[2], providers=lists[3], models=lists[4]
    )


def time_series(reader: SpanReader, span_filter: SpanFilter, bucket: timedelta) -> TimeSeries:
    """Per-bucket percentiles, tokens and rates of agent and model calls, and the totals.

    Agent calls and model calls are two queries, each reading only its own rows (one
    query with ``FILTER`` clauses evaluated every clause on every row: 2.4 s against 1 s
    at 5,000,000 spans), joined on the bucket here. The totals are a third, lighter
    query: only the headline numbers, because a percentile over the whole range is one
    large single-threaded sort.
    """
    where, parameters = _span_conditions(span_filter)
    epoch_bucket = _epoch_bucket(int(bucket.total_seconds()))
    agent_rows = reader.query(
        f"""
        SELECT {epoch_bucket} AS bucket_s, count(*),
               {_percentiles("duration_ms", (0.5, 0.95, 0.99))},
               {_percentiles("queue_ms", (0.5, 0.95))},
               {_mean("CASE WHEN fallback THEN 1.0 WHEN fallback IS NOT NULL THEN 0.0 END")}
        FROM spans
        WHERE {_AGENT_CALL} AND {where}
        GROUP BY bucket_s
        """,
        parameters,
    )
    model_rows = reader.query(
        f"""
        SELECT {epoch_bucket} AS bucket_s, count(*),
               {_percentiles("ttft_ms", (0.5, 0.95))},
               {_mean("input_tokens")}, {_mean("output_tokens")},
               {_mean("CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END")}
        FROM spans
        WHERE {_MODEL_CALL} AND {where}
        GROUP BY bucket_s
        """,
        parameters,
    )
    agents = {int(row[0]): row for row in agent_rows}
    models = {int(row[0]): row for row in model_rows}
    points = []
    for bucket_s in sorted(agents.keys() | models.keys()):
        agent = agents.get(bucket_s)
        model = models.get(bucket_s)
        points.append(
            TimePoint(
                bucket=datetime.fromtimestamp(bucket_s, tz=UTC),
                agent_calls=agent[1] if agent else 0,
                model_calls=model[1] if model else 0,
                latency_p50_ms=agent[2] if agent else None,
                latency_p95_ms=agent[3] if agent else None,
                latency_p99_ms=agent[4] if agent else None,
                queue_p50_ms=agent[5] if agent else None,
                queue_p95_ms=agent[6] if agent else None,
                ttft_p50_ms=model[2] if model else None,
                ttft_p95_ms=model[3] if model else None,
                input_tokens=model[4] if model else None,
                output_tokens=model[5] if model else None,
                error_rate=model[6] if model else None,
                fallback_rate=agent[7] if agent else None,
            )
        )
    return TimeSeries(
        bucket_seconds=bucket.total_seconds(),
        points=points,
        total=_totals(reader, where, parameters) if points else None,
    )


def _totals(reader: SpanReader, where: str, parameters: list[Any]) -> TimePoint:
    rows = reader.query(
        f"""
        SELECT count(*) FILTER (WHERE {_AGENT_CALL}),
               count(*) FILTER (WHERE {_MODEL_CALL}),
               {_percentiles("duration_ms", (0.5, 0.95, 0.99), _AGENT_CALL)},
               {_ERROR_RATE},
               {_FALLBACK_RATE}
        FROM spans
        WHERE ({_AGENT_CALL} OR {_MODEL_CALL}) AND {where}
        """,
        parameters,
    )
    row = rows[0]
    return TimePoint(
        bucket=None,
        agent_calls=row[0],
        model_calls=row[1],
        latency_p50_ms=row[2],
        latency_p95_ms=row[3],
        latency_p99_ms=row[4],
        error_rate=row[5],
        fallback_rate=row[6],
    )


def latency_by_agent(reader: SpanReader, span_filter: SpanFilter) -> list[AgentLatency]:
    """p50/p95/p99 of each agent's calls (queue included), slowest p95 first."""
    where, parameters = _span_conditions(span_filter)
    rows = reader.query(
        f"""
        SELECT agent, count(*), {_percentiles("duration_ms", (0.5, 0.95, 0.99))},
               {_mean("CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END")}
        FROM spans
        WHERE {_AGENT_CALL} AND agent IS NOT NULL AND {where}
        GROUP BY agent
        """,
        parameters,
    )
    agents = [
        AgentLatency(
            agent=row[0],
            calls=row[1],
            p50_ms=row[2],
            p95_ms=row[3],
            p99_ms=row[4],
            error_rate=row[5],
        )
        for row in rows
    ]
    return sorted(agents, key=lambda agent: (-agent.p95_ms, agent.agent))


def latency_and_scores_by_variant(
    reader: SpanReader, span_filter: SpanFilter
) -> list[VariantStats]:
    """Agent calls per variant: how a rollout's share compares with its control in
    production, and experiment arms beside them."""
    where, parameters = _span_conditions(span_filter)
    experiment = " OR ".join("attributes LIKE ?" for _ in EXPERIMENT_TEAM_PATTERNS)
    rows = reader.query(
        f"""
        SELECT variant, source, count(*), {_percentiles("duration_ms", (0.5, 0.95))},
               {_mean("CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END")},
               {_mean("CASE WHEN fallback THEN 1.0 ELSE 0.0 END")},
               {_mean("score")}
        FROM (
            SELECT variant, duration_ms, status, fallback, score,
                   CASE WHEN {experiment} THEN 'experiment' ELSE 'live' END AS source
            FROM spans
            WHERE {_AGENT_CALL} AND variant IS NOT NULL AND variant <> '' AND {where}
        ) AS calls
        GROUP BY variant, source
        """,
        [*EXPERIMENT_TEAM_PATTERNS, *parameters],
    )
    variants = [
        VariantStats(
            variant=row[0],
            source=row[1],
            calls=row[2],
            p50_ms=row[3],
            p95_ms=row[4],
            error_rate=row[5],
            fallback_rate=row[6],
            mean_score=row[7],
        )
        for row in rows
    ]
    return sorted(variants, key=_variant_order)


def _variant_order(stats: VariantStats) -> tuple[int, str]:
    """Live before experiment (the page's order since it was DuckDB's ``source DESC``)."""
    return (0 if stats.source == "live" else 1, stats.variant)


def score_distribution_by_persona(reader: SpanReader, span_filter: SpanFilter) -> list[ScoreBin]:
    """Histogram of overall evaluation scores (bins of one point, 0-9) per persona.

    The persona is the one that scored (the evaluation's attribution), else the
    session's. Scores come from the evaluations table, so the variant filter applies
    through the spans of the same session.
    """
    where, parameters = _evaluation_conditions(span_filter)
    rows = reader.query(
        f"""
        SELECT persona, score, count(*)
        FROM (
            SELECT coalesce(e.persona, s.persona, 'unknown') AS persona,
                   CAST(least(greatest(floor(e.overall), 0), 9) AS INTEGER) AS score
            FROM evaluations AS e
            LEFT JOIN sessions AS s ON s.id = e.session_id
            WHERE {where}
        ) AS scored
        GROUP BY persona, score
        ORDER BY persona, score
        """,
        parameters,
    )
    return [ScoreBin(group=row[0], score=row[1], count=row[2]) for row in rows]


def score_distribution_by_dimension(reader: SpanReader, span_filter: SpanFilter) -> list[ScoreBin]:
    """Histogram of rubric dimension scores (integers 1-10) per dimension.

    Filters the evaluations first and joins their dimensions after, so the join only
    touches the rows that count.
    """
    where, parameters = _evaluation_conditions(span_filter)
    rows = reader.query(
        f"""
        WITH chosen AS (
            SELECT e.id
            FROM evaluations AS e
            LEFT JOIN sessions AS s ON s.id = e.session_id
            WHERE {where}
        )
        SELECT d.dimension, d.score, count(*)
        FROM evaluation_dimensions AS d
        JOIN chosen ON chosen.id = d.evaluation_id
        GROUP BY d.dimension, d.score
        ORDER BY d.dimension, d.score
        """,
        parameters,
    )
    return [ScoreBin(group=row[0], score=row[1], count=row[2]) for row in rows]


def slowest_turns(reader: SpanReader, span_filter: SpanFilter, limit: int = 20) -> list[SlowTurn]:
    """The longest root spans; a turn matches the filter when any of its spans does.

    (Agents, providers and models are recorded on the model calls beneath a turn, so
    filtering the root span alone would hide every turn.)
    """
    time_where, time_parameters = _time_condition(span_filter)
    column_where, column_parameters = _column_conditions(span_filter)
    matching = ""
    if column_parameters:
        matching = (
            f" AND trace_id IN (SELECT trace_id FROM spans WHERE {time_where} AND {column_where})"
        )
    rows = reader.query(
        f"""
        WITH top AS (
            SELECT trace_id, span_id, name, start_time, duration_ms, status, persona, variant,
                   session_id
            FROM spans
            WHERE parent_span_id IS NULL AND {time_where}{matching}
            ORDER BY duration_ms DESC, span_id
            LIMIT ?
        ),
        sizes AS (
            SELECT trace_id, count(*) AS spans
            FROM spans
            WHERE trace_id IN (SELECT trace_id FROM top)
            GROUP BY trace_id
        )
        SELECT top.*, sizes.spans
        FROM top JOIN sizes USING (trace_id)
        ORDER BY duration_ms DESC, span_id
        """,
        [*time_parameters, *time_parameters, *column_parameters, max(limit, 0)]
        if column_parameters
        else [*time_parameters, max(limit, 0)],
    )
    return [
        SlowTurn(
            trace_id=row[0],
            span_id=row[1],
            name=row[2],
            start_time=row[3],
            duration_ms=row[4],
            status=row[5],
            persona=row[6],
            variant=row[7],
            session_id=row[8],
            spans=row[9],
        )
        for row in rows
    ]


def waterfall(reader: SpanReader, trace_id: str) -> list[WaterfallSpan]:
    """Every span of one trace, offset from the trace's start, parents before children."""
    rows = reader.query(
        """
        SELECT span_id, parent_span_id, name, start_time,
               duration_ms, status, agent, provider, coalesce(response_model, request_model)
        FROM spans
        WHERE trace_id = ?
        ORDER BY start_time, span_id
        """,
        [trace_id],
    )
    first = rows[0][3] if rows else None
    ids = {row[0] for row in rows}
    children: dict[str | None, list[tuple[Any, ...]]] = {}
    for row in rows:
        # A parent outside this trace (or not exported yet) makes the span a root here.
        parent = row[1] if row[1] in ids else None
        children.setdefault(parent, []).append(row)
    ordered: list[WaterfallSpan] = []

    def visit(parent: str | None, depth: int) -> None:
        for row in children.get(parent, []):
            ordered.append(
                WaterfallSpan(
                    span_id=row[0],
                    parent_span_id=row[1],
                    name=row[2],
                    depth=depth,
                    offset_ms=(row[3] - first).total_seconds() * 1000,
                    duration_ms=row[4],
                    status=row[5],
                    agent=row[6],
                    provider=row[7],
                    model=row[8],
                )
            )
            visit(row[0], depth + 1)

    visit(None, 0)
    return ordered


# --- WHERE clauses --------------------------------------------------------------------

_SPAN_COLUMNS = (
    ("personas", "persona"),
    ("variants", "variant"),
    ("agents", "agent"),
    ("providers", "provider"),
    ("models", "request_model"),
)
_EVALUATION_COLUMNS = (
    ("personas", "coalesce(e.persona, s.persona, 'unknown')"),
    ("agents", "e.agent"),
    ("providers", "e.provider"),
    ("models", "e.model"),
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"


def _time_condition(span_filter: SpanFilter, column: str = "start_time") -> tuple[str, list[Any]]:
    """The range as a plain comparison on the indexed column, so zone maps skip blocks."""
    conditions, parameters = ["TRUE"], []
    if span_filter.start is not None:
        conditions.append(f"{column} >= ?")
        parameters.append(span_filter.start)
    if span_filter.end is not None:
        conditions.append(f"{column} < ?")
        parameters.append(span_filter.end)
    return " AND ".join(conditions), parameters


def _column_conditions(span_filter: SpanFilter) -> tuple[str, list[Any]]:
    conditions, parameters = ["TRUE"], []
    for field, column in _SPAN_COLUMNS:
        values: tuple[str, ...] = getattr(span_filter, field)
        if values:
            conditions.append(_in(column, values))
            parameters += values
    return " AND ".join(conditions), parameters


def _span_conditions(span_filter: SpanFilter) -> tuple[str, list[Any]]:
    time_where, time_parameters = _time_condition(span_filter)
    column_where, column_parameters = _column_conditions(span_filter)
    return f"{time_where} AND {column_where}", [*time_parameters, *column_parameters]


def _evaluation_conditions(span_filter: SpanFilter) -> tuple[str, list[Any]]:
    where, parameters = _time_condition(span_filter, column="e.created_at")
    conditions = [where]
    for field, column in _EVALUATION_COLUMNS:
        values: tuple[str, ...] = getattr(span_filter, field)
        if values:
            conditions.append(_in(column, values))
            parameters += values
    if span_filter.variants:
        # Evaluations do not record a variant; the spans of their session do.
        conditions.append(
            "e.session_id IN (SELECT session_id FROM spans WHERE "
            f"{_in('variant', span_filter.variants)})"
        )
        parameters += span_filter.variants
    return " AND ".join(conditions), parameters


# --- rollups ----------------------------------------------------------------------

_WIDEST = max(LEVELS)


def rollup_level(span_filter: SpanFilter, bucket: timedelta | None = None) -> int | None:
    """The widest rollup level (seconds) whose buckets tile the filter's range and the
    chart's ``bucket``; None when none does (a range that starts mid-bucket, or a chart
    finer than 15 minutes): then only the spans can answer exactly."""
    for width in sorted(LEVELS, reverse=True):
        if bucket is not None and bucket.total_seconds() % width:
            continue
        edges = [edge for edge in (span_filter.start, span_filter.end) if edge is not None]
        if all(edge.timestamp() % width == 0 for edge in edges):
            return width
    return None


def rollup_time_condition(span_filter: SpanFilter, width: int) -> tuple[str, list[Any]]:
    """The filter's range as whole buckets of one rollup level."""
    conditions, parameters = ["width_s = ?"], [width]
    if span_filter.start is not None:
        conditions.append("bucket >= ?")
        parameters.append(int(span_filter.start.timestamp()))
    if span_filter.end is not None:
        conditions.append("bucket < ?")
        parameters.append(int(span_filter.end.timestamp()))
    return " AND ".join(conditions), parameters
