"""One candidate's practice through the real services, and, run as a program, one app
process (a replica) serving a range of candidates at once:

    python -m tests.services.replica_candidate FIRST LAST

prints {"sessions": {user: session id}, "failures": [...]} as its last line. The store
comes from the environment (COACH_STORE__URL, COACH_STORE__PATH).
"""

from __future__ import annotations

import json
import sys

from coach.domain import DocumentKind
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.store.conftest import at_once

QUESTIONS = 3


def candidate_actor(user: int) -> Actor:
    """Every candidate is a different person, signed in at the same provider."""
    return Actor(
        issuer="http://127.0.0.1:9400", subject=f"user-{user}", email=f"{user}@example.org"
    )


def practise(workbench: Workbench, user: int) -> str:
    """Starts a session and answers every question (stored, then scored); its id."""
    practice = workbench.practice
    me = candidate_actor(user)
    resume = practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = practice.start_session(me, resume, job, name=f"user {user}", question_count=QUESTIONS)
    for number, progress in enumerate(practice.view(me, session.id).questions):
        practice.answer_and_evaluate(
            me, session.id, progress.question.id, f"user {user} answer {number}: I led it."
        )
    return session.id


def serve(workbench: Workbench, users: range) -> tuple[dict[str, str], list[BaseException]]:
    """Every user of ``users`` practising at the same moment, on one workbench."""
    sessions: dict[str, str] = {}

    def candidate(user: int) -> None:
        sessions[str(user)] = practise(workbench, user)

    failures = at_once([lambda user=user: candidate(user) for user in users], timeout=240)
    return sessions, failures


if __name__ == "__main__":
    first, last = int(sys.argv[1]), int(sys.argv[2])
    workbench = build_workbench(CoachSettings())
    try:
        sessions, failures = serve(workbench, range(first, last))
    finally:
        workbench.close()
    print(json.dumps({"sessions": sessions, "failures": [repr(f) for f in failures]}))
