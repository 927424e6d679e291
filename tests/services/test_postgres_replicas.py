"""Two app processes on one PostgreSQL: twenty candidates practise at once, ten on each,
through the real services with the offline coach. Every answer is stored once, in its
own session, and each process reads the other's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from coach.settings import PROJECT_ROOT, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.postgres_server import PostgresServer
from tests.services.replica_candidate import QUESTIONS, candidate_actor, serve

USERS_PER_PROCESS = 10

ADMIN = Actor(issuer="http://127.0.0.1:9400", subject="root", email="", is_admin=True)


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


def workbench_for(url: str, path: Path) -> Workbench:
    store = StoreSettings(path=path, url=SecretStr(url), idle_release_seconds=0)
    return build_workbench(CoachSettings(store=store))


def test_twenty_candidates_on_two_processes_each_answer_stored_once_in_their_session(
    url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "COACH_STORE__URL": url,
        "COACH_STORE__PATH": str(tmp_path / "other.duckdb"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    other = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.services.replica_candidate",
            str(USERS_PER_PROCESS),
            str(2 * USERS_PER_PROCESS),
        ],
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    here = workbench_for(url, tmp_path / "here.duckdb")
    try:
        sessions, failures = serve(here, range(USERS_PER_PROCESS))
        out, err = other.communicate(timeout=240)
    finally:
        if other.poll() is None:
            other.kill()
    assert failures == []
    assert other.returncode == 0, err
    theirs = json.loads(out.strip().splitlines()[-1])
    assert theirs["failures"] == []
    sessions.update(theirs["sessions"])
    assert len(sessions) == 2 * USERS_PER_PROCESS

    try:
        store = here.store
        for user, session_id in sessions.items():
            me = candidate_actor(int(user))
            answers = store.answers(me, session_id)
            assert [a.text.split(":")[0] for a in answers] == [
                f"user {user} answer {n}" for n in range(QUESTIONS)
            ]
            assert [a.attempt for a in answers] == [1] * QUESTIONS
            assert len(store.evaluations(me, session_id)) == QUESTIONS
        assert store.count_sessions(me) == 1  # their own, none of the others'
        assert store.count_sessions(ADMIN) == 2 * USERS_PER_PROCESS
    finally:
        here.close()
