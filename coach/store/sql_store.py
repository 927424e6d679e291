"""``SessionStore`` in portable SQL: one implementation for DuckDB and PostgreSQL.

Each engine's store (``coach.store.duckdb_store``, ``coach.store.postgres_store``)
subclasses ``SqlSessionStore`` and only supplies connections; every behaviour is
written once here, in SQL both engines run the same way (DuckDB's ``?`` placeholders,
which the PostgreSQL cursor translates), and the contract suite (tests/store) proves
it on both.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from pydantic import BaseModel

from coach.domain import (
    Answer,
    AnswerMode,
    Attribution,
    ChatMessage,
    ChatRole,
    ChatSummary,
    ChatSummaryDraft,
    CoachingLevel,
    DeliveryMetrics,
    DimensionScore,
    Document,
    DocumentKind,
    Evaluation,
    EvaluationDraft,
    ExtractedDocument,
    Question,
    QuestionDraft,
    QuestionSource,
    QuestionType,
    RubricDimension,
    Session,
    SessionKind,
    SessionOverview,
    SessionSummary,
    SummaryDraft,
    Transcript,
    TranscriptDraft,
    TranscriptSegment,
    VoiceSettings,
    as_utc,
    new_id,
    utc_now,
)
from coach.errors import (
    AnswerNotFound,
    CoachError,
    QuestionNotFound,
    SessionNotFound,
    StoreConflict,
)
from coach.users import Actor

logger = logging.getLogger(__name__)
R = TypeVar("R")


class Cursor(Protocol):
    """What the shared SQL needs of a connection: DuckDB's, or the PostgreSQL store's
    cursor (which takes the same ``?`` placeholders)."""

    def execute(self, sql: str, parameters: Sequence[Any] | None = None, /) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any: ...


_SESSION_COLUMNS = (
    "id, name, kind, persona, coaching_level, current_question_id, metadata, created_at, "
    "updated_at, revision"
)
_DOCUMENT_COLUMNS = "id, session_id, kind, filename, media_type, text, pages, created_at"
_QUESTION_COLUMNS = (
    "id, session_id, position, text, question_type, competency, source, rationale, created_at"
)
_ANSWER_COLUMNS = "id, session_id, question_id, attempt, text, mode, created_at"
_ATTRIBUTION_COLUMNS = "agent, persona, provider, model, fallback, notice, checks"
_OWNER_COLUMNS = "owner_issuer, owner_subject, owner_email"
_CHAT_MESSAGE_COLUMNS = (
    f"id, session_id, position, role, content, {_ATTRIBUTION_COLUMNS}, created_at"
)
_CHAT_SUMMARY_COLUMNS = (
    f"id, session_id, takeaways, action_items, {_ATTRIBUTION_COLUMNS}, created_at"
)
_EVALUATION_COLUMNS = (
    "id, answer_id, session_id, question_id, overall, headline, strengths, improvements, "
    f"example_answer, non_answer, coaching_level, {_ATTRIBUTION_COLUMNS}, created_at, "
    "follow_up, follow_up_attribution"
)
_EVALUATION_COLUMN_COUNT = len(_EVALUATION_COLUMNS.split(","))
_SUMMARY_COLUMNS = (
    "id, session_id, average_score, questions_total, questions_answered, dimension_averages, "
    f"strongest, weakest, highlights, next_steps, {_ATTRIBUTION_COLUMNS}, created_at"
)

# The sessions page in two steps: the page of sessions first, then counts and the mean
# of the latest evaluation of each question for just those ids. The ids go in as a
# list of values, so each child table is read through its session_id index instead of
# scanned whole (at 100,000 sessions the one-query form joined half a million rows per
# table). The name filter is a case-insensitive substring test (strpos: no pattern, so
# nothing in the search needs escaping). A search also counts its matches in the same
# scan (the window), instead of a second pass over every name; a listing without one
# does not, as the window would give up the top-N sort over the whole table.
_LIST_SESSIONS_SQL = """
SELECT id, name, kind, created_at, updated_at, owner_email{total}
FROM sessions
WHERE {where}
ORDER BY updated_at DESC, id DESC
LIMIT ? OFFSET ?
"""
_MATCH_COUNT = ", count(*) OVER ()"

# Each figure of the page's sessions, as (session_id, value) rows. "= ANY(list)" lets
# DuckDB read the child table through its session_id index.
_SESSION_FIGURES_SQL = (
    "SELECT session_id, count(*) FROM questions WHERE session_id = ANY(?) GROUP BY session_id",
    "SELECT session_id, count(DISTINCT question_id) FROM answers WHERE session_id = ANY(?) "
    "GROUP BY session_id",
    """
    SELECT session_id, avg(overall) FROM (
        SELECT session_id, overall,
               row_number() OVER (
                   PARTITION BY question_id ORDER BY created_at DESC, id DESC
               ) AS recency
        FROM evaluations
        WHERE session_id = ANY(?)
    ) AS latest WHERE recency = 1
    GROUP BY session_id
    """,
    "SELECT session_id, count(*) FROM transcripts WHERE session_id = ANY(?) GROUP BY session_id",
)

# Children first; each table carries session_id so no joins are needed.
_SESSION_CHILD_TABLES = (
    "evaluation_dimensions",
    "evaluations",
    "answers",
    "drafts",
    "questions",
    "documents",
    "summaries",
    "chat_messages",
    "chat_summaries",
    "transcripts",
    "answer_delivery",
)


class SqlSessionStore:
    """``SessionStore`` in portable SQL: one implementation for DuckDB and PostgreSQL.

    The SQL below sticks to what both engines run the same way (``?`` placeholders
    are translated for PostgreSQL), so every behaviour is written once and the
    contract suite proves it on both. A subclass supplies the connections: one
    cursor per operation, ``_transaction`` for a write, ``_reading`` for a snapshot,
    and raises ``StoreConflict`` when two writers collided.
    """

    def __init__(self) -> None:
        self._retry_lock = threading.Lock()
        # Per thread: the open operation's cursor and the sessions found readable in it.
        self._readable_in = threading.local()

    def _readable(self, db: Cursor, actor: Actor, session_id: str) -> None:
        """``_require_session`` for a read, asked once per snapshot: inside one
        ``reading()`` (or one batch) a session found readable stays so, so a page's
        reads of one session check it once, not once each (a statement each)."""
        key = (actor.issuer, actor.subject, actor.is_admin, session_id)
        memo = self._readable_in
        if getattr(memo, "db", None) is db and key in memo.sessions:
            return
        _require_session(db, actor, session_id)
        self._remember_readable(db, key)

    def _remember_readable(self, db: Cursor, key: tuple[str, str, bool, str]) -> None:
        memo = self._readable_in
        if getattr(memo, "db", None) is not db:
            memo.db, memo.sessions = db, set()
        memo.sessions.add(key)

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- sessions -----------------------------------------------------------------

    def create_session(
        self,
        actor: Actor,
        name: str,
        *,
        kind: SessionKind = SessionKind.INTERVIEW,
        persona: str = "primary_coach",
        coaching_level: CoachingLevel = CoachingLevel.HELP,
        metadata: dict[str, str] | None = None,
    ) -> Session:
        now = utc_now()
        session = Session(
            id=new_id(),
            name=_clean_name(name),
            kind=kind,
            persona=persona,
            coaching_level=coaching_level,
            created_at=now,
            updated_at=now,
            metadata=dict(metadata or {}),
        )
        with self._transaction() as db:
            db.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}, {_OWNER_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    session.id,
                    session.name,
                    session.kind.value,
                    session.persona,
                    session.coaching_level.value,
                    None,
                    json.dumps(session.metadata),
                    now,
                    now,
                    session.revision,
                    *_owner_values(actor),
                ],
            )
        logger.info("session created", extra={"session_id": session.id, "kind": kind.value})
        return session

    def get_session(self, actor: Actor, session_id: str) -> Session:
        with self._connection_lease() as db:
            session = _fetch_session(db, actor, session_id)
            self._remember_readable(db, (actor.issuer, actor.subject, actor.is_admin, session_id))
            return session

    def list_sessions(
        self, actor: Actor, search: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[SessionOverview]:
        """Newest activity first; ``search`` matches the name, case-insensitively."""
        with self._reading() as db:
            page, _ = self._session_page(db, actor, search, limit, offset, counted=False)
        return page

    def page_sessions(
        self, actor: Actor, search: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[SessionOverview], int]:
        """``list_sessions`` and how many match in all, from one snapshot."""
        with self._reading() as db:
            page, total = self._session_page(db, actor, search, limit, offset, counted=True)
            if total is None:  # no window to count in: a listing, or a page past the end
                short = len(page) < limit and (page or offset == 0)
                total = offset + len(page) if short else self._count_sessions(db, actor, search)
        return page, total

    def _session_page(
        self,
        db: Cursor,
        actor: Actor,
        search: str | None,
        limit: int,
        offset: int,
        *,
        counted: bool,
    ) -> tuple[list[SessionOverview], int | None]:
        where, parameters = _sessions_filter(actor, search)
        windowed = counted and bool(search)
        sql = _LIST_SESSIONS_SQL.format(where=where, total=_MATCH_COUNT if windowed else "")
        page = db.execute(sql, [*parameters, max(limit, 0), max(offset, 0)]).fetchall()
        ids = [row[0] for row in page]
        figures = [
            dict(db.execute(figure, [ids]).fetchall()) if ids else {}
            for figure in _SESSION_FIGURES_SQL
        ]
        questions, answered, scores, transcripts = figures
        overviews = [
            SessionOverview(
                id=row[0],
                name=row[1],
                kind=SessionKind(row[2]),
                created_at=as_utc(row[3]),
                updated_at=as_utc(row[4]),
                owner_email=row[5] or "",
                question_count=questions.get(row[0], 0),
                answered_count=answered.get(row[0], 0),
                average_score=scores.get(row[0]),
                transcript_count=transcripts.get(row[0], 0),
            )
            for row in page
        ]
        return overviews, (int(page[0][6]) if windowed and page else None)

    def count_sessions(self, actor: Actor, search: str | None = None) -> int:
        with self._connection_lease() as db:
            return self._count_sessions(db, actor, search)

    @staticmethod
    def _count_sessions(db: Cursor, actor: Actor, search: str | None) -> int:
        where, parameters = _sessions_filter(actor, search)
        row = db.execute(f"SELECT count(*) FROM sessions WHERE {where}", parameters).fetchone()
        return int(row[0]) if row else 0

    def rename_session(self, actor: Actor, session_id: str, name: str) -> Session:
        clean = _clean_name(name)
        with self._transaction() as db:
            _touch(db, actor, session_id, name=clean)
            session = _fetch_session(db, actor, session_id)
        logger.info("session renamed", extra={"session_id": session_id})
        return session

    def delete_session(self, actor: Actor, session_id: str) -> None:
        """Deletes the session and everything that belongs to it, in one transaction."""
        with self._transaction() as db:
            _require_session(db, actor, session_id, write=True)
            for table in _SESSION_CHILD_TABLES:
                db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
            self._readable_in.db = None  # gone for the rest of this operation too
        logger.info("session deleted", extra={"session_id": session_id})

    def set_current_question(self, actor: Actor, session_id: str, question_id: str | None) -> None:
        """Remembers where the candidate is, so a resumed session opens there."""
        with self._transaction() as db:
            if question_id is not None:
                _require_question(db, actor, question_id, session_id=session_id, write=True)
            _touch(db, actor, session_id, current_question_id=question_id)

    def set_coaching_level(self, actor: Actor, session_id: str, level: CoachingLevel) -> Session:
        with self._transaction() as db:
            _touch(db, actor, session_id, coaching_level=level.value)
            return _fetch_session(db, actor, session_id)

    # --- documents ----------------------------------------------------------------

    def add_document(self, actor: Actor, session_id: str, document: ExtractedDocument) -> Document:
        stored = Document(
            **_draft_fields(document, ExtractedDocument),
            id=new_id(),
            session_id=session_id,
            created_at=utc_now(),
        )
        with self._transaction() as db:
            _touch(db, actor, session_id)
            db.execute(
                f"INSERT INTO documents ({_DOCUMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    stored.id,
                    session_id,
                    stored.kind.value,
                    stored.filename,
                    stored.media_type,
                    stored.text,
                    stored.pages,
                    stored.created_at,
                ],
            )
        logger.info(
            "document added",
            extra={"session_id": session_id, "document_kind": stored.kind.value},
        )
        return stored

    def documents(self, actor: Actor, session_id: str) -> list[Document]:
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE session_id = ? "
                "ORDER BY created_at, id",
                [session_id],
            ).fetchall()
        return [_document(row) for row in rows]

    # --- questions ----------------------------------------------------------------

    def add_questions(
        self,
        actor: Actor,
        session_id: str,
        drafts: Sequence[QuestionDraft],
        *,
        attribution: Attribution | None = None,
    ) -> list[Question]:
        """Appends after the existing questions, in order.

        ``attribution`` records which agent wrote the questions, for analytics; it is
        not part of the ``Question`` model.
        """
        now = utc_now()
        with self._transaction() as db:
            _touch(db, actor, session_id)
            row = db.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM questions WHERE session_id = ?",
                [session_id],
            ).fetchone()
            start = int(row[0]) if row else 0
            questions = [
                Question(
                    **_draft_fields(draft, QuestionDraft),
                    id=new_id(),
                    session_id=session_id,
                    position=start + offset,
                    created_at=now,
                    attribution=attribution,
                )
                for offset, draft in enumerate(drafts)
            ]
            if questions:
                db.executemany(
                    f"INSERT INTO questions ({_QUESTION_COLUMNS}, {_ATTRIBUTION_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        [
                            q.id,
                            session_id,
                            q.position,
                            q.text,
                            q.type.value,
                            q.competency,
                            q.source.value,
                            q.rationale,
                            q.created_at,
                            *_attribution_values(attribution),
                        ]
                        for q in questions
                    ],
                )
        logger.info(
            "questions added", extra={"session_id": session_id, "question_count": len(questions)}
        )
        return questions

    def questions(self, actor: Actor, session_id: str) -> list[Question]:
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                f"SELECT {_QUESTION_COLUMNS}, {_ATTRIBUTION_COLUMNS} FROM questions "
                "WHERE session_id = ? ORDER BY position",
                [session_id],
            ).fetchall()
        return [_question(row) for row in rows]

    def get_question(self, actor: Actor, question_id: str) -> Question:
        """Raises ``QuestionNotFound``."""
        scope, owner = _owner_scope(actor)
        columns = _prefixed("questions", f"{_QUESTION_COLUMNS}, {_ATTRIBUTION_COLUMNS}")
        with self._connection_lease() as db:
            row = db.execute(
                f"SELECT {columns} FROM questions "
                "JOIN sessions ON sessions.id = questions.session_id "
                f"WHERE questions.id = ? AND {scope}",
                [question_id, *owner],
            ).fetchone()
        if row is None:
            raise _question_not_found(question_id)
        return _question(row)

    def remove_question(self, actor: Actor, question_id: str) -> None:
        """Removes the question with its answers, evaluations and draft.

        Later questions move up one position so positions stay 0, 1, 2, ...
        """
        with self._transaction() as db:
            question = _require_question(db, actor, question_id, write=True)
            session_id, position = question[1], question[2]
            db.execute(
                "DELETE FROM evaluation_dimensions WHERE evaluation_id IN "
                "(SELECT id FROM evaluations WHERE question_id = ?)",
                [question_id],
            )
            for table in ("evaluations", "answers", "drafts"):
                db.execute(f"DELETE FROM {table} WHERE question_id = ?", [question_id])
            db.execute("DELETE FROM questions WHERE id = ?", [question_id])
            db.execute(
                "UPDATE questions SET position = position - 1 "
                "WHERE session_id = ? AND position > ?",
                [session_id, position],
            )
            db.execute(
                "UPDATE sessions SET current_question_id = NULL "
                "WHERE id = ? AND current_question_id = ?",
                [session_id, question_id],
            )
            _touch(db, actor, session_id)
        logger.info(
            "question removed", extra={"session_id": session_id, "question_id": question_id}
        )

    # --- drafts -------------------------------------------------------------------

    def save_draft(self, actor: Actor, session_id: str, question_id: str, text: str) -> None:
        now = utc_now()
        with self._transaction() as db:
            _require_question(db, actor, question_id, session_id=session_id, write=True)
            db.execute(
                "INSERT INTO drafts (question_id, session_id, text, updated_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (question_id) DO UPDATE SET "
                "text = excluded.text, updated_at = excluded.updated_at",
                [question_id, session_id, text, now],
            )
            _touch(db, actor, session_id, now=now)

    def draft(self, actor: Actor, question_id: str) -> str:
        """The saved text of the answer box, or "" when nothing was typed."""
        scope, owner = _owner_scope(actor)
        with self._connection_lease() as db:
            row = db.execute(
                "SELECT drafts.text FROM questions "
                "JOIN sessions ON sessions.id = questions.session_id "
                "LEFT JOIN drafts ON drafts.question_id = questions.id "
                f"WHERE questions.id = ? AND {scope}",
                [question_id, *owner],
            ).fetchone()
        if row is None:
            raise _question_not_found(question_id)
        return row[0] or ""

    def drafts(self, actor: Actor, session_id: str) -> dict[str, str]:
        """Every saved draft of the session by question id, in one query."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                "SELECT question_id, text FROM drafts WHERE session_id = ?", [session_id]
            ).fetchall()
        return {question_id: text for question_id, text in rows}

    # --- answers and evaluations --------------------------------------------------

    def add_answer(
        self,
        actor: Actor,
        session_id: str,
        question_id: str,
        text: str,
        *,
        mode: AnswerMode = AnswerMode.TEXT,
    ) -> Answer:
        """Stores the next attempt for the question, clears its draft and makes it the
        session's current question (where a resumed session opens), in one write."""
        now = utc_now()
        answer_id = new_id()
        scope, owner = _owner_scope(actor, write=True)
        with self._transaction() as db:
            # One statement checks the question is the actor's, numbers the attempt and
            # stores it (each statement costs DuckDB ~1 ms: twenty users feel three).
            row = db.execute(
                f"INSERT INTO answers ({_ANSWER_COLUMNS}, {_OWNER_COLUMNS}) "
                "SELECT ?, questions.session_id, questions.id, "
                "(SELECT coalesce(max(attempt), 0) + 1 FROM answers WHERE question_id = ?), "
                "?, ?, ?, ?, ?, ? FROM questions "
                "JOIN sessions ON sessions.id = questions.session_id "
                f"WHERE questions.id = ? AND questions.session_id = ? AND {scope} "
                "RETURNING attempt",
                [
                    answer_id,
                    question_id,
                    text,
                    mode.value,
                    now,
                    *_owner_values(actor),
                    question_id,
                    session_id,
                    *owner,
                ],
            ).fetchone()
            if row is None:  # says which is not there (or not theirs): session or question
                _require_question(db, actor, question_id, session_id=session_id, write=True)
                raise _question_not_found(question_id)
            answer = Answer(
                id=answer_id,
                session_id=session_id,
                question_id=question_id,
                attempt=int(row[0]),
                text=text,
                mode=mode,
                created_at=now,
            )
            db.execute("DELETE FROM drafts WHERE question_id = ?", [question_id])
            _touch(db, actor, session_id, now=now, current_question_id=question_id)
        logger.info(
            "answer stored",
            extra={
                "session_id": session_id,
                "question_id": question_id,
                "attempt": answer.attempt,
                "mode": mode.value,
            },
        )
        return answer

    def get_answer(self, actor: Actor, answer_id: str) -> Answer:
        """Raises ``AnswerNotFound``."""
        scope, owner = _owner_scope(actor)
        with self._connection_lease() as db:
            row = db.execute(
                f"SELECT {_prefixed('answers', _ANSWER_COLUMNS)} FROM answers "
                "JOIN sessions ON sessions.id = answers.session_id "
                f"WHERE answers.id = ? AND {scope}",
                [answer_id, *owner],
            ).fetchone()
        if row is None:
            raise _answer_not_found(answer_id)
        return _answer(row)

    def answers(
        self, actor: Actor, session_id: str, question_id: str | None = None
    ) -> list[Answer]:
        """Oldest first."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            if question_id is None:
                rows = db.execute(
                    f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE session_id = ? "
                    "ORDER BY created_at, attempt, id",
                    [session_id],
                ).fetchall()
            else:
                _require_question(db, actor, question_id, session_id=session_id)
                rows = db.execute(
                    f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE question_id = ? ORDER BY attempt",
                    [question_id],
                ).fetchall()
        return [_answer(row) for row in rows]

    def add_evaluation(self, actor: Actor, answer_id: str, draft: EvaluationDraft) -> Evaluation:
        now = utc_now()
        scope, owner = _owner_scope(actor, write=True)
        # Its session and question come from the answer, in the statement that checks
        # the answer is the actor's and stores the evaluation.
        scored = Evaluation(
            **_draft_fields(draft, EvaluationDraft),
            id=new_id(),
            answer_id=answer_id,
            session_id="",
            question_id="",
            created_at=now,
        )
        with self._transaction() as db:
            row = db.execute(
                f"INSERT INTO evaluations ({_EVALUATION_COLUMNS}) "
                "SELECT ?, answers.id, answers.session_id, answers.question_id, "
                f"{', '.join('?' * (_EVALUATION_COLUMN_COUNT - 4))} "
                "FROM answers JOIN sessions ON sessions.id = answers.session_id "
                f"WHERE answers.id = ? AND {scope} RETURNING session_id, question_id",
                [
                    scored.id,
                    scored.overall,
                    scored.headline,
                    json.dumps(scored.strengths),
                    json.dumps(scored.improvements),
                    scored.example_answer,
                    scored.non_answer,
                    scored.coaching_level.value,
                    *_attribution_values(scored.attribution),
                    now,
                    scored.follow_up,
                    _attribution_json(scored.follow_up_attribution),
                    answer_id,
                    *owner,
                ],
            ).fetchone()
            if row is None:
                raise _answer_not_found(answer_id)
            evaluation = scored.model_copy(update={"session_id": row[0], "question_id": row[1]})
            if evaluation.dimensions:
                _insert_dimensions(db, evaluation)
            _touch(db, actor, evaluation.session_id, now=now)
        logger.info(
            "evaluation stored",
            extra={
                "session_id": evaluation.session_id,
                "answer_id": answer_id,
                "overall": evaluation.overall,
                "fallback": bool(evaluation.attribution and evaluation.attribution.fallback),
            },
        )
        return evaluation

    def set_follow_up(
        self, actor: Actor, evaluation_id: str, follow_up: str, attribution: Attribution | None
    ) -> Evaluation:
        """Adds the interviewer's follow-up to a stored evaluation (it comes after the
        score, so it never delays it); returns the evaluation as stored."""
        scope, owner = _owner_scope(actor, write=True)
        with self._transaction() as db:
            # Checked (the actor's), changed and read back in one statement.
            row = db.execute(
                "UPDATE evaluations SET follow_up = ?, follow_up_attribution = ? "
                f"WHERE id = ? AND session_id IN (SELECT sessions.id FROM sessions WHERE {scope}) "
                f"RETURNING {_EVALUATION_COLUMNS}",
                [follow_up, _attribution_json(attribution), evaluation_id, *owner],
            ).fetchone()
            if row is None:
                raise CoachError(f"There is no evaluation with id {evaluation_id!r}.")
            _touch(db, actor, row[2])  # the session now shows the follow-up: its views are stale
            dimension_rows = db.execute(
                "SELECT dimension, score, comment FROM evaluation_dimensions "
                "WHERE evaluation_id = ? ORDER BY position",
                [evaluation_id],
            ).fetchall()
        dimensions = [
            DimensionScore(dimension=RubricDimension(d), score=score, comment=comment)
            for d, score, comment in dimension_rows
        ]
        return _evaluation(row, dimensions)

    def evaluations(self, actor: Actor, session_id: str) -> list[Evaluation]:
        """Oldest first."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                f"SELECT {_EVALUATION_COLUMNS} FROM evaluations WHERE session_id = ? "
                "ORDER BY created_at, id",
                [session_id],
            ).fetchall()
            dimension_rows = db.execute(
                "SELECT evaluation_id, dimension, score, comment FROM evaluation_dimensions "
                "WHERE session_id = ? ORDER BY evaluation_id, position",
                [session_id],
            ).fetchall()
        dimensions: dict[str, list[DimensionScore]] = {}
        for evaluation_id, dimension, score, comment in dimension_rows:
            dimensions.setdefault(evaluation_id, []).append(
                DimensionScore(dimension=RubricDimension(dimension), score=score, comment=comment)
            )
        return [_evaluation(row, dimensions.get(row[0], [])) for row in rows]

    # --- summaries ----------------------------------------------------------------

    def add_summary(self, actor: Actor, session_id: str, draft: SummaryDraft) -> SessionSummary:
        now = utc_now()
        summary = SessionSummary(
            **_draft_fields(draft, SummaryDraft), id=new_id(), session_id=session_id, created_at=now
        )
        with self._transaction() as db:
            _touch(db, actor, session_id, now=now)
            db.execute(
                f"INSERT INTO summaries ({_SUMMARY_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    summary.id,
                    session_id,
                    summary.average_score,
                    summary.questions_total,
                    summary.questions_answered,
                    json.dumps({d.value: v for d, v in summary.dimension_averages.items()}),
                    json.dumps([d.value for d in summary.strongest]),
                    json.dumps([d.value for d in summary.weakest]),
                    json.dumps(summary.highlights),
                    json.dumps(summary.next_steps),
                    *_attribution_values(summary.attribution),
                    now,
                ],
            )
        logger.info("summary stored", extra={"session_id": session_id})
        return summary

    def latest_summary(self, actor: Actor, session_id: str) -> SessionSummary | None:
        with self._reading() as db:
            self._readable(db, actor, session_id)
            row = db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM summaries WHERE session_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT 1",
                [session_id],
            ).fetchone()
        return None if row is None else _summary(row)

    # --- chat ---------------------------------------------------------------------

    def add_chat_message(
        self,
        actor: Actor,
        session_id: str,
        role: ChatRole,
        content: str,
        *,
        attribution: Attribution | None = None,
    ) -> ChatMessage:
        """Appends a message to the conversation, in order."""
        now = utc_now()
        with self._transaction() as db:
            _touch(db, actor, session_id, now=now)
            row = db.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM chat_messages WHERE session_id = ?",
                [session_id],
            ).fetchone()
            message = ChatMessage(
                id=new_id(),
                session_id=session_id,
                position=int(row[0]) if row else 0,
                role=role,
                content=content,
                attribution=attribution,
                created_at=now,
            )
            db.execute(
                f"INSERT INTO chat_messages ({_CHAT_MESSAGE_COLUMNS}, {_OWNER_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    message.id,
                    session_id,
                    message.position,
                    role.value,
                    content,
                    *_attribution_values(attribution),
                    now,
                    *_owner_values(actor),
                ],
            )
        return message

    def chat_messages(self, actor: Actor, session_id: str) -> list[ChatMessage]:
        """The conversation, oldest first."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                f"SELECT {_CHAT_MESSAGE_COLUMNS} FROM chat_messages WHERE session_id = ? "
                "ORDER BY position",
                [session_id],
            ).fetchall()
        return [_chat_message(row) for row in rows]

    def add_chat_summary(
        self, actor: Actor, session_id: str, draft: ChatSummaryDraft
    ) -> ChatSummary:
        now = utc_now()
        summary = ChatSummary(
            **_draft_fields(draft, ChatSummaryDraft),
            id=new_id(),
            session_id=session_id,
            created_at=now,
        )
        with self._transaction() as db:
            _touch(db, actor, session_id, now=now)
            db.execute(
                f"INSERT INTO chat_summaries ({_CHAT_SUMMARY_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    summary.id,
                    session_id,
                    json.dumps(summary.takeaways),
                    json.dumps(summary.action_items),
                    *_attribution_values(summary.attribution),
                    now,
                ],
            )
        return summary

    def latest_chat_summary(self, actor: Actor, session_id: str) -> ChatSummary | None:
        with self._reading() as db:
            self._readable(db, actor, session_id)
            row = db.execute(
                f"SELECT {_CHAT_SUMMARY_COLUMNS} FROM chat_summaries WHERE session_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT 1",
                [session_id],
            ).fetchone()
        if row is None:
            return None
        return ChatSummary(
            id=row[0],
            session_id=row[1],
            takeaways=json.loads(row[2]),
            action_items=json.loads(row[3]),
            attribution=_attribution(row[4:11]),
            created_at=as_utc(row[11]),
        )

    # --- voice --------------------------------------------------------------------

    def add_transcript(self, actor: Actor, session_id: str, draft: TranscriptDraft) -> Transcript:
        now = utc_now()
        transcript = Transcript(
            **_draft_fields(draft, TranscriptDraft),
            id=new_id(),
            session_id=session_id,
            created_at=now,
        )
        with self._transaction() as db:
            _touch(db, actor, session_id, now=now)
            db.execute(
                "INSERT INTO transcripts (id, session_id, question_id, segments, voice, "
                f"created_at, {_OWNER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    transcript.id,
                    session_id,
                    transcript.question_id,
                    json.dumps([s.model_dump(mode="json") for s in transcript.segments]),
                    transcript.voice.model_dump_json(),
                    now,
                    *_owner_values(actor),
                ],
            )
        return transcript

    def transcripts(self, actor: Actor, session_id: str) -> list[Transcript]:
        """Oldest first."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                "SELECT id, session_id, question_id, segments, voice, created_at "
                "FROM transcripts WHERE session_id = ? ORDER BY created_at, id",
                [session_id],
            ).fetchall()
        return [
            Transcript(
                id=row[0],
                session_id=row[1],
                question_id=row[2],
                segments=[TranscriptSegment.model_validate(s) for s in json.loads(row[3])],
                voice=VoiceSettings.model_validate_json(row[4]),
                created_at=as_utc(row[5]),
            )
            for row in rows
        ]

    def set_delivery(self, actor: Actor, answer_id: str, metrics: DeliveryMetrics) -> None:
        """Stores how a spoken answer was delivered (pace, fillers, pauses)."""
        scope, owner = _owner_scope(actor, write=True)
        with self._transaction() as db:
            row = db.execute(
                "SELECT answers.session_id FROM answers "
                "JOIN sessions ON sessions.id = answers.session_id "
                f"WHERE answers.id = ? AND {scope}",
                [answer_id, *owner],
            ).fetchone()
            if row is None:
                raise _answer_not_found(answer_id)
            _touch(db, actor, row[0])  # every change to a session moves its updated_at
            db.execute("DELETE FROM answer_delivery WHERE answer_id = ?", [answer_id])
            db.execute(
                "INSERT INTO answer_delivery (answer_id, session_id, speaking_seconds, words, "
                "words_per_minute, filler_count, fillers_per_minute, fillers, "
                "longest_pause_seconds, long_pauses, guidance) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    answer_id,
                    row[0],
                    metrics.speaking_seconds,
                    metrics.words,
                    metrics.words_per_minute,
                    metrics.filler_count,
                    metrics.fillers_per_minute,
                    json.dumps(metrics.fillers),
                    metrics.longest_pause_seconds,
                    metrics.long_pauses,
                    json.dumps(metrics.guidance),
                ],
            )

    def deliveries(self, actor: Actor, session_id: str) -> dict[str, DeliveryMetrics]:
        """Delivery metrics of the session's spoken answers, by answer id."""
        with self._reading() as db:
            self._readable(db, actor, session_id)
            rows = db.execute(
                "SELECT answer_id, speaking_seconds, words, words_per_minute, filler_count, "
                "fillers_per_minute, fillers, longest_pause_seconds, long_pauses, guidance "
                "FROM answer_delivery WHERE session_id = ?",
                [session_id],
            ).fetchall()
        return {
            row[0]: DeliveryMetrics(
                speaking_seconds=row[1],
                words=row[2],
                words_per_minute=row[3],
                filler_count=row[4],
                fillers_per_minute=row[5],
                fillers=json.loads(row[6]),
                longest_pause_seconds=row[7],
                long_pauses=row[8],
                guidance=json.loads(row[9]),
            )
            for row in rows
        }

    # --- connections: each engine provides them -------------------------------------

    def _connection_lease(self) -> AbstractContextManager[Cursor]:
        """A cursor for one operation (the thread's open one when nested)."""
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[Cursor]:
        """One write as one transaction: all of it is stored, or none of it."""
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Cursor]:
        """Several reads in one transaction, side by side with other threads' reads."""
        raise NotImplementedError

    @property
    def _in_batch(self) -> bool:
        """Whether this thread is inside an open write transaction (a batch)."""
        raise NotImplementedError


