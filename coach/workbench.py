"""Wires the long-lived parts together once: store, personas, providers, teams, services.

The page layer calls ``build_workbench`` behind ``st.cache_resource``; notebooks and
the CLI call it directly. Nothing here is a module-level singleton.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import cast

from coach.agents import AgentFactory
from coach.agents.resolver import AgentTeamResolver
from coach.agents.teams import TeamsConfig
from coach.analytics import SpanReader
from coach.errors import PersonaError
from coach.experiments.store import build_experiment_store
from coach.personas import Persona, PersonaRegistry
from coach.providers.base import Provider
from coach.providers.checked import CheckedProvider
from coach.providers.offline import OfflineProvider
from coach.providers.slots import ServerSlots
from coach.runtime import AsyncRunner
from coach.services.chat import ChatService
from coach.services.experiments import ROLLOUT_REFRESH_SECONDS, ExperimentService
from coach.services.export import ExportService
from coach.services.fair_use import ModelActionLimit
from coach.services.practice import PracticeService
from coach.services.progress import ProgressService
from coach.services.sessions import SessionsService
from coach.services.voice import VoiceService
from coach.settings import CoachSettings, StoreSettings
from coach.store.base import SessionStore
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.spans import DuckDBSpanSink, SpanSink
from coach.telemetry import Telemetry
from coach.voices import VoicePreviewer

logger = logging.getLogger(__name__)


@dataclass
class Workbench:
    """The services a page needs, built from one ``CoachSettings``."""

    settings: CoachSettings
    store: SessionStore
    """Sessions, experiments and spans: the DuckDB file, or PostgreSQL."""
    span_reader: SpanReader
    """Where the Telemetry page's SQL reads spans, their rollups and the evaluations:
    the session store's database (PostgreSQL when COACH_STORE__URL is set)."""
    teams: AgentTeamResolver
    practice: PracticeService
    chat: ChatService
    sessions: SessionsService
    exports: ExportService
    progress: ProgressService
    voice: VoiceService
    experiments: ExperimentService
    runner: AsyncRunner
    provider_name: str
    slots: ServerSlots
    telemetry: Telemetry = field(default_factory=Telemetry.disabled)
    notices: list[str] = field(default_factory=list)

    @property
    def database(self) -> str:
        """The database a page's cached results belong to (no password in it)."""
        where = getattr(self.store, "where", None)
        return str(where) if where is not None else str(self.settings.store.path)

    @property
    def personas(self) -> PersonaRegistry:
        """The persona folder as last read (a promotion re-reads it)."""
        return self.teams.personas

    def close(self) -> None:
        self.experiments.close()  # cancels its runs while the agent loop still runs
        self.voice.close()
        self.runner.close()
        self.telemetry.shutdown()  # writes the last spans before the store lets go
        self.store.close()


def choose_provider(settings: CoachSettings) -> tuple[Provider, list[str]]:
    """The offline coach, or a real model with the offline coach behind it."""
    offline = OfflineProvider()
    if not settings.uses_real_model:
        return offline, []
    from coach.providers.breaker import BreakerProvider
    from coach.providers.fallback import FallbackProvider
    from coach.providers.openai_compatible import OpenAICompatibleProvider

    notices = []
    if settings.openai_api_key is None and settings.openai_base_url is None:
        notices.append(
            "COACH_AGENT__PROVIDER is 'openai' but no OPENAI_API_KEY or COACH_OPENAI_BASE_URL "
            "is set, so every call will fall back to the offline coach."
        )
    deadline = settings.model_deadline_seconds
    primary = OpenAICompatibleProvider(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        # One try never outlasts the action's deadline, which the breaker enforces.
        timeout_seconds=min(settings.openai_timeout_seconds, deadline + 1),
        max_retries=settings.openai_max_retries,
        max_document_chars=settings.max_document_chars,
        api=settings.openai_api,
    )
    guarded = BreakerProvider(
        primary, deadline_seconds=deadline, cool_off_seconds=settings.model_cool_off_seconds
    )
    return FallbackProvider(guarded, offline), notices


def open_store(settings: StoreSettings) -> SessionStore:
    """PostgreSQL when ``COACH_STORE__URL`` is set (sessions, experiments and spans, shared
    by every app process), else the DuckDB file (everything, one process)."""
    if settings.url is None:
        return DuckDBSessionStore(settings)
    from coach.store.postgres_store import PostgresSessionStore

    store = PostgresSessionStore(settings)
    logger.info("the store is PostgreSQL (%s)", store.where)
    return store


