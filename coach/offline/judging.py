"""The offline judge's rules: how useful is a piece of feedback to the candidate?

Rules, not a model: microseconds an output, so the offline coach can rate its own
feedback and an experiment's judge never slows a run. They rate an evaluation 0-10 on
calibration (against a reference score, when there is one), specificity, actionability,
completeness and concision. ``coach.experiments.judging`` wraps them as a ``Judge``.
"""

from __future__ import annotations

import re

from coach.domain import EvaluationDraft, FeedbackJudgement, RubricDimension
from coach.text import PROMPT_WORDS, STOPWORDS, words

__all__ = ["rate_feedback"]

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
