"""Typed settings, read once from the environment (prefix ``COACH_``) and ``.env``.

Nested parts use ``__`` as the delimiter: ``COACH_STORE__PATH``,
``COACH_UPLOADS__MAX_BYTES``, ``COACH_AGENT__PROVIDER``. The OpenAI key may also come
from the conventional ``OPENAI_API_KEY``; it is a ``SecretStr`` so it never prints.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coach.domain import CoachingLevel
from coach.realtime.settings import RealtimeSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")


def default_data_dir() -> Path:
    """The user's data folder (XDG on Linux), so the database outlives the checkout."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "coach-workbench"


class StoreSettings(BaseModel):
    """Where sessions live and how long to wait when another process holds the file."""

    path: Path = Field(default_factory=lambda: default_data_dir() / "workbench.duckdb")
    url: SecretStr | None = Field(
        default=None,
        description=(
            "A PostgreSQL URL (postgresql://user:password@host/db) for sessions, so "
            "several app processes can share them; a secret, as it may hold a password."
        ),
    )
    lock_timeout_seconds: float = Field(default=15.0, gt=0)
    memory_limit: str = Field(
        default="512MB",
        description=(
            "Most memory DuckDB may use for its cache and queries (the file stays open, so "
            "its cache would otherwise grow to most of the machine's memory)."
        ),
    )
    idle_release_seconds: float = Field(
        default=300.0,
        ge=0,
        description=(
            "Close the database file after this long idle. Notebooks, the CLI and other "
            "workbench processes need not wait for it: they ask for the file and get it "
            "within tens of milliseconds (coach.store.lease)."
        ),
    )

    @model_validator(mode="after")
    def _url_is_postgresql(self) -> StoreSettings:
        if self.url is not None and not self.url.get_secret_value().startswith(POSTGRESQL_SCHEMES):
            raise ValueError(
                "COACH_STORE__URL must be a PostgreSQL URL (postgresql://user@host/database); "
                "leave it unset to keep everything in the DuckDB file COACH_STORE__PATH."
            )
        return self


class UploadSettings(BaseModel):
    """Limits that keep a huge or hostile upload from stalling the app."""

    max_bytes: int = Field(default=10 * MiB, gt=0)
    max_pages: int = Field(default=50, gt=0)
    max_chars: int = Field(default=200_000, gt=0)
    max_xml_bytes: int = Field(
        default=2 * MiB, gt=0, description="Most XML a DOCX may unpack to (zip bombs)."
    )
    max_unpacked_bytes: int = Field(
        default=32 * MiB, gt=0, description="Most a DOCX may unpack to, images included."
    )
    max_pdf_unpacked_bytes: int = Field(
        default=2 * MiB, gt=0, description="Most a PDF's content and fonts may unpack to."
    )
    min_chars: int = Field(
        default=300, ge=0, description="Fewer characters than this get a warning."
    )


class AgentSettings(BaseModel):
    """Which personas the team uses and which provider answers them."""

    provider: Literal["auto", "offline", "openai"] = Field(
        default="auto",
        description="auto: a real model when a key or base URL is set, else the offline coach.",
    )
    personas_dir: Path = PROJECT_ROOT / "personas"
    teams_file: Path = PROJECT_ROOT / "teams.yaml"
    tenant_config: Path | None = Field(
        default=None, description="A tenant's teams file: extra teams and per-kind defaults."
    )
    features: frozenset[str] = Field(
        default=frozenset(), description='Feature flags, e.g. ["bar_raiser"] (JSON list).'
    )
    coaching_level: CoachingLevel = CoachingLevel.HELP
    questions_per_session: int = Field(default=5, ge=1, le=20)


class VoicePreviewSettings(BaseModel):
    """Where voice previews are cached, and which espeak-ng speaks them offline."""

    cache_dir: Path = Field(default_factory=lambda: default_data_dir() / "voice-previews")
    espeak_binary: str = "espeak-ng"


