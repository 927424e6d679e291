"""Wires the long-lived parts together once: store, personas, providers, team, services.

The page layer calls ``build_workbench`` behind ``st.cache_resource``; notebooks and
the CLI call it directly. Nothing here is a module-level singleton.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.agents import AgentFactory, AgentTeam
from coach.personas import Persona, PersonaRegistry, PersonaRole
from coach.providers.base import Provider
from coach.providers.offline import OfflineProvider
from coach.services.export import ExportService
from coach.services.practice import PracticeService
from coach.services.sessions import SessionsService
from coach.settings import CoachSettings
from coach.store.base import SessionStore
from coach.store.duckdb_store import DuckDBSessionStore


@dataclass
class Workbench:
    """The services a page needs, built from one ``CoachSettings``."""

    settings: CoachSettings
    store: SessionStore
    personas: PersonaRegistry
    team: AgentTeam
    practice: PracticeService
    sessions: SessionsService
    exports: ExportService
    notices: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.store.close()


def build_workbench(settings: CoachSettings, *, provider: Provider | None = None) -> Workbench:
    """Build everything from settings; ``provider`` overrides the choice (tests, CLI)."""
    personas = PersonaRegistry.from_directory(settings.agent.personas_dir)
    notices = list(personas.errors)
    chosen = provider or OfflineProvider()
    if provider is None and settings.uses_real_model:
        notices.append(
            "A model key or server is configured, but real models arrive in a later "
            "version; the offline coach is answering."
        )

    def provider_for(_persona: Persona) -> Provider:
        return chosen

    factory = AgentFactory(personas, provider_for)
    team = AgentTeam(
        "interview",
        {
            PersonaRole.PRIMARY: factory.build(PersonaRole.PRIMARY, settings.agent.default_persona),
            PersonaRole.FEEDBACK: factory.build(
                PersonaRole.FEEDBACK, settings.agent.feedback_persona
            ),
            PersonaRole.GENERAL_CHAT: factory.build(
                PersonaRole.GENERAL_CHAT, settings.agent.chat_persona
            ),
        },
    )
    store = DuckDBSessionStore(settings.store)
    practice = PracticeService(store, team, settings.uploads)
    return Workbench(
        settings=settings,
        store=store,
        personas=personas,
        team=team,
        practice=practice,
        sessions=SessionsService(store),
        exports=ExportService(practice),
        notices=notices,
    )
