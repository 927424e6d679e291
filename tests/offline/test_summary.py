"""Session summary: averages, the weakest dimensions, and next steps that name them."""

from __future__ import annotations

from coach.domain import (
    CoachingLevel,
    DimensionScore,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.offline.profiles import JobProfile, ResumeProfile
from coach.offline.scoring import score_answer
from coach.offline.summary import summarize
from coach.tasks import EvaluateAnswer, SummarizeSession

D = RubricDimension


def _evaluation(
    overall: float,
    scores: dict[RubricDimension, int],
    *,
    headline: str = "An answer.",
    non_answer: bool = False,
) -> EvaluationDraft:
    return EvaluationDraft(
        overall=overall,
        headline=headline,
        dimensions=[DimensionScore(dimension=d, score=scores.get(d, 6)) for d in RubricDimension],
        non_answer=non_answer,
    )


def _questions(count: int) -> list[QuestionDraft]:
    return [
        QuestionDraft(text=f"Question number {i}?", type=QuestionType.BEHAVIOURAL)
        for i in range(count)
    ]


def test_averages_and_counts() -> None:
    evaluations = [
        _evaluation(7.0, {D.IMPACT: 4, D.OWNERSHIP: 5}),
        _evaluation(6.5, {D.IMPACT: 5, D.OWNERSHIP: 4}),
        _evaluation(8.2, {D.IMPACT: 3, D.OWNERSHIP: 6}),
    ]
    summary = summarize(SummarizeSession(questions=_questions(5), evaluations=evaluations))
    assert summary.average_score == 7.2
    assert summary.questions_total == 5
    assert summary.questions_answered == 3
    assert summary.dimension_averages[D.IMPACT] == 4.0
    assert summary.dimension_averages[D.OWNERSHIP] == 5.0
    assert summary.dimension_averages[D.CLARITY] == 6.0
    assert summary.attribution is None


def test_the_weakest_dimensions_are_picked_and_the_next_steps_name_them() -> None:
    evaluations = [
        _evaluation(5.0, {D.IMPACT: 4, D.SPECIFICITY: 5, D.RELEVANCE: 9, D.CLARITY: 8}),
        _evaluation(6.0, {D.IMPACT: 5, D.SPECIFICITY: 4, D.RELEVANCE: 8, D.CLARITY: 9}),
    ]
    summary = summarize(SummarizeSession(questions=_questions(2), evaluations=evaluations))
    assert summary.weakest == [D.SPECIFICITY, D.IMPACT]
    assert summary.strongest == [D.RELEVANCE, D.CLARITY]
    assert 3 <= len(summary.next_steps) <= 5
    assert "Specificity average is 4.5" in summary.next_steps[0]
    assert "Impact average is 4.5" in summary.next_steps[1]
    assert "measurable result" in summary.next_steps[1]


def test_ties_are_broken_by_rubric_order() -> None:
    evaluations = [_evaluation(6.0, {d: 6 for d in RubricDimension})]
    summary = summarize(SummarizeSession(questions=_questions(1), evaluations=evaluations))
    assert summary.weakest == [D.RELEVANCE, D.STRUCTURE]
    assert summary.strongest == [D.SPECIFICITY, D.IMPACT]
    assert not set(summary.weakest) & set(summary.strongest)


def test_highlights_name_the_best_answer_and_the_biggest_gap() -> None:
    evaluations = [
        _evaluation(4.0, {D.IMPACT: 2}, headline="Weak answer: there is no measurable result."),
        _evaluation(8.5, {D.IMPACT: 6}, headline="Strong answer with a clear story arc."),
    ]
    summary = summarize(SummarizeSession(questions=_questions(2), evaluations=evaluations))
    assert "Strong answer with a clear story arc." in summary.highlights[0]
    assert "8.5" in summary.highlights[0]
    gap = next(h for h in summary.highlights if h.startswith("Biggest gap"))
    assert D.IMPACT.label in gap and "4.0" in gap


def test_non_answers_and_skipped_questions_get_their_own_next_steps() -> None:
    evaluations = [
        _evaluation(7.0, {}),
        _evaluation(1.0, {d: 1 for d in RubricDimension}, non_answer=True),
    ]
    summary = summarize(SummarizeSession(questions=_questions(4), evaluations=evaluations))
    assert any("non-answer" in step for step in summary.next_steps)
    assert any("2 questions you skipped" in step for step in summary.next_steps)
    assert any("non-answers" in h for h in summary.highlights)
    assert len(summary.next_steps) <= 5


def test_an_empty_session_has_no_average_but_still_says_what_to_do() -> None:
    summary = summarize(SummarizeSession(questions=_questions(3), evaluations=[]))
    assert summary.average_score is None
    assert summary.questions_total == 3 and summary.questions_answered == 0
    assert summary.dimension_averages == {}
    assert 3 <= len(summary.next_steps) <= 5


def test_a_summary_of_real_scored_answers_points_at_what_they_lacked() -> None:
    question = QuestionDraft(
        text="Tell me about a time you improved a process for your team.",
        type=QuestionType.BEHAVIOURAL,
    )
    answers = [
        "At my last job we had problems with the release process and stuff. We looked at "
        "various things and changed some steps, and we worked on it together as a team for a "
        "while. In the end things were better and everyone was happier with how it went.",
        "In my previous team we had a slow onboarding process for new people. We wrote some "
        "documentation and set up a buddy system, and we asked people for feedback. It took a "
        "while but it worked out well and the new hires seemed to settle in faster than before.",
    ]
    evaluations = [
        score_answer(
            EvaluateAnswer(question=question, answer=a, coaching_level=CoachingLevel.STRICT),
            ResumeProfile(),
            JobProfile(),
        )
        for a in answers
    ]
    summary = summarize(
        SummarizeSession(
            questions=[question, question], evaluations=evaluations, coaching_level="strict"
        )
    )
    assert D.IMPACT in summary.weakest
    assert any("Impact average" in step for step in summary.next_steps)
    assert summary.average_score is not None and summary.average_score < 6
