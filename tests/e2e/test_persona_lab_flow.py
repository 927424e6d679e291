"""The Persona Lab in a real browser: create, watch it run, read the verdict, reopen it
after a reload, promote the winner and find the new persona version on disk and in the
picker.

The app gets a copy of the repo's personas, so the promotion writes there. The offline
coach gives better judged feedback at the ``help`` coaching level than at ``strict``, so
the bar raiser (strict) with a ``help`` variant B has a real winner to promote.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from coach.settings import PROJECT_ROOT
from tests.e2e.conftest import RunningApp, start_app, stop_app, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def lab_app(tmp_path: Path) -> Iterator[tuple[RunningApp, Path]]:
    personas = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", personas)
    app = start_app(
        tmp_path / "e2e.duckdb",
        tmp_path / "streamlit.log",
        {"COACH_AGENT__PERSONAS_DIR": str(personas)},
    )
    yield app, personas
    stop_app(app.process)


def choose(page: Page, key: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox with widget key ``key``."""
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_create_watch_reopen_and_promote(lab_app: tuple[RunningApp, Path], page: Page) -> None:
    app, personas = lab_app
    page.goto(f"{app.url}/persona_lab")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Persona Lab")).to_be_visible()
    expect(page.get_by_text("No experiments yet.")).to_be_visible()

    name = page.get_by_label("Experiment name")
    name.fill("help the bar raiser")
    name.press("Enter")
    wait_for_app(page)
    choose(page, "lab-base", "strict_feedback_coach")
    page.get_by_role("tab", name="B").click()
    choose(page, "lab-B-coaching_level", "help")
    repeats = page.get_by_role("spinbutton", name="Repeats")
    repeats.fill("5")  # 480 pairs: a few seconds, long enough to watch
    repeats.press("Enter")
    wait_for_app(page)
    expect(page.locator("code").filter(has_text="coaching_level: help")).to_be_visible()

    page.get_by_role("button", name="Create and run").click()
    expect(page.get_by_text("Running:")).to_be_visible()
    expect(page.get_by_test_id("stProgress")).to_be_visible()
    verdict = page.get_by_text("Variant B scores", exact=False).first
    expect(verdict).to_be_visible(timeout=45_000)
    expect(verdict).to_contain_text("higher than A")
    expect(page.get_by_text("Finished: 480 pairs.")).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)
    expect(charts.first.locator(".errorbar").first).to_be_attached()  # the CI whiskers
    assert "experiment=" in page.url

    # A reload starts a new session: with the link gone, nothing is open until the
    # past-experiments list opens it again.
    page.goto(f"{app.url}/persona_lab")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Past experiments")).to_be_visible()
    expect(page.get_by_text("Variant B scores")).to_have_count(0)
    page.get_by_role("button", name="Open experiment").click()
    expect(page.get_by_text("Variant B scores").first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(2)

    # Only a significant winner is preselected (issue 15); otherwise the person picks one.
    if page.get_by_text("No variant did significantly better").count():
        picker = page.locator("[class*='st-key-lab-ship-'] input")
        picker.click()
        picker.fill("B")
        picker.press("Enter")
        wait_for_app(page)
    page.get_by_role("button", name="Promote to a new persona version").click()
    expect(
        page.get_by_text(
            "strict_feedback_coach is now version 2 (personas/strict_feedback_coach.yaml); "
            "version 1 is kept in personas/versions/strict_feedback_coach.v1.yaml."
        )
    ).to_be_visible()
    promoted = yaml.safe_load((personas / "strict_feedback_coach.yaml").read_text())
    assert promoted["version"] == 2 and promoted["coaching_level"] == "help"
    assert (personas / "versions" / "strict_feedback_coach.v1.yaml").is_file()

    wait_for_app(page)  # the promotion reruns the page: let it finish before the next click
    page.get_by_text("New experiment").click()  # folded while an experiment is open
    wait_for_app(page)
    # A click that lands while the page is still rerunning opens nothing: open it again.
    base = page.locator(".st-key-lab-base").get_by_role("combobox")
    promoted_option = page.get_by_role("option", name="strict_feedback_coach (v2)")
    for _ in range(5):
        base.click()
        if promoted_option.is_visible() or page.get_by_role("listbox").count():
            break
        page.wait_for_timeout(500)
    expect(promoted_option).to_be_visible()
    assert "Traceback" not in app.log()
