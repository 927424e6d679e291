"""The jobs an agent can hand to a model, as typed requests.

A provider receives one of these rather than a bare prompt: the OpenAI provider
renders it into messages, the offline coach answers it with rules. Either way the
same task type maps to the same result type (see ``TASK_OUTPUTS``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import (
    ChatSummaryDraft,
    ChatTurn,
    CoachingLevel,
    EvaluationDraft,
    FeedbackJudgement,
    FollowUp,
    QuestionDraft,
    QuestionSet,
    QuestionType,
    SummaryDraft,
)


class _Task(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    coaching_level: CoachingLevel = CoachingLevel.HELP


class GenerateQuestions(_Task):
    """Ask for ``count`` new questions tailored to the resume and job description."""

    kind: Literal["generate_questions"] = "generate_questions"
    resume: str
    job_description: str
    count: int = Field(default=5, ge=1, le=20)
    hint: str = Field(default="", description="Optional focus from the candidate.")
    types: list[QuestionType] = Field(
        default_factory=list, description="Only these types; empty means a balanced mix."
    )
    existing: list[str] = Field(
        default_factory=list, description="Questions already in the session, not to repeat."
    )


class EvaluateAnswer(_Task):
    """Score one answer to one question, with strengths, improvements and an example."""

    kind: Literal["evaluate_answer"] = "evaluate_answer"
    question: QuestionDraft
    answer: str
    resume: str = ""
    job_description: str = ""


class SummarizeSession(_Task):
    """Sum up a session: averages, strongest and weakest dimensions, next steps."""

    kind: Literal["summarize_session"] = "summarize_session"
    questions: list[QuestionDraft]
    evaluations: list[EvaluationDraft]


class AskFollowUp(_Task):
    """After an answer, ask one probing follow-up, as a real interviewer would."""

    kind: Literal["ask_follow_up"] = "ask_follow_up"
    question: QuestionDraft
    answer: str
    resume: str = ""
    job_description: str = ""


class WriteExampleAnswer(_Task):
    """A model answer in STAR form from the candidate's resume; streamed as text."""

    kind: Literal["write_example_answer"] = "write_example_answer"
    question: QuestionDraft
    answer: str = Field(default="", description="The candidate's attempt, if any.")
    resume: str = ""
    job_description: str = ""


class ChatReply(_Task):
    """Reply to the last user message of a general coaching conversation; streamed."""

    kind: Literal["chat_reply"] = "chat_reply"
    history: list[ChatTurn] = Field(description="The conversation so far, oldest first.")
    resume: str = ""
    job_description: str = ""


class SummarizeChat(_Task):
    """Boil a conversation down to takeaways and action items."""

    kind: Literal["summarize_chat"] = "summarize_chat"
    history: list[ChatTurn]


class JudgeFeedback(_Task):
    """Rate feedback a coach gave on one answer (a persona experiment's judge)."""

    kind: Literal["judge_feedback"] = "judge_feedback"
    question: QuestionDraft
    answer: str
    feedback: EvaluationDraft
    reference_score: float | None = Field(
        default=None, ge=0, le=10, description="A human's rating of the answer, if known."
    )


CoachTask = Annotated[
    GenerateQuestions
    | EvaluateAnswer
    | SummarizeSession
    | AskFollowUp
    | WriteExampleAnswer
    | ChatReply
    | SummarizeChat
    | JudgeFeedback,
    Field(discriminator="kind"),
]

# The structured result of each task kind; text tasks (streamed) are absent.
TASK_OUTPUTS: dict[str, type[BaseModel]] = {
    "generate_questions": QuestionSet,
    "evaluate_answer": EvaluationDraft,
    "summarize_session": SummaryDraft,
    "ask_follow_up": FollowUp,
    "summarize_chat": ChatSummaryDraft,
    "judge_feedback": FeedbackJudgement,
}
TEXT_TASKS = frozenset({"write_example_answer", "chat_reply"})
