"""Persona variants: a named set of overrides on a base persona's parameters.

A variant is validated exactly like a persona (the overrides are applied and the result
must be a valid ``Persona``), and its *fingerprint* hashes every parameter that changes
what the model is asked, so a stored result can always be traced to the exact
parameters that made it, and an unchanged variant can reuse earlier results.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.domain import CoachingLevel
from coach.errors import ExperimentError
from coach.personas import Persona

__all__ = ["TUNABLE", "PersonaOverrides", "Variant", "fingerprint", "variant_persona"]

# The persona parameters an experiment may change, in the order forms show them.
TUNABLE: tuple[str, ...] = (
    "prompt",
    "tone",
    "coaching_level",
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "voice",
)


class PersonaOverrides(BaseModel):
    """Changes to a persona's parameters; ``None`` keeps the base persona's value.

    Ranges are the persona's own (checked when applied), so a variant can never hold a
    value a persona file could not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str | None = None
    tone: str | None = None
    coaching_level: CoachingLevel | None = None
    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, gt=0, le=32_000)
    voice: str | None = None

    def changed(self) -> dict[str, Any]:
        """Only the parameters this variant sets, as plain JSON values."""
        return self.model_dump(mode="json", exclude_none=True)


class Variant(BaseModel):
    """One arm of an experiment: a name and its overrides (none: the base persona)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")
    overrides: PersonaOverrides = Field(default_factory=PersonaOverrides)

    @classmethod
    def parse(cls, raw: object, *, where: str) -> Variant:
        """A variant from YAML/JSON/form data, or an ``ExperimentError`` naming ``where``
        (e.g. "variant B") and each bad field."""
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            raise ExperimentError(_describe(where, error)) from error


def variant_persona(base: Persona, variant: Variant) -> Persona:
    """``base`` with ``variant``'s overrides, validated as a persona would be."""
    merged = {**base.model_dump(), **variant.overrides.changed()}
    try:
        return Persona.model_validate(merged)
    except ValidationError as error:
        raise ExperimentError(_describe(f"variant {variant.name}", error)) from error


def fingerprint(persona: Persona, *, provider: str) -> str:
    """A hash of what the model is asked and where: the tunable parameters and the
    provider. Names and descriptions are left out, so renaming a variant keeps its
    cached results; the provider is in, so offline results never stand in for a model's."""
    payload = {name: getattr(persona, name) for name in TUNABLE}
    payload["role"] = persona.role
    payload["provider"] = provider
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _describe(where: str, error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"] if part != "overrides")
        if detail["type"] == "extra_forbidden":
            problems.append(
                f"'{field}' is not a parameter a variant can change "
                f"(it can change: {', '.join(TUNABLE)})"
            )
        else:
            problems.append(f"'{field or 'variant'}' {_lower_first(detail['msg'])}")
    return f"In {where}: " + "; ".join(problems) + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
