"""An experiment's results, summarised for people: per variant, per comparison, per item.

Each comparison pairs a variant with the control item by item (repeats averaged first,
items where either side failed left out and counted), so noise between items cancels.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from coach.experiments.datasets import DatasetItem
from coach.experiments.records import Experiment, PairResult
from coach.experiments.stats import (
    Agreement,
    Comparison,
    Delta,
    agreement,
    compare_paired,
    paired_delta,
)

__all__ = [
    "DimensionDifference",
    "ExperimentReport",
    "SideBySide",
    "VariantComparison",
    "VariantSummary",
    "build_report",
]


class VariantSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    variant: str
    pairs: int
    failed: int
    fallbacks: int
    cached: int
    mean_quality: float | None
    mean_score: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    mean_tokens: float | None
    agreement: Agreement | None  # its scores against the items' reference scores


class DimensionDifference(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str  # "judge": how good the feedback is; "rubric": how the variant scores answers
    dimension: str
    control: float
    variant: float

    @property
    def difference(self) -> float:
        return self.variant - self.control


class SideBySide(BaseModel):
    """One item, both variants' outputs (first repeat), for reading disagreements."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    question: str
    answer: str
    reference_score: float | None
    control_score: float | None
    variant_score: float | None
    control_quality: float | None
    variant_quality: float | None
    control_headline: str
    variant_headline: str
    control_error: str
    variant_error: str

    @property
    def disagreement(self) -> float:
        """How far apart the two variants' scores of the answer are."""
        if self.control_score is None or self.variant_score is None:
            return 0.0
        return abs(self.variant_score - self.control_score)


class VariantComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    variant: str
    quality: Comparison | None  # None until some items have results on both sides
    score: Comparison | None
    latency: Delta | None
    tokens: Delta | None
    unpaired: int  # items left out: a side failed or has not run yet
    dimensions: list[DimensionDifference]
    rows: list[SideBySide]


class ExperimentReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    experiment: Experiment
    summaries: list[VariantSummary]
    comparisons: list[VariantComparison]
    complete: bool

    @property
    def direction(self) -> int:
        """+1 when a variant gave significantly better feedback, -1 when the only
        significant differences are worse ones, 0 when nothing is significant: the
        verdict's colour follows it."""
        significant = [
            c.quality.mean_difference
            for c in self.comparisons
            if c.quality is not None and c.quality.significant
        ]
        if any(d > 0 for d in significant):
            return 1
        return -1 if significant else 0

    def worse(self, variant: str) -> bool:
        """Whether ``variant`` gave significantly worse feedback than the control."""
        return any(
            c.variant == variant
            and c.quality is not None
            and c.quality.significant
            and c.quality.mean_difference < 0
            for c in self.comparisons
        )

    @property
    def verdict(self) -> str:
        verdicts = [c.quality.verdict for c in self.comparisons if c.quality is not None]
        if not verdicts:
            return "No results to compare yet: run the experiment."
        prefix = "" if self.complete else "So far (the run is not complete): "
        return prefix + " ".join(verdicts)


def build_report(
    experiment: Experiment, items: Sequence[DatasetItem], results: Sequence[PairResult]
) -> ExperimentReport:
    by_variant: dict[str, list[PairResult]] = defaultdict(list)
    for result in results:
        by_variant[result.variant].append(result)
    references = {item.id: item.reference_score for item in items}
    summaries = [
        _summary(variant.name, by_variant.get(variant.name, []), references)
        for variant in experiment.variants
    ]
    control = experiment.control.name
    comparisons = [
        _compare(control, variant.name, by_variant, items) for variant in experiment.variants[1:]
    ]
    return ExperimentReport(
        experiment=experiment,
        summaries=summaries,
        comparisons=comparisons,
        complete=len(results) >= experiment.pairs_total,
    )


def _summary(
    name: str, results: list[PairResult], references: dict[str, float | None]
) -> VariantSummary:
    ok = [r for r in results if r.ok]
    latencies = sorted(r.latency_ms for r in ok if not r.cached)
    tokens = [_tokens(r) for r in ok if _tokens(r) is not None]
    scored = [
        (r.score, references[r.item_id])
        for r in ok
        if r.score is not None and references.get(r.item_id) is not None
    ]
    return VariantSummary(
        variant=name,
        pairs=len(results),
        failed=len(results) - len(ok),
        fallbacks=sum(r.fallback for r in results),
        cached=sum(r.cached for r in results),
        mean_quality=_mean([r.quality for r in ok]),
        mean_score=_mean([r.score for r in ok]),
        latency_p50_ms=_percentile(latencies, 0.5),
        latency_p95_ms=_percentile(latencies, 0.95),
        mean_tokens=_mean(tokens),
        agreement=agreement([s for s, _ in scored], [ref for _, ref in scored])  # type: ignore[misc]
        if scored
        else None,
    )


