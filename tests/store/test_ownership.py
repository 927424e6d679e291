"""Each person sees only their own work: the store scopes every query by the acting user.

Another person's id reads exactly like a missing id (same exception, same message), so
an id is never a key; an admin reads everyone's rows but changes only their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coach.analysis import open_analysis
from coach.domain import (
    AnswerMode,
    ChatRole,
    CoachingLevel,
    DeliveryMetrics,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    Speaker,
    SummaryDraft,
    TranscriptDraft,
    TranscriptSegment,
    VoiceSettings,
)
from coach.errors import AnswerNotFound, CoachError, QuestionNotFound, SessionNotFound
from coach.settings import StoreSettings
from coach.store import DuckDBSessionStore
from coach.store.migrations import MIGRATIONS, migrate
from coach.store.sql_store import SqlSessionStore
from coach.users import Actor
from tests.store.conftest import Backend

ISSUER = "http://127.0.0.1:9400"
ANA = Actor(issuer=ISSUER, subject="ana", email="ana@example.org")
BEN = Actor(issuer=ISSUER, subject="ben", email="ben@example.org")
# Same subject at another provider: a different person.
ANA_ELSEWHERE = Actor(issuer="https://other.example", subject="ana", email="ana@example.org")
ADMIN = Actor(issuer=ISSUER, subject="root", email="root@example.org", is_admin=True)
MISSING = "0" * 32


@pytest.fixture
def anas(store: SqlSessionStore) -> dict[str, str]:
    """Ana's practice session with a question, a draft, a scored spoken answer, a
    transcript and a summary, and her chat with a message."""
    session = store.create_session(ANA, "Ana's data engineer interview")
    (question,) = store.add_questions(
        ANA, session.id, [QuestionDraft(text="Why data?", type=QuestionType.BEHAVIOURAL)]
    )
    store.save_draft(ANA, session.id, question.id, "half an answer")
    answer = store.add_answer(ANA, session.id, question.id, "Because.", mode=AnswerMode.VOICE)
    store.add_evaluation(ANA, answer.id, _evaluation())
    store.set_delivery(ANA, answer.id, DeliveryMetrics(speaking_seconds=2.0))
    store.save_draft(ANA, session.id, question.id, "a newer draft")
    store.add_transcript(ANA, session.id, _transcript(question.id))
    store.add_summary(ANA, session.id, SummaryDraft(questions_total=1, questions_answered=1))
    chat = store.create_session(ANA, "Ana's chat")
    store.add_chat_message(ANA, chat.id, ChatRole.USER, "Ana's secret worry")
    return {"session": session.id, "question": question.id, "answer": answer.id, "chat": chat.id}


def _evaluation() -> EvaluationDraft:
    return EvaluationDraft(
        overall=6.0,
        headline="Fine.",
        dimensions=[],
        example_answer="",
        coaching_level=CoachingLevel.HELP,
    )


def _transcript(question_id: str) -> TranscriptDraft:
    return TranscriptDraft(
        question_id=question_id,
        segments=[TranscriptSegment(speaker=Speaker.CANDIDATE, text="Because.")],
        voice=VoiceSettings(voice="alloy"),
    )


def _message(error: CoachError, real_id: str) -> str:
    return str(error).replace(real_id, "<id>")


def _same_as_missing(call: Callable[[str], Any], real_id: str, error: type[CoachError]) -> None:
    """``call`` on another person's id fails exactly as on an id that never existed."""
    with pytest.raises(error) as theirs:
        call(real_id)
    with pytest.raises(error) as missing:
        call(MISSING)
    assert _message(theirs.value, real_id) == _message(missing.value, MISSING)


