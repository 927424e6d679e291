"""The session store keeps everything a candidate does, and gives it back: the contract
suite, run on DuckDB and on PostgreSQL (``backend``, in conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from coach.domain import (
    AnswerMode,
    Attribution,
    CoachingLevel,
    DimensionScore,
    DocumentKind,
    EvaluationDraft,
    ExtractedDocument,
    QuestionDraft,
    QuestionSource,
    QuestionType,
    RubricDimension,
    SessionKind,
    SummaryDraft,
)
from coach.errors import AnswerNotFound, CoachError, QuestionNotFound, SessionNotFound
from coach.settings import StoreSettings
from coach.store import DuckDBSessionStore, SessionStore
from coach.store.sql_store import SqlSessionStore
from coach.users import Actor
from tests.store.conftest import Backend

LOCAL_USER = Actor.local()

ATTRIBUTION = Attribution(
    agent="feedback", persona="feedback_coach", provider="offline", model="rubric-v1"
)
SESSION_TABLES = (
    "documents",
    "questions",
    "drafts",
    "answers",
    "evaluations",
    "evaluation_dimensions",
    "summaries",
)


def question(text: str = "Tell me about a conflict you resolved.") -> QuestionDraft:
    return QuestionDraft(
        text=text,
        type=QuestionType.BEHAVIOURAL,
        competency="collaboration",
        source=QuestionSource.TAILORED,
        rationale="The role leads a cross-team project.",
    )


def evaluation(
    overall: float = 7.0, attribution: Attribution | None = ATTRIBUTION
) -> EvaluationDraft:
    return EvaluationDraft(
        overall=overall,
        headline="Clear story, thin on results.",
        dimensions=[
            DimensionScore(dimension=RubricDimension.STRUCTURE, score=8, comment="STAR"),
            DimensionScore(dimension=RubricDimension.IMPACT, score=5, comment="No numbers"),
        ],
        strengths=["Clear situation"],
        improvements=["Quantify the result"],
        example_answer="In 2023 I ...",
        coaching_level=CoachingLevel.STRICT,
        attribution=attribution,
    )


def resume() -> ExtractedDocument:
    return ExtractedDocument(
        kind=DocumentKind.RESUME,
        filename="cv.pdf",
        media_type="application/pdf",
        text="Ten years of data engineering.",
        pages=2,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "workbench.duckdb"


def rows_for_session(backend: Backend, session_id: str) -> dict[str, int]:
    counts = {
        table: backend.read(f"SELECT count(*) FROM {table} WHERE session_id = ?", [session_id])[0][
            0
        ]
        for table in SESSION_TABLES
    }
    counts["sessions"] = backend.read("SELECT count(*) FROM sessions WHERE id = ?", [session_id])[
        0
    ][0]
    return counts


def fill_session(store: SqlSessionStore, name: str = "Data engineer at Acme") -> str:
    """A session with a row in every table."""
    session = store.create_session(LOCAL_USER, name)
    store.add_document(LOCAL_USER, session.id, resume())
    first, second = store.add_questions(LOCAL_USER, session.id, [question("one"), question("two")])
    store.save_draft(LOCAL_USER, session.id, second.id, "half an answer")
    answer = store.add_answer(LOCAL_USER, session.id, first.id, "My answer")
    store.add_evaluation(LOCAL_USER, answer.id, evaluation())
    store.add_summary(LOCAL_USER, session.id, SummaryDraft(average_score=7.0, questions_total=2))
    return session.id


# --- the protocol and round trips ----------------------------------------------------


def test_the_store_satisfies_the_session_store_protocol(store: SqlSessionStore) -> None:
    assert isinstance(store, SessionStore)


def test_creating_the_store_creates_the_data_folder(db_path: Path) -> None:
    with DuckDBSessionStore(StoreSettings(path=db_path)) as store:
        store.create_session(LOCAL_USER, "first")
    assert db_path.is_file()


def test_a_created_session_reads_back_unchanged(store: SqlSessionStore) -> None:
    created = store.create_session(
        LOCAL_USER,
        "  Staff engineer  ",
        kind=SessionKind.CHAT,
        persona="general_chat",
        coaching_level=CoachingLevel.STRICT,
        metadata={"team": "blue", "tenant": "acme"},
    )

    assert created.name == "Staff engineer"
    assert created.created_at.utcoffset() is not None
    assert store.get_session(LOCAL_USER, created.id) == created


def test_a_session_without_a_name_is_refused(store: SqlSessionStore) -> None:
    with pytest.raises(CoachError, match="needs a name"):
        store.create_session(LOCAL_USER, "   ")


def test_rename_changes_the_name_and_bumps_updated_at(store: SqlSessionStore) -> None:
    created = store.create_session(LOCAL_USER, "old name")

    renamed = store.rename_session(LOCAL_USER, created.id, "new name")

    assert renamed.name == "new name"
    assert renamed.updated_at > created.updated_at
    assert store.get_session(LOCAL_USER, created.id) == renamed


def test_coaching_level_and_current_question_are_remembered(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    (first,) = store.add_questions(LOCAL_USER, session.id, [question()])

    assert (
        store.set_coaching_level(LOCAL_USER, session.id, CoachingLevel.STRICT).coaching_level
        == "strict"
    )
    store.set_current_question(LOCAL_USER, session.id, first.id)
    assert store.get_session(LOCAL_USER, session.id).current_question_id == first.id
    store.set_current_question(LOCAL_USER, session.id, None)
    assert store.get_session(LOCAL_USER, session.id).current_question_id is None


def test_documents_round_trip(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")

    stored = store.add_document(LOCAL_USER, session.id, resume())

    assert stored.text == "Ten years of data engineering." and stored.pages == 2
    assert store.documents(LOCAL_USER, session.id) == [stored]


def test_questions_are_appended_in_order_with_positions(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")

    first = store.add_questions(LOCAL_USER, session.id, [question("a"), question("b")])
    more = store.add_questions(LOCAL_USER, session.id, [question("c")], attribution=ATTRIBUTION)

    assert [q.position for q in first + more] == [0, 1, 2]
    assert store.questions(LOCAL_USER, session.id) == first + more
    assert store.get_question(LOCAL_USER, more[0].id) == more[0]
    assert store.add_questions(LOCAL_USER, session.id, []) == []


def test_drafts_are_saved_overwritten_and_default_to_empty(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    (q,) = store.add_questions(LOCAL_USER, session.id, [question()])

    assert store.draft(LOCAL_USER, q.id) == ""
    store.save_draft(LOCAL_USER, session.id, q.id, "I led")
    store.save_draft(LOCAL_USER, session.id, q.id, "I led the migration")
    assert store.draft(LOCAL_USER, q.id) == "I led the migration"
    assert store.drafts(LOCAL_USER, session.id) == {q.id: "I led the migration"}


def test_an_answer_clears_the_draft_and_attempts_count_up(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    q1, q2 = store.add_questions(LOCAL_USER, session.id, [question("a"), question("b")])
    store.save_draft(LOCAL_USER, session.id, q1.id, "typing...")

    first = store.add_answer(LOCAL_USER, session.id, q1.id, "first try")
    second = store.add_answer(LOCAL_USER, session.id, q1.id, "second try", mode=AnswerMode.VOICE)
    other = store.add_answer(LOCAL_USER, session.id, q2.id, "other question")

    assert store.draft(LOCAL_USER, q1.id) == ""
    assert (first.attempt, second.attempt, other.attempt) == (1, 2, 1)
    assert store.get_answer(LOCAL_USER, second.id) == second
    assert store.answers(LOCAL_USER, session.id) == [first, second, other]
    assert store.answers(LOCAL_USER, session.id, q1.id) == [first, second]


def test_evaluations_round_trip_with_dimensions_and_attribution(
    store: SqlSessionStore,
) -> None:
    session = store.create_session(LOCAL_USER, "s")
    (q,) = store.add_questions(LOCAL_USER, session.id, [question()])
    answer = store.add_answer(LOCAL_USER, session.id, q.id, "answer")

    with_attribution = store.add_evaluation(LOCAL_USER, answer.id, evaluation(6.5))
    without = store.add_evaluation(LOCAL_USER, answer.id, evaluation(8.0, attribution=None))

    assert with_attribution.question_id == q.id and with_attribution.session_id == session.id
    assert store.evaluations(LOCAL_USER, session.id) == [with_attribution, without]


def test_dimension_scores_can_be_grouped_in_sql(store: SqlSessionStore, backend: Backend) -> None:
    session = store.create_session(LOCAL_USER, "s")
    (q,) = store.add_questions(LOCAL_USER, session.id, [question()])
    store.add_evaluation(
        LOCAL_USER, store.add_answer(LOCAL_USER, session.id, q.id, "a").id, evaluation()
    )
    store.close()

    rows = backend.read(
        "SELECT dimension, avg(score) FROM evaluation_dimensions "
        "GROUP BY dimension ORDER BY dimension",
        [],
    )
    assert [(dimension, float(mean)) for dimension, mean in rows] == [
        ("impact", 5.0),
        ("structure", 8.0),
    ]


def test_the_latest_summary_is_returned(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    assert store.latest_summary(LOCAL_USER, session.id) is None

    store.add_summary(LOCAL_USER, session.id, SummaryDraft(average_score=5.0))
    latest = store.add_summary(
        LOCAL_USER,
        session.id,
        SummaryDraft(
            average_score=7.5,
            questions_total=3,
            questions_answered=2,
            dimension_averages={RubricDimension.CLARITY: 8.0, RubricDimension.IMPACT: 5.5},
            strongest=[RubricDimension.CLARITY],
            weakest=[RubricDimension.IMPACT],
            highlights=["Crisp openings"],
            next_steps=["Add numbers"],
            attribution=ATTRIBUTION,
        ),
    )

    assert store.latest_summary(LOCAL_USER, session.id) == latest


def test_everything_survives_closing_and_reopening(backend: Backend) -> None:
    with backend.open() as store:
        session_id = fill_session(store)
        before = (
            store.get_session(LOCAL_USER, session_id),
            store.documents(LOCAL_USER, session_id),
            store.questions(LOCAL_USER, session_id),
            store.answers(LOCAL_USER, session_id),
            store.evaluations(LOCAL_USER, session_id),
            store.latest_summary(LOCAL_USER, session_id),
            store.draft(LOCAL_USER, store.questions(LOCAL_USER, session_id)[1].id),
        )

    with backend.open() as reopened:
        after = (
            reopened.get_session(LOCAL_USER, session_id),
            reopened.documents(LOCAL_USER, session_id),
            reopened.questions(LOCAL_USER, session_id),
            reopened.answers(LOCAL_USER, session_id),
            reopened.evaluations(LOCAL_USER, session_id),
            reopened.latest_summary(LOCAL_USER, session_id),
            reopened.draft(LOCAL_USER, reopened.questions(LOCAL_USER, session_id)[1].id),
        )

    assert after == before
    assert after[6] == "half an answer"


# --- listing ---------------------------------------------------------------------------


def test_sessions_are_listed_newest_activity_first(store: SqlSessionStore) -> None:
    a, b, _c = (store.create_session(LOCAL_USER, name) for name in ("a", "b", "c"))
    assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["c", "b", "a"]

    (q,) = store.add_questions(LOCAL_USER, a.id, [question()])
    assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["a", "c", "b"]

    store.add_answer(LOCAL_USER, a.id, q.id, "x")
    store.rename_session(LOCAL_USER, b.id, "b2")
    assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["b2", "a", "c"]
    assert [s.name for s in store.list_sessions(LOCAL_USER, limit=2, offset=1)] == ["a", "c"]
    assert store.count_sessions(LOCAL_USER) == 3


def _mutations() -> dict[str, Callable[[SqlSessionStore, str, str, str], object]]:
    return {
        "rename": lambda s, sid, qid, aid: s.rename_session(LOCAL_USER, sid, "renamed"),
        "set_current_question": lambda s, sid, qid, aid: s.set_current_question(
            LOCAL_USER, sid, qid
        ),
        "set_coaching_level": lambda s, sid, qid, aid: s.set_coaching_level(
            LOCAL_USER, sid, CoachingLevel.STRICT
        ),
        "add_document": lambda s, sid, qid, aid: s.add_document(LOCAL_USER, sid, resume()),
        "add_questions": lambda s, sid, qid, aid: s.add_questions(LOCAL_USER, sid, [question()]),
        "remove_question": lambda s, sid, qid, aid: s.remove_question(LOCAL_USER, qid),
        "save_draft": lambda s, sid, qid, aid: s.save_draft(LOCAL_USER, sid, qid, "draft"),
        "add_answer": lambda s, sid, qid, aid: s.add_answer(LOCAL_USER, sid, qid, "again"),
        "add_evaluation": lambda s, sid, qid, aid: s.add_evaluation(LOCAL_USER, aid, evaluation()),
        "add_summary": lambda s, sid, qid, aid: s.add_summary(LOCAL_USER, sid, SummaryDraft()),
    }


@pytest.mark.parametrize("mutation", list(_mutations()))
def test_every_change_moves_the_session_to_the_top(store: SqlSessionStore, mutation: str) -> None:
    older = store.create_session(LOCAL_USER, "older")
    (q,) = store.add_questions(LOCAL_USER, older.id, [question()])
    answer = store.add_answer(LOCAL_USER, older.id, q.id, "answer")
    store.create_session(LOCAL_USER, "newer")
    assert store.list_sessions(LOCAL_USER)[0].name == "newer"

    _mutations()[mutation](store, older.id, q.id, answer.id)

    assert store.list_sessions(LOCAL_USER)[0].id == older.id


def test_search_matches_part_of_the_name_case_insensitively(store: SqlSessionStore) -> None:
    for name in ("Backend at ACME", "Frontend at Initech", "acme platform"):
        store.create_session(LOCAL_USER, name)

    assert {s.name for s in store.list_sessions(LOCAL_USER, "acme")} == {
        "Backend at ACME",
        "acme platform",
    }
    assert store.count_sessions(LOCAL_USER, "Acme") == 2
    assert store.list_sessions(LOCAL_USER, "nothing like it") == []


def test_search_treats_like_wildcards_as_plain_characters(store: SqlSessionStore) -> None:
    for name in ("Ready 100% now", "Ready 1000 now", "snake_case", "snakeXcase", r"back\slash"):
        store.create_session(LOCAL_USER, name)

    assert [s.name for s in store.list_sessions(LOCAL_USER, "100%")] == ["Ready 100% now"]
    assert [s.name for s in store.list_sessions(LOCAL_USER, "e_c")] == ["snake_case"]
    assert [s.name for s in store.list_sessions(LOCAL_USER, "%")] == ["Ready 100% now"]
    assert [s.name for s in store.list_sessions(LOCAL_USER, "_")] == ["snake_case"]
    assert [s.name for s in store.list_sessions(LOCAL_USER, "\\")] == [r"back\slash"]
    assert store.count_sessions(LOCAL_USER, "_") == 1


def test_every_write_moves_the_session_revision_by_exactly_one(store: SqlSessionStore) -> None:
    # The practice service counts on it: an answer and its evaluation that find the
    # revision moved by two were the only writes, and the view it holds is still whole.
    session = store.create_session(LOCAL_USER, "revised")
    (asked,) = store.add_questions(LOCAL_USER, session.id, [question("1")])

    def revision() -> int:
        return store.get_session(LOCAL_USER, session.id).revision

    before = revision()
    store.save_draft(LOCAL_USER, session.id, asked.id, "half")
    assert revision() == before + 1
    answer = store.add_answer(LOCAL_USER, session.id, asked.id, "whole")
    assert revision() == before + 2
    store.add_evaluation(LOCAL_USER, answer.id, evaluation(6.0))
    assert revision() == before + 3
    store.rename_session(LOCAL_USER, session.id, "renamed")
    assert revision() == before + 4


def test_a_page_of_sessions_carries_how_many_match_in_all(store: SqlSessionStore) -> None:
    for number in range(5):
        store.create_session(LOCAL_USER, f"Match {number}")
    for name in ("other", "another"):
        store.create_session(LOCAL_USER, name)

    first, total = store.page_sessions(LOCAL_USER, "MATCH", limit=2)
    assert [s.name for s in first] == ["Match 4", "Match 3"] and total == 5
    last, total = store.page_sessions(LOCAL_USER, "match", limit=2, offset=4)
    assert [s.name for s in last] == ["Match 0"] and total == 5
    assert store.page_sessions(LOCAL_USER, "match", limit=2, offset=10) == ([], 5)
    assert store.page_sessions(LOCAL_USER, "nothing", limit=2) == ([], 0)
    listed, total = store.page_sessions(LOCAL_USER, limit=3)
    assert len(listed) == 3 and total == 7
    assert store.page_sessions(LOCAL_USER, limit=10)[1] == 7


def test_overview_counts_questions_answers_and_latest_scores(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "scored")
    q1, q2, _unanswered = store.add_questions(
        LOCAL_USER, session.id, [question("1"), question("2"), question("3")]
    )
    first = store.add_answer(LOCAL_USER, session.id, q1.id, "weak")
    store.add_evaluation(LOCAL_USER, first.id, evaluation(4.0))
    retry = store.add_answer(LOCAL_USER, session.id, q1.id, "better")
    store.add_evaluation(LOCAL_USER, retry.id, evaluation(8.0))
    store.add_evaluation(
        LOCAL_USER, store.add_answer(LOCAL_USER, session.id, q2.id, "ok").id, evaluation(6.0)
    )
    store.create_session(LOCAL_USER, "empty")

    overview = {s.name: s for s in store.list_sessions(LOCAL_USER)}

    assert overview["scored"].question_count == 3
    assert overview["scored"].answered_count == 2
    # the mean of the latest evaluation per question: (8 + 6) / 2, not (4 + 8 + 6) / 3
    assert overview["scored"].average_score == pytest.approx(7.0)
    assert (
        overview["empty"].question_count,
        overview["empty"].answered_count,
        overview["empty"].average_score,
    ) == (0, 0, None)


# --- deleting ---------------------------------------------------------------------------


def test_delete_session_removes_every_row_and_keeps_other_sessions(
    store: SqlSessionStore, backend: Backend
) -> None:
    doomed = fill_session(store, "doomed")
    kept = fill_session(store, "kept")

    store.delete_session(LOCAL_USER, doomed)

    with pytest.raises(SessionNotFound):
        store.get_session(LOCAL_USER, doomed)
    assert [s.id for s in store.list_sessions(LOCAL_USER)] == [kept]
    store.close()
    assert set(rows_for_session(backend, doomed).values()) == {0}
    assert all(count > 0 for count in rows_for_session(backend, kept).values())


def test_remove_question_removes_its_answers_evaluations_and_draft(
    store: SqlSessionStore, backend: Backend
) -> None:
    session = store.create_session(LOCAL_USER, "s")
    q1, q2, q3 = store.add_questions(
        LOCAL_USER, session.id, [question("1"), question("2"), question("3")]
    )
    for q in (q1, q2):
        store.add_evaluation(
            LOCAL_USER, store.add_answer(LOCAL_USER, session.id, q.id, "a").id, evaluation()
        )
    store.save_draft(LOCAL_USER, session.id, q2.id, "retrying")
    store.set_current_question(LOCAL_USER, session.id, q2.id)

    store.remove_question(LOCAL_USER, q2.id)

    assert [q.id for q in store.questions(LOCAL_USER, session.id)] == [q1.id, q3.id]
    assert [q.position for q in store.questions(LOCAL_USER, session.id)] == [0, 1]
    assert {a.question_id for a in store.answers(LOCAL_USER, session.id)} == {q1.id}
    assert {e.question_id for e in store.evaluations(LOCAL_USER, session.id)} == {q1.id}
    assert store.get_session(LOCAL_USER, session.id).current_question_id is None
    with pytest.raises(QuestionNotFound):
        store.get_question(LOCAL_USER, q2.id)
    store.close()
    leftovers = [
        backend.read(f"SELECT count(*) FROM {table} WHERE {column} = ?", [q2.id])[0][0]
        for table, column in (
            ("answers", "question_id"),
            ("evaluations", "question_id"),
            ("drafts", "question_id"),
        )
    ]
    dimensions = backend.read("SELECT count(*) FROM evaluation_dimensions", [])[0][0]
    assert leftovers == [0, 0, 0]
    assert dimensions == 2  # only q1's evaluation is left


def test_current_question_survives_removing_another_question(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    q1, q2 = store.add_questions(LOCAL_USER, session.id, [question("1"), question("2")])
    store.set_current_question(LOCAL_USER, session.id, q1.id)

    store.remove_question(LOCAL_USER, q2.id)

    assert store.get_session(LOCAL_USER, session.id).current_question_id == q1.id


# --- unknown ids ------------------------------------------------------------------------

MISSING = "0" * 32


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, sid, qid: s.get_session(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.rename_session(LOCAL_USER, MISSING, "x"), SessionNotFound),
        (lambda s, sid, qid: s.delete_session(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.set_current_question(LOCAL_USER, MISSING, None), SessionNotFound),
        (
            lambda s, sid, qid: s.set_coaching_level(LOCAL_USER, MISSING, CoachingLevel.HELP),
            SessionNotFound,
        ),
        (lambda s, sid, qid: s.add_document(LOCAL_USER, MISSING, resume()), SessionNotFound),
        (lambda s, sid, qid: s.documents(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.add_questions(LOCAL_USER, MISSING, [question()]), SessionNotFound),
        (lambda s, sid, qid: s.questions(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.add_answer(LOCAL_USER, MISSING, qid, "x"), SessionNotFound),
        (lambda s, sid, qid: s.answers(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.evaluations(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.add_summary(LOCAL_USER, MISSING, SummaryDraft()), SessionNotFound),
        (lambda s, sid, qid: s.latest_summary(LOCAL_USER, MISSING), SessionNotFound),
        (lambda s, sid, qid: s.get_question(LOCAL_USER, MISSING), QuestionNotFound),
        (lambda s, sid, qid: s.remove_question(LOCAL_USER, MISSING), QuestionNotFound),
        (lambda s, sid, qid: s.set_current_question(LOCAL_USER, sid, MISSING), QuestionNotFound),
        (lambda s, sid, qid: s.save_draft(LOCAL_USER, sid, MISSING, "x"), QuestionNotFound),
        (lambda s, sid, qid: s.draft(LOCAL_USER, MISSING), QuestionNotFound),
        (lambda s, sid, qid: s.add_answer(LOCAL_USER, sid, MISSING, "x"), QuestionNotFound),
        (lambda s, sid, qid: s.answers(LOCAL_USER, sid, MISSING), QuestionNotFound),
        (lambda s, sid, qid: s.get_answer(LOCAL_USER, MISSING), AnswerNotFound),
        (lambda s, sid, qid: s.add_evaluation(LOCAL_USER, MISSING, evaluation()), AnswerNotFound),
    ],
)
def test_unknown_ids_raise_a_readable_error(
    store: SqlSessionStore, call: Callable[..., object], error: type[Exception]
) -> None:
    session = store.create_session(LOCAL_USER, "s")
    (q,) = store.add_questions(LOCAL_USER, session.id, [question()])

    with pytest.raises(error, match="no longer exists"):
        call(store, session.id, q.id)


def test_a_question_of_another_session_is_not_found(store: SqlSessionStore) -> None:
    mine = store.create_session(LOCAL_USER, "mine")
    theirs = store.create_session(LOCAL_USER, "theirs")
    (their_question,) = store.add_questions(LOCAL_USER, theirs.id, [question()])

    with pytest.raises(QuestionNotFound):
        store.add_answer(LOCAL_USER, mine.id, their_question.id, "x")
    assert store.answers(LOCAL_USER, theirs.id) == []


def test_a_failed_operation_changes_nothing(store: SqlSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "s")
    before = store.get_session(LOCAL_USER, session.id)

    with pytest.raises(QuestionNotFound):
        store.set_current_question(LOCAL_USER, session.id, MISSING)

    assert store.get_session(LOCAL_USER, session.id) == before


# --- threads -----------------------------------------------------------------------------


@pytest.mark.parametrize("idle_release_seconds", [0.0, 0.05])
def test_answers_from_eight_threads_get_unique_consecutive_attempts(
    backend: Backend, idle_release_seconds: float
) -> None:
    with backend.open(idle_release_seconds=idle_release_seconds) as store:
        session = store.create_session(LOCAL_USER, "busy")
        (q,) = store.add_questions(LOCAL_USER, session.id, [question()])
        start = threading.Barrier(8)
        failures: list[BaseException] = []

        def answer_five_times() -> None:
            start.wait()
            try:
                for _ in range(5):
                    store.add_answer(LOCAL_USER, session.id, q.id, f"from {threading.get_ident()}")
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=answer_five_times) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert failures == []
        attempts = [a.attempt for a in store.answers(LOCAL_USER, session.id, q.id)]
        assert attempts == list(range(1, 41))
