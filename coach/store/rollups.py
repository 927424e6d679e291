"""Span rollups: what the Telemetry page reads instead of millions of raw spans.

Every batch of spans a sink writes also adds to ``span_rollups``, in the same
transaction: one row per time bucket (15 minutes and one hour, ``LEVELS``) and per
combination of the columns the page filters and groups on (``DIMENSIONS``), holding
counts, error and fallback counts, token and score sums, and three latency histograms
(the span's duration, queue time and time to first token). A chart over a week of five
million spans then sums a few thousand rows (issue 13).

Percentiles come from the histograms: fixed logarithmic bins, four per doubling, from
1 ms to 2^20 ms (17 minutes), one bin below and one above. A percentile is computed as
``quantile_cont`` does, with every value read as its bin's geometric middle, so it is
within 9% of the exact value (2^(1/8) - 1) from 1 ms up; a value below 1 ms reads
0.5 ms. Counts, rates, token means and scores are exact.

The SQL is written once and runs on DuckDB and PostgreSQL (``extract(epoch ...)``,
``ln``, ``INSERT ... ON CONFLICT DO UPDATE``): a batch's rollup is the same statement
over the batch (an Arrow view on DuckDB, a temporary table on PostgreSQL), and a
migration or a seeding script rebuilds rollups with it over the ``spans`` table.
Missing dimension values are stored as ``''`` (key columns cannot be NULL). The bins
are rows (``span_latency_bins``: a key, a histogram, a bin, a count), one per bin that
holds a span, so a write adds a short statement's worth of rows, not a wide one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from coach.store.spans import SpanRow

__all__ = [
    "BINS",
    "DIMENSIONS",
    "HISTOGRAMS",
    "LEVELS",
    "RollupDelta",
    "bin_value",
    "quantile",
    "rollup_delta",
    "rollup_sql",
    "rollup_table_sql",
]

LEVELS = (900, 3600)
"""Bucket widths in seconds: a day's chart steps by 15 minutes, longer ranges by hours."""
BINS_PER_DOUBLING = 4
TOP_EXPONENT = 20
BINS = BINS_PER_DOUBLING * TOP_EXPONENT + 2
"""Bin 0 holds [0, 1 ms), bin k holds [2^((k-1)/4), 2^(k/4)) ms, the last one the rest."""
HISTOGRAMS = {"duration": "duration_ms", "queue": "queue_ms", "ttft": "ttft_ms"}
"""Histogram name -> the spans column it counts."""
DIMENSIONS = ("operation", "agent", "persona", "variant", "provider", "request_model", "source")
"""The key besides time: filters (persona, variant, agent, provider, model) and groups
(operation, and ``source``: 'experiment' for Persona Lab runs, else 'live')."""
EXPERIMENT_TEAM_PATTERNS = ('%"coach.team":"experiment %', '%"coach.team": "experiment %')
"""``attributes`` of a span an experiment's team made (compact JSON, or spaced)."""

_SUMS = (
    ("spans", "1"),
    ("demo_spans", "CASE WHEN demo THEN 1 ELSE 0 END"),
    ("errors", "CASE WHEN status = 'error' THEN 1 ELSE 0 END"),
    ("fallbacks", "CASE WHEN fallback THEN 1 ELSE 0 END"),
    ("fallback_known", "CASE WHEN fallback IS NULL THEN 0 ELSE 1 END"),
    ("input_tokens", "input_tokens"),
    ("input_token_spans", "CASE WHEN input_tokens IS NULL THEN 0 ELSE 1 END"),
    ("output_tokens", "output_tokens"),
    ("output_token_spans", "CASE WHEN output_tokens IS NULL THEN 0 ELSE 1 END"),
    ("score_sum", "score"),
    ("score_count", "CASE WHEN score IS NULL THEN 0 ELSE 1 END"),
)
SUM_COLUMNS = tuple(name for name, _ in _SUMS)
"""The exact sums each ``span_rollups`` row holds."""


def bin_value(k: int) -> float:
    """What a bin reports: its geometric middle (0.5 ms for the bin below 1 ms)."""
    if k == 0:
        return 0.5
    return 2 ** ((k - 0.5) / BINS_PER_DOUBLING)


