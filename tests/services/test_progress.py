"""My progress from real practice sessions (DuckDB file, offline coach): scores per
dimension across sessions and attempts, fillers, most-used words, struggling questions;
and the figures the page and notebooks draw from the same report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coach import figures
from coach.analysis import open_analysis
from coach.domain import DocumentKind
from coach.services.progress import ProgressReport
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

LOCAL_USER = Actor.local()

HESITANT = (
    "Um, so, you know, I basically, um, fixed the pipeline. It was, like, slow, and "
    "um I made it faster, you know."
)


@pytest.fixture
def wb(settings: CoachSettings) -> Iterator[Workbench]:
    workbench = build_workbench(settings)
    yield workbench
    workbench.close()


def session_with(wb: Workbench, *answers: str, name: str) -> str:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=2, name=name)
    first = wb.practice.view(LOCAL_USER, session.id).questions[0].question
    for text in answers:
        wb.practice.answer_and_evaluate(LOCAL_USER, session.id, first.id, text)
    return session.id


def test_an_empty_store_gives_an_empty_report_and_empty_figures(wb: Workbench) -> None:
    report = wb.progress.report(LOCAL_USER)

    assert report.is_empty
    assert figures.scores_by_session(report).data == ()


def test_progress_follows_scores_fillers_and_words_across_sessions(wb: Workbench) -> None:
    session_with(wb, HESITANT, HESITANT, name="Monday")
    session_with(wb, STRONG_ANSWER, name="Friday")

    report = wb.progress.report(LOCAL_USER)

    assert [a.session_name for a in report.attempts] == ["Monday", "Monday", "Friday"]
    assert [a.attempt for a in report.attempts] == [1, 2, 1]
    monday, friday = report.attempts[0], report.attempts[-1]
    assert friday.overall > monday.overall
    assert set(friday.dimensions) and all(1 <= s <= 10 for s in friday.dimensions.values())
    fillers = report.fillers_by_session().set_index("session")["fillers_per_100_words"]
    assert fillers["Monday"] > 10 > fillers["Friday"]
    assert "pipeline" in [w.word for w in report.top_words]
    assert not {"um", "you", "the", "and", "basically"} & {w.word for w in report.top_words}
    assert [s.session_name for s in report.words_by_session] == ["Monday", "Friday"]
    assert "pipeline" in [w.word for w in report.words_by_session[0].words]
    # The same question, weak twice (and once well in another session): a struggle.
    (struggle,) = report.struggling
    assert struggle.attempts == 3 and struggle.sessions == 2
    assert struggle.latest == friday.overall and struggle.average < 6


def test_figures_draw_every_dimension_every_session_and_attempt(wb: Workbench) -> None:
    session_with(wb, HESITANT, STRONG_ANSWER, name="Monday")
    session_with(wb, STRONG_ANSWER, name="Friday")
    report = wb.progress.report(LOCAL_USER)

    by_session = figures.scores_by_session(report)
    names = {trace.name for trace in by_session.data}
    assert "Overall" in names and len(names) >= 6
    overall = next(t for t in by_session.data if t.name == "Overall")
    assert len(overall.x) == 2 and overall.x[0].endswith("Monday")
    (bars,) = figures.scores_by_attempt(report).data
    assert list(bars.x) == ["Attempt 1", "Attempt 2"]
    (line,) = figures.fillers_by_session(report).data
    assert len(line.y) == 2
    assert figures.top_words(report).data[0].y[-1] == report.top_words[0].word


def test_a_notebook_snapshot_gives_the_same_score_figures(
    wb: Workbench, settings: CoachSettings
) -> None:
    session_with(wb, HESITANT, STRONG_ANSWER, name="Monday")
    from_store = wb.progress.report(LOCAL_USER)
    wb.close()

    with open_analysis(settings.store.path) as analysis:
        from_snapshot = ProgressReport.from_answers(analysis.answers_with_scores())

    assert [a.overall for a in from_snapshot.attempts] == [a.overall for a in from_store.attempts]
    assert [a.dimensions for a in from_snapshot.attempts] == [
        a.dimensions for a in from_store.attempts
    ]
    page, notebook = figures.scores_by_session(from_store), figures.scores_by_session(from_snapshot)
    assert [(t.name, list(t.y)) for t in page.data] == [(t.name, list(t.y)) for t in notebook.data]


def test_a_new_answer_or_a_removed_question_shows_in_the_next_report(wb: Workbench) -> None:
    session_id = session_with(wb, HESITANT, name="Monday")
    assert len(wb.progress.report(LOCAL_USER).attempts) == 1

    second = wb.practice.view(LOCAL_USER, session_id).questions[1].question
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, second.id, STRONG_ANSWER)
    assert len(wb.progress.report(LOCAL_USER).attempts) == 2

    wb.practice.remove_question(LOCAL_USER, second.id)
    assert len(wb.progress.report(LOCAL_USER).attempts) == 1


def test_a_session_name_with_plotly_markup_is_shown_as_typed(wb: Workbench) -> None:
    session_with(wb, STRONG_ANSWER, name='<a href="https://x.example/t">Monday</a>')

    (overall, *_) = figures.scores_by_session(wb.progress.report(LOCAL_USER)).data

    assert "<a" not in overall.x[0] and "&lt;a href" in overall.x[0]
