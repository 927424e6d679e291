"""One event loop per workbench, on its own thread, for all async agent work.

Pages, the CLI and notebooks are synchronous (and Jupyter already runs a loop), while
the agent layer is async so it can run calls in parallel. A single long-lived loop lets
the ``openai`` client keep its connection pool and lets per-persona ``asyncio``
semaphores work across every page rerun and browser tab.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

R = TypeVar("R")


class AsyncRunner:
    """Runs coroutines on a private loop thread and hands results back synchronously."""

    def __init__(self, name: str = "coach-agents") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def run(self, coroutine: Coroutine[Any, Any, R], timeout: float | None = None) -> R:
        """Run ``coroutine`` on the loop and wait for its result (or its exception)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("AsyncRunner.run called from its own loop: await instead")
        return self.wait(asyncio.run_coroutine_threadsafe(coroutine, self._loop), timeout)

    def submit(self, coroutine: Coroutine[Any, Any, R]) -> concurrent.futures.Future[R]:
        """Start ``coroutine`` on the loop and return at once (a background run)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    @staticmethod
    def wait(future: concurrent.futures.Future[R], timeout: float | None = None) -> R:
        """A submitted run's result (or exception); cancelled if the waiting stops."""
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def iterate(self, stream: AsyncIterator[R]) -> Iterator[R]:
        """Turn an async iterator into a plain one (for ``st.write_stream``)."""
        try:
            while True:
                try:
                    yield self.run(anext(stream))  # type: ignore[arg-type]
                except StopAsyncIteration:
                    return
        finally:
            # Close the generator on its loop (a reader may stop early), so its
            # cleanup (a persona's slot, a stored reply) runs now, not at shutdown.
            closer = getattr(stream, "aclose", None)
            if closer is not None and self._loop.is_running():
                self.run(closer(), timeout=10)

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()
