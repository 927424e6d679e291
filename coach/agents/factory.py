"""Builds agents from personas, choosing each agent's provider in one place."""

from __future__ import annotations

from collections.abc import Callable

from coach.agents.agent import Agent
from coach.personas import Persona, PersonaRegistry, PersonaRole
from coach.providers.base import Provider
from coach.telemetry import Telemetry

ProviderFor = Callable[[Persona], Provider]


class AgentFactory:
    """``build(role, persona_name)`` -> an ``Agent`` with the right provider, recording
    its calls with ``telemetry`` (disabled unless the workbench hands one over)."""

    def __init__(
        self,
        personas: PersonaRegistry,
        provider_for: ProviderFor,
        *,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._personas = personas
        self._provider_for = provider_for
        self._telemetry = telemetry or Telemetry.disabled()

    @property
    def personas(self) -> PersonaRegistry:
        return self._personas

    def with_personas(self, personas: PersonaRegistry) -> AgentFactory:
        """The same providers over a re-read persona folder (after a promotion)."""
        return AgentFactory(personas, self._provider_for, telemetry=self._telemetry)

    def build(self, role: PersonaRole, persona_name: str) -> Agent:
        return self.seat(role, self._personas.get(persona_name))

    def seat(self, role: PersonaRole, persona: Persona, *, variant: str = "") -> Agent:
        """An agent for a persona that need not be on disk (an experiment's variant)."""
        return Agent(
            role=role,
            persona=persona,
            provider=self._provider_for(persona),
            variant=variant,
            telemetry=self._telemetry,
        )