# --- conflicts: a single write that collided is simply run again --------------------

_WRITE_METHODS = (
    "create_session",
    "rename_session",
    "delete_session",
    "set_current_question",
    "set_coaching_level",
    "add_document",
    "add_questions",
    "remove_question",
    "save_draft",
    "add_answer",
    "add_evaluation",
    "add_summary",
    "add_chat_message",
    "add_chat_summary",
    "add_transcript",
    "set_delivery",
)
_CONFLICT_ATTEMPTS = 20


def _retry_on_conflict(method: Callable[..., R]) -> Callable[..., R]:
    """Runs a write again when it collided with another thread's write of the same row
    (two tabs of one session): it re-reads everything (attempt numbers, positions), so
    the second run is as correct as if the two had taken turns. Inside a batch the
    batch is the unit, so the conflict goes to its owner."""

    @functools.wraps(method)
    def retrying(self: SqlSessionStore, *args: Any, **kwargs: Any) -> R:
        try:
            return method(self, *args, **kwargs)
        except StoreConflict:
            if self._in_batch:
                raise
        # Retries take turns, so writers that keep colliding cannot starve each other.
        with self._retry_lock:
            for attempt in range(1, _CONFLICT_ATTEMPTS + 1):
                time.sleep(random.uniform(0, min(0.002 * attempt, 0.02)))
                try:
                    return method(self, *args, **kwargs)
                except StoreConflict:
                    if attempt == _CONFLICT_ATTEMPTS:
                        raise
        raise AssertionError("unreachable")

    return retrying


