"""Fair use of a shared model key: a cap on one person's model-backed actions in flight.

Every scoring, question, example answer, reply and summary holds a slot for as long as
the model works on it (a streamed reply until its last piece). A person at the cap gets
a clear message at once instead of queueing more work on the key everyone shares; the
others are not slowed by them.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from coach.errors import TooManyInFlight
from coach.users import Actor


class ModelActionLimit:
    """At most ``per_user`` model-backed actions in flight per person (issuer, subject)."""

    def __init__(self, per_user: int = 2) -> None:
        if per_user < 1:
            raise ValueError("per_user must be at least 1")
        self.per_user = per_user
        self._lock = threading.Lock()
        self._in_flight: dict[tuple[str, str], int] = {}

    def in_flight(self, actor: Actor) -> int:
        with self._lock:
            return self._in_flight.get((actor.issuer, actor.subject), 0)

    def check(self, actor: Actor) -> None:
        """Raises ``TooManyInFlight`` now if no slot is free (before anything is stored)."""
        held = self.in_flight(actor)
        if held >= self.per_user:
            raise _refusal(held)

    @contextmanager
    def hold(self, actor: Actor) -> Iterator[None]:
        """One slot for the block; raises ``TooManyInFlight`` when none is free."""
        key = (actor.issuer, actor.subject)
        with self._lock:
            held = self._in_flight.get(key, 0)
            if held >= self.per_user:
                raise _refusal(held)
            self._in_flight[key] = held + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._in_flight[key] - 1
                if left:
                    self._in_flight[key] = left
                else:
                    del self._in_flight[key]

    async def hold_stream(self, actor: Actor, pieces: AsyncIterator[str]) -> AsyncIterator[str]:
        """``pieces`` holding a slot from the first piece asked for until the last."""
        with self.hold(actor):
            async for piece in pieces:
                yield piece


def _refusal(held: int) -> TooManyInFlight:
    return TooManyInFlight(
        f"You already have {held} coaching request(s) running, the most one person may "
        "have at once on this shared workbench. Wait for one to finish, then try again."
    )
