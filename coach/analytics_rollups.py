"""The Telemetry page's charts from the span rollups instead of the raw spans.

Same functions and results as ``coach.analytics`` (which reads spans exactly), read
from ``span_rollups`` and ``span_latency_bins`` (``coach.store.rollups``): a week of
five million spans is a few thousand rollup rows, on DuckDB and PostgreSQL alike.
Counts, rates, token means and scores are exact; percentiles come from latency
histograms and are within 9% of the exact value (``coach.store.rollups``).

Only for ranges that start and end on a rollup bucket, and charts whose bucket is a
whole number of them (``analytics.rollup_level``); ``TelemetryService`` chooses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from coach.analytics import (
    AgentLatency,
    SpanFilter,
    SpanReader,
    TimePoint,
    TimeSeries,
    VariantStats,
    rollup_time_condition,
)
from coach.store.rollups import BINS, quantile

__all__ = ["latency_and_scores_by_variant", "latency_by_agent", "time_series"]

_AGENT_CALL = "operation = 'invoke_agent'"
_MODEL_CALL = "operation = 'chat'"
_DIMENSIONS = (
    ("personas", "persona"),
    ("variants", "variant"),
    ("agents", "agent"),
    ("providers", "provider"),
    ("models", "request_model"),
)

Histograms = dict[Hashable, dict[str, list[int]]]
"""Group -> histogram name -> counts per bin."""


def time_series(
    reader: SpanReader, span_filter: SpanFilter, bucket: timedelta, width: int
) -> TimeSeries:
    """``analytics.time_series`` from the rollups of level ``width`` (seconds)."""
    step = int(bucket.total_seconds())
    where, parameters = _conditions(span_filter, width)
    group = f"bucket - bucket % {step}"
    agent_rows = reader.query(
        f"SELECT {group}, sum(spans), sum(fallbacks), sum(fallback_known) FROM span_rollups "
        f"WHERE {_AGENT_CALL} AND {where} GROUP BY {group}",
        parameters,
    )
    model_rows = reader.query(
        f"SELECT {group}, sum(spans), sum(errors), sum(input_tokens), sum(input_token_spans), "
        f"sum(output_tokens), sum(output_token_spans) FROM span_rollups "
        f"WHERE {_MODEL_CALL} AND {where} GROUP BY {group}",
        parameters,
    )
    agent_bins = _histograms(reader, group, _AGENT_CALL, ("duration", "queue"), where, parameters)
    model_bins = _histograms(reader, group, _MODEL_CALL, ("ttft",), where, parameters)
    agents = {int(row[0]): _ints(row) for row in agent_rows}
    models = {int(row[0]): _ints(row) for row in model_rows}
    points = []
    for start in sorted(agents.keys() | models.keys()):
        agent, model = agents.get(start), models.get(start)
        latency = _bins(agent_bins, start, "duration")
        queue = _bins(agent_bins, start, "queue")
        ttft = _bins(model_bins, start, "ttft")
        points.append(
            TimePoint(
                bucket=datetime.fromtimestamp(start, tz=UTC),
                agent_calls=agent[1] if agent else 0,
                model_calls=model[1] if model else 0,
                latency_p50_ms=quantile(latency, 0.5),
                latency_p95_ms=quantile(latency, 0.95),
                latency_p99_ms=quantile(latency, 0.99),
                queue_p50_ms=quantile(queue, 0.5),
                queue_p95_ms=quantile(queue, 0.95),
                ttft_p50_ms=quantile(ttft, 0.5),
                ttft_p95_ms=quantile(ttft, 0.95),
                input_tokens=_ratio(model[3], model[4]) if model else None,
                output_tokens=_ratio(model[5], model[6]) if model else None,
                error_rate=_ratio(model[2], model[1]) if model else None,
                fallback_rate=_ratio(agent[2], agent[3]) if agent else None,
            )
        )
    total = None
    if points:
        latency = _summed(agent_bins, "duration")
        agent_calls = sum(row[1] for row in agents.values())
        model_calls = sum(row[1] for row in models.values())
        total = TimePoint(
            bucket=None,
            agent_calls=agent_calls,
            model_calls=model_calls,
            latency_p50_ms=quantile(latency, 0.5),
            latency_p95_ms=quantile(latency, 0.95),
            latency_p99_ms=quantile(latency, 0.99),
            error_rate=_ratio(sum(row[2] for row in models.values()), model_calls),
            fallback_rate=_ratio(
                sum(row[2] for row in agents.values()), sum(row[3] for row in agents.values())
            ),
        )
    return TimeSeries(bucket_seconds=bucket.total_seconds(), points=points, total=total)


def latency_by_agent(reader: SpanReader, span_filter: SpanFilter, width: int) -> list[AgentLatency]:
    """``analytics.latency_by_agent`` from the rollups of level ``width``."""
    where, parameters = _conditions(span_filter, width)
    condition = f"{_AGENT_CALL} AND agent <> ''"
    rows = reader.query(
        f"SELECT agent, sum(spans), sum(errors) FROM span_rollups "
        f"WHERE {condition} AND {where} GROUP BY agent",
        parameters,
    )
    bins = _histograms(reader, "agent", condition, ("duration",), where, parameters)
    agents = []
    for row in rows:
        agent, calls, errors = row[0], int(row[1]), int(row[2])
        latency = _bins(bins, agent, "duration")
        agents.append(
            AgentLatency(
                agent=agent,
                calls=calls,
                p50_ms=quantile(latency, 0.5) or 0.0,
                p95_ms=quantile(latency, 0.95) or 0.0,
                p99_ms=quantile(latency, 0.99) or 0.0,
                error_rate=errors / calls,
            )
        )
    return sorted(agents, key=lambda agent: (-agent.p95_ms, agent.agent))


def latency_and_scores_by_variant(
    reader: SpanReader, span_filter: SpanFilter, width: int
) -> list[VariantStats]:
    """``analytics.latency_and_scores_by_variant`` from the rollups of level ``width``."""
    where, parameters = _conditions(span_filter, width)
    condition = f"{_AGENT_CALL} AND variant <> ''"
    rows = reader.query(
        f"SELECT variant, source, sum(spans), sum(errors), sum(fallbacks), sum(score_sum), "
        f"sum(score_count) FROM span_rollups WHERE {condition} AND {where} "
        "GROUP BY variant, source",
        parameters,
    )
    bins = _histograms(reader, "variant, source", condition, ("duration",), where, parameters)
    variants = []
    for variant, source, calls, errors, fallbacks, score_sum, scores in rows:
        latency = _bins(bins, (variant, source), "duration")
        variants.append(
            VariantStats(
                variant=variant,
                source=source,
                calls=int(calls),
                p50_ms=quantile(latency, 0.5) or 0.0,
                p95_ms=quantile(latency, 0.95) or 0.0,
                error_rate=int(errors) / int(calls),
                fallback_rate=int(fallbacks) / int(calls),
                mean_score=float(score_sum) / int(scores) if scores else None,
            )
        )
    return sorted(variants, key=lambda stats: (0 if stats.source == "live" else 1, stats.variant))


# --- reading ----------------------------------------------------------------------


def _conditions(span_filter: SpanFilter, width: int) -> tuple[str, list[Any]]:
    where, parameters = rollup_time_condition(span_filter, width)
    conditions = [where]
    for field, column in _DIMENSIONS:
        values: tuple[str, ...] = getattr(span_filter, field)
        if values:
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
            parameters += values
    return " AND ".join(conditions), parameters


def _histograms(
    reader: SpanReader,
    group: str,
    condition: str,
    names: Sequence[str],
    where: str,
    parameters: list[Any],
) -> Histograms:
    """Bin counts of the histograms ``names``, summed per ``group`` (SQL expressions)."""
    chosen = ", ".join(f"'{name}'" for name in names)
    width = len(group.split(","))
    rows = reader.query(
        f"SELECT {group}, histogram, bin, sum(spans) FROM span_latency_bins "
        f"WHERE {condition} AND histogram IN ({chosen}) AND {where} "
        f"GROUP BY {group}, histogram, bin",
        parameters,
    )
    found: Histograms = defaultdict(dict)
    for row in rows:
        key: Hashable = row[0] if width == 1 else tuple(row[:width])
        if isinstance(key, float | int) and not isinstance(key, bool):
            key = int(key)
        histogram, k, count = row[width], row[width + 1], row[width + 2]
        counts = found[key].setdefault(histogram, [0] * BINS)
        counts[int(k)] += int(count)
    return found


def _bins(histograms: Histograms, key: Hashable, name: str) -> list[int]:
    return histograms.get(key, {}).get(name, [])


def _summed(histograms: Histograms, name: str) -> list[int]:
    total = [0] * BINS
    for by_name in histograms.values():
        for k, count in enumerate(by_name.get(name, ())):
            total[k] += count
    return total


def _ints(row: Sequence[Any]) -> tuple[int, ...]:
    """PostgreSQL sums BIGINTs as NUMERIC (Decimals); DuckDB as HUGEINTs (ints)."""
    return tuple(int(value or 0) for value in row)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None