for _name in _WRITE_METHODS:
    setattr(SqlSessionStore, _name, _retry_on_conflict(getattr(SqlSessionStore, _name)))


# --- helpers: rows in, models out ---------------------------------------------------


def _draft_fields(model: BaseModel, draft_type: type[BaseModel]) -> dict[str, Any]:
    """The draft's own fields, so a stored model passed as a draft cannot smuggle ids."""
    return model.model_dump(include=set(draft_type.model_fields))


def _clean_name(name: str) -> str:
    clean = name.strip()
    if not clean:
        raise CoachError("A session needs a name: type at least one character.")
    return clean


def _owner_values(actor: Actor) -> list[str]:
    return [actor.issuer, actor.subject, actor.email]


def _owner_scope(actor: Actor, *, write: bool = False) -> tuple[str, list[Any]]:
    """The SQL condition (on ``sessions``) for rows the actor may read, or change.

    Admins read every owner's rows; everyone changes only their own. A row outside the
    scope reads exactly like a missing one, so an id is never a key.
    """
    if actor.is_admin and not write:
        return "TRUE", []
    return (
        "sessions.owner_issuer = ? AND sessions.owner_subject = ?",
        [actor.issuer, actor.subject],
    )


def _prefixed(table: str, columns: str) -> str:
    return ", ".join(f"{table}.{column.strip()}" for column in columns.split(","))


