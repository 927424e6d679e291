"""The API key never reaches a log line, the database, an export or the browser.

The real app runs with a key against a real model server (llama.cpp on loopback) that
demands that key; a candidate practises, chats and exports; then the test searches
everything the app wrote or showed for the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coach.settings import PROJECT_ROOT
from tests.e2e.conftest import SCRIPT_IDLE, RunningApp, start_app, stop_app, wait_for_app
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER
from tests.llama_server import MODEL_ALIAS, LlamaServer, start_llama_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SECRET = "sk-" + "test-NEVER-SHOW-0123456789abcdefXYZ"
MODEL_WAIT_MS = 240_000  # a 135M model on two cores writes JSON slowly


@pytest.fixture
def keyed_server(tmp_path: Path) -> Iterator[LlamaServer]:
    server = start_llama_server(tmp_path / "llama.log", api_key=SECRET)
    yield server
    server.stop()


@pytest.fixture
def app_with_key(tmp_path: Path, keyed_server: LlamaServer) -> Iterator[RunningApp]:
    personas = tmp_path / "personas"
    personas.mkdir()
    for source in (PROJECT_ROOT / "personas").glob("*.yaml"):
        text = source.read_text().replace("model: gpt-4o-mini", f"model: {MODEL_ALIAS}")
        text = "\n".join(
            "max_tokens: 160" if line.startswith("max_tokens:") else line
            for line in text.splitlines()
        )
        (personas / source.name).write_text(text + "\n")
    app = start_app(
        tmp_path / "keyed.duckdb",
        tmp_path / "streamlit.log",
        extra_env={
            "OPENAI_API_KEY": SECRET,
            "COACH_OPENAI_BASE_URL": keyed_server.base_url,
            "COACH_OPENAI_MAX_RETRIES": "0",
            "COACH_OPENAI_TIMEOUT_SECONDS": "90",
            "COACH_AGENT__PERSONAS_DIR": str(personas),
            "COACH_LOG_LEVEL": "DEBUG",
        },
    )
    yield app
    stop_app(app.process)


def assert_no_secret(where: str, text: str) -> None:
    assert SECRET not in text, f"the API key leaked into {where}"
    assert SECRET[3:20] not in text, f"part of the API key leaked into {where}"


def test_the_key_never_reaches_logs_database_exports_or_the_page(
    app_with_key: RunningApp, page: Page, tmp_path: Path
) -> None:
    page.goto(app_with_key.url)
    wait_for_app(page)
    expect(page.get_by_text("Coaching with a real model")).to_be_visible()
    page.get_by_label("…or paste your resume").fill(RESUME)
    page.get_by_label("…or paste your job description").fill(JOB_DESCRIPTION)
    page.get_by_role("slider").focus()
    page.keyboard.press("Home")  # one question keeps the small model's work short
    page.get_by_role("button", name="Generate questions").click()
    expect(page.get_by_label("Your answer")).to_be_visible(timeout=MODEL_WAIT_MS)
    assert_no_secret("the practice page", page.content())

    answer = page.get_by_label("Your answer")
    answer.fill(STRONG_ANSWER)
    answer.press("Control+Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("What worked")).to_be_visible(timeout=MODEL_WAIT_MS)
    # The run goes on under the score (the model writes the follow-up); the export it
    # draws last is the one with the score in it.
    expect(page.locator(SCRIPT_IDLE)).to_have_count(1, timeout=MODEL_WAIT_MS)
    assert_no_secret("the feedback", page.content())

    with page.expect_download() as download:
        page.get_by_role("button", name="Export as Markdown").click()
    exported = Path(download.value.path()).read_text()
    assert "Score:" in exported
    assert_no_secret("the Markdown export", exported)

    page.get_by_role("link", name="Chat").click()
    page.get_by_role("button", name="Start chat").click()
    box = page.get_by_placeholder("Ask your coach…")
    box.fill("Give me one tip for a data engineering interview.")
    box.press("Enter")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2, timeout=MODEL_WAIT_MS)
    wait_for_app(page)
    assert_no_secret("the chat page", page.content())

    stop_app(app_with_key.process)
    log = app_with_key.log()
    assert "agent call" in log, "the app's own log lines were captured"
    assert_no_secret("the app's log", log)
    for path in tmp_path.glob("keyed.duckdb*"):
        assert_no_secret(path.name, path.read_bytes().decode("latin-1"))
