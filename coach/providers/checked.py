"""A provider whose structured answers pass ``coach.providers.checks`` before use.

Like pydantic-ai's wrapper models it is a provider itself, composed in the workbench
around whatever answers (a real model behind its fallback, or a scripted one in a
test). It does three things no single model call can:

- a non-answer ("I don't know", a copy of the question) never reaches a model: the
  offline coach scores it, labelled, and no one waits or pays for a call;
- an evaluation whose overall contradicts its dimensions, points that quote words the
  candidate never said, an example answer with invented figures are repaired or
  dropped, and each repair is labelled (``Completion.checks``);
- a question set with near-repeats is deduplicated and topped up by the offline
  coach to the count asked for, labelled.

The offline coach's own answers are not re-checked: its rubric is the reference.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from coach.domain import EvaluationDraft, QuestionSet
from coach.offline.scoring import detect_non_answer
from coach.providers.base import Completion, Provider, ProviderRequest, StreamMeta, T
from coach.providers.checks import check_evaluation, check_example_text, distinct_questions
from coach.tasks import AskFollowUp, EvaluateAnswer, GenerateQuestions, WriteExampleAnswer

__all__ = ["CheckedProvider"]

_OFFLINE = "offline"


class CheckedProvider:
    """``inner`` with its structured answers checked; ``offline`` stands in where needed."""

    def __init__(self, inner: Provider, offline: Provider) -> None:
        self.inner = inner
        self.offline = offline
        self.name = inner.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inner!r})"

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        task = request.task
        if isinstance(task, EvaluateAnswer | AskFollowUp):
            reason = detect_non_answer(task.answer, task.question.text)
            if reason is not None:
                completion = await self.offline.structured(request, output)
                label = (
                    f"Not an answer yet ({reason.value.replace('_', ' ')}): the offline coach "
                    "replied and no model was asked."
                )
                return completion.model_copy(update={"checks": [label]})
        completion = await self.inner.structured(request, output)
        if completion.provider == _OFFLINE and not isinstance(task, GenerateQuestions):
            return completion
        value = completion.value
        if isinstance(task, EvaluateAnswer) and isinstance(value, EvaluationDraft):
            checked, repairs = check_evaluation(value, answer=task.answer, resume=task.resume)
            if repairs:
                return completion.model_copy(
                    update={"value": checked, "checks": [*completion.checks, *repairs]}
                )
        if isinstance(task, GenerateQuestions) and isinstance(value, QuestionSet):
            return await self._top_up(request, task, completion)  # type: ignore[arg-type]
        return completion

    async def _top_up(
        self,
        request: ProviderRequest,
        task: GenerateQuestions,
        completion: Completion[QuestionSet],
    ) -> Completion[QuestionSet]:
        """No near-repeats, and as many questions as asked for (the offline coach adds
        the missing ones)."""
        kept, repeats = distinct_questions(completion.value.questions, task.existing)
        kept = kept[: task.count]
        missing = task.count - len(kept)
        repairs: list[str] = []
        if repeats:
            repairs.append(
                f"{repeats} question{'s' if repeats > 1 else ''} dropped: "
                "near-repeats of another question."
            )
        if missing > 0:
            more_task = task.model_copy(
                update={"count": missing, "existing": [*task.existing, *(q.text for q in kept)]}
            )
            more = await self.offline.structured(
                request.model_copy(update={"task": more_task}), QuestionSet
            )
            asked = [*task.existing, *(q.text for q in kept)]
            extra, _ = distinct_questions(more.value.questions, asked)
            kept += extra[:missing]
            if completion.provider != _OFFLINE:
                repairs.append(
                    f"{len(extra[:missing])} of the {task.count} questions came from the "
                    "offline coach: the model wrote too few distinct ones."
                )
        if not repairs and len(kept) == len(completion.value.questions):
            return completion
        value = completion.value.model_copy(update={"questions": kept})
        return completion.model_copy(
            update={"value": value, "checks": [*completion.checks, *repairs]}
        )

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """The inner stream as it comes; an example answer's figures are checked at the
        end (the text is already on screen, so it is labelled, not cut)."""
        task = request.task
        collected: list[str] = []
        pieces = self.inner.stream(request, meta)
        try:
            async for piece in pieces:
                collected.append(piece)
                yield piece
        finally:
            close = getattr(pieces, "aclose", None)
            if close is not None:
                await close()
        if isinstance(task, WriteExampleAnswer) and meta.provider != _OFFLINE:
            meta.checks += check_example_text(
                "".join(collected), answer=task.answer, resume=task.resume
            )
