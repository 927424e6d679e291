"""Judging a variant's feedback: how good is what the candidate would read?

Every output of an experiment is an evaluation of one answer (a score per rubric
dimension, strengths, improvements, an example answer). The judge rates that feedback
0-10 on five dimensions and averages them into ``quality``:

- calibration: how close the overall score is to the item's reference score (only for
  items that have one: a human's rating is the best evidence there is);
- specificity: strengths and improvements that point at the candidate's own words;
- actionability: improvements a candidate can act on, phrased as something to do;
- completeness: a headline, a strength, an improvement, every rubric dimension, an
  example answer;
- concision: enough to be useful, short enough to be read.

The offline judge is rules (microseconds an output, so judging never slows a run); a
judge persona asks a model the same questions through the team (``PersonaJudge``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from coach.domain import EvaluationDraft, FeedbackJudgement, QuestionDraft
from coach.experiments.datasets import question_type
from coach.offline.judging import rate_feedback
from coach.personas import PersonaRole
from coach.tasks import JudgeFeedback

if TYPE_CHECKING:  # the offline coach uses the rules without the experiment machinery
    from coach.agents.team import AgentTeam
    from coach.experiments.datasets import DatasetItem

__all__ = [
    "Judge",
    "Judgement",
    "OfflineJudge",
    "PersonaJudge",
    "judge_feedback",
]


class Judgement(BaseModel):
    """The judge's 0-10 ratings of one output, and their mean."""

    model_config = ConfigDict(frozen=True)

    quality: float
    dimensions: dict[str, float]


class Judge(Protocol):
    """Rates an output; ``name`` is stored with every result (the cache respects it)."""

    name: str

    async def judge(self, item: DatasetItem, output: EvaluationDraft) -> Judgement: ...


class OfflineJudge:
    """The rules above, no model: instant, deterministic, always available."""

    name = "offline"

    async def judge(self, item: DatasetItem, output: EvaluationDraft) -> Judgement:
        return judge_feedback(item, output)


class PersonaJudge:
    """A judge persona (any feedback coach) asked through its own one-seat team, so
    its calls are traced and limited like every other; the offline coach answers
    with the rules when there is no model."""

    def __init__(self, team: AgentTeam, fingerprint: str) -> None:
        persona = team.agent(PersonaRole.FEEDBACK).persona
        self.name = f"persona:{persona.name}:{fingerprint[:12]}"
        self._team = team

    async def judge(self, item: DatasetItem, output: EvaluationDraft) -> Judgement:
        task = JudgeFeedback(
            question=QuestionDraft(text=item.question, type=question_type(item.question)),
            answer=item.answer,
            feedback=output.model_copy(update={"attribution": None}),
            reference_score=item.reference_score,
        )
        judgement = await self._team.delegate(task)
        if not isinstance(judgement, FeedbackJudgement):
            raise TypeError(f"expected FeedbackJudgement, got {type(judgement).__name__}")
        return _from_judgement(judgement)


def judge_feedback(item: DatasetItem, output: EvaluationDraft) -> Judgement:
    """Rate ``output`` (feedback on ``item``'s answer) with the offline rules."""
    return _from_judgement(rate_feedback(item.answer, item.reference_score, output))


def _from_judgement(judgement: FeedbackJudgement) -> Judgement:
    rated = {name: round(value, 3) for name, value in judgement.dimensions().items()}
    return Judgement(quality=round(sum(rated.values()) / len(rated), 3), dimensions=rated)