def _sessions_filter(actor: Actor, search: str | None) -> tuple[str, list[Any]]:
    """The actor's sessions whose name matches ``search``."""
    scope, owner = _owner_scope(actor)
    where, parameters = _name_filter(search)
    return f"{scope} AND {where}", [*owner, *parameters]


def _name_filter(search: str | None) -> tuple[str, list[Any]]:
    """SQL condition and parameters for a case-insensitive substring match on name."""
    if not search:
        return "TRUE", []
    return "strpos(lower(name), lower(?)) > 0", [search]


def _session_not_found(session_id: str) -> SessionNotFound:
    return SessionNotFound(
        f"This session no longer exists (id {session_id}); it may have been deleted in "
        "another tab. Pick another session or start a new one."
    )


def _question_not_found(question_id: str) -> QuestionNotFound:
    return QuestionNotFound(
        f"This question no longer exists (id {question_id}); it may have been removed. "
        "Reload the session to see its current questions."
    )


def _answer_not_found(answer_id: str) -> AnswerNotFound:
    return AnswerNotFound(
        f"This answer no longer exists (id {answer_id}); its question or session may "
        "have been removed. Reload the session and answer again."
    )


def _require_session(db: Cursor, actor: Actor, session_id: str, *, write: bool = False) -> None:
    scope, owner = _owner_scope(actor, write=write)
    row = db.execute(
        f"SELECT 1 FROM sessions WHERE id = ? AND {scope}", [session_id, *owner]
    ).fetchone()
    if row is None:
        raise _session_not_found(session_id)


