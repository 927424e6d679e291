"""Issue 16's labelled answers land in their bands, at both coaching levels."""

from __future__ import annotations

import pytest

from coach.domain import CoachingLevel, EvaluationDraft, QuestionDraft
from coach.offline.profiles import JobProfile, ResumeProfile
from coach.offline.scoring import score_answer
from coach.tasks import EvaluateAnswer
from tests.offline.answer_set import (
    ANSWER_SET,
    FIT_PITCH,
    LEADERSHIP_PARAPHRASE,
    NON_ANSWER,
    OFF_TOPIC_REHEARSED,
    OPINION_DIRECT,
    PITCH,
    RAMBLE_WITH_ADMISSION,
    STRONG_WITH_RESULT,
    Labelled,
)

RESULT_ADVICE = ("add the result", "put a number on", "end with a measurable result")


def _score(item: Labelled, level: CoachingLevel) -> EvaluationDraft:
    task = EvaluateAnswer(
        question=QuestionDraft(text=item.question, type=item.qtype),
        answer=item.answer,
        coaching_level=level,
    )
    return score_answer(task, ResumeProfile(), JobProfile())


@pytest.mark.parametrize("item", ANSWER_SET, ids=lambda item: item.name)
@pytest.mark.parametrize("level", list(CoachingLevel))
def test_each_labelled_answer_scores_in_its_band(item: Labelled, level: CoachingLevel) -> None:
    low, high = item.help_band if level is CoachingLevel.HELP else item.strict_band

    evaluation = _score(item, level)

    assert low <= evaluation.overall <= high, (evaluation.overall, evaluation.headline)


@pytest.mark.parametrize("item", ANSWER_SET, ids=lambda item: item.name)
def test_strict_is_below_help_on_every_labelled_answer(item: Labelled) -> None:
    strict = _score(item, CoachingLevel.STRICT)
    helpful = _score(item, CoachingLevel.HELP)

    if helpful.non_answer:
        assert strict.overall <= helpful.overall <= 3
    else:
        assert strict.overall < helpful.overall
    for s, h in zip(strict.dimensions, helpful.dimensions, strict=True):
        assert s.score <= h.score, s.dimension


def test_a_stated_result_is_credited_and_never_asked_for() -> None:
    evaluation = _score(STRONG_WITH_RESULT, CoachingLevel.HELP)
    impact = next(d for d in evaluation.dimensions if d.dimension.value == "impact")

    assert impact.score >= 7, impact.comment
    text = " ".join([evaluation.headline, *evaluation.improvements]).lower()
    assert not any(advice in text for advice in RESULT_ADVICE), text


def test_a_rehearsed_story_told_to_the_wrong_question_is_called_out() -> None:
    evaluation = _score(OFF_TOPIC_REHEARSED, CoachingLevel.HELP)
    relevance = next(d for d in evaluation.dimensions if d.dimension.value == "relevance")

    assert evaluation.overall <= 5
    assert relevance.score <= 3
    assert "disagreed with your manager" in evaluation.headline
    assert any("different question" in i for i in evaluation.improvements)


@pytest.mark.parametrize("item", [OPINION_DIRECT, PITCH], ids=["opinion", "pitch"])
def test_pitches_and_opinions_are_not_asked_for_star_or_a_number(item: Labelled) -> None:
    evaluation = _score(item, CoachingLevel.HELP)

    text = " ".join([evaluation.headline, *evaluation.improvements]).lower()
    assert "situation" not in text and "star" not in text.split()
    assert not any(advice in text for advice in RESULT_ADVICE), text


def test_a_ramble_that_admits_it_has_no_answer_has_no_structure() -> None:
    evaluation = _score(RAMBLE_WITH_ADMISSION, CoachingLevel.HELP)
    structure = next(d for d in evaluation.dimensions if d.dimension.value == "structure")

    assert structure.score <= 3
    assert evaluation.overall <= 4.5


def test_a_non_answer_stays_at_three_or_below() -> None:
    for level in CoachingLevel:
        evaluation = _score(NON_ANSWER, level)
        assert evaluation.non_answer and evaluation.overall <= 3


@pytest.mark.parametrize("level", list(CoachingLevel))
def test_a_leadership_story_is_on_topic_without_the_word_leadership(level: CoachingLevel) -> None:
    # "president", "in charge", "recruited a captain", "ran": a leadership story in other
    # words; the prompt's "demonstrated" names no topic of its own.
    evaluation = _score(LEADERSHIP_PARAPHRASE, level)
    relevance = next(d for d in evaluation.dimensions if d.dimension.value == "relevance")

    assert relevance.score >= 7, relevance.comment
    assert "something other" not in relevance.comment
    assert not any("different question" in i for i in evaluation.improvements)


@pytest.mark.parametrize("item", [PITCH, FIT_PITCH], ids=["yourself", "hire"])
@pytest.mark.parametrize("level", list(CoachingLevel))
def test_a_pitch_answers_its_question_without_sharing_its_words(
    item: Labelled, level: CoachingLevel
) -> None:
    # "Tell me about yourself" and "Why should we hire you?" name no topic: who the
    # candidate is now, what led here and where next, or reasons and claims, answer them.
    evaluation = _score(item, level)
    relevance = next(d for d in evaluation.dimensions if d.dimension.value == "relevance")

    assert relevance.score >= 9, relevance.comment
    assert relevance.comment.startswith("Answers what was asked")
    assert not any(i.startswith("Open with who you are now") for i in evaluation.improvements)