def span_sink(store: SessionStore) -> SpanSink:
    """Where spans go: the store's own database, so every replica's spans meet in
    PostgreSQL when COACH_STORE__URL is set, else the DuckDB file."""
    if isinstance(store, DuckDBSessionStore):
        return DuckDBSpanSink(store)
    from coach.store.postgres_spans import PostgresSpanSink
    from coach.store.postgres_store import PostgresSessionStore

    if not isinstance(store, PostgresSessionStore):
        raise TypeError(f"no span sink for {type(store).__name__}")
    return PostgresSpanSink(store)


def _voice_service(
    settings: CoachSettings, store: SessionStore, practice: PracticeService
) -> VoiceService:
    """Real voices and transcription with a model; espeak-ng previews and metrics without."""
    real = settings.uses_real_model and (settings.openai_api_key or settings.openai_base_url)
    previews = settings.voice_previews
    tts, transcriber = None, None
    if real:  # the openai client takes seconds to import: only when a model is configured
        from coach.providers.transcription import OpenAITranscriber, openai_tts

        tts = openai_tts(api_key=settings.openai_api_key, base_url=settings.openai_base_url)
        transcriber = OpenAITranscriber(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.transcription_model,
        )
    previewer = VoicePreviewer(previews.cache_dir, espeak_binary=previews.espeak_binary, tts=tts)
    return VoiceService(
        store,
        practice,
        previewer,
        transcriber,
        realtime=settings.realtime,
        realtime_token=settings.openai_api_key,
    )


def build_workbench(
    settings: CoachSettings, *, provider: Provider | None = None, demo: bool = False
) -> Workbench:
    """Build everything from settings; ``provider`` overrides the choice (tests, CLI).
    ``demo``: everything this workbench traces is demo data (``coach seed-demo``)."""
    personas = PersonaRegistry.from_directory(settings.agent.personas_dir)
    notices = list(personas.errors)
    if provider is None:
        provider, provider_notices = choose_provider(settings)
        notices += provider_notices
    store = open_store(settings.store)
    key = settings.auth.pseudonym_key
    telemetry = Telemetry.for_sink(
        settings.telemetry,
        span_sink(store),
        pseudonym_key=key.get_secret_value().encode() if key else None,
        demo=demo,
    )
    chosen: Provider = provider
    # Checks sit between whatever answers (traced, behind its fallback) and the domain.
    checked = CheckedProvider(telemetry.instrument(chosen), OfflineProvider())

    def provider_for(_persona: Persona) -> Provider:
        return checked

    teams = TeamsConfig.load(settings.agent.teams_file)
    tenant = None
    if settings.agent.tenant_config is not None:
        try:
            tenant = TeamsConfig.load(settings.agent.tenant_config)
        except PersonaError as error:
            notices.append(f"{error} The shipped teams are used instead.")
    resolver = AgentTeamResolver(
        AgentFactory(personas, provider_for, telemetry=telemetry),
        teams,
        tenant=tenant,
        features=settings.agent.features,
    )
    runner = AsyncRunner()
    # Services see a store whose calls inside a turn are spans; the exporter writes
    # through the bare one, so writing spans never makes spans.
    traced_store = telemetry.instrument_store(store)
    limit = ModelActionLimit(settings.auth.max_model_actions_per_user)  # shared by services
    slots = ServerSlots(settings.openai_base_url, configured=settings.model_parallel_slots)
    if chosen.name != "offline":
        slots.parallel()  # starts asking the server in the background, off the page's path
    practice = PracticeService(
        traced_store,
        resolver,
        runner,
        settings.uploads,
        telemetry=telemetry,
        limit=limit,
        follow_up_beside_score=lambda: chosen.name != "offline" and slots.parallel() > 1,
    )
    return Workbench(
        voice=_voice_service(settings, traced_store, practice),
        settings=settings,
        store=store,
        span_reader=cast(SpanReader, store),
        teams=resolver,
        practice=practice,
        chat=ChatService(traced_store, resolver, runner, telemetry=telemetry, limit=limit),
        sessions=SessionsService(store),
        exports=ExportService(practice),
        progress=ProgressService(traced_store),
        experiments=ExperimentService(
            build_experiment_store(store),  # beside the sessions: shared by replicas
            traced_store,
            resolver,
            runner,
            personas_dir=settings.agent.personas_dir,
            provider_name=chosen.name,
            telemetry=telemetry,
            # Replicas share rollouts on PostgreSQL: each re-reads what the others change.
            rollout_refresh_seconds=None
            if isinstance(store, DuckDBSessionStore)
            else ROLLOUT_REFRESH_SECONDS,
        ),
        runner=runner,
        provider_name=chosen.name,
        slots=slots,
        telemetry=telemetry,
        notices=notices,
    )
