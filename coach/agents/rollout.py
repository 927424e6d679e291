"""Live rollouts: a share of sessions gets a variant persona, the same sessions every time.

A session's place in the split is a hash of the rollout id and the session id, so it
needs no storage, survives restarts and other processes, and is *sticky*: a session
keeps its variant for as long as the rollout runs, and ramping the share up (10% to
50%) only moves sessions from the base persona to the variant, never back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from coach.personas import Persona

__all__ = ["CONTROL", "Assignment", "Rollout", "TrafficSplit", "bucket"]

CONTROL = "control"  # the variant tag of sessions a rollout leaves on the base persona


class Rollout(BaseModel):
    """``share`` of sessions served by ``persona`` (a variant) instead of ``base_persona``."""

    model_config = ConfigDict(frozen=True)

    id: str
    base_persona: str
    variant: str = Field(min_length=1)
    experiment_id: str | None = None
    persona: Persona
    share: float = Field(ge=0, le=1)
    active: bool = True
    created_at: datetime


class Assignment(BaseModel):
    """Which persona serves one seat of one session, and the variant tag for telemetry."""

    model_config = ConfigDict(frozen=True)

    persona: Persona | None  # None: the base persona
    variant: str


def bucket(rollout_id: str, session_id: str) -> float:
    """A uniform number in [0, 1) fixed by the pair of ids."""
    digest = hashlib.sha256(f"{rollout_id}:{session_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class TrafficSplit:
    """The active rollouts, by the base persona they replace (at most one each)."""

    def __init__(self, rollouts: Iterable[Rollout] = ()) -> None:
        self._by_base = {r.base_persona: r for r in rollouts if r.active}

    def __bool__(self) -> bool:
        return bool(self._by_base)

    @property
    def rollouts(self) -> list[Rollout]:
        return list(self._by_base.values())

    def assign(self, base_persona: str, session_id: str) -> Assignment | None:
        """The variant (or the control) for ``session_id``; None when no rollout covers
        ``base_persona``."""
        rollout = self._by_base.get(base_persona)
        if rollout is None:
            return None
        if bucket(rollout.id, session_id) < rollout.share:
            return Assignment(persona=rollout.persona, variant=rollout.variant)
        return Assignment(persona=None, variant=CONTROL)
