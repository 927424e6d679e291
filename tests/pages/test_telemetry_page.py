"""The Telemetry page (AppTest): charts from seeded spans, filters, the empty state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from coach.services.telemetry import TimeRange
from tests.pages.conftest import APP
from tests.span_rows import AGENTS, SpanRow, insert_spans, seed_spans

EMPTY_GUIDANCE = (
    "No telemetry yet: practise a question or chat — or run `coach seed-demo --sessions 20` "
    "to see full charts"
)


def open_telemetry() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/telemetry.py").run()
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    """Each Plotly chart on the page as its figure JSON, by title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


@pytest.fixture
def seeded(app_env: Path) -> Path:
    seed_spans(app_env, 5_000, window=timedelta(days=6))  # inside the default 7 days
    return app_env


def test_charts_render_from_seeded_spans(seeded: Path) -> None:
    at = open_telemetry()

    shown = figures(at)
    assert set(shown) == {
        "Agent call latency",
        "Latency by agent",
        "Queue time before the call",
        "Time to first token (model calls)",
        "Tokens per model call (mean)",
        "Error and fallback rates",
        "Evaluation scores by persona",
        "Rubric scores by dimension",
        "Trace waterfall",
    }
    assert [t["name"] for t in shown["Agent call latency"]["data"]] == ["p50", "p95", "p99"]
    assert len(shown["Agent call latency"]["data"][0]["x"]) > 100  # hourly over a week
    assert at.metric[0].label == "Agent calls" and at.metric[0].value == "2,000"
    variants, slowest = at.dataframe  # the variants side by side, then the slowest turns
    assert set(variants.value["Where"]) == {"live"} and variants.value["Calls"].sum() > 0
    assert len(slowest.value) == 20
    assert any("5,000 of the 5,000 spans are demo data" in c.value for c in at.caption)
    # A week is drawn from the hourly rollups, and the page says how close that is.
    assert any("hourly rollups: within 9% of the exact value" in c.value for c in at.caption)


def test_picking_one_agent_narrows_every_chart(seeded: Path) -> None:
    at = open_telemetry()
    assert len(figures(at)["Latency by agent"]["data"][0]["x"]) == len(AGENTS)

    at.multiselect(key="telemetry-agents").select("feedback").run()

    assert not at.exception, at.exception
    assert figures(at)["Latency by agent"]["data"][0]["x"] == ["feedback"]
    assert at.metric[0].value == "500"  # one seat in four


def test_choosing_a_trace_draws_its_waterfall(seeded: Path) -> None:
    at = open_telemetry()
    traces = at.selectbox(key="telemetry-trace").options
    first = figures(at)["Trace waterfall"]["data"][0]

    at.selectbox(key="telemetry-trace").select_index(len(traces) - 1).run()

    chosen = figures(at)["Trace waterfall"]["data"][0]
    # The turn, then each agent call followed by its model call.
    assert len(chosen["y"]) == 5 and chosen["base"][0] == 0
    assert chosen["x"] != first["x"]


def test_a_range_without_spans_says_so(app_env: Path) -> None:
    seed_spans(app_env, 500, end=datetime.now(UTC) - timedelta(days=3), window=timedelta(days=1))
    at = open_telemetry()

    at.selectbox(key="telemetry-range").select_index(1).run()  # last 24 hours

    assert not at.exception, at.exception
    assert "No spans match" in at.info[0].value
    assert not at.get("plotly_chart")


def test_an_empty_database_shows_guidance(app_env: Path) -> None:
    at = open_telemetry()

    assert [info.value for info in at.info] == [EMPTY_GUIDANCE]
    assert "coach seed-demo --sessions 20" in at.info[0].value
    assert not at.get("plotly_chart") and not at.exception


def test_a_custom_range_of_days_filters_the_charts(seeded: Path) -> None:
    at = open_telemetry()
    yesterday = datetime.now(UTC).date() - timedelta(days=1)  # a whole day of spans

    at.selectbox(key="telemetry-range").select(TimeRange.CUSTOM).run()
    assert "Pick the first and the last day" in at.info[0].value  # nothing picked yet
    at.date_input(key="telemetry-days").set_value((yesterday, yesterday)).run()

    assert not at.exception, at.exception
    points = figures(at)["Agent call latency"]["data"][0]["x"]
    assert len(points) == 24 * 4  # one UTC day in 15-minute steps
    assert all(point.startswith(yesterday.isoformat()) for point in points)


def test_unrecorded_metrics_are_named_not_drawn_empty(app_env: Path) -> None:
    now = datetime.now(UTC) - timedelta(minutes=5)
    insert_spans(
        app_env,
        [
            SpanRow(
                span_id="turn",
                trace_id="t",
                name="turn chat_reply",
                operation="turn",
                agent=None,
                start_time=now,
                duration_ms=40,
            ),
            SpanRow(
                span_id="agent",
                trace_id="t",
                parent_span_id="turn",
                start_time=now,
                duration_ms=30,
                queue_ms=0.1,
                provider="offline",
            ),
        ],
    )
    at = open_telemetry()

    assert "Tokens per model call (mean)" not in figures(at)
    assert "Agent call latency" in figures(at)
    assert any("token counts" in caption.value for caption in at.caption)
    assert not any("demo data" in caption.value for caption in at.caption)
