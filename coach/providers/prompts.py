"""Typed tasks rendered into Chat Completions messages.

Small models read these, so each prompt states the job in its first line, gives the
material in labelled sections and ends there: no preamble, no repetition. The persona
(who the coach is, tone, coaching level) is the system prompt the agent built; this
module adds only the task.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from coach.domain import ChatRole, ChatTurn, QuestionDraft, QuestionType, RubricDimension
from coach.providers.base import ProviderRequest
from coach.providers.wire import session_dimension_averages
from coach.tasks import (
    AskFollowUp,
    ChatReply,
    EvaluateAnswer,
    GenerateQuestions,
    JudgeFeedback,
    SummarizeChat,
    SummarizeSession,
    WriteExampleAnswer,
)

__all__ = ["TRUNCATED", "render_messages", "schema_instruction"]

Message = dict[str, str]

TRUNCATED = "[truncated]"
_NONE_GIVEN = "(none given)"


def schema_instruction(schema: dict[str, Any]) -> str:
    """The sentence that tells a model without schema support what to write."""
    compact = json.dumps(schema, separators=(",", ":"))
    return f"Reply with one JSON object that matches this JSON schema: {compact}"


def render_messages(
    request: ProviderRequest, *, schema: dict[str, Any] | None, max_document_chars: int
) -> list[Message]:
    """System prompt (+ the schema, in JSON-object mode), then the task as user text.

    A chat reply is the conversation itself, as alternating user/assistant messages.
    """
    system = request.system_prompt.strip()
    if schema is not None:
        system = f"{system}\n\n{schema_instruction(schema)}"
    task = request.task
    limit = max_document_chars
    if isinstance(task, ChatReply):
        context = _documents(task.resume, task.job_description, limit, skip_empty=True)
        if context:
            system = f"{system}\n\nWhat you know about the candidate:\n\n{context}"
        return [{"role": "system", "content": system}, *_conversation(task.history, limit)]
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": _user_text(task, limit)},
    ]


def _user_text(task: BaseModel, limit: int) -> str:
    if isinstance(task, GenerateQuestions):
        return _generate_questions(task, limit)
    if isinstance(task, EvaluateAnswer):
        return _evaluate_answer(task, limit)
    if isinstance(task, SummarizeSession):
        return _summarize_session(task)
    if isinstance(task, AskFollowUp):
        return _ask_follow_up(task, limit)
    if isinstance(task, WriteExampleAnswer):
        return _write_example_answer(task, limit)
    if isinstance(task, SummarizeChat):
        return _summarize_chat(task, limit)
    if isinstance(task, JudgeFeedback):
        return _judge_feedback(task, limit)
    raise TypeError(f"no prompt for {type(task).__name__}")


# --- one renderer per task ------------------------------------------------------------


def _generate_questions(task: GenerateQuestions, limit: int) -> str:
    noun = "question" if task.count == 1 else "questions"
    lines = [f"Write {task.count} interview {noun} for this candidate and this role."]
    if task.types:
        lines.append(f"Types: only {_type_names(task.types)}.")
    else:
        lines.append(f"Types: a balanced mix of {_type_names(list(QuestionType))}.")
    lines.append(
        "Tie each question to a concrete claim, employer, tool or responsibility in the "
        "documents. For each give the question, its type, the competency it tests and a "
        "one-sentence rationale the candidate will read."
    )
    if task.hint.strip():
        lines.append(f"The candidate asks to focus on: {task.hint.strip()}")
    if task.existing:
        lines.append("Do not repeat these questions:\n" + _bullets(task.existing))
    return "\n".join(lines) + "\n\n" + _documents(task.resume, task.job_description, limit)


def _evaluate_answer(task: EvaluateAnswer, limit: int) -> str:
    rubric = "\n".join(f"- {d.value}: {d.label}" for d in RubricDimension)
    head = (
        f"Score the candidate's answer to this {task.question.type.label} interview question.\n"
        "Score each rubric dimension from 1 (poor) to 10 (excellent) with a one-sentence "
        f"comment:\n{rubric}\n"
        "Then give the overall score, a one-sentence headline, strengths, improvements and "
        "a short example answer in STAR form that uses only facts from the resume. Set "
        "non_answer to true if the answer does not address the question."
    )
    return "\n\n".join(
        [
            head,
            _question_and_answer(task.question, task.answer, limit),
            _documents(task.resume, task.job_description, limit, skip_empty=True),
        ]
    ).strip()


def _judge_feedback(task: JudgeFeedback, limit: int) -> str:
    feedback = task.feedback
    scores = ", ".join(f"{d.dimension.value} {d.score:g}" for d in feedback.dimensions)
    lines = [
        "A coach gave the feedback below on a candidate's interview answer. Rate the "
        "feedback, not the answer, from 0 to 10 on: specificity (points at the candidate's "
        "own words), actionability (improvements the candidate can act on), completeness "
        "(headline, strengths, improvements, every rubric dimension, an example answer) "
        "and concision (useful without padding).",
    ]
    if task.reference_score is not None:
        lines.append(
            f"An experienced interviewer rated the answer {task.reference_score:g}/10: also "
            "rate calibration (10 when the coach's overall score matches it, 0 when it is "
            "5 or more points away)."
        )
    lines.append("Give a one-sentence rationale.")
    given = "\n".join(
        [
            f"Overall: {feedback.overall:g}/10 ({scores})",
            f"Headline: {feedback.headline}",
            "Strengths:\n" + _bullets(feedback.strengths),
            "Improvements:\n" + _bullets(feedback.improvements),
            "Example answer: " + _cut(feedback.example_answer, limit),
        ]
    )
    return "\n\n".join(
        [
            " ".join(lines),
            _question_and_answer(task.question, task.answer, limit),
            "The coach's feedback:\n" + given,
        ]
    )


def _summarize_session(task: SummarizeSession) -> str:
    evaluations = task.evaluations
    lines = [
        "Sum up this practice session for the candidate: 2-4 highlights (what went well, "
        "what keeps going wrong, with the scores) and 3-5 concrete next steps to practise, "
        "aimed at the weakest dimensions.",
        "",
        f"Questions answered: {len(evaluations)} of {len(task.questions)}.",
    ]
    if evaluations:
        average = sum(e.overall for e in evaluations) / len(evaluations)
        averages = session_dimension_averages(task)
        lines.append(f"Average score: {average:.1f}/10.")
        lines.append(
            "Dimension averages: " + ", ".join(f"{d.value} {v:.1f}" for d, v in averages.items())
        )
    lines += ["", "Questions:", _bullets([f"[{q.type.label}] {q.text}" for q in task.questions])]
    if evaluations:
        verdicts = [
            f"{e.overall:.1f}/10{' (non-answer)' if e.non_answer else ''}: {e.headline}"
            for e in evaluations
        ]
        lines += ["", "Scored answers:", _bullets(verdicts)]
    return "\n".join(lines)


def _ask_follow_up(task: AskFollowUp, limit: int) -> str:
    head = (
        "The candidate has just answered this interview question. Ask one probing "
        "follow-up question, as a real interviewer would: dig into a vague claim, a missing "
        "result or their own part in it. Give the follow-up and a one-sentence rationale."
    )
    return "\n\n".join(
        [
            head,
            _question_and_answer(task.question, task.answer, limit),
            _documents(task.resume, task.job_description, limit, skip_empty=True),
        ]
    ).strip()


def _write_example_answer(task: WriteExampleAnswer, limit: int) -> str:
    head = (
        "Write a strong example answer to this interview question, in the first person and "
        "in STAR form (situation, task, action, result), in about 150-250 words. Use only "
        "facts from the resume; where a detail is missing, write a placeholder such as "
        "[number]. Reply with the answer only."
    )
    parts = [head, f"Question ({task.question.type.label}): {task.question.text}"]
    if task.answer.strip():
        parts.append("The candidate's attempt, to improve on:\n" + _cut(task.answer, limit))
    parts.append(_documents(task.resume, task.job_description, limit, skip_empty=True))
    return "\n\n".join(parts).strip()


def _summarize_chat(task: SummarizeChat, limit: int) -> str:
    transcript = "\n".join(
        f"{'Candidate' if t.role is ChatRole.USER else 'Coach'}: {t.content.strip()}"
        for t in _recent(task.history, limit)
    )
    return (
        "Sum up this coaching conversation: the takeaways the candidate should keep and the "
        "concrete action items they should do next.\n\nConversation:\n"
        + (transcript or _NONE_GIVEN)
    )


# --- pieces ---------------------------------------------------------------------------


def _conversation(history: list[ChatTurn], limit: int) -> list[Message]:
    """User/assistant messages, oldest first; consecutive turns of one side merged, since
    some chat templates refuse two user messages in a row."""
    messages: list[Message] = []
    for turn in _recent(history, limit):
        role = "user" if turn.role is ChatRole.USER else "assistant"
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"] += "\n\n" + turn.content
        else:
            messages.append({"role": role, "content": turn.content})
    return messages


def _recent(history: list[ChatTurn], limit: int) -> list[ChatTurn]:
    """The latest turns that fit in ``limit`` characters (the last one always, cut)."""
    kept: list[ChatTurn] = []
    used = 0
    for turn in reversed(history):
        if kept and used + len(turn.content) > limit:
            break
        if not kept:
            turn = turn.model_copy(update={"content": _cut(turn.content, limit)})
        kept.append(turn)
        used += len(turn.content)
    return kept[::-1]


def _question_and_answer(question: QuestionDraft, answer: str, limit: int) -> str:
    return (
        f"Question ({question.type.label}): {question.text}\n\n"
        f"Answer:\n{_cut(answer, limit) if answer.strip() else _NONE_GIVEN}"
    )


def _documents(resume: str, job_description: str, limit: int, *, skip_empty: bool = False) -> str:
    """Both documents, each cut to ``limit``; an empty one said to be missing, or skipped."""
    parts = []
    for title, text in (("Resume", resume), ("Job description", job_description)):
        if not text.strip():
            if skip_empty:
                continue
            parts.append(f"{title}:\n{_NONE_GIVEN}")
        else:
            parts.append(f"{title}:\n{_cut(text, limit)}")
    return "\n\n".join(parts)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, marked so the model knows."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit * 0.8:
        head = head[:space]
    return f"{head.rstrip()} {TRUNCATED}"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _type_names(types: list[QuestionType]) -> str:
    return ", ".join(t.value for t in types)
