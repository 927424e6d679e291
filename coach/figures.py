"""Plotly figures shared by pages and notebooks: a notebook draws the same chart the
page shows from the same report object.

Plain ``graph_objects`` over already-aggregated data, one compact layout for all.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from coach.domain import RubricDimension
from coach.services.progress import ProgressReport

_HEIGHT = 320
_OVERALL = "Overall"


def _label(text: str) -> str:
    """A session name or word as a Plotly label: its mini-HTML (<a href>, <b>) shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _session_label(row: Any) -> str:
    """A row of the report's frames (itertuples) as an x-axis label."""
    return _label(f"{row.session_started:%d %b} · {row.session}"[:40])


def _layout(figure: go.Figure, title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "font": {"size": 15}, "y": 0.98, "yanchor": "top"},
        height=_HEIGHT,
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        yaxis_title=y_title,
    )
    return figure


def scores_by_session(report: ProgressReport) -> go.Figure:
    """Average score per rubric dimension in each session, oldest session first."""
    frame = report.frame()
    figure = go.Figure()
    if not frame.empty:
        sessions = (
            frame.groupby(["session_id", "session", "session_started"], as_index=False)["score"]
            .count()
            .sort_values("session_started")
        )
        order = list(sessions["session_id"])
        labels = [_session_label(row) for row in sessions.itertuples()]
        means = frame.groupby(["dimension", "session_id"])["score"].mean()
        for dimension in [_OVERALL, *(d.label for d in RubricDimension)]:
            if dimension not in means.index.get_level_values(0):
                continue
            values = means.loc[dimension]
            overall = dimension == _OVERALL
            figure.add_trace(
                go.Scatter(
                    x=labels,
                    y=[values.get(session_id) for session_id in order],
                    name=dimension,
                    mode="lines+markers",
                    line={"width": 4 if overall else 1.5, "dash": "solid" if overall else "dot"},
                )
            )
    figure.update_yaxes(range=[0, 10.5])
    return _layout(figure, "Scores per rubric dimension, session by session", "Average score")


def scores_by_attempt(report: ProgressReport) -> go.Figure:
    """Average score of first, second, third… attempts: does practising again help?"""
    frame = report.frame()
    figure = go.Figure()
    if not frame.empty:
        overall = frame[frame["dimension"] == _OVERALL]
        by_attempt = overall.groupby("attempt")["score"].agg(["mean", "count"]).reset_index()
        figure.add_trace(
            go.Bar(
                x=[f"Attempt {a}" for a in by_attempt["attempt"]],
                y=by_attempt["mean"],
                text=[
                    f"{m:.1f} ({c} answers)"
                    for m, c in zip(by_attempt["mean"], by_attempt["count"], strict=True)
                ],
                textposition="auto",
                name="Overall",
            )
        )
    figure.update_yaxes(range=[0, 10.5])
    return _layout(figure, "Average score by attempt", "Average overall score")


def fillers_by_session(report: ProgressReport) -> go.Figure:
    """Fillers ("um", "you know", "like") per 100 words, session by session."""
    frame = report.fillers_by_session()
    figure = go.Figure()
    if not frame.empty:
        figure.add_trace(
            go.Scatter(
                x=[_session_label(row) for row in frame.itertuples()],
                y=frame["fillers_per_100_words"],
                mode="lines+markers",
                name="Fillers per 100 words",
                customdata=frame[["fillers", "words"]],
                hovertemplate="%{y:.1f} per 100 words (%{customdata[0]} in %{customdata[1]})",
            )
        )
    figure.update_yaxes(rangemode="tozero")
    return _layout(figure, "Fillers over time", "Fillers per 100 words")


def top_words(report: ProgressReport) -> go.Figure:
    """The words you use most in answers (without the glue words)."""
    words = list(reversed(report.top_words))
    figure = go.Figure(
        go.Bar(x=[w.count for w in words], y=[_label(w.word) for w in words], orientation="h")
    )
    figure = _layout(figure, "Your most-used words", "")
    figure.update_layout(height=max(_HEIGHT, 22 * len(words) + 80))
    return figure
