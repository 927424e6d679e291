"""Twenty people evaluating an answer at once through one workbench (issue 13, target 1).

Everything is the app's own machinery: ``build_workbench`` on a temporary DuckDB file
with telemetry on, the shipped personas (their default ``concurrency`` must let 20 users
in at once), the OpenAI-compatible provider talking HTTP to a loopback model server that
answers every call after 200 ms. Each of 20 threads (Streamlit runs every browser
session's script in a thread of one process) calls ``answer_and_evaluate`` on its own
session at the same moment; each user's wait and the whole batch's are judged against
one model latency:

- the batch, from the common start to the last user's score: <= 3x the model latency;
- p95 of the users' waits: <= 2.5x the model latency.

The same run also times one user alone, the floor the twenty are compared with.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.core import Ratio, percentile
from benchmarks.model_server import model_server
from coach.domain import DocumentKind, ExtractedDocument, QuestionDraft, QuestionType
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench


def _user(number: int) -> Actor:
    """Concurrent users are different people: fair use caps each one, not the crowd."""
    return Actor(issuer="http://127.0.0.1/benchmark", subject=f"user-{number}")


log = logging.getLogger(__name__)

USERS = 20
LATENCY_SECONDS = 0.2
TOTAL_TARGET = 3.0
P95_TARGET = 2.5
ANSWER = (
    "Our nightly export missed its deadline. I owned it, profiled the jobs, rewrote two "
    "joins and added a check, and the export has finished on time ever since."
)


def _document(kind: DocumentKind, text: str) -> ExtractedDocument:
    return ExtractedDocument(
        kind=kind, filename=f"{kind.value}.txt", media_type="text/plain", text=text
    )


def _sessions(wb: Workbench, count: int) -> list[tuple[Actor, str, str]]:
    """``count`` sessions with one question each, each its own user's, written straight
    to the store."""
    pairs = []
    for number in range(count):
        owner = _user(number)
        session = wb.store.create_session(owner, f"Concurrent user {number}")
        wb.store.add_document(owner, session.id, _document(DocumentKind.RESUME, "Data engineer."))
        wb.store.add_document(
            owner, session.id, _document(DocumentKind.JOB_DESCRIPTION, "Senior Data Engineer")
        )
        (question,) = wb.store.add_questions(
            owner,
            session.id,
            [
                QuestionDraft(
                    text="Tell me about a deadline you rescued.", type=QuestionType.BEHAVIOURAL
                )
            ],
        )
        pairs.append((owner, session.id, question.id))
    return pairs


def _evaluate_at_once(
    wb: Workbench, pairs: list[tuple[Actor, str, str]]
) -> tuple[float, list[float]]:
    """Every user submits at the same moment; the batch's wall time and each user's."""
    barrier = threading.Barrier(len(pairs) + 1)
    waits: list[float] = [0.0] * len(pairs)
    problems: list[str] = []

    def user(index: int, actor: Actor, session_id: str, question_id: str) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            _, evaluation = wb.practice.answer_and_evaluate(actor, session_id, question_id, ANSWER)
            if evaluation.attribution and evaluation.attribution.fallback:
                problems.append(f"user {index} fell back: {evaluation.attribution.notice}")
        except Exception as error:  # reported below, not lost in a thread
            problems.append(f"user {index}: {error!r}")
        waits[index] = time.perf_counter() - started

    threads = [
        threading.Thread(target=user, args=(i, a, s, q), name=f"user-{i}")
        for i, (a, s, q) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    if problems:
        raise RuntimeError("; ".join(problems))
    return total, waits


def bench_concurrent_evaluations(users: int = USERS, rounds: int = 3) -> list[Ratio]:
    with tempfile.TemporaryDirectory() as folder, model_server(LATENCY_SECONDS) as url:
        settings = CoachSettings(
            store=StoreSettings(path=Path(folder) / "bench.duckdb"),
            openai_base_url=url,
            openai_max_retries=0,
        )
        wb = build_workbench(settings)
        try:
            pairs = _sessions(wb, users * (rounds + 1))
            # One user alone first (warms the client's connections too), then rounds of
            # twenty at once, each on fresh sessions; the median round is reported.
            alone = []
            for actor, session_id, question_id in pairs[:users][:3]:
                started = time.perf_counter()
                wb.practice.answer_and_evaluate(actor, session_id, question_id, ANSWER)
                alone.append(time.perf_counter() - started)
            outcomes = [
                _evaluate_at_once(wb, pairs[users * (r + 1) : users * (r + 2)])
                for r in range(rounds)
            ]
        finally:
            wb.close()
    outcomes.sort(key=lambda outcome: outcome[0])
    total, waits = outcomes[len(outcomes) // 2]
    p95 = percentile(waits, 0.95)
    alone_s = statistics.median(alone)
    figures = (
        f"model {LATENCY_SECONDS * 1000:.0f} ms, one user alone {alone_s * 1000:.0f} ms, "
        f"rounds' totals {', '.join(f'{t * 1000:.0f}' for t, _ in outcomes)} ms"
    )
    return [
        Ratio(
            name=f"{users} evaluations at once: total / model latency",
            ratio=total / LATENCY_SECONDS,
            target_ratio=TOTAL_TARGET,
            measured=f"total {total * 1000:.0f} ms; {figures}",
        ),
        Ratio(
            name=f"{users} evaluations at once: p95 per user / model latency",
            ratio=p95 / LATENCY_SECONDS,
            target_ratio=P95_TARGET,
            measured=f"p95 {p95 * 1000:.0f} ms, median {statistics.median(waits) * 1000:.0f} ms",
        ),
    ]


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for result in bench_concurrent_evaluations():
        sys.stdout.write(result.line() + "\n")
