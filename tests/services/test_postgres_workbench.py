"""The workbench on PostgreSQL (COACH_STORE__URL), through the real services with the
offline coach: practice, follow-up, summary, progress, export, chat; a second app
process sees it all; spans go to the DuckDB file beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from coach.domain import DocumentKind
from coach.settings import CoachSettings, StoreSettings
from coach.store.postgres_store import PostgresSessionStore
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.postgres_server import PostgresServer

ME = Actor.local()


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


def replica(url: str, folder: Path, name: str) -> Workbench:
    """One app process's workbench: its own DuckDB file, the shared PostgreSQL."""
    store = StoreSettings(
        path=folder / f"{name}.duckdb", url=SecretStr(url), idle_release_seconds=0
    )
    return build_workbench(CoachSettings(store=store))


def test_a_practice_session_runs_on_postgresql_and_shows_in_another_process(
    url: str, tmp_path: Path
) -> None:
    one = replica(url, tmp_path, "one")
    try:
        assert isinstance(one.store, PostgresSessionStore)
        resume = one.practice.read_pasted(RESUME, DocumentKind.RESUME)
        job = one.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
        session = one.practice.start_session(ME, resume, job, name="On Postgres", question_count=2)
        first = one.practice.view(ME, session.id).questions[0].question
        answer, evaluation = one.practice.answer_and_evaluate(
            ME, session.id, first.id, "I led the migration of our pipelines; costs fell by 30%."
        )
        one.practice.follow_up(ME, evaluation)
        summary = one.practice.summarize(ME, session.id)
        chat = one.chat.start(ME)
        one.chat.reply(ME, chat.id, "How do I answer a weakness question?")
    finally:
        one.close()

    two = replica(url, tmp_path, "two")
    try:
        (attempt,) = two.practice.view(ME, session.id).questions[0].attempts
        assert attempt.answer == answer and attempt.evaluation is not None
        assert attempt.evaluation.id == evaluation.id and attempt.evaluation.follow_up
        assert two.store.latest_summary(ME, session.id) == summary
        assert "On Postgres" in two.exports.markdown(ME, session.id).content
        assert not two.progress.report(ME).is_empty
        assert [m.role.value for m in two.chat.view(ME, chat.id).messages] == ["user", "coach"]
        assert {s.name for s in two.sessions.list(ME).sessions} >= {"On Postgres"}
        # Everything is in PostgreSQL: neither process made a DuckDB file.
        assert not list(tmp_path.glob("*.duckdb*"))
    finally:
        two.close()
