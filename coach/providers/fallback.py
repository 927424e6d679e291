"""A provider that answers with a primary and falls back visibly to a second one.

Like pydantic-ai's ``FallbackModel``, fallback is itself a provider, so this is the
one place in ``coach`` that catches a model failure: services and agents never
need try/except ladders. What the candidate sees is honest: a fallback result is
marked ``fallback=True`` with a notice saying why, and a stream that breaks half way
says so in the text instead of silently restarting with another voice.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from coach.errors import ProviderError
from coach.providers.base import Completion, Provider, ProviderRequest, StreamMeta, T, Wrap

__all__ = ["FallbackProvider", "fallback_notice"]

logger = logging.getLogger(__name__)


def fallback_notice(error: ProviderError) -> str:
    """The primary's reason, then who answered instead: what the page shows."""
    reason = str(error).strip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    return f"{reason} The offline coach answered instead.".strip()


class FallbackProvider:
    """Ask ``primary``; when it raises :class:`ProviderError`, ask ``fallback``."""

    def __init__(self, primary: Provider, fallback: Provider) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(primary={self.primary!r}, fallback={self.fallback!r})"

    def rewrapped(self, wrap: Wrap) -> FallbackProvider:
        """This chain with both sides wrapped (``ProviderChain``): tracing gives the
        failed attempt and the one that answered a span each."""
        return FallbackProvider(wrap(self.primary, False), wrap(self.fallback, True))

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        try:
            return await self.primary.structured(request, output)
        except ProviderError as error:
            self._log_fallback(request, error, streamed=False)
            completion = await self.fallback.structured(request, output)
            return completion.model_copy(
                update={"fallback": True, "notice": fallback_notice(error)}
            )

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """The primary's stream; the fallback's if the primary fails before its first
        piece; a short marker, and the end, if it fails after."""
        pieces = self.primary.stream(request, meta)
        started = False
        failure: ProviderError | None = None
        try:
            async for piece in pieces:
                started = True
                yield piece
        except ProviderError as error:
            if started:
                self._log_fallback(request, error, streamed=True, mid_stream=True)
                meta.notice = str(error)
                meta.cut_off = True
                yield f"\n\n[The model stopped answering: {str(error).rstrip('.')}.]"
                return
            failure = error
        finally:
            await _close(pieces)
        if failure is None:
            return
        self._log_fallback(request, failure, streamed=True)
        meta.fallback = True
        meta.notice = fallback_notice(failure)
        async for piece in self.fallback.stream(request, meta):
            yield piece

    def _log_fallback(
        self,
        request: ProviderRequest,
        error: ProviderError,
        *,
        streamed: bool,
        mid_stream: bool = False,
    ) -> None:
        """Who failed, on what, and why (the class): never the key, never the answer."""
        logger.warning(
            "model stopped mid-stream" if mid_stream else "model failed, falling back",
            extra={
                "coach.provider": self.primary.name,
                "coach.fallback_provider": self.fallback.name,
                "coach.task": request.task.kind,
                "coach.agent": request.agent,
                "coach.persona": request.persona,
                "coach.error": type(error).__name__,
                "coach.streamed": streamed,
                "gen_ai.request.model": request.settings.model,
            },
        )


async def _close(pieces: AsyncIterator[str]) -> None:
    close = getattr(pieces, "aclose", None)
    if close is not None:
        await close()
