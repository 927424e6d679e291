"""Plotly figures for the Telemetry page, built from ``coach.analytics`` results.

Plain ``graph_objects`` rather than Plotly Express: the data is already aggregated,
and skipping Express's DataFrame machinery keeps a full page of charts in tens of
milliseconds. Every figure shares one compact layout so the grid lines up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import plotly.graph_objects as go
from pydantic import BaseModel, ConfigDict

from coach.analytics import AgentLatency, ScoreBin, TimePoint, WaterfallSpan
from coach.domain import RubricDimension
from coach.services.telemetry import TelemetryDashboard

_HEIGHT = 300
_PERCENTILE_COLOURS = {"p50": "#4C78A8", "p95": "#F58518", "p99": "#E45756"}
_STATUS_COLOURS = {"ok": "#4C78A8", "error": "#E45756"}
_NESTED = "↳ "  # tick labels are right-aligned, so depth is marked, not indented
_DIMENSION_LABELS = {dimension.value: dimension.label for dimension in RubricDimension}


def _layout(figure: go.Figure, title: str, y_title: str, *, height: int = _HEIGHT) -> go.Figure:
    figure.update_layout(
        # The title sits at the top of the margin and the legend just below it, so a
        # long legend (three persona names) never runs over the title.
        title={"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
        height=height,
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hovermode="x unified",
        yaxis_title=y_title,
    )
    return figure


def _lines(
    points: Sequence[TimePoint],
    series: Sequence[tuple[str, Callable[[TimePoint], float | None], str | None]],
    *,
    scale: float = 1.0,
) -> go.Figure:
    times: list[datetime | None] = [point.bucket for point in points]
    figure = go.Figure()
    for name, value, colour in series:
        values = [value(point) for point in points]
        figure.add_trace(
            go.Scatter(
                x=times,
                y=[None if v is None else v * scale for v in values],
                name=name,
                mode="lines+markers" if len(points) < 40 else "lines",
                line={"color": colour} if colour else None,
            )
        )
    return figure


def latency_over_time(points: Sequence[TimePoint]) -> go.Figure:
    figure = _lines(
        points,
        [
            ("p50", lambda p: p.latency_p50_ms, _PERCENTILE_COLOURS["p50"]),
            ("p95", lambda p: p.latency_p95_ms, _PERCENTILE_COLOURS["p95"]),
            ("p99", lambda p: p.latency_p99_ms, _PERCENTILE_COLOURS["p99"]),
        ],
    )
    return _layout(figure, "Agent call latency", "ms")


def latency_by_agent(agents: Sequence[AgentLatency]) -> go.Figure:
    names = [agent.agent for agent in agents]
    figure = go.Figure(
        [
            go.Bar(x=names, y=[a.p50_ms for a in agents], name="p50"),
            go.Bar(x=names, y=[a.p95_ms for a in agents], name="p95"),
            go.Bar(x=names, y=[a.p99_ms for a in agents], name="p99"),
        ]
    )
    for trace, colour in zip(figure.data, _PERCENTILE_COLOURS.values(), strict=True):
        trace.marker.color = colour
    figure.update_layout(barmode="group")
    return _layout(figure, "Latency by agent", "ms")


def queue_time(points: Sequence[TimePoint]) -> go.Figure:
    figure = _lines(
        points,
        [
            ("p50", lambda p: p.queue_p50_ms, _PERCENTILE_COLOURS["p50"]),
            ("p95", lambda p: p.queue_p95_ms, _PERCENTILE_COLOURS["p95"]),
        ],
    )
    return _layout(figure, "Queue time before the call", "ms")


def time_to_first_token(points: Sequence[TimePoint]) -> go.Figure:
    figure = _lines(
        points,
        [
            ("p50", lambda p: p.ttft_p50_ms, _PERCENTILE_COLOURS["p50"]),
            ("p95", lambda p: p.ttft_p95_ms, _PERCENTILE_COLOURS["p95"]),
        ],
    )
    return _layout(figure, "Time to first token (model calls)", "ms")


def tokens_per_call(points: Sequence[TimePoint]) -> go.Figure:
    figure = _lines(
        points,
        [
            ("input", lambda p: p.input_tokens, None),
            ("output", lambda p: p.output_tokens, None),
        ],
    )
    return _layout(figure, "Tokens per model call (mean)", "tokens")


def error_and_fallback_rates(points: Sequence[TimePoint]) -> go.Figure:
    figure = _lines(
        points,
        [
            ("model errors", lambda p: p.error_rate, "#E45756"),
            ("agent fallbacks", lambda p: p.fallback_rate, "#B279A2"),
        ],
        scale=100,
    )
    return _layout(figure, "Error and fallback rates", "% of calls")


def _shares(bins: Sequence[ScoreBin]) -> dict[str, dict[int, float]]:
    """Each group's bins as a share of that group, so small and large groups compare."""
    totals: dict[str, int] = {}
    for item in bins:
        totals[item.group] = totals.get(item.group, 0) + item.count
    shares: dict[str, dict[int, float]] = {}
    for item in bins:
        shares.setdefault(item.group, {})[item.score] = 100 * item.count / totals[item.group]
    return shares


