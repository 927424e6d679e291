"""An ``Agent`` is data: a persona in a seat of the team, bound to a provider.

Like openai-agents' ``Agent``, it does no work itself; the team runs it. Keeping it
plain is what lets personas be YAML and variants be overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import CoachingLevel
from coach.personas import Persona, PersonaRole
from coach.providers.base import ModelSettings, Provider
from coach.telemetry import Telemetry

_LEVEL_GUIDANCE = {
    CoachingLevel.HELP: (
        "Coaching level: help. Be encouraging and explain how to improve, "
        "but never inflate a score."
    ),
    CoachingLevel.STRICT: (
        "Coaching level: strict. Score as a demanding interviewer would; vague answers, "
        "missing results and unclear ownership cost points."
    ),
}

STYLE_GUIDE = (
    "Style guide: be specific, quote the candidate's words when judging them, "
    "never invent facts about the candidate, and keep each point to one or two sentences."
)


class ModelOverrides(BaseModel):
    """Per-call changes to a persona's model parameters (None keeps the persona's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class Agent:
    """A persona seated in the team (``role``), answering through ``provider``."""

    role: PersonaRole
    persona: Persona
    provider: Provider
    variant: str = ""  # an experiment arm or a rollout's share; tags its telemetry
    telemetry: Telemetry = field(default_factory=Telemetry.disabled, compare=False)
    """Where the team records this agent's calls: handed to the factory by the
    workbench, so no one digs it out of the provider."""

    @property
    def name(self) -> str:
        return self.persona.name

    def model_settings(self, overrides: ModelOverrides | None = None) -> ModelSettings:
        """The one place where defaults, persona and call parameters are merged."""
        persona = self.persona
        call = overrides or ModelOverrides()
        return ModelSettings(
            model=call.model or persona.model,
            temperature=persona.temperature if call.temperature is None else call.temperature,
            top_p=persona.top_p if call.top_p is None else call.top_p,
            max_tokens=call.max_tokens or persona.max_tokens,
        )

    def system_prompt(self, level: CoachingLevel) -> str:
        """Persona prompt + tone + coaching level + house style guide."""
        persona = self.persona
        return "\n\n".join(
            [
                persona.prompt.strip(),
                f"Tone: {persona.tone}.",
                _LEVEL_GUIDANCE[level],
                STYLE_GUIDE,
            ]
        )
