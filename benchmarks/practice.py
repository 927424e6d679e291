"""The practice flow's speed targets (issue 3).

- question generation for a 3-page resume and a 2-page job description: < 100 ms
- scoring one answer: < 20 ms
- the Practice page's rerun with 1,000 sessions in the store: < 150 ms
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.core import Result, measure
from benchmarks.documents import long_job_description, long_resume
from coach.domain import (
    DimensionScore,
    DocumentKind,
    EvaluationDraft,
    ExtractedDocument,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.offline.coach import OfflineCoach
from coach.settings import PROJECT_ROOT, StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.tasks import EvaluateAnswer, GenerateQuestions
from coach.users import Actor

LOCAL_USER = Actor.local()

ANSWER = (
    "At Acme Analytics our nightly ETL took nine hours and regularly missed the 7am "
    "deadline for the finance dashboards. I owned the pipeline, so my task was to bring it "
    "under five hours without adding hardware. I profiled the Spark jobs, found that two "
    "joins shuffled the whole orders table, and rewrote them as broadcast joins. "
) * 4  # about 300 words


def bench_question_generation() -> Result:
    task = GenerateQuestions(
        resume=long_resume(pages=3), job_description=long_job_description(pages=2), count=5
    )
    # A fresh coach each time: profiles are extracted from scratch, as for a new session.
    return measure(
        "question generation, 3-page resume + 2-page JD (cold)",
        100,
        lambda: OfflineCoach().generate_questions(task),
    )


def bench_scoring() -> list[Result]:
    task = EvaluateAnswer(
        question=QuestionDraft(
            text="Tell me about a time you improved the performance of a system.",
            type=QuestionType.BEHAVIOURAL,
        ),
        answer=ANSWER,
        resume=long_resume(pages=3),
        job_description=long_job_description(pages=2),
    )
    coach = OfflineCoach()  # warm, as in a session: profiles are cached per document
    return [
        measure(
            "scoring one ~300-word answer (warm session)",
            20,
            lambda: coach.evaluate(task),
            runs=50,
        ),
        # Issue 13's "on a quiet machine": CPU time is what the wall clock would show
        # with no other process competing for the two cores.
        measure(
            "scoring one ~300-word answer, CPU time (quiet machine)",
            20,
            lambda: coach.evaluate(task),
            runs=200,
            clock=time.process_time,
        ),
    ]


def _seed(path: Path, sessions: int) -> str:
    evaluation = EvaluationDraft(
        overall=6.5,
        headline="Solid story.",
        dimensions=[DimensionScore(dimension=d, score=6) for d in RubricDimension],
        strengths=['You quantified it: "40%".'],
        improvements=["Say what you did."],
        example_answer="Situation: ...",
    )
    resume = ExtractedDocument(
        kind=DocumentKind.RESUME,
        filename="resume.pdf",
        media_type="application/pdf",
        text=long_resume(pages=3),
        pages=3,
    )
    job = ExtractedDocument(
        kind=DocumentKind.JOB_DESCRIPTION,
        filename="job.txt",
        media_type="text/plain",
        text=long_job_description(pages=2),
    )
    drafts = [
        QuestionDraft(text=f"Question {i}: tell me about X{i}.", type=QuestionType.BEHAVIOURAL)
        for i in range(5)
    ]
    last = ""
    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        for number in range(sessions):
            session = store.create_session(LOCAL_USER, f"Benchmark session {number}")
            store.add_document(LOCAL_USER, session.id, resume)
            store.add_document(LOCAL_USER, session.id, job)
            for question in store.add_questions(LOCAL_USER, session.id, drafts):
                answer = store.add_answer(LOCAL_USER, session.id, question.id, ANSWER)
                store.add_evaluation(LOCAL_USER, answer.id, evaluation)
            last = session.id
    return last


def bench_practice_page_rerun(sessions: int = 1_000) -> Result:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        session_id = _seed(path, sessions)
        os.environ["COACH_STORE__PATH"] = str(path)
        os.environ.setdefault("COACH_LOG_LEVEL", "WARNING")  # keep the table readable
        at = AppTest.from_file(str(PROJECT_ROOT / "workbench.py"), default_timeout=60)
        at.query_params["session"] = session_id
        at.run()
        if at.exception:
            raise RuntimeError(f"the practice page failed: {at.exception}")
        return measure(
            f"Practice page rerun, {sessions:,} sessions in the store", 150, at.run, runs=20
        )
