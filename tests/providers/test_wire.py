"""What a model may send back, and the domain objects the workbench keeps from it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from coach.domain import (
    ChatSummaryDraft,
    CoachingLevel,
    DimensionScore,
    EvaluationDraft,
    FollowUp,
    QuestionDraft,
    QuestionSet,
    QuestionSource,
    QuestionType,
    RubricDimension,
    SummaryDraft,
)
from coach.providers.wire import json_schema_for, json_schema_for_task, wire_model_for
from coach.tasks import (
    TASK_OUTPUTS,
    TEXT_TASKS,
    AskFollowUp,
    EvaluateAnswer,
    GenerateQuestions,
    SummarizeChat,
    SummarizeSession,
)

QUESTION = QuestionDraft(
    text="Tell me about a migration you led.",
    type=QuestionType.TECHNICAL,
    competency="system design",
)
GENERATE = GenerateQuestions(resume="r", job_description="j", count=2)
EVALUATE = EvaluateAnswer(question=QUESTION, answer="I moved us to Postgres.")


def questions(data: Any, task: GenerateQuestions = GENERATE) -> QuestionSet:
    return wire_model_for("generate_questions").model_validate(data).to_domain(task)


def evaluation(data: Any, task: EvaluateAnswer = EVALUATE) -> EvaluationDraft:
    return wire_model_for("evaluate_answer").model_validate(data).to_domain(task)


def scores(result: EvaluationDraft) -> dict[str, int]:
    return {d.dimension.value: d.score for d in result.dimensions}


# --- questions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Behavioral", QuestionType.BEHAVIOURAL),
        ("BEHAVIOURAL", QuestionType.BEHAVIOURAL),
        ("technical question", QuestionType.TECHNICAL),
        ("Situational", QuestionType.SITUATIONAL),
        ("role-specific", QuestionType.ROLE_SPECIFIC),
        ("Role Specific", QuestionType.ROLE_SPECIFIC),
    ],
)
def test_question_types_are_read_whatever_the_case_or_spelling(
    written: str, expected: QuestionType
) -> None:
    result = questions({"questions": [{"text": "Why us?", "type": written}]})
    assert result.questions[0].type is expected


def test_model_questions_are_marked_as_such_and_unknown_keys_ignored() -> None:
    result = questions(
        {
            "questions": [{"text": " Why us? ", "type": "technical", "difficulty": 3}],
            "note": "hope this helps",
        }
    )
    (question,) = result.questions
    assert question.source is QuestionSource.MODEL
    assert question.text == "Why us?"
    assert question.competency == "general"


def test_a_bare_list_or_plain_strings_are_accepted() -> None:
    result = questions(["Why us?", {"question": "What is your biggest result?"}])
    assert [q.text for q in result.questions] == ["Why us?", "What is your biggest result?"]
    assert all(q.type is QuestionType.BEHAVIOURAL for q in result.questions)


def test_questions_keep_to_the_count_the_types_asked_for_and_skip_repeats() -> None:
    task = GenerateQuestions(
        resume="r",
        job_description="j",
        count=2,
        types=[QuestionType.TECHNICAL],
        existing=["Why us?"],
    )
    result = questions(
        {
            "questions": [
                {"text": "Why us!", "type": "technical"},
                {"text": "How do you shard?", "type": "behavioural"},
                {"text": "How do you test?", "type": "technical"},
                {"text": "How do you deploy?", "type": "technical"},
            ]
        },
        task,
    )
    assert [q.text for q in result.questions] == ["How do you shard?", "How do you test?"]
    assert {q.type for q in result.questions} == {QuestionType.TECHNICAL}


def test_no_usable_question_is_invalid() -> None:
    with pytest.raises(ValidationError):
        questions({"questions": [{"text": ""}, {"type": "technical"}]})
    with pytest.raises(ValueError, match="repeats"):
        questions(
            {"questions": ["Why us?"]},
            GenerateQuestions(resume="r", job_description="j", existing=["why us"]),
        )


# --- evaluations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"), [("7/10", 7), (12, 10), (0, 1), (7.6, 8), ("Score: 4", 4)]
)
def test_scores_are_coerced_and_clamped_to_one_to_ten(written: Any, expected: int) -> None:
    result = evaluation({"dimensions": {d.value: written for d in RubricDimension}})
    assert set(scores(result).values()) == {expected}


def test_a_missing_dimension_gets_the_mean_of_the_others_and_overall_is_recomputed() -> None:
    result = evaluation(
        {
            "dimensions": {
                "Relevance": {"score": 8, "comment": "On point."},
                "STAR structure": 6,
                "impact": {"score": "3", "comment": "No result."},
                "charisma": 10,
            },
            "headline": "Relevant but thin.",
        }
    )
    assert scores(result) == {
        "relevance": 8,
        "structure": 6,
        "specificity": 6,
        "impact": 3,
        "ownership": 6,
        "clarity": 6,
    }
    assert result.dimension(RubricDimension.RELEVANCE).comment == "On point."
    assert result.overall == 5.8
    assert result.headline == "Relevant but thin."


def test_dimensions_may_come_as_a_list_and_the_coaching_level_comes_from_the_task() -> None:
    task = EVALUATE.model_copy(update={"coaching_level": CoachingLevel.STRICT})
    result = evaluation(
        {
            "dimensions": [
                {"dimension": d.value, "score": 5, "comment": f"{d.value} ok"}
                for d in RubricDimension
            ],
            "overall": 11,
            "strengths": "Clear story.",
            "improvements": None,
            "non_answer": "false",
            "coaching_level": "help",
        },
        task,
    )
    assert result.coaching_level is CoachingLevel.STRICT
    assert result.overall == 10
    assert result.strengths == ["Clear story."]
    assert result.improvements == []
    assert result.non_answer is False
    assert len(result.dimensions) == 6


def test_an_overall_alone_scores_every_dimension_with_it() -> None:
    result = evaluation({"overall": 4, "headline": "Too vague."})
    assert set(scores(result).values()) == {4}
    assert result.headline == "Too vague."


def test_an_evaluation_without_any_score_is_invalid() -> None:
    with pytest.raises(ValidationError, match="score each rubric dimension"):
        evaluation({"headline": "Great!"})


# --- summaries, follow-ups, chat summaries ------------------------------------------


def test_a_session_summary_takes_its_words_from_the_model_and_its_figures_from_the_task() -> None:
    def scored(overall: float, score: int) -> EvaluationDraft:
        return EvaluationDraft(
            overall=overall,
            headline="h",
            dimensions=[
                DimensionScore(dimension=d, score=score + (d is RubricDimension.IMPACT))
                for d in RubricDimension
            ],
        )

    task = SummarizeSession(
        questions=[QUESTION, QUESTION, QUESTION], evaluations=[scored(6, 6), scored(8, 8)]
    )
    result = (
        wire_model_for("summarize_session")
        .model_validate(
            {"average_score": 9.9, "highlights": "Strong impact.", "next_steps": ["Practise STAR."]}
        )
        .to_domain(task)
    )
    assert isinstance(result, SummaryDraft)
    assert result.average_score == 7.0
    assert (result.questions_total, result.questions_answered) == (3, 2)
    assert result.dimension_averages[RubricDimension.IMPACT] == 8.0
    assert result.strongest[0] is RubricDimension.IMPACT
    assert RubricDimension.IMPACT not in result.weakest
    assert result.highlights == ["Strong impact."]
    assert result.next_steps == ["Practise STAR."]


def test_a_follow_up_keeps_the_original_questions_type_and_competency() -> None:
    task = AskFollowUp(question=QUESTION, answer="I moved us to Postgres.")
    result = (
        wire_model_for("ask_follow_up")
        .model_validate({"follow_up": "What broke first?", "rationale": "Probes depth."})
        .to_domain(task)
    )
    assert isinstance(result, FollowUp)
    assert result.question.text == "What broke first?"
    assert result.question.type is QuestionType.TECHNICAL
    assert result.question.competency == "system design"
    assert result.question.source is QuestionSource.MODEL


def test_a_follow_up_that_repeats_the_question_is_not_one() -> None:
    task = AskFollowUp(question=QUESTION, answer="I moved us to Postgres.")
    wire = wire_model_for("ask_follow_up").model_validate({"question": QUESTION.text.upper()})
    with pytest.raises(ValueError, match="repeats the original question"):
        wire.to_domain(task)


def test_a_chat_summary_accepts_a_single_string_for_a_list() -> None:
    result = (
        wire_model_for("summarize_chat")
        .model_validate({"takeaways": "Stay positive.", "action_items": ["Write 3 stories."]})
        .to_domain(SummarizeChat(history=[]))
    )
    assert result == ChatSummaryDraft(
        takeaways=["Stay positive."], action_items=["Write 3 stories."]
    )
    with pytest.raises(ValidationError):
        wire_model_for("summarize_chat").model_validate({})


# --- lookup and schemas -------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TASK_OUTPUTS))
def test_every_structured_task_has_a_self_contained_schema(kind: str) -> None:
    schema = json_schema_for(kind)
    assert schema["type"] == "object"
    assert "$ref" not in str(schema) and "$defs" not in schema
    assert schema["required"] == list(schema["properties"])


def test_the_evaluation_schema_asks_for_all_six_dimensions() -> None:
    dimensions = json_schema_for("evaluate_answer")["properties"]["dimensions"]
    assert dimensions["required"] == [d.value for d in RubricDimension]


def test_a_question_schema_allows_only_the_count_and_types_asked_for() -> None:
    task = GenerateQuestions(
        resume="r", job_description="j", count=3, types=[QuestionType.TECHNICAL]
    )
    questions = json_schema_for_task(task)["properties"]["questions"]
    assert questions["maxItems"] == 3
    assert questions["items"]["properties"]["type"]["enum"] == ["technical"]
    assert "maxItems" not in json_schema_for("generate_questions")["properties"]["questions"]


def test_free_text_is_bounded_in_the_schema_but_not_when_reading_a_reply() -> None:
    comment = json_schema_for("evaluate_answer")["properties"]["dimensions"]["properties"]
    assert comment["impact"]["properties"]["comment"]["maxLength"] == 200
    long = "x" * 500
    result = evaluation({"overall": 5, "headline": long, "strengths": [long] * 6})
    assert result.headline == long
    assert len(result.strengths) == 6


def test_the_schema_is_a_copy_callers_cannot_spoil() -> None:
    json_schema_for("ask_follow_up")["properties"].clear()
    assert json_schema_for("ask_follow_up")["properties"]


@pytest.mark.parametrize("kind", sorted(TEXT_TASKS))
def test_text_tasks_have_no_wire_model(kind: str) -> None:
    with pytest.raises(KeyError):
        wire_model_for(kind)
