"""The practice flow through the real services, store (DuckDB file) and offline coach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coach.domain import CoachingLevel, DocumentKind, QuestionSource, QuestionType, Session
from coach.errors import CoachError, EmptyAnswer, SessionNotFound
from coach.services.practice import PracticeView
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, MARKDOWN_POSTING, RESUME, STRONG_ANSWER

LOCAL_USER = Actor.local()


@pytest.fixture
def wb(settings: CoachSettings) -> Iterator[Workbench]:
    workbench = build_workbench(settings)
    yield workbench
    workbench.close()


def start(wb: Workbench, **options: object) -> str:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    return wb.practice.start_session(LOCAL_USER, resume, job, **options).id  # type: ignore[arg-type]


def test_a_session_starts_with_tailored_questions_that_name_the_documents(wb: Workbench) -> None:
    session_id = start(wb, question_count=6)
    view = wb.practice.view(LOCAL_USER, session_id)
    assert len(view.questions) == 6
    assert view.session.name.startswith("Senior Data Engineer")
    tailored = [p.question for p in view.questions if p.question.source is QuestionSource.TAILORED]
    assert tailored, "no tailored question"
    named = ("Acme", "Globex", "40%", "Kafka", "Airflow", "Spark", "Tableau", "Terraform")
    assert any(any(word in q.text for word in named) for q in tailored)
    assert view.current is not None and view.current.question.id == view.questions[0].question.id


def test_an_answer_is_stored_then_scored_and_attributed_to_the_offline_coach(
    wb: Workbench,
) -> None:
    session_id = start(wb, question_count=2)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    answer, evaluation = wb.practice.answer_and_evaluate(
        LOCAL_USER, session_id, question.id, STRONG_ANSWER
    )
    assert answer.attempt == 1
    assert 1 <= evaluation.overall <= 10
    assert evaluation.attribution is not None and evaluation.attribution.is_offline
    assert "Offline coach" in evaluation.attribution.label
    progress = wb.practice.view(LOCAL_USER, session_id).questions[0]
    assert progress.latest_evaluation == evaluation


def test_an_empty_answer_is_refused_and_the_draft_is_kept(wb: Workbench) -> None:
    session_id = start(wb, question_count=1)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    wb.practice.save_draft(LOCAL_USER, session_id, question.id, "   ")
    with pytest.raises(EmptyAnswer, match="Your answer is empty"):
        wb.practice.submit_answer(LOCAL_USER, session_id, question.id, "  \n ")
    assert wb.practice.view(LOCAL_USER, session_id).questions[0].attempts == []


def test_a_failed_evaluation_keeps_the_answer_for_a_later_score(wb: Workbench) -> None:
    session_id = start(wb, question_count=1)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    answer = wb.practice.submit_answer(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    pending = wb.practice.view(LOCAL_USER, session_id).questions[0].needs_evaluation
    assert pending == answer
    wb.practice.evaluate(LOCAL_USER, answer.id)
    assert wb.practice.view(LOCAL_USER, session_id).questions[0].needs_evaluation is None


def test_practising_again_keeps_every_attempt(wb: Workbench) -> None:
    session_id = start(wb, question_count=1)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, "I don't know.")
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    attempts = wb.practice.view(LOCAL_USER, session_id).questions[0].attempts
    assert [a.answer.attempt for a in attempts] == [1, 2]
    first, second = (a.evaluation for a in attempts)
    assert first is not None and second is not None
    assert second.overall > first.overall


def test_a_custom_question_without_a_type_is_typed_from_its_wording(wb: Workbench) -> None:
    session_id = start(wb, question_count=1)
    technical = wb.practice.add_custom_question(
        LOCAL_USER, session_id, "How would you design a cache?"
    )
    pitch = wb.practice.add_custom_question(LOCAL_USER, session_id, "Tell me about yourself.")
    assert technical.type is QuestionType.TECHNICAL  # not behavioural by default
    assert pitch.type is QuestionType.ROLE_SPECIFIC


def test_more_custom_and_removed_questions(wb: Workbench) -> None:
    session_id = start(wb, question_count=2)
    before = [p.question.text for p in wb.practice.view(LOCAL_USER, session_id).questions]
    added = wb.practice.generate_questions(LOCAL_USER, session_id, count=3, hint="leadership")
    assert len(added) == 3 and not {q.text for q in added} & set(before)
    custom = wb.practice.add_custom_question(
        LOCAL_USER, session_id, "  Why   Initech? ", QuestionType.ROLE_SPECIFIC
    )
    assert custom.text == "Why Initech?" and custom.source is QuestionSource.CUSTOM
    with pytest.raises(CoachError, match="Type the question"):
        wb.practice.add_custom_question(LOCAL_USER, session_id, "   ")
    wb.practice.remove_question(LOCAL_USER, added[0].id)
    texts = [p.question.text for p in wb.practice.view(LOCAL_USER, session_id).questions]
    assert added[0].text not in texts and texts[-1] == "Why Initech?"


def test_strict_sessions_score_the_same_answer_no_higher(wb: Workbench) -> None:
    scores = {}
    for level in CoachingLevel:
        session_id = start(wb, question_count=1, coaching_level=level)
        question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
        _, evaluation = wb.practice.answer_and_evaluate(
            LOCAL_USER, session_id, question.id, STRONG_ANSWER
        )
        scores[level] = evaluation.overall
    assert scores[CoachingLevel.STRICT] <= scores[CoachingLevel.HELP]


def test_summary_names_weakest_dimensions_and_next_steps(wb: Workbench) -> None:
    session_id = start(wb, question_count=2)
    for progress in wb.practice.view(LOCAL_USER, session_id).questions:
        wb.practice.answer_and_evaluate(LOCAL_USER, session_id, progress.question.id, STRONG_ANSWER)
    summary = wb.practice.summarize(LOCAL_USER, session_id)
    assert summary.questions_answered == 2 and summary.average_score is not None
    assert summary.weakest and summary.next_steps
    assert wb.practice.view(LOCAL_USER, session_id).summary == summary


def test_export_is_markdown_with_questions_answers_and_feedback(wb: Workbench) -> None:
    session_id = start(wb, question_count=2)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    export = wb.exports.markdown(LOCAL_USER, session_id)
    assert export.filename.endswith(".md")
    assert question.text in export.content
    assert "runtime dropped by 40%" in export.content
    assert "Score:" in export.content and "_Not answered yet._" in export.content


def test_sessions_are_listed_searched_renamed_and_deleted(wb: Workbench) -> None:
    first = start(wb, question_count=1, name="Initech data")
    second = start(wb, question_count=1, name="Globex product")
    assert [s.id for s in wb.sessions.list(LOCAL_USER).sessions] == [second, first]
    assert [s.id for s in wb.sessions.list(LOCAL_USER, "initech").sessions] == [first]
    wb.sessions.rename(LOCAL_USER, first, "  Initech   final round ")
    assert wb.sessions.get(LOCAL_USER, first).name == "Initech final round"
    with pytest.raises(CoachError, match="needs a name"):
        wb.sessions.rename(LOCAL_USER, first, "   ")
    wb.sessions.delete(LOCAL_USER, first)
    with pytest.raises(SessionNotFound):
        wb.practice.view(LOCAL_USER, first)
    assert wb.sessions.list(LOCAL_USER).total == 1


def test_when_scoring_fails_the_page_is_told_the_answer_is_saved(settings: CoachSettings) -> None:
    from pydantic import BaseModel

    from coach.domain import EvaluationDraft
    from coach.errors import AnswerSavedNotScored, ProviderUnavailable
    from coach.offline.coach import OfflineCoach
    from coach.providers.scripted import ScriptedProvider

    coach = OfflineCoach()

    def fails_to_score(request, output: type[BaseModel]) -> BaseModel:  # type: ignore[no-untyped-def]
        if output is EvaluationDraft:
            raise ProviderUnavailable("The model server at 127.0.0.1:9 is not reachable.")
        if request.task.kind == "generate_questions":
            return coach.generate_questions(request.task)
        return coach.follow_up(request.task)

    wb = build_workbench(settings, provider=ScriptedProvider(fails_to_score))
    session_id = start(wb, question_count=1)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    with pytest.raises(AnswerSavedNotScored, match=r"^Your answer is saved\. The model server"):
        wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    pending = wb.practice.view(LOCAL_USER, session_id).questions[0].needs_evaluation
    assert pending is not None and pending.text == STRONG_ANSWER.strip()
    wb.close()


def test_a_session_from_a_near_empty_resume_keeps_saying_so(wb: Workbench) -> None:
    resume = wb.practice.read_pasted("Jane Doe, nurse.", DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)

    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=1)

    (warning,) = wb.practice.view(LOCAL_USER, session.id).document_warnings
    assert "only 16 characters" in warning and "your resume" in warning


def test_a_markdown_posting_with_a_linked_title_names_the_session_by_its_title(
    wb: Workbench,
) -> None:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_upload(
        MARKDOWN_POSTING.encode(), "posting.md", DocumentKind.JOB_DESCRIPTION
    )

    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=1)

    assert session.name.startswith("Snowflake Data Engineer · ")
    assert "[" not in session.name and "http" not in session.name


# --- page re-reads (issue 13) -------------------------------------------------------------


def test_a_quiet_rerun_reuses_the_view_and_every_write_shows_at_once(wb: Workbench) -> None:
    from coach.domain import DeliveryMetrics

    session_id = start(wb, question_count=2)
    first = wb.practice.view(LOCAL_USER, session_id)
    assert wb.practice.view(LOCAL_USER, session_id) is first  # nothing changed: nothing re-read

    question = first.questions[0].question
    wb.practice.save_draft(LOCAL_USER, session_id, question.id, "half an answer")
    assert wb.practice.view(LOCAL_USER, session_id).questions[0].draft == "half an answer"

    answer, _ = wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    scored = wb.practice.view(LOCAL_USER, session_id)
    assert scored.questions[0].latest_evaluation is not None
    assert scored.current is not None and scored.current.question.id == question.id

    metrics = DeliveryMetrics(speaking_seconds=30, words=80, words_per_minute=160)
    wb.store.set_delivery(LOCAL_USER, answer.id, metrics)
    latest = wb.practice.view(LOCAL_USER, session_id).questions[0].latest
    assert latest is not None and latest.delivery == metrics


def fresh_read(wb: Workbench, session_id: str) -> PracticeView:
    """The session's view read from the store, past the service's cache."""
    with wb.store.reading():
        return wb.practice._view(LOCAL_USER, wb.store.get_session(LOCAL_USER, session_id))


def counting_view_reads(wb: Workbench, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the sessions whose whole view the service reads from now on."""
    reads: list[str] = []
    read = wb.practice._view

    def counted(actor: Actor, session: Session) -> PracticeView:
        reads.append(session.id)
        return read(actor, session)

    monkeypatch.setattr(wb.practice, "_view", counted)
    return reads


