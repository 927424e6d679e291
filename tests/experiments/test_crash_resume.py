"""Killing the process mid-experiment loses nothing stored, and the resume runs only the
pairs that have no result: a real second process, SIGKILL, the same DuckDB file."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from coach.errors import ExperimentError
from coach.experiments.records import ExperimentStatus
from coach.experiments.spec import parse_spec
from coach.providers.base import Completion, ProviderRequest, T
from coach.providers.offline import OfflineProvider
from coach.settings import PROJECT_ROOT, AgentSettings, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench

LOCAL_USER = Actor.local()

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from coach.experiments.spec import parse_spec
    from coach.providers.offline import OfflineProvider
    from coach.settings import AgentSettings, CoachSettings, StoreSettings
    from coach.users import Actor
    from coach.workbench import build_workbench

    LOCAL_USER = Actor.local()

    class Slow(OfflineProvider):
        calls = 0
        async def structured(self, request, output):
            # Past the first 60 calls each takes seconds, so the parent's kill always
            # lands mid-run, however fast the offline coach scores.
            Slow.calls += 1
            await asyncio.sleep(0.1 if Slow.calls <= 60 else 5)
            return await super().structured(request, output)

    settings = CoachSettings(
        store=StoreSettings(path=sys.argv[1], idle_release_seconds=0),
        agent=AgentSettings(personas_dir=Path(sys.argv[2])),
    )
    wb = build_workbench(settings, provider=Slow())
    svc = wb.experiments
    spec = parse_spec({
        "name": "crash", "base_persona": "feedback_coach",
        "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "dry"}}],
    })
    experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
    print(experiment.id, flush=True)

    told = []

    def tell(progress):
        if progress.done >= 48 and not told:
            told.append(True)
            print("half", flush=True)

    svc.run(LOCAL_USER, experiment.id, on_progress=tell)
    print("finished", flush=True)
    """
)


class CountingOffline(OfflineProvider):
    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[tuple[str, str]] = Counter()

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        task: Any = request.task
        self.calls[(request.system_prompt, task.answer)] += 1
        return await super().structured(request, output)


def test_a_killed_run_resumes_without_running_a_stored_pair_again(tmp_path: Path) -> None:
    personas = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", personas)
    db_path = tmp_path / "lab.duckdb"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), str(personas)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert child.stdout is not None
    try:
        experiment_id = child.stdout.readline().decode().strip()
        assert child.stdout.readline().strip() == b"half"
        # Another process (the app) sees a live run, and does not start it twice.
        watcher = build_workbench(
            CoachSettings(
                store=StoreSettings(path=db_path, idle_release_seconds=0),
                agent=AgentSettings(personas_dir=personas),
            )
        )
        try:
            (listing,) = watcher.experiments.list(LOCAL_USER)
            assert listing.status is ExperimentStatus.RUNNING
            with pytest.raises(ExperimentError, match="running in another process"):
                watcher.experiments.start(LOCAL_USER, experiment_id)
        finally:
            watcher.close()
        time.sleep(0.3)  # past a batch write (every 0.25 s), before the last pair
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL, "the run ended before it was killed"

    provider = CountingOffline()
    settings = CoachSettings(
        store=StoreSettings(path=db_path), agent=AgentSettings(personas_dir=personas)
    )
    wb = build_workbench(settings, provider=provider)
    try:
        svc = wb.experiments
        (listing,) = svc.list(LOCAL_USER)
        assert listing.status is ExperimentStatus.INTERRUPTED, "the app stopped mid-run"
        stored = listing.done
        assert 0 < stored < 96, stored

        progress = svc.run(LOCAL_USER, experiment_id)
        assert progress.status is ExperimentStatus.FINISHED and progress.done == 96
        assert sum(provider.calls.values()) == 96 - stored, "stored pairs were not run again"
        assert set(provider.calls.values()) == {1}, "no pair ran twice"
        report = svc.report(LOCAL_USER, experiment_id)
        assert report.complete and sum(s.pairs for s in report.summaries) == 96
    finally:
        wb.close()


class SlowOffline(OfflineProvider):
    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        await asyncio.sleep(0.05)
        return await super().structured(request, output)


def test_closing_the_workbench_cancels_its_runs_and_keeps_their_pairs(tmp_path: Path) -> None:
    personas = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", personas)
    settings = CoachSettings(
        store=StoreSettings(path=tmp_path / "lab.duckdb"),
        agent=AgentSettings(personas_dir=personas),
    )
    wb = build_workbench(settings, provider=SlowOffline())
    spec = parse_spec(
        {
            "name": "closed",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "dry"}}],
        }
    )
    experiment = wb.experiments.create(
        LOCAL_USER, spec, wb.experiments.dataset(LOCAL_USER, spec.dataset)
    )
    wb.experiments.start(LOCAL_USER, experiment.id)
    time.sleep(0.3)
    wb.close()

    again = build_workbench(settings)
    try:
        (listing,) = again.experiments.list(LOCAL_USER)
        assert listing.status is ExperimentStatus.CANCELLED, "not left 'running'"
        assert 0 < listing.done < 96
        assert len(again.experiments.results(LOCAL_USER, experiment.id)) == listing.done
    finally:
        again.close()