def _require_question(
    db: Cursor,
    actor: Actor,
    question_id: str,
    *,
    session_id: str | None = None,
    write: bool = False,
) -> tuple[Any, ...]:
    """The question's (id, session_id, position); checks the session when given."""
    scope, owner = _owner_scope(actor, write=write)
    row = db.execute(
        "SELECT questions.id, questions.session_id, questions.position FROM questions "
        "JOIN sessions ON sessions.id = questions.session_id "
        f"WHERE questions.id = ? AND {scope}",
        [question_id, *owner],
    ).fetchone()
    if row is None or (session_id is not None and row[1] != session_id):
        if session_id is not None:
            _require_session(db, actor, session_id, write=write)
        raise _question_not_found(question_id)
    return row


def _touch(
    db: Cursor,
    actor: Actor,
    session_id: str,
    *,
    now: datetime | None = None,
    **columns: str | None,
) -> None:
    """Bumps ``updated_at`` (and sets ``columns``) of a session the actor owns; raises
    "not found" if it is missing or someone else's.

    Column names come from this module only, never from a caller's input.
    """
    scope, owner = _owner_scope(actor, write=True)
    assignments = "".join(f", {column} = ?" for column in columns)
    row = db.execute(
        f"UPDATE sessions SET updated_at = ?, revision = revision + 1{assignments} "
        f"WHERE id = ? AND {scope}",
        [now or utc_now(), *columns.values(), session_id, *owner],
    ).fetchone()
    if row is None or row[0] == 0:
        raise _session_not_found(session_id)


