"""A candidate's whole journey in a real browser against the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, wait_for_app
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER, make_pdf

pytestmark = pytest.mark.e2e


def test_upload_answer_reload_resume_rename_delete(
    running_app: RunningApp, page: Page, tmp_path: Path
) -> None:
    resume_pdf = tmp_path / "jordan_rivera_resume.pdf"
    resume_pdf.write_bytes(make_pdf([RESUME.splitlines()]))
    page.goto(running_app.url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Practise an interview")).to_be_visible()

    page.locator("input[type='file']").first.set_input_files(str(resume_pdf))
    expect(page.get_by_text("resume.pdf")).to_be_visible()
    page.get_by_label("…or paste your job description").fill(JOB_DESCRIPTION)
    page.get_by_role("button", name="Generate questions").click()

    expect(page.get_by_role("heading", name="Senior Data Engineer")).to_be_visible()
    expect(page.get_by_text("Resume: jordan_rivera_resume.pdf")).to_be_visible()

    answer = page.get_by_label("Your answer")
    answer.fill(STRONG_ANSWER)
    answer.press("Control+Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("What worked")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_contain_text("/ 10")

    page.reload()
    wait_for_app(page)
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    expect(page.get_by_text("1 of 5 answered")).to_be_visible()
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Senior Data Engineer")).to_be_visible()
    expect(page.get_by_text("What worked")).to_be_visible()

    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    page.get_by_role("button", name="Manage").click()
    name_box = page.get_by_label("New name", exact=True)
    name_box.fill("Initech final round")
    name_box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Initech final round", exact=True)).to_be_visible()

    confirm = page.get_by_text("Yes, delete this session and all its answers")
    if not confirm.is_visible():
        page.get_by_role("button", name="Manage").click()
    confirm.click()
    wait_for_app(page)
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No sessions yet")).to_be_visible()
