"""The Telemetry page's use case: turn a time range and filters into chart-ready data.

Plain Python over ``coach.analytics``, so a notebook gets the same numbers as the page.
The charts read the span rollups (``coach.analytics_rollups``) whenever the range
starts and ends on their buckets, as every range the page offers does except the last
hour, whose one-minute points are computed exactly from its spans.

Relative ranges ("last 24 hours") end at the next boundary of the range's chart bucket
(the next hour for the last 7 days), so the same choice gives an identical
``SpanFilter`` for a whole bucket and the page's cache (keyed by the filter's JSON) is
hit on every rerun: a minute passing recomputes nothing (issue 13).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum

from pydantic import BaseModel, Field

from coach import analytics, analytics_rollups
from coach.analytics import (
    AgentLatency,
    FilterOptions,
    ScoreBin,
    SlowTurn,
    SpanFilter,
    SpanReader,
    TelemetryOverview,
    TimeSeries,
    VariantStats,
    WaterfallSpan,
)
from coach.errors import CoachError

logger = logging.getLogger(__name__)

__all__ = ["TelemetryDashboard", "TelemetryService", "TimeRange"]


class TimeRange(StrEnum):
    LAST_HOUR = "last_hour"
    LAST_DAY = "last_day"
    LAST_WEEK = "last_week"
    LAST_MONTH = "last_month"
    ALL = "all"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return _RANGE_LABELS[self]


_RANGE_LABELS = {
    TimeRange.LAST_HOUR: "Last hour",
    TimeRange.LAST_DAY: "Last 24 hours",
    TimeRange.LAST_WEEK: "Last 7 days",
    TimeRange.LAST_MONTH: "Last 30 days",
    TimeRange.ALL: "All time",
    TimeRange.CUSTOM: "Custom",
}
_RANGE_LENGTHS = {
    TimeRange.LAST_HOUR: timedelta(hours=1),
    TimeRange.LAST_DAY: timedelta(days=1),
    TimeRange.LAST_WEEK: timedelta(days=7),
    TimeRange.LAST_MONTH: timedelta(days=30),
}


class TelemetryDashboard(BaseModel):
    """Everything the page draws for one filter, computed together."""

    filter: SpanFilter
    series: TimeSeries
    agents: list[AgentLatency]
    variants: list[VariantStats] = Field(default_factory=list)
    persona_scores: list[ScoreBin]
    dimension_scores: list[ScoreBin]
    slowest_turns: list[SlowTurn]
    computed_at: datetime
    seconds: float

    @property
    def is_empty(self) -> bool:
        return not (self.series.points or self.slowest_turns or self.persona_scores or self.agents)


class TelemetryService:
    """Telemetry queries over the workbench database; no state beyond the reader."""

    def __init__(
        self, reader: SpanReader, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._reader = reader
        self._now = now

    @classmethod
    def for_store(cls, store: object) -> TelemetryService:
        """The service over a store that can run analytics SQL (DuckDB's and
        PostgreSQL's can)."""
        if not isinstance(store, SpanReader):
            raise CoachError(
                "Telemetry charts need the DuckDB or the PostgreSQL store; this workbench "
                f"uses {type(store).__name__}, which cannot run them."
            )
        return cls(store)

    # --- filters ------------------------------------------------------------------

    def window(
        self,
        choice: TimeRange,
        *,
        custom: tuple[date, date] | None = None,
    ) -> tuple[datetime | None, datetime | None]:
        """Start and end of a time range choice; whole UTC days for a custom range."""
        if choice is TimeRange.ALL:
            return None, None
        if choice is TimeRange.CUSTOM:
            if custom is None:
                raise CoachError("Pick the first and the last day of the custom range.")
            first, last = sorted(custom)
            start = datetime.combine(first, clock_time.min, tzinfo=UTC)
            return start, datetime.combine(last, clock_time.min, tzinfo=UTC) + timedelta(days=1)
        now, length = self._now(), _RANGE_LENGTHS[choice]
        end = _next_boundary(now, analytics.bucket_for(now - length, now))
        return end - length, end

    def overview(self) -> TelemetryOverview:
        return analytics.overview(self._reader)

    def options(self, start: datetime | None, end: datetime | None) -> FilterOptions:
        return analytics.filter_options(self._reader, start, end)

    # --- charts -------------------------------------------------------------------

    def dashboard(self, span_filter: SpanFilter) -> TelemetryDashboard:
        """All chart data for one filter; the bucket width follows the range's length."""
        started = time.perf_counter()
        computed_at = self._now()
        series_start, series_end = span_filter.start, span_filter.end
        if series_start is None or series_end is None:
            known = self.overview()
            series_start = series_start or known.first or self._now()
            series_end = series_end or known.last or self._now()
        bucket = analytics.bucket_for(series_start, max(series_end, series_start))
        reader = self._reader
        width = analytics.rollup_level(span_filter, bucket)
        if width is None:  # a range the rollups cannot tile: the spans, exactly
            series_of, agents_of, variants_of = (
                analytics.time_series,
                analytics.latency_by_agent,
                analytics.latency_and_scores_by_variant,
            )
            extra: tuple[int, ...] = ()
        else:
            series_of, agents_of, variants_of = (
                analytics_rollups.time_series,  # type: ignore[assignment]
                analytics_rollups.latency_by_agent,  # type: ignore[assignment]
                analytics_rollups.latency_and_scores_by_variant,  # type: ignore[assignment]
            )
            extra = (width,)
        # The queries are independent and the store reads side by side (a cursor each):
        # one query's single-threaded stretches (a percentile's final sort) overlap
        # another's scan instead of leaving a core idle.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="telemetry") as pool:
            series = pool.submit(series_of, reader, span_filter, bucket, *extra)
            agents = pool.submit(agents_of, reader, span_filter, *extra)
            variants = pool.submit(variants_of, reader, span_filter, *extra)
            slowest = pool.submit(analytics.slowest_turns, reader, span_filter)
            persona_scores = pool.submit(
                analytics.score_distribution_by_persona, reader, span_filter
            )
            dimension_scores = pool.submit(
                analytics.score_distribution_by_dimension, reader, span_filter
            )
            dashboard = TelemetryDashboard(
                filter=span_filter,
                series=series.result(),
                agents=agents.result(),
                variants=variants.result(),
                persona_scores=persona_scores.result(),
                dimension_scores=dimension_scores.result(),
                slowest_turns=slowest.result(),
                computed_at=computed_at,
                seconds=0.0,
            )
        dashboard.seconds = time.perf_counter() - started
        logger.info(
            "telemetry dashboard computed",
            extra={
                "seconds": round(dashboard.seconds, 4),
                "points": len(dashboard.series.points),
                "bucket_seconds": bucket.total_seconds(),
                "rollup_seconds": width,
            },
        )
        return dashboard

    def waterfall(self, trace_id: str) -> list[WaterfallSpan]:
        return analytics.waterfall(self._reader, trace_id)


def _next_boundary(moment: datetime, bucket: timedelta) -> datetime:
    """``moment`` rounded up to a whole ``bucket`` since the epoch (UTC)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    steps = -((epoch - moment) // bucket)  # ceiling division
    return epoch + steps * bucket
