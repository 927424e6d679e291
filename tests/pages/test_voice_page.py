"""The Voice page in AppTest: offline explainer, voice previews with a disk cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.users import Actor
from tests.pages.conftest import APP

LOCAL_USER = Actor.local()


@pytest.fixture
def voice_app(app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("COACH_VOICE_PREVIEWS__CACHE_DIR", str(tmp_path / "previews"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("views/voice.py").run()
    assert not at.exception, at.exception
    return at


def test_without_a_session_the_page_says_to_open_one(voice_app: AppTest) -> None:
    assert voice_app.title[0].value == "Voice interview"
    assert any("Open a practice session first" in i.value for i in voice_app.info)


def test_a_voice_preview_is_synthesised_once_then_served_from_the_cache(
    voice_app: AppTest, tmp_path: Path
) -> None:
    voice_app.selectbox(key="voice-name").set_value("verse").run()
    voice_app.button(key="voice-preview").click().run()
    assert not voice_app.exception, voice_app.exception
    assert any("synthesised now" in c.value for c in voice_app.caption)
    assert len(list((tmp_path / "previews").rglob("*.wav"))) == 1
    voice_app.button(key="voice-preview").click().run()
    assert any("from the cache" in c.value for c in voice_app.caption)
    assert len(list((tmp_path / "previews").rglob("*.wav"))) == 1


def test_offline_the_live_interview_explains_what_works_without_a_key(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.domain import DocumentKind
    from coach.settings import CoachSettings, StoreSettings
    from coach.workbench import build_workbench
    from tests.fixtures import JOB_DESCRIPTION, RESUME

    wb = build_workbench(CoachSettings(store=StoreSettings(path=app_env, idle_release_seconds=0)))
    session = wb.practice.start_session(
        LOCAL_USER,
        wb.practice.read_pasted(RESUME, DocumentKind.RESUME),
        wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION),
        question_count=1,
    )
    wb.close()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["session"] = session.id
    at.run()
    at.switch_page("views/voice.py").run()
    assert not at.exception, at.exception
    explainer = " ".join(i.value for i in at.info)
    assert "need `OPENAI_API_KEY`" in explainer and "record an answer out loud" in explainer
