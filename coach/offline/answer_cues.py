"""Whether a pitch answers what it was asked, read from what it says about the candidate.

Why not word overlap: "Tell me about yourself" and "Why should we hire you?" name no
topic of their own, so a pitch that shares none of their words ("I'm a junior majoring
in mechanical engineering; I grew up in Seattle") is still a direct answer. On the MIT
interviews, overlap scored the relevance of 59 of 262 self-introductions 5/10 or below.
The cues are data (data/answer_cues.yaml), read and compiled once.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict

from coach.offline.datafiles import data_file, read_yaml

__all__ = ["AnswerCues", "answer_cues", "pitch_topicality"]


class _Self(BaseModel):
    model_config = ConfigDict(extra="forbid")
    present: list[str]
    past: list[str]
    future: list[str]


class _Fit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasons: list[str]
    claims: list[str]


class _Trait(BaseModel):
    model_config = ConfigDict(extra="forbid")
    named: list[str]
    remedy: list[str]


class _Assess(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stance: list[str]
    reasons: list[str]


class AnswerCues(BaseModel):
    """data/answer_cues.yaml: the cues of each kind of pitch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    self: _Self
    fit: _Fit
    trait: _Trait
    assess: _Assess


def _compile(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


@cache
def answer_cues() -> dict[str, re.Pattern[str]]:
    """Each cue list of the data file as one compiled pattern, by "kind.cue"."""
    cues = AnswerCues.model_validate(read_yaml(data_file("answer_cues.yaml")))
    return {
        f"{kind}.{name}": _compile(phrases)
        for kind, group in cues.model_dump().items()
        for name, phrases in group.items()
    }


_OPENING_CHARS = 80


def pitch_topicality(text: str, subtype: str, first_person: bool) -> float | None:
    """0-1: how directly a pitch answers its kind of question (``subtype``: self, fit,
    trait or assess), or None for a subtype the cues do not cover."""
    cue = answer_cues()

    def has(name: str, where: str = text) -> bool:
        return bool(cue[name].search(where))

    if subtype == "self":
        parts = sum(has(f"self.{part}") for part in ("present", "past", "future"))
        return min(1.0, (parts + first_person) / 3)
    if subtype == "fit":
        claims = len(cue["fit.claims"].findall(text))
        return min(1.0, 0.4 * has("fit.reasons") + 0.3 * min(2, claims))
    if subtype == "trait":
        return min(1.0, 0.5 * has("trait.named") + 0.5 * has("trait.remedy"))
    if subtype == "assess":
        opening = text[:_OPENING_CHARS]
        return min(1.0, 0.5 * has("assess.stance", opening) + 0.5 * has("assess.reasons"))
    return None