def _compare(
    control: str,
    variant: str,
    by_variant: dict[str, list[PairResult]],
    items: Sequence[DatasetItem],
) -> VariantComparison:
    left = _per_item(by_variant.get(control, []))
    right = _per_item(by_variant.get(variant, []))
    paired = [item.id for item in items if item.id in left and item.id in right]

    def compare(metric: str) -> Comparison | None:
        a = [left[i][metric] for i in paired]
        b = [right[i][metric] for i in paired]
        if not paired or any(v is None for v in (*a, *b)):
            return None
        return compare_paired(a, b, control_name=control, variant_name=variant, metric=metric)  # type: ignore[arg-type]

    def delta(metric: str) -> Delta | None:
        pairs = [(left[i][metric], right[i][metric]) for i in paired]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if not pairs:
            return None
        return paired_delta([a for a, _ in pairs], [b for _, b in pairs], metric=metric)  # type: ignore[misc]

    return VariantComparison(
        variant=variant,
        quality=compare("quality"),
        score=compare("score"),
        latency=delta("latency_ms"),
        tokens=delta("tokens"),
        unpaired=len(items) - len(paired),
        dimensions=_dimensions(by_variant.get(control, []), by_variant.get(variant, [])),
        rows=_rows(items, by_variant.get(control, []), by_variant.get(variant, [])),
    )


def _per_item(results: list[PairResult]) -> dict[str, dict[str, float | None]]:
    """Each item's repeats averaged; items with no successful result left out."""
    grouped: dict[str, list[PairResult]] = defaultdict(list)
    for result in results:
        if result.ok:
            grouped[result.item_id].append(result)
    return {
        item_id: {
            "quality": _mean([r.quality for r in group]),
            "score": _mean([r.score for r in group]),
            "latency_ms": _mean([r.latency_ms for r in group if not r.cached]),
            "tokens": _mean([_tokens(r) for r in group]),
        }
        for item_id, group in grouped.items()
    }


def _dimensions(control: list[PairResult], variant: list[PairResult]) -> list[DimensionDifference]:
    found = []
    for source, read in (("judge", _judge_dims), ("rubric", _rubric_dims)):
        a, b = read(control), read(variant)
        for dimension in a.keys() & b.keys():
            found.append(
                DimensionDifference(
                    source=source, dimension=dimension, control=a[dimension], variant=b[dimension]
                )
            )
    return sorted(found, key=lambda d: (d.source, d.dimension))


def _judge_dims(results: list[PairResult]) -> dict[str, float]:
    return _mean_dims([r.quality_dimensions for r in results if r.ok])


def _rubric_dims(results: list[PairResult]) -> dict[str, float]:
    return _mean_dims([r.rubric for r in results if r.ok])


def _mean_dims(rows: list[dict[str, float]]) -> dict[str, float]:
    values: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            values[key].append(value)
    return {key: statistics.fmean(vals) for key, vals in values.items()}


def _rows(
    items: Sequence[DatasetItem], control: list[PairResult], variant: list[PairResult]
) -> list[SideBySide]:
    first_a = {r.item_id: r for r in sorted(control, key=lambda r: -r.repeat)}
    first_b = {r.item_id: r for r in sorted(variant, key=lambda r: -r.repeat)}
    rows = []
    for item in items:
        a, b = first_a.get(item.id), first_b.get(item.id)
        if a is None and b is None:
            continue
        rows.append(
            SideBySide(
                item_id=item.id,
                question=item.question,
                answer=item.answer,
                reference_score=item.reference_score,
                control_score=a.score if a else None,
                variant_score=b.score if b else None,
                control_quality=a.quality if a else None,
                variant_quality=b.quality if b else None,
                control_headline=a.output.headline if a and a.output else "",
                variant_headline=b.output.headline if b and b.output else "",
                control_error=a.error if a else "",
                variant_error=b.error if b else "",
            )
        )
    return sorted(rows, key=lambda row: -row.disagreement)


def _tokens(result: PairResult) -> float | None:
    if result.input_tokens is None and result.output_tokens is None:
        return None
    return float((result.input_tokens or 0) + (result.output_tokens or 0))


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _percentile(ordered: list[float], fraction: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
