"""A database with 100,000 practice sessions, in seconds rather than hours.

One session is written through the store (documents, five questions, an answer and an
evaluation with its six dimensions for each), then copied ``count - 1`` times in SQL,
every id suffixed with the copy's number and ``updated_at`` spread over the past, so
the listing's "newest first" has real work to do. Whatever columns the schema has (an
owner column included) are copied as they are.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from coach.domain import (
    DimensionScore,
    DocumentKind,
    EvaluationDraft,
    ExtractedDocument,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.settings import StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor

LOCAL_USER = Actor.local()

_ID_COLUMNS = (
    "id",
    "session_id",
    "question_id",
    "answer_id",
    "evaluation_id",
    "current_question_id",
)
_TABLES = ("sessions", "documents", "questions", "answers", "evaluations", "evaluation_dimensions")
ANSWER = "I owned the nightly export, rewrote two joins and it has finished on time since."


def _template(store: DuckDBSessionStore) -> str:
    session = store.create_session(LOCAL_USER, "Benchmark session 0")
    for kind, text in (
        (DocumentKind.RESUME, "Data engineer. Led a migration; cut runtime by half. " * 20),
        (DocumentKind.JOB_DESCRIPTION, "Senior Data Engineer\nBuild pipelines. " * 20),
    ):
        store.add_document(
            LOCAL_USER,
            session.id,
            ExtractedDocument(
                kind=kind, filename=f"{kind.value}.txt", media_type="text/plain", text=text
            ),
        )
    drafts = [
        QuestionDraft(text=f"Question {i}: tell me about X{i}.", type=QuestionType.BEHAVIOURAL)
        for i in range(5)
    ]
    evaluation = EvaluationDraft(
        overall=6.5,
        headline="Solid story.",
        dimensions=[DimensionScore(dimension=d, score=6) for d in RubricDimension],
        strengths=["You set the scene."],
        improvements=["Say what you did."],
        example_answer="Situation: ...",
    )
    for question in store.add_questions(LOCAL_USER, session.id, drafts):
        answer = store.add_answer(LOCAL_USER, session.id, question.id, ANSWER)
        store.add_evaluation(LOCAL_USER, answer.id, evaluation)
    store.set_current_question(LOCAL_USER, session.id, None)
    return session.id


def seed_sessions(path: Path, count: int) -> str:
    """Fills ``path`` with ``count`` sessions; returns the id of the newest one."""
    with DuckDBSessionStore(StoreSettings(path=path, idle_release_seconds=0)) as store:
        template = _template(store)
    with duckdb.connect(str(path)) as db:
        for table in _TABLES:
            columns = [
                row[0]
                for row in db.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                    "ORDER BY column_index",
                    [table],
                ).fetchall()
            ]
            replaced = [f"{c} || '-' || n.k AS {c}" for c in columns if c in _ID_COLUMNS]
            if table == "sessions":
                replaced += [
                    "'Benchmark session ' || n.k AS name",
                    "updated_at - to_seconds(n.k) AS updated_at",
                    "created_at - to_seconds(n.k) AS created_at",
                ]
            db.execute(
                f"INSERT INTO {table} SELECT * EXCLUDE (k) REPLACE ({', '.join(replaced)}) "
                f"FROM {table}, range(1, ?) AS n(k) WHERE {table}.session_id = ?"
                if table != "sessions"
                else f"INSERT INTO {table} SELECT * EXCLUDE (k) REPLACE ({', '.join(replaced)}) "
                f"FROM {table}, range(1, ?) AS n(k) WHERE {table}.id = ?",
                [count, template],
            )
        db.execute("CHECKPOINT")
    return template
