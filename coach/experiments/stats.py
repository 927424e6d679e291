"""Statistics of paired A/B persona experiments, in plain numpy.

Both variants answer the same items, so every item gives one paired difference
(variant - control). Pairing removes the item-to-item spread (easy vs hard questions)
from the comparison, which is why everything here works on those differences:

* a percentile bootstrap of their mean gives the confidence interval;
* a sign-flip permutation test gives the p-value: if the variants were the same, each
  difference would be as likely to come out negative as positive;
* a normal approximation from their standard deviation says how many items a
  non-significant experiment would have needed.

Resampling is vectorised and done in chunks of rows, so 1,000 items with 4,000
resamples takes a few tens of milliseconds and memory stays bounded for large inputs.
Every function takes a ``seed``: the same inputs always give the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from statistics import NormalDist

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from coach.errors import ExperimentError

__all__ = ["Agreement", "Comparison", "Delta", "agreement", "compare_paired", "paired_delta"]

# About 2 MB of float64 per chunk: large enough to vectorise well, small enough for cache.
_CHUNK_ELEMENTS = 262_144
_POWER = 0.8
_DELTA_LEVEL = 0.95
_MIN_ITEMS_FOR_SPEARMAN = 3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Comparison(_Frozen):
    """The outcome of a paired A/B comparison on one metric, with a plain-language verdict."""

    control: str
    variant: str
    metric: str
    items: int = Field(ge=1, description="Paired items used (pairs with a NaN are dropped).")
    mean_control: float
    mean_variant: float
    mean_difference: float = Field(description="variant - control")
    ci_low: float
    ci_high: float
    p_value: float = Field(ge=0.0, le=1.0)
    wins: int = Field(ge=0, description="Items where the variant scored higher.")
    ties: int = Field(ge=0, description="Items where the two scored the same, within tolerance.")
    losses: int = Field(ge=0, description="Items where the variant scored lower.")
    significant: bool
    minimum_effect: float
    items_needed: int | None = Field(
        description="Total paired items needed to detect minimum_effect at 80% power; "
        "None when significant or when the spread of differences cannot be estimated."
    )
    verdict: str


class Delta(_Frozen):
    """A paired difference in a cost metric (latency in ms, tokens), with a 95% CI."""

    metric: str
    mean_control: float
    mean_variant: float
    mean_difference: float = Field(description="variant - control")
    ci_low: float
    ci_high: float
    relative: float | None = Field(
        description="mean_difference / mean_control; None when mean_control is 0."
    )


class Agreement(_Frozen):
    """How closely one set of scores follows reference (human) scores on the same items."""

    items: int = Field(ge=1)
    mean_absolute_error: float = Field(ge=0.0)
    spearman: float | None = Field(
        description="Rank correlation; None with fewer than 3 items or a constant side."
    )


def compare_paired(
    control: Sequence[float],
    variant: Sequence[float],
    *,
    control_name: str = "A",
    variant_name: str = "B",
    metric: str = "score",
    alpha: float = 0.05,
    resamples: int = 4000,
    seed: int = 0,
    minimum_effect: float = 0.3,
    tie_tolerance: float = 1e-9,
) -> Comparison:
    """Say whether ``variant`` really differs from ``control`` on the same items.

    Significant means both tests agree: the permutation p-value is below ``alpha`` and
    the ``1 - alpha`` bootstrap interval (95% by default) excludes 0.
    """
    _check_comparison_settings(alpha, minimum_effect, tie_tolerance)
    _check_resamples(resamples)
    control_scores, variant_scores = _paired_arrays(control, variant)
    differences = variant_scores - control_scores
    rng = np.random.default_rng(seed)
    ci_low, ci_high = _percentile_interval(
        _bootstrap_means(differences, resamples, rng), level=1 - alpha
    )
    p_value = _sign_flip_p_value(differences, resamples, rng)
    significant = p_value < alpha and (ci_low > 0 or ci_high < 0)
    spread = _spread(differences)
    items_needed = (
        None if significant or not spread else _items_needed(spread, minimum_effect, alpha)
    )
    wins = int(np.count_nonzero(differences > tie_tolerance))
    losses = int(np.count_nonzero(differences < -tie_tolerance))
    comparison = Comparison(
        control=control_name,
        variant=variant_name,
        metric=metric,
        items=differences.size,
        mean_control=float(control_scores.mean()),
        mean_variant=float(variant_scores.mean()),
        mean_difference=float(differences.mean()),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        wins=wins,
        ties=differences.size - wins - losses,
        losses=losses,
        significant=significant,
        minimum_effect=minimum_effect,
        items_needed=items_needed,
        verdict="",
    )
    # The verdict is worded from the finished numbers, so it is filled in last.
    return comparison.model_copy(update={"verdict": _verdict(comparison, level=1 - alpha)})


def paired_delta(
    control: Sequence[float],
    variant: Sequence[float],
    *,
    metric: str,
    resamples: int = 2000,
    seed: int = 0,
) -> Delta:
    """Measure what a variant costs (or saves) per item, e.g. latency or tokens.

    No significance test: for costs the size of the change and its interval are what
    a team decides on.
    """
    _check_resamples(resamples)
    control_values, variant_values = _paired_arrays(control, variant)
    differences = variant_values - control_values
    rng = np.random.default_rng(seed)
    ci_low, ci_high = _percentile_interval(
        _bootstrap_means(differences, resamples, rng), level=_DELTA_LEVEL
    )
    mean_control = float(control_values.mean())
    mean_difference = float(differences.mean())
    return Delta(
        metric=metric,
        mean_control=mean_control,
        mean_variant=float(variant_values.mean()),
        mean_difference=mean_difference,
        ci_low=ci_low,
        ci_high=ci_high,
        relative=None if mean_control == 0 else mean_difference / mean_control,
    )


def agreement(predicted: Sequence[float], reference: Sequence[float]) -> Agreement:
    """Check a judge against human scores: how far off (MAE) and whether it ranks alike."""
    predicted_scores, reference_scores = _paired_arrays(predicted, reference)
    return Agreement(
        items=predicted_scores.size,
        mean_absolute_error=float(np.abs(predicted_scores - reference_scores).mean()),
        spearman=_spearman(predicted_scores, reference_scores),
    )


# --- inputs -------------------------------------------------------------------------


def _check_comparison_settings(alpha: float, minimum_effect: float, tie_tolerance: float) -> None:
    """Reject settings that would make the numbers meaningless rather than fail later."""
    if not 0 < alpha < 1:
        raise ExperimentError(f"alpha must be between 0 and 1, not {alpha}.")
    if not minimum_effect > 0:
        raise ExperimentError(f"minimum_effect must be above 0, not {minimum_effect}.")
    if not tie_tolerance >= 0:
        raise ExperimentError(f"tie_tolerance must be 0 or more, not {tie_tolerance}.")


def _check_resamples(resamples: int) -> None:
    if resamples < 1:
        raise ExperimentError(f"resamples must be at least 1, not {resamples}.")


def _paired_arrays(
    first: Sequence[float], second: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Two float arrays of equal length with every pair containing a NaN dropped.

    A NaN means an item was not scored on one side; the pair carries no information.
    """
    if len(first) != len(second):
        raise ExperimentError(
            f"The two variants must be scored on the same items, but one has {len(first)} "
            f"scores and the other {len(second)}."
        )
    try:
        first_array = np.asarray(first, dtype=np.float64)
        second_array = np.asarray(second, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ExperimentError(f"Scores must be numbers: {error}") from error
    if first_array.ndim != 1 or second_array.ndim != 1:
        raise ExperimentError("Scores must be flat sequences of numbers, one per item.")
    kept = ~(np.isnan(first_array) | np.isnan(second_array))
    first_array, second_array = first_array[kept], second_array[kept]
    if first_array.size == 0:
        raise ExperimentError("There are no items scored on both sides to compare.")
    if not (np.isfinite(first_array).all() and np.isfinite(second_array).all()):
        raise ExperimentError("Scores must be finite numbers; found an infinite score.")
    return first_array, second_array


# --- resampling -----------------------------------------------------------------------


def _row_chunks(rows: int, width: int) -> Iterator[slice]:
    """Slices of ``rows`` sized so each chunk of ``rows x width`` stays cache-friendly."""
    step = max(1, _CHUNK_ELEMENTS // max(1, width))
    for start in range(0, rows, step):
        yield slice(start, min(start + step, rows))


def _bootstrap_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``resamples`` resamples of ``values`` drawn with replacement."""
    means = np.empty(resamples)
    for rows in _row_chunks(resamples, values.size):
        picks = rng.integers(0, values.size, size=(rows.stop - rows.start, values.size))
        means[rows] = values[picks].mean(axis=1)
    return means


def _percentile_interval(means: np.ndarray, *, level: float) -> tuple[float, float]:
    """The central ``level`` share of the bootstrap means."""
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def _sign_flip_p_value(differences: np.ndarray, resamples: int, rng: np.random.Generator) -> float:
    """Two-sided p-value: how often random signs give a mean at least as far from 0.

    Counting the observed arrangement itself (the ``1 +``) keeps p above 0 and the test
    valid with a finite number of resamples.
    """
    total = differences.sum()
    observed = abs(total)
    # Sums in a different order differ by rounding; such near-equal sums count as equal.
    tolerance = 1e-10 * float(np.abs(differences).sum())
    as_extreme = 0
    for rows in _row_chunks(resamples, differences.size):
        flips = _random_bits(rows.stop - rows.start, differences.size, rng)
        # Flipping the signs of the chosen items subtracts them twice from the total.
        flipped_totals = total - 2.0 * (flips @ differences)
        as_extreme += int(np.count_nonzero(np.abs(flipped_totals) >= observed - tolerance))
    return (1 + as_extreme) / (1 + resamples)


def _random_bits(rows: int, columns: int, rng: np.random.Generator) -> np.ndarray:
    """A ``rows x columns`` matrix of fair 0/1 bits, eight per random byte (fast)."""
    packed = rng.integers(0, 256, size=(rows, (columns + 7) // 8), dtype=np.uint8)
    return np.unpackbits(packed, axis=1, count=columns).astype(np.float64)


# --- power ----------------------------------------------------------------------------


def _spread(differences: np.ndarray) -> float:
    """Sample standard deviation of the differences; 0 when it cannot be estimated."""
    if differences.size < 2:
        return 0.0
    return float(differences.std(ddof=1))


def _items_needed(spread: float, minimum_effect: float, alpha: float) -> int:
    """Paired items for a two-sided test at ``alpha`` to detect ``minimum_effect`` with
    80% power: ``n = ((z(1 - alpha/2) + z(power)) * sd / effect) ** 2``, rounded up."""
    standard_normal = NormalDist()
    z_sum = standard_normal.inv_cdf(1 - alpha / 2) + standard_normal.inv_cdf(_POWER)
    return math.ceil((z_sum * spread / minimum_effect) ** 2)


# --- rank agreement -------------------------------------------------------------------


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the average of the ranks they span."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    group_of = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], values.size)
    average_rank = (starts + 1 + ends) / 2
    ranks = np.empty(values.size)
    ranks[order] = average_rank[group_of]
    return ranks


def _spearman(first: np.ndarray, second: np.ndarray) -> float | None:
    """Pearson correlation of the ranks; None when it is undefined or meaningless."""
    if first.size < _MIN_ITEMS_FOR_SPEARMAN:
        return None
    first_centred = _ranks(first) - (first.size + 1) / 2
    second_centred = _ranks(second) - (second.size + 1) / 2
    scale = math.sqrt(float(first_centred @ first_centred) * float(second_centred @ second_centred))
    if scale == 0:
        return None
    return max(-1.0, min(1.0, float(first_centred @ second_centred) / scale))


# --- verdict --------------------------------------------------------------------------


def _verdict(comparison: Comparison, *, level: float) -> str:
    """One or two sentences a product team can act on without reading the numbers."""
    c = comparison
    points = "points" if c.metric == "score" else f"{_metric_label(c.metric)} points"
    interval = f"{_percent(level)} CI {_bound(c.ci_low)} to {_bound(c.ci_high)}"
    on_items = f"on {_count(c.items, 'item')}"
    if c.significant:
        direction = "higher" if c.mean_difference > 0 else "lower"
        size = _one_decimal(abs(c.mean_difference))
        return (
            f"Variant {c.variant} scores {size} {points} {direction} than {c.control} "
            f"({interval}) {on_items}: a real difference."
        )
    in_metric = "" if c.metric == "score" else f" in {_metric_label(c.metric)}"
    opening = f"No detectable difference{in_metric} between {c.variant} and {c.control} {on_items}"
    if c.wins == 0 and c.losses == 0:
        return f"{opening}: they scored the same on every item."
    observed = f"({_observed_difference(c, points)}, {interval})"
    if c.items_needed is None:
        return f"{opening} {observed}; too few items to estimate how many would be needed."
    effect = f"{_effect(c.minimum_effect)} {points}"
    if c.items_needed <= c.items:
        return (
            f"{opening} {observed}; a difference of {effect} would have been detected, "
            "so any real difference is smaller."
        )
    more = _count(c.items_needed - c.items, "more item")
    return f"{opening} {observed}; about {more} would be needed to detect {effect}."


def _observed_difference(comparison: Comparison, points: str) -> str:
    size = _one_decimal(abs(comparison.mean_difference))
    if size == "0.0":
        return f"{comparison.variant} and {comparison.control} average the same"
    direction = "higher" if comparison.mean_difference > 0 else "lower"
    return f"{comparison.variant} is {size} {points} {direction}"


def _metric_label(metric: str) -> str:
    return metric.replace("_", " ")


def _bound(value: float) -> str:
    """A CI bound to one decimal, or two when one would read "0.0" for a bound that is
    not zero: "0.0 to 0.3" beside "a real difference" would look like a contradiction."""
    text = _one_decimal(value)
    if text == "0.0" and value != 0:
        return f"{value:.2f}" if f"{value:.2f}" not in ("0.00", "-0.00") else f"{value:.3f}"
    return text


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _effect(value: float) -> str:
    """The minimum effect as the team set it: one decimal unless that would round it."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def _percent(level: float) -> str:
    return f"{level * 100:.10g}%"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