def test_another_persons_sessions_are_not_listed_or_counted(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    mine = store.create_session(BEN, "Ben's interview")

    assert [s.id for s in store.list_sessions(BEN)] == [mine.id]
    assert store.count_sessions(BEN) == 1
    assert store.list_sessions(BEN, "Ana") == [] and store.count_sessions(BEN, "Ana") == 0
    assert store.list_sessions(ANA_ELSEWHERE) == []
    assert {s.id for s in store.list_sessions(ANA)} == {anas["session"], anas["chat"]}


def test_every_read_of_another_persons_ids_is_not_found(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    session, question, answer, chat = (
        anas["session"],
        anas["question"],
        anas["answer"],
        anas["chat"],
    )
    for read in (
        store.get_session,
        store.documents,
        store.questions,
        store.drafts,
        store.answers,
        store.evaluations,
        store.latest_summary,
        store.transcripts,
        store.deliveries,
    ):
        _same_as_missing(lambda sid, read=read: read(BEN, sid), session, SessionNotFound)
    for read in (store.chat_messages, store.latest_chat_summary):
        _same_as_missing(lambda sid, read=read: read(BEN, sid), chat, SessionNotFound)
    _same_as_missing(lambda qid: store.get_question(BEN, qid), question, QuestionNotFound)
    _same_as_missing(lambda qid: store.draft(BEN, qid), question, QuestionNotFound)
    _same_as_missing(lambda aid: store.get_answer(BEN, aid), answer, AnswerNotFound)


def test_another_person_cannot_change_or_add_to_someone_elses_work(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    session, question, answer, chat = (
        anas["session"],
        anas["question"],
        anas["answer"],
        anas["chat"],
    )
    before = store.get_session(ANA, session)
    attempts = [
        lambda: store.rename_session(BEN, session, "pwned"),
        lambda: store.delete_session(BEN, session),
        lambda: store.delete_session(BEN, chat),
        lambda: store.set_coaching_level(BEN, session, CoachingLevel.STRICT),
        lambda: store.set_current_question(BEN, session, None),
        lambda: store.add_questions(
            BEN, session, [QuestionDraft(text="Mine?", type=QuestionType.BEHAVIOURAL)]
        ),
        lambda: store.remove_question(BEN, question),
        lambda: store.save_draft(BEN, session, question, "overwritten"),
        lambda: store.add_answer(BEN, session, question, "an answer in Ana's name"),
        lambda: store.add_evaluation(BEN, answer, _evaluation()),
        lambda: store.set_delivery(BEN, answer, DeliveryMetrics(speaking_seconds=9.0)),
        lambda: store.add_summary(
            BEN, session, SummaryDraft(questions_total=0, questions_answered=0)
        ),
        lambda: store.add_chat_message(BEN, chat, ChatRole.USER, "hello Ana"),
        lambda: store.add_transcript(BEN, session, _transcript(question)),
    ]
    for attempt in attempts:
        with pytest.raises((SessionNotFound, QuestionNotFound, AnswerNotFound)):
            attempt()

    assert store.get_session(ANA, session) == before
    assert [q.id for q in store.questions(ANA, session)] == [question]
    assert [a.text for a in store.answers(ANA, session)] == ["Because."]
    assert len(store.evaluations(ANA, session)) == 1
    assert store.drafts(ANA, session) == {question: "a newer draft"}
    assert store.deliveries(ANA, session)[answer].speaking_seconds == 2.0
    assert [m.content for m in store.chat_messages(ANA, chat)] == ["Ana's secret worry"]
    assert len(store.transcripts(ANA, session)) == 1


def test_a_snapshot_checks_each_person_on_their_own(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    """Inside one snapshot a session found readable is not checked again (a page's reads
    cost a statement each, not two), but only for the person it was found readable by."""
    session = anas["session"]
    with store.reading():
        assert store.get_session(ANA, session).name == "Ana's data engineer interview"
        assert [a.text for a in store.answers(ANA, session)] == ["Because."]
        for other in (BEN, ANA_ELSEWHERE):
            with pytest.raises(SessionNotFound):
                store.questions(other, session)
            with pytest.raises(SessionNotFound):
                store.documents(other, session)
        assert len(store.questions(ADMIN, session)) == 1  # admins read everyone's
    store.delete_session(ANA, session)
    with store.reading(), pytest.raises(SessionNotFound):
        store.questions(ANA, session)


def test_only_the_owner_adds_the_follow_up_to_an_evaluation(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    (scored,) = store.evaluations(ANA, anas["session"])
    before = store.get_session(ANA, anas["session"])
    for other in (BEN, ANA_ELSEWHERE, ADMIN):
        with pytest.raises(CoachError, match="no evaluation"):
            store.set_follow_up(other, scored.id, "Someone else's follow-up?", None)
    assert store.evaluations(ANA, anas["session"]) == [scored]
    assert store.get_session(ANA, anas["session"]) == before

    followed = store.set_follow_up(ANA, scored.id, "What would you change?", None)
    assert followed.follow_up == "What would you change?"
    assert followed.model_copy(update={"follow_up": scored.follow_up}) == scored
    assert store.evaluations(ANA, anas["session"]) == [followed]
    assert store.get_session(ANA, anas["session"]).updated_at > before.updated_at


def test_an_admin_reads_everyones_sessions_but_changes_only_their_own(
    store: SqlSessionStore, anas: dict[str, str]
) -> None:
    own = store.create_session(ADMIN, "Admin's own")

    assert {s.id for s in store.list_sessions(ADMIN)} == {anas["session"], anas["chat"], own.id}
    (listed,) = store.list_sessions(ADMIN, "data engineer")
    assert listed.owner_email == "ana@example.org"
    assert store.get_session(ADMIN, anas["session"]).name == "Ana's data engineer interview"
    assert [m.content for m in store.chat_messages(ADMIN, anas["chat"])] == ["Ana's secret worry"]
    with pytest.raises(SessionNotFound):
        store.rename_session(ADMIN, anas["session"], "renamed by an admin")
    with pytest.raises(SessionNotFound):
        store.delete_session(ADMIN, anas["chat"])
    store.rename_session(ADMIN, own.id, "still mine")


def test_every_owned_row_records_issuer_subject_and_email(
    store: SqlSessionStore, anas: dict[str, str], backend: Backend
) -> None:
    store.close()  # a DuckDB store holds its file
    for table in ("sessions", "answers", "chat_messages", "transcripts"):
        rows = backend.read(
            f"SELECT DISTINCT owner_issuer, owner_subject, owner_email FROM {table}", []
        )
        assert rows == [(ISSUER, "ana", "ana@example.org")], table


def test_the_migration_gives_rows_written_before_owners_to_the_local_user(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as connection:
        migrate(connection, MIGRATIONS[:8])  # the schema before owners
        connection.execute(
            "INSERT INTO sessions VALUES ('old', 'From before sign-in', 'interview', 'p', "
            "'help', NULL, '{}', now(), now())"
        )
        connection.execute(
            "INSERT INTO chat_messages (id, session_id, position, role, content, created_at) "
            "VALUES ('m', 'old', 0, 'user', 'hi', now())"
        )
    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        assert [s.name for s in store.list_sessions(Actor.local())] == ["From before sign-in"]
        assert store.list_sessions(ANA) == []
        with pytest.raises(SessionNotFound):
            store.get_session(ANA, "old")
        assert store.query("SELECT owner_issuer, owner_subject FROM chat_messages") == [
            ("local", "local")
        ]


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)  # notebooks read DuckDB
def test_a_notebook_reads_as_one_person_or_as_an_admin(
    store: DuckDBSessionStore, anas: dict[str, str]
) -> None:
    store.create_session(BEN, "Ben's interview")
    store.close()

    with open_analysis(store.path, actor=BEN) as ben:
        assert list(ben.sessions()["name"]) == ["Ben's interview"]
        assert ben.answers_with_scores().empty
        assert ben.dimension_scores().empty
        with pytest.raises(CoachError, match="only admins"):
            ben.spans()
        with pytest.raises(CoachError, match="only admins"):
            ben.experiments()
    with open_analysis(store.path, actor=ANA) as ana:
        assert len(ana.answers_with_scores()) == 1
    with open_analysis(store.path, actor=ADMIN) as admin:
        assert len(admin.sessions()) == 3
        admin.spans()  # readable (empty, with a note)
