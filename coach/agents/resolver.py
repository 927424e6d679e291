"""``AgentTeamResolver``: which team serves a session.

In order: the team the session was started with (kept in its metadata, so a resumed
session keeps its coaches), a persona the session asked for (chat), the tenant's
default, a team switched on by a feature flag, then the default for the session kind.

Live rollouts then swap personas seat by seat: a session whose id falls in a rollout's
share (``TrafficSplit``, a hash, so the same session always lands the same way) gets the
variant persona in that seat, tagged with the variant's name in telemetry.
"""

from __future__ import annotations

from collections.abc import Mapping

from coach.agents.concurrency import ConcurrencyLimits
from coach.agents.factory import AgentFactory
from coach.agents.rollout import TrafficSplit
from coach.agents.team import AgentTeam
from coach.agents.teams import TeamsConfig, TeamSpec
from coach.domain import SessionKind
from coach.errors import PersonaError
from coach.personas import PersonaRegistry, PersonaRole

TEAM_KEY = "team"
PERSONA_KEY = "persona"


class AgentTeamResolver:
    def __init__(
        self,
        factory: AgentFactory,
        shipped: TeamsConfig,
        *,
        tenant: TeamsConfig | None = None,
        features: frozenset[str] = frozenset(),
        limits: ConcurrencyLimits | None = None,
    ) -> None:
        self._factory = factory
        self._split = TrafficSplit()  # no rollouts until set_split
        self._rolled_out: dict[tuple[str, tuple[tuple[PersonaRole, str], ...]], AgentTeam] = {}
        self._tenant = tenant or TeamsConfig()
        self._config = shipped.merged_with(self._tenant)
        self._features = features
        self._limits = limits or ConcurrencyLimits()
        self._built: dict[str, AgentTeam] = {}

    @property
    def personas(self) -> PersonaRegistry:
        return self._factory.personas

    @property
    def factory(self) -> AgentFactory:
        return self._factory

    def set_split(self, split: TrafficSplit) -> None:
        """Serve the live rollouts in ``split`` from now on (sessions stay sticky)."""
        self._split = split
        self._rolled_out = {}

    def reload_personas(self, personas: PersonaRegistry) -> None:
        """Build teams from a re-read persona folder from now on (after a promotion)."""
        self._factory = self._factory.with_personas(personas)
        self._built = {}
        self._rolled_out = {}

    @property
    def tenant(self) -> str | None:
        return self._tenant.tenant

    def offered(self, kind: SessionKind) -> list[str]:
        """Team names a person may pick for ``kind`` (flagged teams only when on)."""
        return [
            name
            for name, spec in self._config.teams.items()
            if kind in spec.session_kinds and self._switched_on(spec)
        ]

    def resolve(
        self,
        kind: SessionKind,
        metadata: Mapping[str, str] | None = None,
        *,
        session_id: str | None = None,
    ) -> AgentTeam:
        """The team for a session; with ``session_id``, live rollouts applied to it."""
        team = self._resolve(kind, metadata or {})
        if session_id is None or not self._split:
            return team
        return self._rolled_out_for(team, session_id)

    def _resolve(self, kind: SessionKind, metadata: Mapping[str, str]) -> AgentTeam:
        chosen = metadata.get(TEAM_KEY)
        if chosen and chosen in self._config.teams:
            return self.team(chosen)
        if metadata.get(PERSONA_KEY):
            return self.for_persona(metadata[PERSONA_KEY])
        tenant_default = self._tenant.defaults.get(kind)
        if tenant_default:
            return self.team(tenant_default)
        for name in self.offered(kind):
            if self._config.teams[name].feature_flag:
                return self.team(name)
        default = self._config.defaults.get(kind) or next(iter(self.offered(kind)), None)
        if default is None:
            raise PersonaError(f"No team serves {kind.value} sessions: add one to teams.yaml.")
        return self.team(default)

    def team(self, name: str) -> AgentTeam:
        if name not in self._built:
            spec = self._config.teams.get(name)
            if spec is None:
                known = ", ".join(self._config.teams) or "none"
                raise PersonaError(f"There is no team called '{name}' (known: {known}).")
            self._built[name] = self._build(name, spec)
        return self._built[name]

    def for_persona(self, persona_name: str) -> AgentTeam:
        """A one-agent chat team: ``persona_name`` in the general-chat seat."""
        key = f"persona:{persona_name}"
        if key not in self._built:
            persona = self._factory.personas.get(persona_name)
            spec = TeamSpec(
                description=f"{persona.title} on their own.",
                session_kinds=[SessionKind.CHAT],
                seats={PersonaRole.GENERAL_CHAT: persona.name},
            )
            self._built[key] = self._build(key, spec)
        return self._built[key]

    def _rolled_out_for(self, team: AgentTeam, session_id: str) -> AgentTeam:
        """``team`` with each seat a rollout covers given to the session's variant."""
        assignments = {
            role: self._split.assign(team.agent(role).persona.name, session_id)
            for role in team.seats
        }
        chosen = {role: a for role, a in assignments.items() if a is not None}
        if not chosen:
            return team
        key = (team.name, tuple(sorted((role, a.variant) for role, a in chosen.items())))
        if key not in self._rolled_out:
            agents = {}
            for role in team.seats:
                base = team.agent(role)
                assignment = chosen.get(role)
                agents[role] = (
                    self._factory.seat(
                        role, assignment.persona or base.persona, variant=assignment.variant
                    )
                    if assignment is not None
                    else base
                )
            self._rolled_out[key] = AgentTeam(
                team.name, agents, limits=self._limits, description=team.description
            )
        return self._rolled_out[key]

    def _build(self, name: str, spec: TeamSpec) -> AgentTeam:
        agents = {role: self._factory.build(role, persona) for role, persona in spec.seats.items()}
        return AgentTeam(name, agents, limits=self._limits, description=spec.description)

    def _switched_on(self, spec: TeamSpec) -> bool:
        return spec.feature_flag is None or spec.feature_flag in self._features