def scores_by_persona(bins: Sequence[ScoreBin]) -> go.Figure:
    scores = list(range(10))
    figure = go.Figure(
        [
            go.Bar(
                x=[f"{score}–{score + 1}" for score in scores],
                y=[by_score.get(score, 0.0) for score in scores],
                name=persona,
            )
            for persona, by_score in _shares(bins).items()
        ]
    )
    figure.update_layout(barmode="group", xaxis_title="overall score")
    return _layout(figure, "Evaluation scores by persona", "% of the persona's answers")


def scores_by_dimension(bins: Sequence[ScoreBin]) -> go.Figure:
    shares = _shares(bins)
    scores = list(range(1, 11))
    dimensions = list(shares)
    figure = go.Figure(
        go.Heatmap(
            x=scores,
            y=[_DIMENSION_LABELS.get(name, name) for name in dimensions],
            z=[[shares[name].get(score, 0.0) for score in scores] for name in dimensions],
            colorscale="Blues",
            colorbar={"title": "%"},
            hovertemplate="%{y}<br>score %{x}: %{z:.1f}%<extra></extra>",
        )
    )
    figure.update_layout(xaxis={"title": "score", "dtick": 1}, hovermode="closest")
    return _layout(figure, "Rubric scores by dimension", "")


def trace_waterfall(spans: Sequence[WaterfallSpan]) -> go.Figure:
    """A Gantt of one trace: each span a bar from its offset, children indented."""
    labels = [
        f"{_NESTED * span.depth}{span.name}{f' · {span.agent}' if span.agent else ''} ({index + 1})"
        for index, span in enumerate(spans)
    ]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=[span.duration_ms for span in spans],
            base=[span.offset_ms for span in spans],
            orientation="h",
            marker={"color": [_STATUS_COLOURS.get(span.status, "#72B7B2") for span in spans]},
            customdata=[
                [span.offset_ms, span.status, span.provider or "", span.model or ""]
                for span in spans
            ],
            hovertemplate=(
                "%{y}<br>starts at %{customdata[0]:.0f} ms, lasts %{x:.0f} ms"
                "<br>%{customdata[1]} %{customdata[2]} %{customdata[3]}<extra></extra>"
            ),
        )
    )
    figure.update_yaxes(autorange="reversed", tickfont={"family": "monospace"})
    figure.update_layout(xaxis_title="ms from the start of the turn", hovermode="closest")
    return _layout(figure, "Trace waterfall", "", height=max(200, 60 + 28 * len(spans)))


class DashboardFigures(BaseModel):
    """The dashboard's figures in page order, and the metrics that had nothing to draw."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    figures: list[go.Figure]
    missing: list[str]


def dashboard_figures(dashboard: TelemetryDashboard) -> DashboardFigures:
    """Every chart with data; a metric nobody recorded is named instead of drawn empty."""
    points = dashboard.series.points
    figures: list[go.Figure] = []
    missing: list[str] = []
    if points:
        figures.append(latency_over_time(points))
    if dashboard.agents:
        figures.append(latency_by_agent(dashboard.agents))
    optional: list[tuple[Callable[[Sequence[TimePoint]], go.Figure], bool, str]] = [
        (queue_time, any(p.queue_p50_ms is not None for p in points), "queue time"),
        (
            time_to_first_token,
            any(p.ttft_p50_ms is not None for p in points),
            "time to first token (only streamed replies have one)",
        ),
        (
            tokens_per_call,
            any(p.input_tokens is not None for p in points),
            "token counts (the offline coach does not count tokens)",
        ),
        (error_and_fallback_rates, bool(points), "error and fallback rates"),
    ]
    for chart, recorded, what in optional:
        if recorded:
            figures.append(chart(points))
        elif points:
            missing.append(what)
    if dashboard.persona_scores:
        figures.append(scores_by_persona(dashboard.persona_scores))
    if dashboard.dimension_scores:
        figures.append(scores_by_dimension(dashboard.dimension_scores))
    return DashboardFigures(figures=figures, missing=missing)
