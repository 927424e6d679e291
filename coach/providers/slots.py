"""How many requests the model server runs at once, learnt once.

A single-slot local server (llama.cpp started without ``--parallel``, llama-cpp-python)
queues a second request behind the first: asking for the follow-up beside the score
would make the score wait for it. llama.cpp reports its slots at ``/props``
(``total_slots``) and ``/slots``; other servers say nothing, so a setting decides, and
without one a local server counts as one slot and api.openai.com as many.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from urllib.parse import urlsplit

__all__ = ["ServerSlots"]

logger = logging.getLogger(__name__)

_MANY = 8
_PROBE_TIMEOUT = 1.0


class ServerSlots:
    """The parallel slots of the server at ``base_url`` (asked once, on first use)."""

    def __init__(self, base_url: str | None, *, configured: int | None = None) -> None:
        self._base_url = base_url
        self._configured = configured
        self._learnt: int | None = None
        self._probe: threading.Thread | None = None
        self._lock = threading.Lock()

    def parallel(self) -> int:
        """The slots as known now. The first call starts asking the server in the
        background (a hanging server must not cost an action more time) and counts one
        slot until the answer is in: the safe choice, which only delays a follow-up."""
        if self._configured is not None:
            return self._configured
        with self._lock:
            if self._learnt is not None:
                return self._learnt
            if self._probe is None:
                self._probe = threading.Thread(target=self._remember, name="slots", daemon=True)
                self._probe.start()
        return 1

    def wait(self, timeout: float | None = None) -> int:
        """The learnt slots, waiting for the probe (tests, notebooks)."""
        self.parallel()
        probe = self._probe
        if probe is not None:
            probe.join(timeout)
        return self.parallel()

    def _remember(self) -> None:
        learnt = self._learn()
        with self._lock:
            self._learnt = learnt

    def _learn(self) -> int:
        if not self._base_url:
            return _MANY  # api.openai.com
        parts = urlsplit(self._base_url)
        root = f"{parts.scheme}://{parts.netloc}"
        for path, read in (("/props", _total_slots), ("/slots", _slot_count)):
            try:
                with urllib.request.urlopen(f"{root}{path}", timeout=_PROBE_TIMEOUT) as reply:
                    slots = read(json.loads(reply.read()))
            except (OSError, ValueError):
                continue
            if slots:
                logger.info("model server slots", extra={"coach.slots": slots})
                return slots
        return 1


def _total_slots(body: object) -> int | None:
    value = body.get("total_slots") if isinstance(body, dict) else None
    return value if isinstance(value, int) and value > 0 else None


def _slot_count(body: object) -> int | None:
    return len(body) if isinstance(body, list) and body else None
