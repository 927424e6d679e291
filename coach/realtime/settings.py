"""Realtime voice settings: model, voice, turn detection, limits and the endpoint.

Nested under ``CoachSettings.realtime``, so every field can be set from the
environment: ``COACH_REALTIME__VOICE=marin``, ``COACH_REALTIME__MAX_SESSION_MINUTES=20``,
``COACH_REALTIME__TURN_DETECTION='{"type": "server_vad", "silence_duration_ms": 700}'``.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DEFAULT_REALTIME_URL",
    "RealtimeSettings",
    "SemanticVad",
    "ServerVad",
    "TurnDetection",
    "realtime_url_from_api_base",
]

DEFAULT_REALTIME_URL = "wss://api.openai.com/v1/realtime"


class ServerVad(BaseModel):
    """Volume-based turn detection: the turn ends after ``silence_duration_ms`` of quiet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["server_vad"] = "server_vad"
    threshold: float = Field(default=0.5, ge=0, le=1)
    prefix_padding_ms: int = Field(default=300, ge=0, le=5_000)
    silence_duration_ms: int = Field(default=500, ge=100, le=10_000)


class SemanticVad(BaseModel):
    """Model-based turn detection; ``low`` eagerness lets a candidate pause to think."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["semantic_vad"] = "semantic_vad"
    eagerness: Literal["low", "medium", "high", "auto"] = "low"


TurnDetection = Annotated[ServerVad | SemanticVad, Field(discriminator="type")]


def realtime_url_from_api_base(api_base_url: str) -> str:
    """``https://host/v1`` -> ``wss://host/v1/realtime``: one base URL serves both APIs."""
    parts = urlsplit(api_base_url.strip())
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if not path.endswith("/realtime"):
        path += "/realtime"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def _default_base_url() -> str:
    # The same variables CoachSettings reads for the Chat Completions base URL.
    api_base = os.environ.get("COACH_OPENAI_BASE_URL") or os.environ.get("OPENAI_BASE_URL")
    return realtime_url_from_api_base(api_base) if api_base else DEFAULT_REALTIME_URL


class RealtimeSettings(BaseModel):
    """How a voice interview talks to the Realtime API and how long it may last."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = "gpt-realtime-mini"
    voice: str = Field(default="alloy", description="Used when the persona names no voice.")
    turn_detection: TurnDetection = Field(default_factory=SemanticVad)
    transcription_model: str = "gpt-4o-mini-transcribe"
    transcription_language: str | None = Field(
        default=None, description="ISO-639-1 code (e.g. en); improves accuracy and latency."
    )
    noise_reduction: Literal["near_field", "far_field"] | None = Field(
        default="far_field",
        description="far_field suits laptop microphones, near_field headsets; None turns it off.",
    )
    max_session_minutes: float = Field(default=15, gt=0, le=120)
    base_url: str = Field(
        default_factory=_default_base_url,
        description="Realtime WebSocket endpoint; derived from COACH_OPENAI_BASE_URL when set.",
    )
    connect_timeout_seconds: float = Field(default=10, gt=0)
    reconnect_attempts: int = Field(
        default=3, ge=0, le=10, description="Consecutive reconnections before giving up."
    )
    reconnect_backoff_seconds: float = Field(
        default=0.5, ge=0, description="First wait before reconnecting; doubles per attempt."
    )
    append_frames: int = Field(
        default=1,
        ge=1,
        le=25,
        description="20 ms frames per input_audio_buffer.append; 1 gives the lowest latency.",
    )
    input_buffer_seconds: float = Field(
        default=5,
        gt=0,
        le=60,
        description="Candidate audio held while (re)connecting; older audio is dropped.",
    )

    def websocket_url(self) -> str:
        """The endpoint with ``?model=``, keeping any query the base URL already has."""
        parts = urlsplit(self.base_url)
        query = "&".join(q for q in (parts.query, urlencode({"model": self.model})) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def api_base_url(self) -> str:
        """The HTTP API base (``https://host/v1``) that client secrets are minted from."""
        parts = urlsplit(self.base_url)
        scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
        path = parts.path.rstrip("/").removesuffix("/realtime")
        return urlunsplit((scheme, parts.netloc, path, "", ""))
