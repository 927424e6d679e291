"""The offline coach behind the ``Provider`` interface.

It answers the typed task directly, so the system prompt is not needed; results are
still wrapped as a ``Completion`` (or a stream with ``StreamMeta``) naming provider
``offline``, so every result says where it came from.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

from pydantic import BaseModel

from coach.offline.coach import OFFLINE_MODEL, OfflineCoach
from coach.providers.base import Completion, ProviderRequest, StreamMeta, T
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

_PIECE = re.compile(r"\S+\s*")


class OfflineProvider:
    """A provider that needs no network and no key."""

    name = "offline"
    model = OFFLINE_MODEL

    def __init__(self, coach: OfflineCoach | None = None) -> None:
        self._coach = coach or OfflineCoach()

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        value = self._structured(request)
        if not isinstance(value, output):
            raise TypeError(f"task {request.task.kind} gives {type(value).__name__}, not {output}")
        return Completion[output](value=value, provider=self.name, model=OFFLINE_MODEL)  # type: ignore[valid-type]

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """The text answer word by word, so pages stream it like a model's."""
        started = time.perf_counter()
        meta.provider, meta.model = self.name, OFFLINE_MODEL
        text = self._text(request)
        for number, match in enumerate(_PIECE.finditer(text)):
            if number == 0:
                meta.time_to_first_token_ms = (time.perf_counter() - started) * 1000
            yield match.group(0)

    def _structured(self, request: ProviderRequest) -> BaseModel:
        task = request.task
        coach = self._coach
        if isinstance(task, GenerateQuestions):
            return coach.generate_questions(task)
        if isinstance(task, EvaluateAnswer):
            return coach.evaluate(task)
        if isinstance(task, SummarizeSession):
            return coach.summarize(task)
        if isinstance(task, AskFollowUp):
            return coach.follow_up(task)
        if isinstance(task, SummarizeChat):
            return coach.summarize_chat(task)
        if isinstance(task, JudgeFeedback):
            return coach.judge(task)
        raise TypeError(f"{type(task).__name__} is a text task: stream it")

    def _text(self, request: ProviderRequest) -> str:
        task = request.task
        if isinstance(task, ChatReply):
            return self._coach.chat_reply(task)
        if isinstance(task, WriteExampleAnswer):
            return self._coach.example_answer(task)
        raise TypeError(f"{type(task).__name__} has a structured result: use structured()")
