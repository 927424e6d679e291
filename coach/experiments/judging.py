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

import re
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from coach.domain import EvaluationDraft, FeedbackJudgement, QuestionDraft, RubricDimension
from coach.experiments.datasets import question_type
from coach.personas import PersonaRole
from coach.tasks import JudgeFeedback
from coach.text import PROMPT_WORDS, STOPWORDS, words

if TYPE_CHECKING:  # the offline coach uses the rules without the experiment machinery
    from coach.agents.team import AgentTeam
    from coach.experiments.datasets import DatasetItem

__all__ = [
    "Judge",
    "Judgement",
    "OfflineJudge",
    "PersonaJudge",
    "judge_feedback",
    "rate_feedback",
]

_QUOTE = re.compile(r"[\"“‘'][^\"”’']{6,}[\"”’']")
_ACTION = re.compile(
    r"^\s*(add|cut|name|say|state|explain|describe|quantify|lead|open|close|end|start|try|"
    r"mention|give|use|show|include|replace|drop|focus|spell|tie|link|structure|walk|"
    r"finish|put|make|keep|avoid|practise|practice|prepare|clarify|own|measure)\b",
    re.IGNORECASE,
)
_ACTION_ANYWHERE = re.compile(
    r"\b(next time|instead|for example|e\.g\.|such as|by (adding|naming|stating|saying))\b",
    re.IGNORECASE,
)
_FEEDBACK_WORDS = (30, 350)  # fewer reads as a shrug, more is rarely read


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


def rate_feedback(
    answer: str, reference_score: float | None, output: EvaluationDraft
) -> FeedbackJudgement:
    """The offline rules' ratings of ``output`` (feedback on ``answer``)."""
    points = [*output.strengths, *output.improvements]
    answer_words = _content_words(answer)
    dimensions: dict[str, float] = {}
    if reference_score is not None:
        dimensions["calibration"] = _clip(10 - 2 * abs(output.overall - reference_score))
    dimensions["specificity"] = (
        10 * sum(_points_at(point, answer_words) for point in points) / len(points)
        if points
        else 0.0
    )
    dimensions["actionability"] = _actionability(output)
    dimensions["completeness"] = 2.0 * sum(
        (
            bool(output.headline.strip()),
            bool(output.strengths),
            bool(output.improvements) or output.overall >= 9,
            {d.dimension for d in output.dimensions} >= set(RubricDimension),
            bool(output.example_answer.strip()),
        )
    )
    dimensions["concision"] = _concision(len(" ".join([output.headline, *points]).split()))
    return FeedbackJudgement(
        calibration=dimensions.get("calibration"),
        specificity=dimensions["specificity"],
        actionability=dimensions["actionability"],
        completeness=dimensions["completeness"],
        concision=dimensions["concision"],
        rationale="Rated by the offline rules.",
    )


def _content_words(text: str) -> frozenset[str]:
    """Words of four letters or more that name something: the judge's own rule, stricter
    than the scorer's stems (which would blur the help/strict difference), over the
    coach's one stopword list."""
    return frozenset(
        w for w in words(text) if len(w) >= 4 and w not in STOPWORDS and w not in PROMPT_WORDS
    )


def _points_at(point: str, answer_words: frozenset[str]) -> bool:
    """A point is specific when it quotes the answer or shares two content words with it."""
    if _QUOTE.search(point):
        return True
    return len(_content_words(point) & answer_words) >= 2


def _actionability(output: EvaluationDraft) -> float:
    if not output.improvements:
        return 10.0 if output.overall >= 9 else 0.0
    actionable = sum(
        bool(_ACTION.search(point) or _ACTION_ANYWHERE.search(point))
        for point in output.improvements
    )
    return 10 * actionable / len(output.improvements)


def _concision(words: int) -> float:
    low, high = _FEEDBACK_WORDS
    if words < low:
        return 10 * words / low
    if words > high:
        return 10 * high / words
    return 10.0


def _clip(value: float) -> float:
    return max(0.0, min(10.0, value))