class TelemetrySettings(BaseModel):
    """Tracing: spans into the workbench's DuckDB file, and to a collector when one is named.

    Prompts and answers stay out of spans unless ``record_content`` is on: a trace is
    shared more widely than the session it describes.
    """

    enabled: bool = True
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces; "
        "headers come from OTEL_EXPORTER_OTLP_HEADERS.",
    )
    record_content: bool = Field(
        default=False, description="Put prompts and replies (truncated) on model spans."
    )
    content_max_chars: int = Field(default=2_000, gt=0)
    service_name: str = "coach-workbench"
    schedule_delay_ms: int = Field(
        default=250,
        gt=0,
        description="How long finished spans wait to be written. Shorter than the store's "
        "idle release, so a turn's spans usually go in before the file is let go.",
    )
    max_queue_size: int = Field(default=16_384, gt=0)
    max_export_batch_size: int = Field(
        default=4_096,
        gt=0,
        description="Spans per INSERT under load: each commit costs ~3 ms, so a full "
        "batch pays <1 µs a span for it.",
    )
    export_timeout_ms: int = Field(default=10_000, gt=0)

    @model_validator(mode="after")
    def _batch_fits_queue(self) -> TelemetrySettings:
        if self.max_export_batch_size > self.max_queue_size:
            raise ValueError("max_export_batch_size must not exceed max_queue_size")
        return self


class AuthSettings(BaseModel):
    """Who may do what once sign-in is on (sign-in itself is `.streamlit/secrets.toml`
    ``[auth]``, Streamlit's own OIDC), and how much of the shared model one person may use.
    """

    admins: str = Field(
        default="",
        description='Comma-separated emails or whole domains ("@example.org") that may open '
        "Telemetry and Persona Lab and read everyone's sessions.",
    )
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="Key for the pseudonymous user id on spans; unset, a random key per "
        "process (ids then change on restart).",
    )
    max_model_actions_per_user: int = Field(
        default=2,
        ge=1,
        description="Model-backed actions (scoring, questions, replies) one person may have "
        "in flight at once; more are refused with a message.",
    )

    @property
    def admin_rules(self) -> list[str]:
        return [part.strip() for part in self.admins.split(",") if part.strip()]


class CoachSettings(BaseSettings):
    """Everything the workbench can be told from outside, in one typed object."""

    model_config = SettingsConfigDict(
        env_prefix="COACH_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    log_level: str = Field(default="INFO", pattern=r"(?i)^(debug|info|warning|error)$")
    store: StoreSettings = Field(default_factory=StoreSettings)
    uploads: UploadSettings = Field(default_factory=UploadSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    realtime: RealtimeSettings = Field(default_factory=RealtimeSettings)
    voice_previews: VoicePreviewSettings = Field(default_factory=VoicePreviewSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COACH_OPENAI_API_KEY", "OPENAI_API_KEY"),
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("COACH_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
    )
    openai_timeout_seconds: float = Field(
        default=30, gt=0, description="How long one model call may take before we give up."
    )
    openai_max_retries: int = Field(
        default=2, ge=0, description="Retries on timeouts, 429 and 5xx, with backoff."
    )
    openai_api: Literal["chat", "responses"] = Field(
        default="chat",
        description="responses: OpenAI's Responses API (api.openai.com only; compatible "
        "servers keep Chat Completions).",
    )
    model_deadline_seconds: float = Field(
        default=20,
        gt=0,
        description="The longest one action waits for a model, retries included; then "
        "the offline coach answers, labelled.",
    )
    model_cool_off_seconds: float = Field(
        default=60,
        ge=0,
        description="After a server times out or cannot be reached, how long actions go "
        "straight to the offline coach before it is tried again.",
    )
    model_parallel_slots: int | None = Field(
        default=None,
        ge=1,
        description="Requests the model server runs at once. Unset: asked of the server "
        "(llama.cpp's /props); 1 if it does not say (api.openai.com: many).",
    )
    webrtc_ice_servers: list[dict[str, str | list[str]]] = Field(
        default_factory=list,
        description="STUN/TURN servers for voice in browsers on other networks (JSON list).",
    )
    transcription_model: str = Field(
        default="gpt-4o-mini-transcribe",
        description="Speech-to-text model for recorded answers (needs a key or server).",
    )
    max_document_chars: int = Field(
        default=12_000, gt=0, description="Resume and job description are cut to this in prompts."
    )

    @property
    def uses_real_model(self) -> bool:
        """True when settings ask for, or allow and can reach, a real model."""
        if self.agent.provider == "offline":
            return False
        if self.agent.provider == "openai":
            return True
        return bool(self.openai_api_key or self.openai_base_url)