def _fetch_session(db: Cursor, actor: Actor, session_id: str) -> Session:
    scope, owner = _owner_scope(actor)
    row = db.execute(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ? AND {scope}",
        [session_id, *owner],
    ).fetchone()
    if row is None:
        raise _session_not_found(session_id)
    return Session(
        id=row[0],
        name=row[1],
        kind=SessionKind(row[2]),
        persona=row[3],
        coaching_level=CoachingLevel(row[4]),
        current_question_id=row[5],
        metadata=json.loads(row[6]),
        created_at=as_utc(row[7]),
        updated_at=as_utc(row[8]),
        revision=row[9],
    )


def _document(row: tuple[Any, ...]) -> Document:
    return Document(
        id=row[0],
        session_id=row[1],
        kind=DocumentKind(row[2]),
        filename=row[3],
        media_type=row[4],
        text=row[5],
        pages=row[6],
        created_at=as_utc(row[7]),
    )


def _question(row: tuple[Any, ...]) -> Question:
    return Question(
        id=row[0],
        session_id=row[1],
        position=row[2],
        text=row[3],
        type=QuestionType(row[4]),
        competency=row[5],
        source=QuestionSource(row[6]),
        rationale=row[7],
        created_at=as_utc(row[8]),
        attribution=_attribution(row[9:16]) if len(row) > 9 else None,
    )


