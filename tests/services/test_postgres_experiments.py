"""Persona Lab across app processes on one PostgreSQL: two replicas start the same
experiment at the same moment and exactly one runs it; every process (the other
replica, a third) shows it running and refuses to start or delete it; once it stops,
anyone can resume it. A rollout one replica starts or stops, the others serve; so is a
promotion, when the replicas share the persona folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from coach.domain import SessionKind
from coach.errors import ExperimentError
from coach.experiments.records import ExperimentStatus
from coach.experiments.spec import parse_spec
from coach.personas import PersonaRole
from coach.settings import PROJECT_ROOT, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.postgres_server import PostgresServer

ME = Actor.local()


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


def replica(url: str, path: Path) -> Workbench:
    store = StoreSettings(path=path, url=SecretStr(url), idle_release_seconds=0)
    return build_workbench(CoachSettings(store=store))


def start_replica(url: str, path: Path, experiment_id: str) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "COACH_STORE__URL": url,
        "COACH_STORE__PATH": str(path),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.services.replica_lab", experiment_id],
        env=environment,
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def tell(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        _, err = process.communicate(timeout=30)
        raise AssertionError(f"the replica ended early: {err}")
    return line.strip()


def test_two_replicas_start_one_experiment_at_once_and_exactly_one_runs_it(
    url: str, tmp_path: Path
) -> None:
    here = replica(url, tmp_path / "here.duckdb")
    replicas: list[subprocess.Popen[str]] = []
    try:
        lab = here.experiments
        spec = parse_spec(
            {
                "name": "one at a time",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "blunt"}}],
            }
        )
        experiment = lab.create(ME, spec, lab.dataset(ME, spec.dataset))
        replicas = [
            start_replica(url, tmp_path / f"replica-{n}.duckdb", experiment.id) for n in (1, 2)
        ]
        assert [read_line(p) for p in replicas] == ["ready", "ready"]
        for process in replicas:  # both start now: their claims meet in the database
            tell(process)
        reports = [json.loads(read_line(p)) for p in replicas]

        assert [r["started"] for r in reports].count(True) == 1, reports
        (winner,) = [r for r in reports if r["started"]]
        (loser,) = [r for r in reports if not r["started"]]
        assert f"is running in another process ({winner['runner']})" in loser["refused"]
        assert winner["status"] == loser["status"] == "running"
        # A third process sees the same, and cannot start it either.
        (listed,) = lab.list(ME)
        assert listed.status is ExperimentStatus.RUNNING
        assert listed.experiment.runner == winner["runner"]
        with pytest.raises(ExperimentError, match="running in another process"):
            lab.start(ME, experiment.id)
        with pytest.raises(ExperimentError, match="running in another process"):
            lab.delete(ME, experiment.id)
        assert not lab.is_running(experiment.id)

        for process in replicas:  # they close: the winner cancels its run
            tell(process)
        for process in replicas:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err

        (stopped,) = lab.list(ME)
        assert stopped.status is ExperimentStatus.CANCELLED
        assert stopped.done < experiment.pairs_total
        lab.start(ME, experiment.id)  # stopped: anyone may resume it
        assert lab.wait(experiment.id, timeout=120).status is ExperimentStatus.FINISHED
        assert lab.list(ME)[0].done == experiment.pairs_total
    finally:
        for process in replicas:
            if process.poll() is None:
                process.kill()
        here.close()


def test_a_rollout_started_or_stopped_in_one_replica_is_served_by_the_other(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coach.workbench.ROLLOUT_REFRESH_SECONDS", 0.1)
    one = replica(url, tmp_path / "one.duckdb")
    two = replica(url, tmp_path / "two.duckdb")
    try:
        lab = one.experiments
        spec = parse_spec(
            {
                "name": "blunter everywhere",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "blunt"}}],
            }
        )
        experiment = lab.create(ME, spec, lab.dataset(ME, spec.dataset))

        def variant_on_two() -> str:
            team = two.teams.resolve(SessionKind.INTERVIEW, {}, session_id="session-7")
            return team.agent(PersonaRole.FEEDBACK).variant

        assert variant_on_two() == ""  # no rollout: the base persona, untagged
        lab.roll_out(ME, experiment.id, "B", 1.0, confirmed=True)
        assert eventually(lambda: variant_on_two() == "B"), "two serves one's rollout"
        assert [r.variant for r in two.experiments.rollouts()] == ["B"]
        lab.stop_rollout(ME, "feedback_coach")
        assert eventually(lambda: variant_on_two() == ""), "and stops with it"
    finally:
        one.close()
        two.close()


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_a_promotion_in_one_replica_is_served_by_another_sharing_the_persona_folder(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coach.workbench.ROLLOUT_REFRESH_SECONDS", 0.1)
    shared = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", shared)
    monkeypatch.setenv("COACH_AGENT__PERSONAS_DIR", str(shared))
    one = replica(url, tmp_path / "one.duckdb")
    two = replica(url, tmp_path / "two.duckdb")
    try:
        lab = one.experiments
        spec = parse_spec(
            {
                "name": "stricter everywhere",
                "base_persona": "feedback_coach",
                "variants": [
                    {"name": "A"},
                    {"name": "B", "overrides": {"coaching_level": "strict"}},
                ],
            }
        )
        experiment = lab.create(ME, spec, lab.dataset(ME, spec.dataset))
        assert two.personas.get("feedback_coach").version == 1

        lab.promote(ME, experiment.id, "B", confirmed=True)

        assert eventually(lambda: two.personas.get("feedback_coach").version == 2)
        team = two.teams.resolve(SessionKind.INTERVIEW, {})
        assert team.agent(PersonaRole.FEEDBACK).persona.coaching_level.value == "strict"
    finally:
        one.close()
        two.close()
