"""A live voice interview through the voice service, relay and a fake Realtime server:
the spoken answer lands in DuckDB (draft at once, then the scored answer)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.domain import AnswerMode, DocumentKind, Speaker
from coach.errors import CoachError
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.realtime.fake_server import FakeRealtimeServer
from tests.realtime.test_relay import eventually, feed, frames_of, read_wav, silence

LOCAL_USER = Actor.local()

pytestmark = pytest.mark.timeout(60)
SPOKEN = "I led the migration of our data pipeline to Kubernetes"


@pytest.fixture(scope="module")
def spoken_answer(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.fail("espeak-ng and sox are needed: ./scripts/test installs them")
    folder = tmp_path_factory.mktemp("spoken")
    subprocess.run(["espeak-ng", "-w", str(folder / "raw.wav"), SPOKEN], check=True)
    subprocess.run(
        [
            "sox",
            str(folder / "raw.wav"),
            "-r",
            "48000",
            "-c",
            "1",
            "-b",
            "16",
            str(folder / "48k.wav"),
        ],
        check=True,
    )
    return read_wav(folder / "48k.wav")


@pytest.fixture
def fake_realtime() -> Iterator[FakeRealtimeServer]:
    with FakeRealtimeServer(transcript=SPOKEN) as server:
        yield server


def workbench_with_key(db_path: Path, realtime_url: str, tmp_path: Path) -> Workbench:
    settings = CoachSettings(
        store=StoreSettings(path=db_path),
        openai_api_key="sk-" + "test-live-voice-0123456789",
        agent={"provider": "offline"},  # text stays on the offline coach: no network
        realtime={"base_url": realtime_url, "reconnect_backoff_seconds": 0.05},
        voice_previews={"cache_dir": tmp_path / "previews"},
    )
    return build_workbench(settings)


def speak_live(wb: Workbench, spoken_answer: np.ndarray, voice: str):  # type: ignore[no-untyped-def]
    """Start a session, speak the answer into a live interview; the draft is saved."""
    session = wb.practice.start_session(
        LOCAL_USER,
        wb.practice.read_pasted(RESUME, DocumentKind.RESUME),
        wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION),
        question_count=1,
    )
    question = wb.practice.view(LOCAL_USER, session.id).questions[0].question
    live_id = wb.voice.start_live(LOCAL_USER, session.id, question.id, voice)
    relay = wb.voice.live(LOCAL_USER, live_id).relay  # type: ignore[union-attr]
    relay.start()
    feed(relay, frames_of(spoken_answer) + silence(30))
    eventually(lambda: wb.store.draft(LOCAL_USER, question.id) == SPOKEN, timeout=10)
    return session, live_id


def test_a_spoken_answer_is_saved_as_spoken_then_scored_as_the_answer(
    db_path: Path, tmp_path: Path, fake_realtime: FakeRealtimeServer, spoken_answer: np.ndarray
) -> None:
    wb = workbench_with_key(db_path, fake_realtime.url, tmp_path)
    session, live_id = speak_live(wb, spoken_answer, "verse")

    transcript, answer, evaluation = wb.voice.finish_live(LOCAL_USER, live_id, use_as_answer=True)
    assert answer is not None and answer.mode is AnswerMode.VOICE and answer.text == SPOKEN
    assert evaluation is not None and evaluation.answer_id == answer.id
    assert transcript.voice.voice == "verse"
    assert any(s.speaker is Speaker.CANDIDATE for s in transcript.segments)
    assert wb.store.transcripts(LOCAL_USER, session.id) == [transcript]
    assert (
        wb.sessions.list(LOCAL_USER).sessions[0].transcript_count == 1
    )  # shown on the Sessions page
    assert fake_realtime.audio_seconds() > 1.0  # 24 kHz PCM16 arrived
    assert wb.practice.view(LOCAL_USER, session.id).questions[0].latest_evaluation == evaluation
    wb.close()


def test_without_a_key_live_interviews_explain_themselves(db_path: Path) -> None:
    wb = build_workbench(CoachSettings(store=StoreSettings(path=db_path)))
    assert not wb.voice.realtime_available
    with pytest.raises(CoachError, match="need an OpenAI API key"):
        wb.voice.start_live(LOCAL_USER, "any", "any")
    wb.close()


def test_spoken_answers_and_transcripts_appear_in_the_export(
    db_path: Path, tmp_path: Path, fake_realtime: FakeRealtimeServer, spoken_answer: np.ndarray
) -> None:
    wb = workbench_with_key(db_path, fake_realtime.url, tmp_path)
    session, live_id = speak_live(wb, spoken_answer, "sage")
    wb.voice.finish_live(LOCAL_USER, live_id, use_as_answer=True)
    export = wb.exports.markdown(LOCAL_USER, session.id).content
    assert f"> {SPOKEN} (spoken)" in export
    assert "## Voice transcripts" in export and "Voice sage" in export
    assert f"**You:** {SPOKEN}" in export
    wb.close()