def _answer(row: tuple[Any, ...]) -> Answer:
    return Answer(
        id=row[0],
        session_id=row[1],
        question_id=row[2],
        attempt=row[3],
        text=row[4],
        mode=AnswerMode(row[5]),
        created_at=as_utc(row[6]),
    )


def _attribution_values(attribution: Attribution | None) -> list[Any]:
    if attribution is None:
        return [None] * 7
    checks = None
    if attribution.checks or attribution.cut_off:
        checks = json.dumps({"checks": attribution.checks, "cut_off": attribution.cut_off})
    return [
        attribution.agent,
        attribution.persona,
        attribution.provider,
        attribution.model,
        attribution.fallback,
        attribution.notice,
        checks,
    ]


def _attribution(values: Sequence[Any]) -> Attribution | None:
    agent, persona, provider, model, fallback, notice, checks = values
    if agent is None:
        return None
    repaired = json.loads(checks) if checks else {}
    return Attribution(
        agent=agent,
        persona=persona,
        provider=provider,
        model=model,
        fallback=bool(fallback),
        notice=notice or "",
        checks=repaired.get("checks", []),
        cut_off=bool(repaired.get("cut_off", False)),
    )


def _attribution_json(attribution: Attribution | None) -> str | None:
    return attribution.model_dump_json(exclude_defaults=True) if attribution else None


