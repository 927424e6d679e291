"""Killing the process in the middle of an evaluation loses no typed answer.

A real second process runs the practice service on a real DuckDB file with a model
that never finishes evaluating; the test kills it with SIGKILL mid-evaluation, then
opens the same file and finds the answer, ready to be scored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from coach.settings import PROJECT_ROOT, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.fixtures import STRONG_ANSWER

LOCAL_USER = Actor.local()

CHILD = textwrap.dedent(
    """
    import sys, time
    from coach.domain import DocumentKind
    from coach.providers.offline import OfflineProvider
    from coach.settings import CoachSettings, StoreSettings
    from coach.users import Actor
    from coach.workbench import build_workbench
    from tests.fixtures import JOB_DESCRIPTION, RESUME

    class HangsWhileEvaluating(OfflineProvider):
        async def structured(self, request, output):
            if request.task.kind == "evaluate_answer":
                print("evaluating", flush=True)
                time.sleep(3600)
            return await super().structured(request, output)

    LOCAL_USER = Actor.local()
    settings = CoachSettings(store=StoreSettings(path=sys.argv[1], idle_release_seconds=0))
    wb = build_workbench(settings, provider=HangsWhileEvaluating())
    practice = wb.practice
    resume = practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = practice.start_session(LOCAL_USER, resume, job, question_count=2)
    question = practice.view(LOCAL_USER, session.id).questions[0].question
    practice.answer_and_evaluate(LOCAL_USER, session.id, question.id, sys.stdin.read())
    """
)


def test_killing_the_process_mid_evaluation_keeps_the_answer(db_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(STRONG_ANSWER.encode())
    child.stdin.close()
    try:
        assert child.stdout.readline().strip() == b"evaluating"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    wb = build_workbench(CoachSettings(store=StoreSettings(path=db_path)))
    (overview,) = wb.sessions.list(LOCAL_USER).sessions
    progress = wb.practice.view(LOCAL_USER, overview.id).questions[0]
    pending = progress.needs_evaluation
    assert pending is not None and pending.text == STRONG_ANSWER.strip()
    evaluation = wb.practice.evaluate(LOCAL_USER, pending.id)
    assert evaluation.answer_id == pending.id
    wb.close()
