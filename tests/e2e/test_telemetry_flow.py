"""The Telemetry page in a real browser: seeded spans become Plotly charts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, start_app, stop_app, wait_for_app
from tests.span_rows import seed_spans

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded_app(tmp_path: Path) -> Iterator[RunningApp]:
    """The app over a database that already holds 20,000 spans of the last six days."""
    db_path = tmp_path / "e2e.duckdb"
    seed_spans(db_path, 20_000, window=timedelta(days=6))
    app = start_app(db_path, tmp_path / "streamlit.log")
    yield app
    stop_app(app.process)


def test_the_page_draws_every_chart_and_a_trace_waterfall(
    seeded_app: RunningApp, page: Page
) -> None:
    page.goto(f"{seeded_app.url}/telemetry")
    wait_for_app(page)

    expect(page.get_by_role("heading", name="Telemetry")).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(9, timeout=30_000)  # eight charts and the waterfall
    # Plotly has drawn real marks, not empty frames.
    expect(charts.first.locator("path.js-line").first).to_be_attached()
    expect(page.get_by_text("Slowest turns")).to_be_visible()
    expect(page.get_by_text("Trace waterfall")).to_be_visible()
    assert "Traceback" not in seeded_app.log()


def test_an_empty_database_shows_guidance(running_app: RunningApp, page: Page) -> None:
    page.goto(f"{running_app.url}/telemetry")
    wait_for_app(page)

    expect(page.get_by_text("No telemetry yet: practise a question or chat")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