def _insert_dimensions(db: Cursor, evaluation: Evaluation) -> None:
    # One multi-row INSERT: executemany costs a round trip per row.
    placeholders = ", ".join("(?, ?, ?, ?, ?, ?)" for _ in evaluation.dimensions)
    values: list[Any] = []
    for position, dimension in enumerate(evaluation.dimensions):
        values += [
            evaluation.id,
            evaluation.session_id,
            position,
            dimension.dimension.value,
            dimension.score,
            dimension.comment,
        ]
    db.execute(
        "INSERT INTO evaluation_dimensions "
        "(evaluation_id, session_id, position, dimension, score, comment) "
        f"VALUES {placeholders}",
        values,
    )


def _evaluation(row: tuple[Any, ...], dimensions: list[DimensionScore]) -> Evaluation:
    return Evaluation(
        id=row[0],
        answer_id=row[1],
        session_id=row[2],
        question_id=row[3],
        overall=row[4],
        headline=row[5],
        strengths=json.loads(row[6]),
        improvements=json.loads(row[7]),
        example_answer=row[8],
        non_answer=row[9],
        coaching_level=CoachingLevel(row[10]),
        attribution=_attribution(row[11:18]),
        dimensions=dimensions,
        created_at=as_utc(row[18]),
        follow_up=row[19] or "",
        follow_up_attribution=(Attribution.model_validate_json(row[20]) if row[20] else None),
    )


def _summary(row: tuple[Any, ...]) -> SessionSummary:
    return SessionSummary(
        id=row[0],
        session_id=row[1],
        average_score=row[2],
        questions_total=row[3],
        questions_answered=row[4],
        dimension_averages={
            RubricDimension(name): value for name, value in json.loads(row[5]).items()
        },
        strongest=[RubricDimension(name) for name in json.loads(row[6])],
        weakest=[RubricDimension(name) for name in json.loads(row[7])],
        highlights=json.loads(row[8]),
        next_steps=json.loads(row[9]),
        attribution=_attribution(row[10:17]),
        created_at=as_utc(row[17]),
    )


def _chat_message(row: tuple[Any, ...]) -> ChatMessage:
    return ChatMessage(
        id=row[0],
        session_id=row[1],
        position=row[2],
        role=ChatRole(row[3]),
        content=row[4],
        attribution=_attribution(row[5:12]),
        created_at=as_utc(row[12]),
    )
