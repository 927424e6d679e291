"""The offline coach's session summary: averages, patterns and what to practise next.

Why a summary at all: one answer's feedback says what to fix in that answer; the
summary says what keeps going wrong across answers, which is what the candidate
should practise before the real interview. So the next steps are tied to the weakest
rubric dimensions, with the figure that earned them, never generic advice alone.
"""

from __future__ import annotations

import logging
from statistics import fmean

from coach.domain import CoachingLevel, EvaluationDraft, RubricDimension, SummaryDraft
from coach.tasks import SummarizeSession

logger = logging.getLogger(__name__)

__all__ = ["summarize"]

_TOP_N = 2
_MAX_STEPS = 5
_MIN_STEPS = 3

_D = RubricDimension

# One practice step per dimension; {avg} is the candidate's average on it.
_STEPS: dict[RubricDimension, str] = {
    _D.RELEVANCE: (
        "Practise answering the question head-on in your first sentence before telling the "
        "story: your Relevance average is {avg}."
    ),
    _D.STRUCTURE: (
        "Practise the STAR shape (situation, task, action, result) on every story: your "
        "Structure average is {avg}."
    ),
    _D.SPECIFICITY: (
        "Practise naming the concrete details (the system, the tool, the team size, the "
        "date): your Specificity average is {avg}."
    ),
    _D.IMPACT: (
        "Practise adding a measurable result to every story (how much faster, cheaper or "
        "better, and for whom): your Impact average is {avg}."
    ),
    _D.OWNERSHIP: (
        "Practise saying what you did yourself: swap 'we' for 'I' where the decision or the "
        "work was yours; your Ownership average is {avg}."
    ),
    _D.CLARITY: (
        "Practise a tighter delivery: aim for two minutes, short sentences and no fillers; "
        "your Clarity average is {avg}."
    ),
}

_EMPTY_STEPS = [
    "Answer at least one question: the summary needs answers to find your patterns.",
    "Pick the question that feels hardest and answer it first; that is where practice pays.",
    "Use the STAR shape (situation, task, action, result) and end with a measurable result.",
]


def _average(values: list[float]) -> float:
    return round(fmean(values), 1)


def _dimension_averages(evaluations: list[EvaluationDraft]) -> dict[RubricDimension, float]:
    """Average of each dimension over the evaluations that scored it, in rubric order."""
    collected: dict[RubricDimension, list[int]] = {d: [] for d in RubricDimension}
    for evaluation in evaluations:
        for score in evaluation.dimensions:
            collected[score.dimension].append(score.score)
    return {d: _average(scores) for d, scores in collected.items() if scores}


def _ranked(averages: dict[RubricDimension, float], *, best_first: bool) -> list[RubricDimension]:
    """Dimensions by average; ties keep the rubric's own order, so results are stable."""
    order = list(RubricDimension)
    sign = -1 if best_first else 1
    return sorted(averages, key=lambda d: (sign * averages[d], order.index(d)))


def _highlights(
    evaluations: list[EvaluationDraft],
    averages: dict[RubricDimension, float],
    strongest: list[RubricDimension],
    weakest: list[RubricDimension],
) -> list[str]:
    scored = [e for e in evaluations if not e.non_answer] or evaluations
    best = max(scored, key=lambda e: e.overall)
    highlights = [f"Best answer ({best.overall:.1f}/10): {best.headline}"]
    if strongest and weakest and strongest[0] is not weakest[0]:
        top, bottom = strongest[0], weakest[0]
        highlights.append(
            f"Biggest gap: {bottom.label} averages {averages[bottom]:.1f} against "
            f"{top.label} at {averages[top]:.1f}."
        )
    non_answers = sum(e.non_answer for e in evaluations)
    if non_answers:
        highlights.append(
            f"{non_answers} of {len(evaluations)} answers were non-answers and scored as such."
        )
    return highlights


def _next_steps(
    task: SummarizeSession,
    averages: dict[RubricDimension, float],
    weakest: list[RubricDimension],
) -> list[str]:
    evaluations = task.evaluations
    steps = [_STEPS[d].format(avg=f"{averages[d]:.1f}") for d in weakest]
    non_answers = sum(e.non_answer for e in evaluations)
    if non_answers:
        noun = "answer was a non-answer" if non_answers == 1 else "answers were non-answers"
        steps.append(
            f"Redo the {non_answers} {noun}: even when unsure, give the closest real example "
            "you have, then what you would do differently."
        )
    unanswered = len(task.questions) - len(evaluations)
    if unanswered > 0:
        steps.append(
            f"Answer the {unanswered} question{'s' if unanswered > 1 else ''} you skipped: "
            "interviews rarely let you pass."
        )
    lowest = min(evaluations, key=lambda e: e.overall)
    if len(steps) < _MIN_STEPS:
        steps.append(
            f"Re-answer your lowest-scoring answer ({lowest.overall:.1f}/10) using its "
            "example answer as a scaffold, then compare the scores."
        )
    if len(steps) < _MIN_STEPS:
        if task.coaching_level is CoachingLevel.HELP:
            steps.append("When these feel easy, switch to strict coaching for a tougher read.")
        else:
            steps.append("Time yourself: tell each story in under two minutes, out loud.")
    return steps[:_MAX_STEPS]


def summarize(task: SummarizeSession) -> SummaryDraft:
    """Sum up a session from its evaluations (the latest one per question).

    Averages are rounded to one decimal; with no evaluations the average is None and
    the next steps say how to get a useful summary.
    """
    evaluations = task.evaluations
    if not evaluations:
        return SummaryDraft(
            average_score=None,
            questions_total=len(task.questions),
            questions_answered=0,
            next_steps=list(_EMPTY_STEPS),
        )
    averages = _dimension_averages(evaluations)
    weakest = _ranked(averages, best_first=False)[:_TOP_N]
    # With every dimension tied, a dimension must not be both strongest and weakest.
    strongest = [d for d in _ranked(averages, best_first=True) if d not in weakest][:_TOP_N]
    summary = SummaryDraft(
        average_score=_average([e.overall for e in evaluations]),
        questions_total=len(task.questions),
        questions_answered=len(evaluations),
        dimension_averages=averages,
        strongest=strongest,
        weakest=weakest,
        highlights=_highlights(evaluations, averages, strongest, weakest),
        next_steps=_next_steps(task, averages, weakest),
    )
    logger.debug(
        "summarized session",
        extra={"coach.answered": len(evaluations), "coach.average": summary.average_score},
    )
    return summary
