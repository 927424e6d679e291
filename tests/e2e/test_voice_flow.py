"""A live voice interview in headless Chromium with a fake microphone.

Chromium plays an espeak-ng recording as its microphone; streamlit-webrtc hands the
20 ms frames to the relay; the relay talks to a fake Realtime server on loopback; the
transcript appears on the page.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coach.domain import DocumentKind
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningApp,
    start_app,
    stop_app,
    wait_for_app,
)
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.realtime.fake_server import FakeRealtimeServer

pytestmark = pytest.mark.e2e
SPOKEN = "I led the migration of our data pipeline to Kubernetes"
KEY = "sk-" + "test-voice-e2e-0123456789"


@pytest.fixture
def microphone_wav(tmp_path: Path) -> Path:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.fail("espeak-ng and sox are needed: ./scripts/test installs them")
    raw, wav = tmp_path / "raw.wav", tmp_path / "mic.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), SPOKEN], check=True)
    # A second of silence after the sentence ends the candidate's turn.
    subprocess.run(
        ["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav), "pad", "0.5", "2"],
        check=True,
    )
    return wav


@pytest.fixture
def voice_page(microphone_wav: Path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={microphone_wav}",
            ],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def fake_realtime() -> Iterator[FakeRealtimeServer]:
    with FakeRealtimeServer(transcript=SPOKEN) as server:
        yield server


@pytest.fixture
def app_with_realtime(tmp_path: Path, fake_realtime: FakeRealtimeServer) -> Iterator[RunningApp]:
    db_path = tmp_path / "voice.duckdb"
    app = start_app(
        db_path,
        tmp_path / "streamlit.log",
        extra_env={
            "OPENAI_API_KEY": KEY,
            "COACH_AGENT__PROVIDER": "offline",
            "COACH_REALTIME__BASE_URL": fake_realtime.url,
            "COACH_VOICE_PREVIEWS__CACHE_DIR": str(tmp_path / "previews"),
        },
    )
    yield app
    stop_app(app.process)


def seed_session(db_path: Path) -> str:
    wb = build_workbench(CoachSettings(store=StoreSettings(path=db_path, idle_release_seconds=0)))
    session = wb.practice.start_session(
        Actor.local(),
        wb.practice.read_pasted(RESUME, DocumentKind.RESUME),
        wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION),
        question_count=1,
    )
    wb.close()
    return session.id


def test_a_spoken_answer_appears_in_the_live_transcript(
    app_with_realtime: RunningApp, voice_page: Page, fake_realtime: FakeRealtimeServer
) -> None:
    session_id = seed_session(app_with_realtime.db_path)
    voice_page.goto(f"{app_with_realtime.url}/voice?session={session_id}")
    wait_for_app(voice_page)
    expect(voice_page.get_by_role("heading", name="Live interview")).to_be_visible()
    webrtc = voice_page.frame_locator("iframe[src*='streamlit_webrtc']")
    webrtc.get_by_role("button", name="Start the interview").click()
    expect(voice_page.get_by_text(SPOKEN)).to_be_visible(timeout=45_000)
    assert fake_realtime.audio_seconds() > 0.5
    # The relay holds the key server-side: the browser never sees it.
    assert KEY not in voice_page.content()
    for frame in voice_page.frames:
        assert KEY not in frame.content()
    voice_page.get_by_role("button", name="Use this as my answer").click()
    expect(voice_page.get_by_text("What worked")).to_be_visible(timeout=30_000)
