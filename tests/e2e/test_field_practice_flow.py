"""Practice by field with no document, download the PDF study guide, and see the
progress page, in a real browser against the real app (issue 17)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, wait_for_app

pytestmark = pytest.mark.e2e

ANSWER = (
    "In my first term a student kept disrupting the class. My task was to keep the lesson "
    "going without losing him. I met him after class, learned he was bored, and gave him "
    "a role leading the group work. Within three weeks the disruptions stopped and his "
    "test score rose from 55 to 72 percent."
)


def test_field_practice_study_guide_and_progress(
    running_app: RunningApp, page: Page, tmp_path: Path
) -> None:
    page.goto(running_app.url)
    wait_for_app(page)
    page.get_by_role("radio", name="By field, no posting").click()
    wait_for_app(page)
    page.get_by_label("Field").click()
    page.get_by_role("option", name="Teaching and education").click()
    page.get_by_role("button", name="Get questions").click()

    expect(page.get_by_role("heading", name="Teaching and education")).to_be_visible()
    expect(page.get_by_text("By field: Teaching and education")).to_be_visible()

    answer = page.get_by_label("Your answer")
    answer.fill(ANSWER)
    answer.press("Control+Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("What worked")).to_be_visible()

    page.get_by_role("button", name="Prepare study guide (PDF)").click()
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Study guide (PDF)", exact=True).click()
    guide = tmp_path / download.value.suggested_filename
    download.value.save_as(guide)
    assert guide.name.endswith("-study-guide.pdf")
    assert len(pdfium.PdfDocument(guide.read_bytes())) >= 1
    text = subprocess.run(
        ["pdftotext", guide, "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Study guide: Teaching and education" in " ".join(text.split())
    assert "his test score rose from 55 to 72" in " ".join(text.split())

    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(page.get_by_text("Answers scored")).to_be_visible()
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible()
    expect(page.get_by_text("Scores per rubric dimension, session by session")).to_be_visible()
