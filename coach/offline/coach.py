"""The offline coach: answers every coaching task with rules, no network, no key.

It is a real product feature (the default), not a test double: deterministic, fast,
and honest about being offline. Profiles of the same resume and job description are
computed once per coach instance, since a session reuses them for every answer.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from coach.domain import (
    ChatSummaryDraft,
    EvaluationDraft,
    FeedbackJudgement,
    FollowUp,
    QuestionSet,
    SummaryDraft,
)
from coach.offline.chat import chat_reply, summarize_chat
from coach.offline.examples import example_answer
from coach.offline.fit import assess_fit, fit_questions
from coach.offline.follow_up import ask_follow_up
from coach.offline.judging import rate_feedback
from coach.offline.profiles import JobProfile, ResumeProfile, profile_job, profile_resume
from coach.offline.question_bank import find_bank_question
from coach.offline.scoring import score_answer
from coach.offline.summary import summarize
from coach.offline.tailoring import tailor_questions
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

OFFLINE_MODEL = "offline-coach-1"

P = TypeVar("P")


class OfflineCoach:
    """Rule-based question generation, scoring, example answers and summaries."""

    def __init__(self, profile_cache_size: int = 64) -> None:
        self._cache_size = profile_cache_size
        self._resumes: OrderedDict[str, ResumeProfile] = OrderedDict()
        self._jobs: OrderedDict[str, JobProfile] = OrderedDict()

    def generate_questions(self, task: GenerateQuestions) -> QuestionSet:
        resume, job = self._profiles(task.resume, task.job_description)
        tailored = tailor_questions(task, resume, job)
        fit = assess_fit(task.resume, task.job_description, resume, job)
        asked = {_squash(text) for text in task.existing}
        about_fit = [
            q
            for q in fit_questions(fit, job)
            if _squash(q.text) not in asked and (not task.types or q.type in task.types)
        ][: max(1, task.count // 3)]
        if not about_fit:
            return QuestionSet(questions=tailored)
        rest = [q for q in tailored if _squash(q.text) not in {_squash(f.text) for f in about_fit}]
        return QuestionSet(questions=[*about_fit, *rest][: task.count])

    def evaluate(self, task: EvaluateAnswer) -> EvaluationDraft:
        resume, job = self._profiles(task.resume, task.job_description)
        bank_question = find_bank_question(task.question.text)
        hint = bank_question.rubric_hint if bank_question else ""
        return score_answer(task, resume, job, rubric_hint=hint)

    def summarize(self, task: SummarizeSession) -> SummaryDraft:
        return summarize(task)

    def follow_up(self, task: AskFollowUp) -> FollowUp:
        resume, _ = self._profiles(task.resume, task.job_description)
        return ask_follow_up(task, resume)

    def example_answer(self, task: WriteExampleAnswer) -> str:
        resume, job = self._profiles(task.resume, task.job_description)
        return example_answer(task.question, resume, job, answer=task.answer)

    def chat_reply(self, task: ChatReply) -> str:
        resume, job = self._profiles(task.resume, task.job_description)
        return chat_reply(task, resume, job)

    def summarize_chat(self, task: SummarizeChat) -> ChatSummaryDraft:
        return summarize_chat(task)

    def judge(self, task: JudgeFeedback) -> FeedbackJudgement:
        """A judge persona without a model rates feedback with the experiment rules."""
        return rate_feedback(task.answer, task.reference_score, task.feedback)

    def _profiles(self, resume_text: str, job_text: str) -> tuple[ResumeProfile, JobProfile]:
        return (
            _cached(self._resumes, resume_text, profile_resume, self._cache_size),
            _cached(self._jobs, job_text, profile_job, self._cache_size),
        )


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _cached(cache: OrderedDict[str, P], text: str, build: Callable[[str], P], limit: int) -> P:
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    profile = build(text)
    cache[key] = profile
    if len(cache) > limit:
        cache.popitem(last=False)
    return profile
