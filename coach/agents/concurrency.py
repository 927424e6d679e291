"""Per-persona concurrency limits, and how long a call waited for its slot.

A persona's ``concurrency`` caps its calls in flight across every page and tab of the
process. The semaphores live on the workbench's one agent loop (``AsyncRunner``), so
they are created lazily, inside that loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from coach.personas import Persona


class ConcurrencyLimits:
    def __init__(self) -> None:
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, persona: Persona) -> AsyncIterator[float]:
        """Hold one of ``persona``'s slots; yields the queue time in milliseconds."""
        semaphore = self._semaphores.get(persona.name)
        if semaphore is None:
            semaphore = self._semaphores[persona.name] = asyncio.Semaphore(persona.concurrency)
        started = time.perf_counter()
        async with semaphore:
            yield (time.perf_counter() - started) * 1000
