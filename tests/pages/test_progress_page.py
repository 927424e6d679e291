"""The My progress page in AppTest: the real script, services and DuckDB file."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from coach.domain import DocumentKind
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

LOCAL_USER = Actor.local()


def progress_page(app: AppTest) -> AppTest:
    app.switch_page("views/progress.py").run()
    assert not app.exception, app.exception
    return app


def practise(db_path: Path, *answers: str) -> None:
    wb = build_workbench(CoachSettings(store=StoreSettings(path=db_path, idle_release_seconds=0)))
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=1, name="Initech")
    question = wb.practice.view(LOCAL_USER, session.id).questions[0].question
    for text in answers:
        wb.practice.answer_and_evaluate(LOCAL_USER, session.id, question.id, text)
    wb.close()


def test_no_answers_yet_says_how_to_get_a_chart(app: AppTest) -> None:
    at = progress_page(app)

    assert at.title[0].value == "My progress"
    assert any("Nothing to chart yet" in info.value for info in at.info)


def test_answers_give_charts_and_the_questions_that_keep_giving_trouble(
    app: AppTest, app_env: Path
) -> None:
    practise(app_env, "I did some stuff.", "Um, I fixed it, you know.", STRONG_ANSWER)

    at = progress_page(app)

    assert at.metric[0].value == "3"  # answers scored
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    assert "Scores per rubric dimension" in charts[0].proto.spec
    struggling, words = at.dataframe
    assert struggling.value["Attempts"].tolist() == [3]
    assert words.value["Session"].str.endswith("Initech").all()
