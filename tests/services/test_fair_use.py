"""Fair use: one person cannot have more model-backed actions in flight than the setting
allows, and their waiting never blocks anyone else."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from coach.domain import DocumentKind
from coach.errors import AnswerSavedNotScored, TooManyInFlight
from coach.providers.offline import OfflineProvider
from coach.services.fair_use import ModelActionLimit
from coach.settings import AuthSettings, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

ANA = Actor(issuer="http://127.0.0.1:9400", subject="ana", email="ana@example.org")
BEN = Actor(issuer="http://127.0.0.1:9400", subject="ben", email="ben@example.org")


class HeldWhileScoring(OfflineProvider):
    """The offline coach, except that scoring waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.scoring = threading.Event()
        self.release = threading.Event()

    async def structured(self, request, output):  # type: ignore[no-untyped-def]
        if request.task.kind == "evaluate_answer":
            self.scoring.set()
            while not self.release.is_set():
                import asyncio

                await asyncio.sleep(0.01)
        return await super().structured(request, output)


def test_the_cap_is_per_person_and_a_slot_frees_when_the_action_ends() -> None:
    limit = ModelActionLimit(per_user=2)
    with limit.hold(ANA), limit.hold(ANA):
        with pytest.raises(TooManyInFlight, match="2 coaching request"), limit.hold(ANA):
            pass
        with limit.hold(BEN):  # someone else is not affected
            assert limit.in_flight(BEN) == 1
        assert limit.in_flight(ANA) == 2
    with pytest.raises(RuntimeError), limit.hold(ANA):
        raise RuntimeError("the model failed")
    assert limit.in_flight(ANA) == 0


def test_a_second_scoring_while_one_runs_is_refused_and_the_answer_is_kept(
    tmp_path: Path,
) -> None:
    provider = HeldWhileScoring()
    settings = CoachSettings(
        store=StoreSettings(path=tmp_path / "fair.duckdb"),
        auth=AuthSettings(max_model_actions_per_user=1),
    )
    wb = build_workbench(settings, provider=provider)
    try:
        practice = wb.practice
        resume = practice.read_pasted(RESUME, DocumentKind.RESUME)
        job = practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
        ana = practice.start_session(ANA, resume, job, question_count=2)
        ben = practice.start_session(BEN, resume, job, question_count=1)
        first, second = (p.question for p in practice.view(ANA, ana.id).questions)

        running = threading.Thread(
            target=practice.answer_and_evaluate, args=(ANA, ana.id, first.id, STRONG_ANSWER)
        )
        running.start()
        assert provider.scoring.wait(30)

        with pytest.raises(AnswerSavedNotScored, match="coaching request"):
            practice.answer_and_evaluate(ANA, ana.id, second.id, "My second answer.")
        # Ben's scoring does not wait for Ana's slot.
        provider.release.set()
        (ben_question,) = (p.question for p in practice.view(BEN, ben.id).questions)
        _, evaluation = practice.answer_and_evaluate(BEN, ben.id, ben_question.id, STRONG_ANSWER)
        running.join(30)

        assert evaluation.overall > 0
        view = practice.view(ANA, ana.id)
        assert [a.answer.text for p in view.questions for a in p.attempts] == [
            STRONG_ANSWER.strip(),
            "My second answer.",
        ]
        assert view.questions[1].attempts[0].evaluation is None  # stored, not scored
    finally:
        wb.close()
