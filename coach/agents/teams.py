"""Team definitions: which persona sits in which seat, as validated YAML.

Adding a team is a YAML change: a new entry under ``teams:`` in ``teams.yaml``
(or in a tenant's config file), optionally switched on by a feature flag.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.domain import SessionKind
from coach.errors import PersonaError
from coach.personas import PersonaRole


class TeamSpec(BaseModel):
    """One team: a persona name per seat, the session kinds it serves, its flag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    session_kinds: list[SessionKind] = Field(default_factory=lambda: [SessionKind.INTERVIEW])
    feature_flag: str | None = Field(
        default=None, description="Only offered when this flag is in COACH_AGENT__FEATURES."
    )
    seats: dict[PersonaRole, str] = Field(min_length=1)


class TeamsConfig(BaseModel):
    """A teams file: the shipped one, or a tenant's (which may also pick defaults)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str | None = None
    teams: dict[str, TeamSpec] = Field(default_factory=dict)
    defaults: dict[SessionKind, str] = Field(
        default_factory=dict, description="The team each session kind gets by default."
    )

    @classmethod
    def load(cls, path: Path) -> TeamsConfig:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise PersonaError(f"Teams file {path} could not be read: {exc.strerror}.") from exc
        except yaml.YAMLError as exc:
            raise PersonaError(f"Teams file {path.name} is not valid YAML: {exc}") from exc
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"field '{'.'.join(str(p) for p in e['loc'])}' {e['msg']}" for e in exc.errors()
            )
            raise PersonaError(f"Teams file {path.name} is invalid: {problems}.") from exc

    def merged_with(self, tenant: TeamsConfig) -> TeamsConfig:
        """The tenant's teams added to (and overriding) ours, its defaults first."""
        return TeamsConfig(
            tenant=tenant.tenant,
            teams={**self.teams, **tenant.teams},
            defaults={**self.defaults, **tenant.defaults},
        )
