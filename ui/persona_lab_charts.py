"""Plotly figures and table rows for the Persona Lab, built from an ``ExperimentReport``.

No Streamlit here: the functions turn the report's numbers into figures and plain rows,
so the page only places them. Every statistic comes from ``coach.experiments``; this
module only decides how to draw it honestly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from coach.domain import RubricDimension
from coach.experiments.report import ExperimentReport, SideBySide, VariantComparison
from coach.services.experiments import ExperimentListing

_HEIGHT = 340
_CONTROL_COLOUR = "#4C78A8"
_VARIANT_COLOURS = ("#F58518", "#54A24B", "#B279A2")
_RUBRIC_LABELS = {dimension.value: dimension.label for dimension in RubricDimension}

QUALITY_TITLE = "Judged quality of the feedback (0–10)"
DIMENSIONS_TITLE = "Per-dimension difference from the control"


def _layout(figure: go.Figure, title: str, *, height: int = _HEIGHT) -> go.Figure:
    figure.update_layout(
        title={"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
        height=height,
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return figure


def _variant_colour(position: int) -> str:
    return _VARIANT_COLOURS[(position - 1) % len(_VARIANT_COLOURS)]


def quality_figure(report: ExperimentReport) -> go.Figure | None:
    """Each variant's mean judged quality, with the 95% CI of its paired difference.

    The interval belongs to the difference, not to a variant alone, so each variant is
    drawn at the control's mean plus its paired difference, whiskers at the control's
    mean plus the interval's ends: a whisker that crosses the dashed control line is a
    difference the experiment cannot tell from zero. Dots, not bars, so the axis need
    not start at zero to show a difference of a tenth of a point.
    """
    control = report.experiment.control.name
    summaries = {summary.variant: summary for summary in report.summaries}
    control_mean = summaries[control].mean_quality if control in summaries else None
    compared = [c for c in report.comparisons if c.quality is not None]
    if control_mean is None or not compared:
        return None
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[control],
            y=[control_mean],
            mode="markers",
            name=f"{control} (control)",
            marker={"size": 14, "color": _CONTROL_COLOUR},
            hovertemplate=f"{control}: mean %{{y:.2f}}<extra></extra>",
        )
    )
    for position, comparison in enumerate(compared, start=1):
        quality = comparison.quality
        assert quality is not None  # filtered above; narrows the type
        figure.add_trace(
            go.Scatter(
                x=[comparison.variant],
                y=[control_mean + quality.mean_difference],
                mode="markers",
                name=comparison.variant,
                marker={"size": 14, "color": _variant_colour(position)},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [quality.ci_high - quality.mean_difference],
                    "arrayminus": [quality.mean_difference - quality.ci_low],
                    "width": 10,
                },
                customdata=[[quality.mean_difference, quality.ci_low, quality.ci_high]],
                hovertemplate=(
                    f"{comparison.variant} − {control}: %{{customdata[0]:+.2f}} "
                    "(95% CI %{customdata[1]:+.2f} to %{customdata[2]:+.2f}), "
                    f"p = {quality.p_value:.3f}, {quality.items} items<extra></extra>"
                ),
            )
        )
    figure.add_hline(
        y=control_mean,
        line={"dash": "dash", "color": _CONTROL_COLOUR, "width": 1},
        annotation_text=f"{control} mean",
        annotation_position="top left",
    )
    figure.update_yaxes(title="mean judged quality (0–10)")
    figure.update_xaxes(title="variant")
    return _layout(figure, QUALITY_TITLE)


def _dimension_label(source: str, dimension: str) -> str:
    name = _RUBRIC_LABELS.get(dimension, dimension) if source == "rubric" else dimension
    return f"{source} · {name.replace('_', ' ')}"


def dimensions_figure(report: ExperimentReport) -> go.Figure | None:
    """Variant minus control for every judge dimension (how good the feedback is) and
    rubric dimension (how the variant scored the answers)."""
    compared = [c for c in report.comparisons if c.dimensions]
    if not compared:
        return None
    control = report.experiment.control.name
    figure = go.Figure()
    labels: set[str] = set()
    for position, comparison in enumerate(compared, start=1):
        names = [_dimension_label(d.source, d.dimension) for d in comparison.dimensions]
        labels.update(names)
        figure.add_trace(
            go.Bar(
                x=[d.difference for d in comparison.dimensions],
                y=names,
                orientation="h",
                name=f"{comparison.variant} − {control}",
                marker={"color": _variant_colour(position)},
                customdata=[[d.control, d.variant] for d in comparison.dimensions],
                hovertemplate=(
                    "%{y}: %{x:+.2f} (%{customdata[0]:.2f} → %{customdata[1]:.2f})<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=0, line={"color": "#888", "width": 1})
    figure.update_layout(barmode="group")
    figure.update_xaxes(title=f"difference (variant − {control}), points out of 10")
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, DIMENSIONS_TITLE, height=120 + 26 * len(labels) * max(1, len(compared)))


def summary_rows(report: ExperimentReport) -> list[dict[str, Any]]:
    """One row per variant: pairs, quality, score, latency percentiles and tokens."""
    return [
        {
            "Variant": summary.variant,
            "Pairs": summary.pairs,
            "Failed": summary.failed,
            "Fallbacks": summary.fallbacks,
            "From cache": summary.cached,
            "Mean quality": summary.mean_quality,
            "Mean score": summary.mean_score,
            "Latency p50 (ms)": summary.latency_p50_ms,
            "Latency p95 (ms)": summary.latency_p95_ms,
            "Tokens per pair": summary.mean_tokens,
        }
        for summary in report.summaries
    ]


def tokens_reported(report: ExperimentReport) -> bool:
    return any(summary.mean_tokens is not None for summary in report.summaries)


def cost_lines(report: ExperimentReport) -> list[str]:
    """Paired latency and token differences, one sentence per variant and metric."""
    control = report.experiment.control.name
    lines = []
    for comparison in report.comparisons:
        for delta, unit, what in (
            (comparison.latency, "ms", "latency"),
            (comparison.tokens, "tokens", "tokens per pair"),
        ):
            if delta is None:
                continue
            relative = f" ({delta.relative:+.0%})" if delta.relative is not None else ""
            lines.append(
                f"{comparison.variant} vs {control}, {what}: {delta.mean_difference:+,.1f} {unit}"
                f"{relative}, 95% CI {delta.ci_low:+,.1f} to {delta.ci_high:+,.1f} {unit}."
            )
    return lines


def agreement_rows(report: ExperimentReport) -> list[dict[str, Any]]:
    """How closely each variant's scores follow the items' reference scores."""
    return [
        {
            "Variant": summary.variant,
            "Items": summary.agreement.items,
            "Mean absolute error": summary.agreement.mean_absolute_error,
            "Spearman rank correlation": summary.agreement.spearman,
        }
        for summary in report.summaries
        if summary.agreement is not None
    ]


def side_by_side_rows(
    rows: Sequence[SideBySide], control: str, variant: str
) -> list[dict[str, Any]]:
    """Items with both variants' scores and headlines, in the report's order (largest
    disagreement first)."""
    return [
        {
            "Question": row.question,
            f"{control} score": row.control_score,
            f"{variant} score": row.variant_score,
            "Disagreement": row.disagreement,
            "Reference": row.reference_score,
            f"{control} quality": row.control_quality,
            f"{variant} quality": row.variant_quality,
            f"{control} headline": row.control_headline,
            f"{variant} headline": row.variant_headline,
            "Errors": " · ".join(
                f"{name}: {error}"
                for name, error in ((control, row.control_error), (variant, row.variant_error))
                if error
            ),
            "Answer": row.answer,
        }
        for row in rows
    ]


def winner(comparisons: Sequence[VariantComparison]) -> str | None:
    """The variant with the largest significant quality gain over the control, if any."""
    gains = [
        (c.quality.mean_difference, c.variant)
        for c in comparisons
        if c.quality is not None and c.quality.significant and c.quality.mean_difference > 0
    ]
    return max(gains)[1] if gains else None


def listing_rows(listings: Sequence[ExperimentListing]) -> list[dict[str, Any]]:
    return [
        {
            "Name": listing.experiment.name,
            "Created (UTC)": listing.experiment.created_at,
            "Status": listing.status.value,
            "Done": f"{listing.done} / {listing.experiment.pairs_total}",
            "Failed": listing.failed,
            "Dataset": listing.experiment.dataset_name,
            "Base persona": listing.experiment.base_persona,
            "Variants": ", ".join(v.name for v in listing.experiment.variants),
        }
        for listing in listings
    ]