def test_an_answer_scored_from_the_page_carries_its_view_forward_as_stored(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = start(wb, question_count=2)
    shown = wb.practice.view(LOCAL_USER, session_id)
    question = shown.questions[1].question
    wb.practice.save_draft(LOCAL_USER, session_id, question.id, "half an answer")
    shown = wb.practice.view(LOCAL_USER, session_id)

    answer, evaluation = wb.practice.answer_and_evaluate(
        LOCAL_USER, session_id, question.id, STRONG_ANSWER, shown=shown
    )

    reads = counting_view_reads(wb, monkeypatch)
    carried = wb.practice.view(LOCAL_USER, session_id)
    assert reads == []  # not read again: the page's view plus what was stored
    assert carried == fresh_read(wb, session_id)  # the draft gone, the question current
    assert carried.current is not None and carried.current.question.id == question.id
    assert carried.current.latest is not None
    assert (carried.current.latest.answer, carried.current.latest_evaluation) == (
        answer,
        evaluation,
    )


def test_a_write_from_elsewhere_while_scoring_is_read_not_carried_over(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = start(wb, question_count=2)
    shown = wb.practice.view(LOCAL_USER, session_id)
    first, second = (p.question for p in shown.questions)
    # Another tab keeps a draft after this page was drawn, before its answer is stored.
    wb.practice.save_draft(LOCAL_USER, session_id, first.id, "typed in another tab")

    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, second.id, STRONG_ANSWER, shown=shown)

    reads = counting_view_reads(wb, monkeypatch)
    after = wb.practice.view(LOCAL_USER, session_id)
    assert reads == [session_id]
    assert after == fresh_read(wb, session_id)
    assert after.questions[0].draft == "typed in another tab"
    assert after.questions[1].latest_evaluation is not None


def test_the_sessions_list_counts_right_without_a_second_scan_on_a_short_page(
    wb: Workbench,
) -> None:
    for number in range(25):
        wb.store.create_session(LOCAL_USER, f"Listed {number:02d}")

    first = wb.sessions.list(LOCAL_USER, limit=20)
    last = wb.sessions.list(LOCAL_USER, limit=20, offset=20)
    found = wb.sessions.list(LOCAL_USER, "listed 1", limit=20)
    nothing = wb.sessions.list(LOCAL_USER, "no such name", limit=20)

    assert (first.total, len(first.sessions), first.has_more) == (25, 20, True)
    assert (last.total, len(last.sessions), last.has_more) == (25, 5, False)
    assert found.total == 10 and {s.name for s in found.sessions} == {
        f"Listed {n}" for n in range(10, 20)
    }
    assert nothing.total == 0 and nothing.sessions == []


def test_fit_and_talking_points_from_the_view_match_the_stored_documents(wb: Workbench) -> None:
    session_id = start(wb, question_count=1)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    answer, _ = wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    view = wb.practice.view(LOCAL_USER, session_id)
    assert wb.practice.fit_of(view) == wb.practice.fit(LOCAL_USER, session_id)
    assert wb.practice.fit_of(view).missing  # the posting asks for what the resume lacks
    from_view = wb.practice.talking_points_of(view, answer)
    assert from_view == wb.practice.talking_points(LOCAL_USER, answer.id)
    assert from_view.used


def test_a_view_with_the_follow_up_stored_since_matches_the_view_read_again(
    wb: Workbench,
) -> None:
    session_id = start(wb, question_count=2)
    question = wb.practice.view(LOCAL_USER, session_id).questions[0].question
    _, evaluation = wb.practice.answer_and_evaluate(
        LOCAL_USER, session_id, question.id, STRONG_ANSWER
    )
    scored = wb.practice.view(LOCAL_USER, session_id)
    followed = wb.practice.follow_up(LOCAL_USER, evaluation)
    assert followed.follow_up
    read_again = wb.practice.view(LOCAL_USER, session_id)
    patched = scored.with_evaluation(followed)
    assert patched.questions == read_again.questions
    assert patched.questions[0].latest_evaluation == followed
    assert scored.questions[0].latest_evaluation == evaluation  # views are never changed
