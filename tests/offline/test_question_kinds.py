"""The rubric knows what a question asks for, from its wording."""

from __future__ import annotations

import pytest

from coach.domain import QuestionType
from coach.offline.question_kinds import AnswerKind, detect_kind, question_type_for


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Tell me about a time you disagreed with your manager.", AnswerKind.STORY),
        ("Give me an example of a project you led.", AnswerKind.STORY),
        ("Tell me about yourself.", AnswerKind.PITCH),
        ("Why should we hire you?", AnswerKind.PITCH),
        ("Now why do you think we should hire you?", AnswerKind.PITCH),
        ("What is your greatest weakness?", AnswerKind.PITCH),
        ("Why do you want to work here?", AnswerKind.PITCH),
        ("Okay. And why do you think you should get the job?", AnswerKind.PITCH),
        ("Why do you think you should get into medical school?", AnswerKind.PITCH),
        ("So why do you think we should give you this job?", AnswerKind.PITCH),
        ("Tell me a little more about your life.", AnswerKind.PITCH),
        ("What do you think makes a good manager?", AnswerKind.OPINION),
        ("How do you handle stress?", AnswerKind.OPINION),
        ("Is remote work better than working in an office?", AnswerKind.OPINION),
        ("What would you do if a teammate missed a deadline?", AnswerKind.PLAN),
        ("How would you design a rate limiter for an API?", AnswerKind.KNOWLEDGE),
        ("Explain the difference between a process and a thread.", AnswerKind.KNOWLEDGE),
    ],
)
def test_the_kind_comes_from_the_wording(question: str, kind: AnswerKind) -> None:
    assert detect_kind(question, QuestionType.BEHAVIOURAL) is kind


def test_wording_that_says_nothing_falls_back_to_the_declared_type() -> None:
    assert detect_kind("Pipelines.", QuestionType.TECHNICAL) is AnswerKind.KNOWLEDGE
    assert detect_kind("Pipelines.", QuestionType.SITUATIONAL) is AnswerKind.PLAN


def test_only_a_story_is_scored_for_star() -> None:
    assert [k for k in AnswerKind if k.wants_story] == [AnswerKind.STORY]


def test_a_custom_question_is_typed_from_its_wording_not_as_behavioural() -> None:
    assert question_type_for("Tell me about yourself.") is QuestionType.ROLE_SPECIFIC
    assert question_type_for("How would you design a cache?") is QuestionType.TECHNICAL
    assert question_type_for("What would you do if the build broke?") is QuestionType.SITUATIONAL
    assert question_type_for("Tell me about a time you failed.") is QuestionType.BEHAVIOURAL
