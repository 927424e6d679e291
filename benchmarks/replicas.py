"""Two app replicas on one PostgreSQL against one (issue 14, target 4): evaluations per
second when each replica serves the twenty-user load.

Each replica is a process of its own with the app's ``build_workbench`` on
``COACH_STORE__URL`` (a PostgreSQL server started here, as the tests start theirs) and a
real model client talking HTTP to the loopback model server (200 ms a call). Twenty users
each answer ``ANSWERS_PER_USER`` questions back to back, every answer stored, then scored:

- one replica serves twenty users;
- two replicas serve twenty users each, released at the same moment: what a second
  replica behind the balancer is for. (Twenty users split ten and ten could not show
  it: one replica that keeps up with twenty users' model latency already completes all
  their evaluations, and a second one only adds capacity nobody asks for.)

Throughput is every evaluation over the wall time from the common start to the last
score. Both layouts run in the same run, alternating, and the median pair is judged:
two replicas must complete >= 1.6x the evaluations per second of one.

Run ``python -m benchmarks.replicas``; a replica alone is ``--replica FIRST COUNT``
(reads the store and model from the environment, prints ``ready``, waits for a line on
stdin, then prints its figures as JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time

from benchmarks.core import Ratio
from benchmarks.model_server import model_server
from coach.domain import DocumentKind, ExtractedDocument, QuestionDraft, QuestionType
from coach.settings import PROJECT_ROOT, CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench

USERS = 20
ANSWERS_PER_USER = 4
LATENCY_SECONDS = 0.2
TARGET = 1.6
ROUNDS = 2
ANSWER = (
    "Our nightly export missed its deadline. I owned it, profiled the jobs, rewrote two "
    "joins and added a check, and the export has finished on time ever since."
)


def _user(number: int) -> Actor:
    return Actor(issuer="http://127.0.0.1/benchmark", subject=f"replica-user-{number}")


def _prepare(wb: Workbench, first: int, count: int) -> list[tuple[Actor, str, list[str]]]:
    """A session per user with ``ANSWERS_PER_USER`` questions, written straight to the store."""
    users = []
    for number in range(first, first + count):
        owner = _user(number)
        session = wb.store.create_session(owner, f"Replica user {number}")
        for kind, text in (
            (DocumentKind.RESUME, "Data engineer."),
            (DocumentKind.JOB_DESCRIPTION, "Senior Data Engineer"),
        ):
            wb.store.add_document(
                owner,
                session.id,
                ExtractedDocument(
                    kind=kind, filename=f"{kind.value}.txt", media_type="text/plain", text=text
                ),
            )
        drafts = [
            QuestionDraft(
                text=f"Tell me about deadline {n} you rescued.", type=QuestionType.BEHAVIOURAL
            )
            for n in range(ANSWERS_PER_USER)
        ]
        questions = wb.store.add_questions(owner, session.id, drafts)
        users.append((owner, session.id, [q.id for q in questions]))
    return users


def _serve(wb: Workbench, users: list[tuple[Actor, str, list[str]]]) -> tuple[int, list[str]]:
    """Every user answers all their questions back to back, all users at once."""
    done = [0]
    problems: list[str] = []
    lock = threading.Lock()

    def user(actor: Actor, session_id: str, question_ids: list[str]) -> None:
        for question_id in question_ids:
            try:
                _, evaluation = wb.practice.answer_and_evaluate(
                    actor, session_id, question_id, ANSWER
                )
            except Exception as error:  # reported, not lost in a thread
                problems.append(f"{actor.subject}: {error!r}")
                return
            if evaluation.attribution and evaluation.attribution.fallback:
                problems.append(f"{actor.subject} fell back: {evaluation.attribution.notice}")
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=user, args=u) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], problems


def run_replica(first: int, count: int) -> None:
    """One replica: prepare, say ready, wait for the go line, serve, print figures."""
    wb = build_workbench(CoachSettings())
    try:
        users = _prepare(wb, first, count)
        warm = _prepare(wb, 10_000 + first, 1)  # connections and caches, off the clock
        _serve(wb, warm)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.readline()
        cpu = time.process_time()
        evaluations, problems = _serve(wb, users)
        finished, cpu = time.time(), time.process_time() - cpu
    finally:
        wb.close()
    figures = {"evaluations": evaluations, "finished": finished, "cpu": cpu}
    sys.stdout.write(json.dumps({**figures, "problems": problems}) + "\n")


def _layout(environment: dict[str, str], shares: list[tuple[int, int]]) -> tuple[int, float, float]:
    """Runs replicas serving ``shares`` (first user, count) at once: evaluations, wall
    seconds and the replicas' CPU seconds."""
    import subprocess

    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.replicas", "--replica", str(first), str(count)],
            env=environment,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for first, count in shares
    ]
    try:
        for replica in replicas:
            assert replica.stdout is not None
            if replica.stdout.readline().strip() != "ready":
                raise RuntimeError("a replica failed to start")
        go = time.time()
        for replica in replicas:
            assert replica.stdin is not None
            replica.stdin.write("go\n")
            replica.stdin.flush()
        reports = []
        for replica in replicas:
            out, _ = replica.communicate(timeout=300)
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for replica in replicas:
            if replica.poll() is None:
                replica.kill()
    problems = [p for report in reports for p in report["problems"]]
    if problems:
        raise RuntimeError("; ".join(problems[:5]))
    evaluations = sum(report["evaluations"] for report in reports)
    cpu = sum(report["cpu"] for report in reports)
    return evaluations, max(report["finished"] for report in reports) - go, cpu


def bench_two_replicas_throughput() -> Ratio:
    from tests.postgres_server import running_postgres

    with (
        running_postgres() as server,
        model_server(LATENCY_SECONDS) as model_url,
        server.database() as url,
    ):
        environment = {
            **os.environ,
            "COACH_STORE__URL": url,
            "COACH_OPENAI_BASE_URL": model_url,
            "COACH_OPENAI_MAX_RETRIES": "0",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        environment.pop("OPENAI_API_KEY", None)
        one: list[float] = []
        two: list[float] = []
        cpu_ms: list[float] = []
        for round_number in range(ROUNDS):
            base = round_number * 3 * USERS
            evaluations, seconds, cpu = _layout(environment, [(base, USERS)])
            one.append(evaluations / seconds)
            cpu_ms.append(cpu * 1000 / evaluations)
            evaluations, seconds, cpu = _layout(
                environment, [(base + USERS, USERS), (base + 2 * USERS, USERS)]
            )
            two.append(evaluations / seconds)
            cpu_ms.append(cpu * 1000 / evaluations)
    ratios = sorted(b / a for a, b in zip(one, two, strict=True))
    ratio = statistics.median(ratios)
    return Ratio(
        name=f"{USERS} users a replica, 2 replicas vs 1 (PostgreSQL): evaluations/s",
        ratio=ratio,
        target_ratio=TARGET,
        higher_is_better=True,
        measured=(
            f"one replica {', '.join(f'{r:.1f}' for r in one)} evals/s; two replicas "
            f"{', '.join(f'{r:.1f}' for r in two)} evals/s; app CPU "
            f"{statistics.median(cpu_ms):.1f} ms an evaluation; {ANSWERS_PER_USER} answers "
            f"a user, model {LATENCY_SECONDS * 1000:.0f} ms"
        ),
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replica"]:
        run_replica(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.stdout.write(bench_two_replicas_throughput().line() + "\n")
