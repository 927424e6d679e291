"""The Sessions page in AppTest: list, search, rename, delete, open."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.domain import DocumentKind
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME

LOCAL_USER = Actor.local()


@pytest.fixture
def two_sessions(app_env: Path) -> list[str]:
    wb = build_workbench(CoachSettings(store=StoreSettings(path=app_env, idle_release_seconds=0)))
    ids = []
    for name in ("Initech data engineer", "Globex analyst"):
        resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
        job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
        ids.append(
            wb.practice.start_session(LOCAL_USER, resume, job, name=name, question_count=2).id
        )
    wb.close()
    return ids


def sessions_page(app: AppTest) -> AppTest:
    app.switch_page("views/sessions.py").run()
    assert not app.exception, app.exception
    return app


def names(at: AppTest) -> list[str]:
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]


def test_an_empty_store_shows_guidance(app: AppTest) -> None:
    at = sessions_page(app)
    assert any("No sessions yet" in i.value for i in at.info)


def test_sessions_are_listed_newest_first_and_searchable(
    two_sessions: list[str], app: AppTest
) -> None:
    at = sessions_page(app)
    assert names(at) == ["Globex analyst", "Initech data engineer"]
    at.text_input(key="sessions-search").input("initech").run()
    assert names(at) == ["Initech data engineer"]
    at.text_input(key="sessions-search").input("nothing like it").run()
    assert any("No session name contains" in i.value for i in at.info)


def test_rename_and_delete_with_confirmation(two_sessions: list[str], app: AppTest) -> None:
    at = sessions_page(app)
    initech = two_sessions[0]
    at.text_input(key=f"name-{initech}").input("Initech final round")
    at.button(key=f"rename-{initech}").click().run()
    assert "Initech final round" in names(at)
    assert at.button(key=f"delete-{initech}").disabled
    at.checkbox(key=f"confirm-{initech}").check().run()
    at.button(key=f"delete-{initech}").click().run()
    assert names(at) == ["Globex analyst"]


def test_open_resumes_the_session_on_the_practice_page(
    two_sessions: list[str], app: AppTest
) -> None:
    at = sessions_page(app)
    at.button(key=f"open-{two_sessions[0]}").click().run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Initech data engineer"


def test_each_practice_session_offers_markdown_and_a_pdf_study_guide(
    two_sessions: list[str], app: AppTest
) -> None:
    at = sessions_page(app)

    labels = [button.proto.label for button in at.get("download_button")]
    prepare = [b for b in at.button if b.label == "Prepare Markdown export"]

    # The Markdown is made in the page's run (a file made on click is swept away by other
    # users' reruns before the browser fetches it), so it is prepared for one session.
    assert len(prepare) == 2
    prepare[0].click().run()
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels.count("Export as Markdown") == 1
    assert len([b for b in at.button if b.label == "Prepare Markdown export"]) == 1

    # The study guide likewise: prepared in the page's run for one session, then offered.
    guides = [b for b in at.button if b.label == "Prepare study guide (PDF)"]
    assert len(guides) == 2 and "Study guide (PDF)" not in labels
    guides[0].click().run()
    assert not at.exception, at.exception
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels.count("Study guide (PDF)") == 1
    assert len([b for b in at.button if b.label == "Prepare study guide (PDF)"]) == 1
