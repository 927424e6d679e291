"""The rules a model's structured answer must pass before anyone sees it.

A schema only says an answer has the right shape. A small model fills that shape with
nonsense that still validates: an overall of 10 beside a relevance of 1, strengths
that read ``["2019", "comment"]``, an example answer with a result the candidate never
had. Each rule here returns the answer repaired (or trimmed) and a short label per
repair, in words for the candidate; ``CheckedProvider`` applies them and the labels are
stored with the result. Pure functions, so each rule is tested alone.
"""

from __future__ import annotations

import re
from statistics import fmean

from coach.domain import EvaluationDraft, QuestionDraft
from coach.text import content_stems, tokens, words

__all__ = [
    "OVERALL_TOLERANCE",
    "check_evaluation",
    "check_example_text",
    "distinct_questions",
    "invented_figures",
]

OVERALL_TOLERANCE = 1.5
"""How far an overall may sit from the mean of its dimensions before it contradicts
them (a weighted rubric moves it by well under this)."""

_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{3,})[\"“”«»]|(?<!\w)'([^']{3,})'(?!\w)")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MIN_POINT_WORDS = 3
_SIMILAR = 0.8


def _normal(text: str) -> str:
    """Words and numbers only, lower case: a quote matches whatever its punctuation."""
    return " ".join(token.text for token in tokens(text) if token.is_word)


def check_evaluation(
    draft: EvaluationDraft, *, answer: str, resume: str
) -> tuple[EvaluationDraft, list[str]]:
    """The evaluation with its overall, points and example answer made consistent."""
    repairs: list[str] = []
    update: dict[str, object] = {}
    scores = [d.score for d in draft.dimensions]
    if scores:
        mean = round(fmean(scores), 1)
        overall = draft.overall
        outside = overall > max(scores) + 0.5 or overall < min(scores) - 0.5
        if outside or abs(overall - mean) > OVERALL_TOLERANCE:
            update["overall"] = mean
            update["headline"] = _headline_without(draft.headline, overall, mean)
            repairs.append(
                f"The model's overall {overall:.1f} contradicted its dimension scores "
                f"({min(scores)}-{max(scores)}); the overall shown is their mean, {mean:.1f}."
            )
    for field, noun in (("strengths", "strength"), ("improvements", "improvement")):
        points: list[str] = getattr(draft, field)
        kept = [p for p in points if _holds_up(p, answer)]
        if len(kept) < len(points):
            dropped = len(points) - len(kept)
            update[field] = kept
            repairs.append(
                f"{dropped} {noun}{'s' if dropped > 1 else ''} dropped: not a sentence, "
                "or quoting words that are not in your answer."
            )
    invented = invented_figures(draft.example_answer, answer, resume)
    if invented:
        update["example_answer"] = ""
        repairs.append(
            "The example answer was removed: it used figures that are in neither your "
            f"resume nor your answer ({', '.join(invented[:4])})."
        )
    return (draft.model_copy(update=update) if update else draft), repairs


def check_example_text(text: str, *, answer: str, resume: str) -> list[str]:
    """Labels for a streamed example answer (it is already on screen: label, not cut)."""
    invented = invented_figures(text, answer, resume)
    if not invented:
        return []
    return [
        "This example uses figures that are in neither your resume nor your answer "
        f"({', '.join(invented[:4])}); replace them with your own."
    ]


def invented_figures(text: str, *sources: str) -> list[str]:
    """Figures in ``text`` that appear in none of ``sources`` (commas ignored)."""
    known = {_figure(f) for source in sources for f in _FIGURE.findall(source)}
    invented: list[str] = []
    for figure in _FIGURE.findall(text):
        if _figure(figure) not in known and figure not in invented:
            invented.append(figure.rstrip(",."))
    return invented


def _figure(text: str) -> str:
    return text.replace(",", "").rstrip(".")


def _holds_up(point: str, answer: str) -> bool:
    """A point is a few words long, and whatever it quotes is in the answer."""
    if len(words(point)) < _MIN_POINT_WORDS:
        return False
    said = _normal(answer)
    for match in _QUOTED.finditer(point):
        quote = _normal(match.group(1) or match.group(2) or "")
        if quote and quote not in said:
            return False
    return True


def _headline_without(headline: str, old: float, new: float) -> str:
    """The headline, unless it states the overall we just replaced."""
    for text in {f"{old:.1f}", f"{old:g}"}:
        if re.search(rf"(?<![\d.]){re.escape(text)}\s*(?:/|out of)\s*10", headline):
            return f"Overall {new:.1f}/10."
    return headline


def distinct_questions(
    questions: list[QuestionDraft], existing: list[str]
) -> tuple[list[QuestionDraft], int]:
    """The questions without near-repeats of each other or of ``existing``; and how many
    went (two questions with 80% of their words in common ask the same thing)."""
    seen = [_word_set(text) for text in existing]
    kept: list[QuestionDraft] = []
    for question in questions:
        words = _word_set(question.text)
        if any(_similar(words, other) for other in seen):
            continue
        seen.append(words)
        kept.append(question)
    return kept, len(questions) - len(kept)


def _word_set(text: str) -> frozenset[str]:
    """The stems that carry a question's meaning ("a" and "the" do not)."""
    return content_stems(text)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= _SIMILAR
