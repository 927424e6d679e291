"""The offline coach behind the ``Provider`` interface.

It answers the typed task directly, so the system prompt is not needed; the result
is still wrapped as a ``Completion`` naming provider ``offline``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from pydantic import BaseModel

from coach.offline.coach import OFFLINE_MODEL, OfflineCoach
from coach.providers.base import Completion, ProviderRequest, T
from coach.tasks import EvaluateAnswer, GenerateQuestions, SummarizeSession

_CHUNK = re.compile(r"\S+\s*")


class OfflineProvider:
    """A provider that needs no network and no key."""

    name = "offline"

    def __init__(self, coach: OfflineCoach | None = None) -> None:
        self._coach = coach or OfflineCoach()

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        value = self._answer(request)
        if not isinstance(value, output):
            raise TypeError(f"task {request.task.kind} gives {type(value).__name__}, not {output}")
        return Completion[output](value=value, provider=self.name, model=OFFLINE_MODEL)  # type: ignore[valid-type]

    async def stream(self, request: ProviderRequest) -> AsyncIterator[str]:
        """Streams the text form of the answer word by word (example answers, summaries)."""
        value = self._answer(request)
        text = getattr(value, "example_answer", None) or value.model_dump_json(indent=2)
        for match in _CHUNK.finditer(text):
            yield match.group(0)

    def _answer(self, request: ProviderRequest) -> BaseModel:
        task = request.task
        if isinstance(task, GenerateQuestions):
            return self._coach.generate_questions(task)
        if isinstance(task, EvaluateAnswer):
            return self._coach.evaluate(task)
        if isinstance(task, SummarizeSession):
            return self._coach.summarize(task)
        raise TypeError(f"the offline coach cannot answer a {type(task).__name__}")
