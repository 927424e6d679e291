"""A deadline on every model call, retries included, and a breaker for a server that
is down.

Without it a hanging server costs one client timeout per try (30 s x 3 = 91 s per
action) and every following action pays it again. With it one action waits at most
``deadline_seconds``; a server that timed out, could not be reached, or kept failing
(5xx, 429 after retries) is marked down for ``cool_off_seconds``, during which calls
fail at once (the fallback answers in milliseconds) with a notice saying why and when
the server will be tried again. The first call after the cool-off tries it again: a
success closes the breaker, a failure opens it for another cool-off.

Refusals (a bad key, an unknown model) and invalid replies do not open it: the server
answers quickly, and the notice already says what to fix.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from coach.errors import ProviderError, ProviderTimeout, ProviderUnavailable
from coach.providers.base import Completion, Provider, ProviderRequest, StreamMeta, T

__all__ = ["BreakerProvider"]

_OPENS_BREAKER = (ProviderTimeout, ProviderUnavailable)


class BreakerProvider:
    """``primary`` held to a deadline per call, and skipped while it is down."""

    def __init__(
        self,
        primary: Provider,
        *,
        deadline_seconds: float,
        cool_off_seconds: float,
        server: str = "",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.inner = primary
        self.name = primary.name
        self.deadline_seconds = deadline_seconds
        self.cool_off_seconds = cool_off_seconds
        self._server = server or getattr(primary, "server", "") or "the model server"
        self._clock = clock
        self._wall_clock = wall_clock
        self._down_until: float | None = None
        self._down_reason = ""
        self._down_since = 0.0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.inner!r}, deadline={self.deadline_seconds:g}s, "
            f"cool_off={self.cool_off_seconds:g}s)"
        )

    @property
    def is_down(self) -> bool:
        return self._down_until is not None and self._clock() < self._down_until

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        self._refuse_while_down()
        started = self._clock()
        try:
            async with asyncio.timeout(self.deadline_seconds):
                completion = await self.inner.structured(request, output)
        except TimeoutError:
            raise self._trip(self._deadline_error(started)) from None
        except _OPENS_BREAKER as error:
            raise self._trip(error) from None
        self._down_until = None
        return completion

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """The first piece must come within the deadline, and so must each next one."""
        self._refuse_while_down()
        pieces = self.inner.stream(request, meta)
        started = self._clock()
        try:
            while True:
                try:
                    async with asyncio.timeout(self.deadline_seconds):
                        piece = await anext(pieces)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise self._trip(self._deadline_error(started)) from None
                except _OPENS_BREAKER as error:
                    raise self._trip(error) from None
                self._down_until = None
                started = self._clock()
                yield piece
        finally:
            close = getattr(pieces, "aclose", None)
            if close is not None:
                await close()

    # --- the breaker ------------------------------------------------------------------

    def _deadline_error(self, started: float) -> ProviderTimeout:
        waited = self._clock() - started
        return ProviderTimeout(
            f"The model server at {self._server} did not answer within {waited:.0f} s "
            f"(the deadline for one action, retries included, is {self.deadline_seconds:g} s)."
        )

    def _trip(self, error: ProviderError) -> ProviderError:
        """Mark the server down for a cool-off; the error's notice says until when."""
        self._down_since = self._clock()
        self._down_until = self._down_since + self.cool_off_seconds
        self._down_reason = str(error).rstrip(".")
        retry_at = self._wall_clock() + timedelta(seconds=self.cool_off_seconds)
        message = (
            f"{self._down_reason}. It will be tried again at {retry_at:%H:%M:%S} UTC "
            f"(in {self.cool_off_seconds:.0f} s)."
        )
        return type(error)(message)

    def _refuse_while_down(self) -> None:
        if self._down_until is None:
            return
        now = self._clock()
        if now >= self._down_until:
            return  # cool-off over: this call tries the server again
        left = self._down_until - now
        ago = now - self._down_since
        retry_at = self._wall_clock() + timedelta(seconds=left)
        raise ProviderUnavailable(
            f"The model server at {self._server} is marked down ({ago:.0f} s ago: "
            f"{self._down_reason}); it will be tried again at {retry_at:%H:%M:%S} UTC "
            f"(in {left:.0f} s)."
        )