def quantile(counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile of a histogram, as ``quantile_cont`` computes it (interpolated
    between the two values around rank ``q * (n - 1)``) with each value read as its
    bin's middle; a weighted mean of values each within 9% is within 9%. None when empty."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * (total - 1)
    below = math.floor(rank)
    low = _ordered(counts, below)
    if rank == below:
        return low
    return low + (rank - below) * (_ordered(counts, below + 1) - low)


def _ordered(counts: Sequence[int], index: int) -> float:
    """The ``index``-th smallest value (from 0), as its bin's middle."""
    seen = 0
    for k, count in enumerate(counts):
        seen += count
        if seen > index:
            return bin_value(k)
    return bin_value(len(counts) - 1)


def rollup_table_sql(double: str = "DOUBLE") -> tuple[str, str]:
    """``CREATE TABLE`` of ``span_rollups`` and ``span_latency_bins``; ``double`` is the
    engine's name for a float8."""
    keys = ", ".join(f"{name} VARCHAR NOT NULL" for name in DIMENSIONS)
    key = f"PRIMARY KEY (width_s, bucket, {', '.join(DIMENSIONS)}"
    sums = ", ".join(
        f"{name} {double if name == 'score_sum' else 'BIGINT'} NOT NULL" for name in SUM_COLUMNS
    )
    return (
        f"CREATE TABLE span_rollups (width_s INTEGER NOT NULL, bucket BIGINT NOT NULL, "
        f"{keys}, {sums}, {key}))",
        f"CREATE TABLE span_latency_bins (width_s INTEGER NOT NULL, bucket BIGINT NOT NULL, "
        f"{keys}, histogram VARCHAR NOT NULL, bin INTEGER NOT NULL, spans BIGINT NOT NULL, "
        f"{key}, histogram, bin))",
    )


def _bin_sql(column: str) -> str:
    return (
        f"CASE WHEN {column} < 1 THEN 0 ELSE least({BINS - 1}, 1 + CAST(floor("
        f"{BINS_PER_DOUBLING} * ln({column}) / ln(2)) AS INTEGER)) END"
    )


def _keyed(source: str) -> str:
    """``source``'s spans with their epoch second, key columns and source."""
    experiment = " OR ".join(f"attributes LIKE '{pattern}'" for pattern in EXPERIMENT_TEAM_PATTERNS)
    return f"""
    SELECT CAST(floor(extract(epoch FROM start_time)) AS BIGINT) AS epoch_s,
           coalesce(operation, '') AS operation, coalesce(agent, '') AS agent,
           coalesce(persona, '') AS persona, coalesce(variant, '') AS variant,
           coalesce(provider, '') AS provider, coalesce(request_model, '') AS request_model,
           CASE WHEN {experiment} THEN 'experiment' ELSE 'live' END AS source,
           demo, status, fallback, input_tokens, output_tokens, score,
           duration_ms, queue_ms, ttft_ms
    FROM {source}"""


def _levels() -> str:
    return " UNION ALL ".join(f"SELECT {width} AS width_s" for width in LEVELS)


@cache
def rollup_sql(source: str) -> tuple[str, str]:
    """Adds the spans in ``source`` (a table or view shaped like ``spans``) to the
    rollups and latency bins of every level: two ``INSERT ... ON CONFLICT DO UPDATE``."""
    keys = ", ".join(DIMENSIONS)
    sums = ", ".join(f"coalesce(sum({expression}), 0)" for _, expression in _SUMS)
    updates = ", ".join(f"{name} = span_rollups.{name} + excluded.{name}" for name in SUM_COLUMNS)
    counted = " UNION ALL ".join(
        f"SELECT epoch_s, {keys}, '{name}' AS histogram, {_bin_sql(column)} AS bin "
        f"FROM keyed WHERE {column} IS NOT NULL"
        + (" AND operation IN ('invoke_agent', 'chat')" if name == "duration" else "")
        for name, column in HISTOGRAMS.items()
    )
    rollups = f"""
INSERT INTO span_rollups (width_s, bucket, {keys}, {", ".join(SUM_COLUMNS)})
WITH keyed AS ({_keyed(source)})
SELECT levels.width_s, epoch_s - epoch_s % levels.width_s AS bucket, {keys}, {sums}
FROM keyed CROSS JOIN ({_levels()}) AS levels
GROUP BY levels.width_s, epoch_s - epoch_s % levels.width_s, {keys}
ORDER BY 1, 2, {keys}
ON CONFLICT (width_s, bucket, {keys}) DO UPDATE SET {updates}
"""
    bins = f"""
INSERT INTO span_latency_bins (width_s, bucket, {keys}, histogram, bin, spans)
WITH keyed AS ({_keyed(source)}),
counted AS ({counted})
SELECT levels.width_s, epoch_s - epoch_s % levels.width_s AS bucket, {keys}, histogram, bin,
       count(*)
FROM counted CROSS JOIN ({_levels()}) AS levels
GROUP BY levels.width_s, epoch_s - epoch_s % levels.width_s, {keys}, histogram, bin
ORDER BY 1, 2, {keys}, histogram, bin
ON CONFLICT (width_s, bucket, {keys}, histogram, bin) DO UPDATE SET
    spans = span_latency_bins.spans + excluded.spans
"""
    return rollups, bins


class RollupDelta(NamedTuple):
    """What one batch of spans adds: ``span_rollups`` rows (key, then ``SUM_COLUMNS``)
    and ``span_latency_bins`` rows (key, histogram, bin, count), keys sorted so two
    writers lock rows in the same order."""

    rollups: list[tuple[Any, ...]]
    bins: list[tuple[Any, ...]]


_EXPERIMENT_MARKERS = tuple(pattern.strip("%") for pattern in EXPERIMENT_TEAM_PATTERNS)
_TIMED_OPERATIONS = frozenset({"invoke_agent", "chat"})
_LOG2 = math.log(2)


def rollup_delta(rows: Sequence[SpanRow]) -> RollupDelta:
    """The batch's rollups, computed in Python: the same numbers ``rollup_sql`` adds
    (a test holds them equal), for a few microseconds a span instead of a query's
    fixed cost per batch."""
    sums: dict[tuple[Any, ...], list[Any]] = {}
    bins: dict[tuple[Any, ...], int] = {}
    for row in rows:
        epoch_s = row.start_time_ns // 1_000_000_000
        operation = row.operation or ""
        attributes = row.attributes
        source = (
            "experiment" if any(marker in attributes for marker in _EXPERIMENT_MARKERS) else "live"
        )
        key = (
            operation,
            row.agent or "",
            row.persona or "",
            row.variant or "",
            row.provider or "",
            row.request_model or "",
            source,
        )
        measured = (
            ("duration", row.duration_ms if operation in _TIMED_OPERATIONS else None),
            ("queue", row.queue_ms),
            ("ttft", row.ttft_ms),
        )
        binned = [(name, _bin(value)) for name, value in measured if value is not None]
        for width in LEVELS:
            level_key = (width, epoch_s - epoch_s % width, *key)
            total = sums.get(level_key)
            if total is None:
                total = sums[level_key] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0]
            total[0] += 1
            if row.demo:
                total[1] += 1
            if row.status == "error":
                total[2] += 1
            if row.fallback is not None:
                total[4] += 1
                if row.fallback:
                    total[3] += 1
            if row.input_tokens is not None:
                total[5] += row.input_tokens
                total[6] += 1
            if row.output_tokens is not None:
                total[7] += row.output_tokens
                total[8] += 1
            if row.score is not None:
                total[9] += row.score
                total[10] += 1
            for name, k in binned:
                bin_key = (*level_key, name, k)
                bins[bin_key] = bins.get(bin_key, 0) + 1
    return RollupDelta(
        [(*key, *total) for key, total in sorted(sums.items())],
        [(*key, count) for key, count in sorted(bins.items())],
    )


def _bin(value: float) -> int:
    if value < 1:
        return 0
    return min(BINS - 1, 1 + math.floor(BINS_PER_DOUBLING * math.log(value) / _LOG2))
