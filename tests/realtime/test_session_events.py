"""Session config, client events and client secrets, checked against the openai package.

Every event the relay sends is validated by the ``openai`` package's own GA Realtime
models; those allow unknown fields, so a helper also fails on any field the API does
not define (a misspelt key would otherwise pass silently).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from openai.types.realtime import (
    RealtimeClientEvent,
    RealtimeSessionCreateRequest,
    SessionUpdateEvent,
)
from pydantic import BaseModel, SecretStr, TypeAdapter

from coach.domain import CoachingLevel, Speaker, TranscriptSegment
from coach.errors import CoachError
from coach.personas import Persona, PersonaRole
from coach.realtime.client_secrets import mint_client_secret
from coach.realtime.session import (
    conversation_item_truncate,
    input_audio_buffer_append,
    input_audio_buffer_commit,
    response_cancel,
    response_create,
    session_config,
    session_update,
    voice_settings,
    with_conversation_so_far,
)
from coach.realtime.settings import RealtimeSettings, SemanticVad, ServerVad
from coach.settings import CoachSettings

CLIENT_EVENT = TypeAdapter(RealtimeClientEvent)
KEY = "sk-" + "test-realtime-0123456789abcdef"
API = "https://api.openai.com/v1"


def assert_only_known_fields(model: BaseModel, where: str = "event") -> None:
    """Recursively: no field the openai models do not define."""
    assert not model.model_extra, f"{where} has fields the API does not define: {model.model_extra}"
    for name in model.model_fields_set:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, BaseModel):
                assert_only_known_fields(item, f"{where}.{name}[{index}]")


def validate(event: dict[str, Any]) -> BaseModel:
    parsed = CLIENT_EVENT.validate_python(json.loads(json.dumps(event)))
    assert_only_known_fields(parsed, event["type"])
    return parsed


def persona(**fields: Any) -> Persona:
    values: dict[str, Any] = {
        "name": "primary_coach",
        "role": PersonaRole.PRIMARY,
        "prompt": "You are Sam, a senior engineering manager interviewing for a platform team.",
        "tone": "calm and curious",
        **fields,
    }
    return Persona(**values)


QUESTION = "Tell me about a time you migrated a system with no downtime."


# --- the session ------------------------------------------------------------------------


def test_the_session_is_a_ga_realtime_session_with_pcm16_at_24khz() -> None:
    session = session_config(persona(), RealtimeSettings(), question=QUESTION)
    event = validate(session_update(session))
    assert isinstance(event, SessionUpdateEvent)
    parsed = event.session
    assert isinstance(parsed, RealtimeSessionCreateRequest)
    assert parsed.type == "realtime"
    assert parsed.model == "gpt-realtime-mini"
    assert parsed.audio is not None and parsed.audio.input and parsed.audio.output
    for fmt in (parsed.audio.input.format, parsed.audio.output.format):
        assert fmt is not None and (fmt.type, fmt.rate) == ("audio/pcm", 24_000)  # type: ignore[union-attr]
    assert parsed.audio.input.transcription is not None
    assert parsed.audio.input.transcription.model == "gpt-4o-mini-transcribe"
    assert parsed.audio.input.noise_reduction is not None
    assert parsed.audio.input.noise_reduction.type == "far_field"
    detection = parsed.audio.input.turn_detection
    assert detection is not None and detection.type == "semantic_vad"
    assert detection.eagerness == "low"  # type: ignore[union-attr]
    assert parsed.audio.output.voice == "alloy"


def test_server_vad_settings_reach_the_session() -> None:
    settings = RealtimeSettings(
        turn_detection=ServerVad(threshold=0.6, prefix_padding_ms=200, silence_duration_ms=900),
        noise_reduction=None,
        transcription_language="en",
    )
    session = session_config(persona(), settings, question=None)
    validate(session_update(session))
    audio_input = session["audio"]["input"]
    assert audio_input["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.6,
        "prefix_padding_ms": 200,
        "silence_duration_ms": 900,
    }
    assert audio_input["noise_reduction"] is None  # null turns it off
    assert audio_input["transcription"] == {"model": "gpt-4o-mini-transcribe", "language": "en"}


def test_instructions_carry_the_persona_the_level_and_the_question() -> None:
    coach = persona()
    text = session_config(coach, RealtimeSettings(), question=QUESTION)["instructions"]
    assert coach.prompt in text
    assert "Tone: calm and curious." in text
    assert QUESTION in text
    assert "one question at a time" in text.lower()
    assert "one follow-up" in text.lower()
    assert "pause to think" in text


def test_the_coaching_level_changes_how_the_coach_behaves() -> None:
    coach = persona(coaching_level=CoachingLevel.STRICT)
    default = session_config(coach, RealtimeSettings(), question=QUESTION)["instructions"]
    helping = session_config(
        coach, RealtimeSettings(), question=QUESTION, coaching_level=CoachingLevel.HELP
    )["instructions"]
    assert "Coaching level: strict" in default and "no hints" in default
    assert "Coaching level: help" in helping and "hint" in helping
    assert default != helping


def test_without_a_question_the_coach_opens_the_conversation() -> None:
    text = session_config(persona(), RealtimeSettings(), question="  ")["instructions"]
    assert "The question to ask now" not in text
    assert "which role" in text


def test_voice_comes_from_the_call_then_the_persona_file_then_settings() -> None:
    settings = RealtimeSettings(voice="marin")
    plain, voiced = persona(), persona(voice="verse")

    def voice_of(session: dict[str, Any]) -> str:
        return session["audio"]["output"]["voice"]

    assert voice_of(session_config(plain, settings, question=None)) == "marin"
    assert voice_of(session_config(voiced, settings, question=None)) == "verse"
    assert voice_of(session_config(voiced, settings, question=None, voice="cedar")) == "cedar"
    stored = voice_settings(voiced, settings)
    assert (stored.voice, stored.model, stored.turn_detection, stored.eagerness) == (
        "verse",
        "gpt-realtime-mini",
        "semantic_vad",
        "low",
    )
    assert voice_settings(plain, RealtimeSettings(turn_detection=ServerVad())).eagerness is None


def test_after_a_reconnection_the_session_is_told_the_conversation_so_far() -> None:
    session = session_config(persona(), RealtimeSettings(), question=QUESTION)
    segments = [
        TranscriptSegment(speaker=Speaker.COACH, text=QUESTION),
        TranscriptSegment(speaker=Speaker.CANDIDATE, text="We moved the billing service first."),
    ]
    restored = with_conversation_so_far(session, segments)
    validate(session_update(restored))
    assert restored["instructions"].startswith(session["instructions"])
    assert "Candidate: We moved the billing service first." in restored["instructions"]
    assert f"You: {QUESTION}" in restored["instructions"]
    assert with_conversation_so_far(session, []) is session


# --- every client event the relay sends --------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        session_update(session_config(persona(), RealtimeSettings(), question=QUESTION)),
        input_audio_buffer_append(b"\x01\x00\xff\xff" * 240),
        input_audio_buffer_commit(),
        response_create(),
        response_create("Ask the question again, more slowly."),
        response_cancel(),
        response_cancel("resp_123"),
        conversation_item_truncate("item_123", 1520),
    ],
    ids=lambda event: event["type"] + ("+" if len(event) > 1 else ""),
)
def test_every_client_event_validates_against_the_openai_types(event: dict[str, Any]) -> None:
    parsed = validate(event)
    assert parsed.type == event["type"]  # type: ignore[attr-defined]


def test_appended_audio_is_the_pcm_base64_encoded() -> None:
    pcm = bytes(range(256)) * 4
    event = input_audio_buffer_append(pcm)
    assert base64.b64decode(event["audio"]) == pcm


def test_a_misspelt_field_would_be_caught() -> None:
    with pytest.raises(AssertionError, match="does not define"):
        validate({"type": "response.cancel", "response": "resp_1"})


# --- settings ---------------------------------------------------------------------------


def test_the_realtime_endpoint_follows_the_openai_base_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert RealtimeSettings().base_url == "wss://api.openai.com/v1/realtime"
    monkeypatch.setenv("COACH_OPENAI_BASE_URL", "http://127.0.0.1:8080/v1/")
    settings = RealtimeSettings(model="gpt-realtime")
    assert settings.base_url == "ws://127.0.0.1:8080/v1/realtime"
    assert settings.websocket_url() == "ws://127.0.0.1:8080/v1/realtime?model=gpt-realtime"
    assert settings.api_base_url() == "http://127.0.0.1:8080/v1"


def test_coach_settings_read_realtime_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_REALTIME__VOICE", "marin")
    monkeypatch.setenv("COACH_REALTIME__MAX_SESSION_MINUTES", "20")
    monkeypatch.setenv(
        "COACH_REALTIME__TURN_DETECTION", '{"type": "semantic_vad", "eagerness": "high"}'
    )
    realtime = CoachSettings().realtime
    assert (realtime.voice, realtime.max_session_minutes) == ("marin", 20)
    assert realtime.turn_detection == SemanticVad(eagerness="high")


# --- client secrets ---------------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


def mint(**kwargs: Any) -> Any:
    session = session_config(persona(), RealtimeSettings(), question=QUESTION)
    return mint_client_secret(
        SecretStr(KEY), session, base_url=API, max_retries=0, http_client=httpx.Client(), **kwargs
    )


def test_a_client_secret_is_minted_for_the_session(api: respx.MockRouter) -> None:
    route = api.post("/realtime/client_secrets").respond(
        200,
        json={
            "value": "ek_68af296e8e408191a1120ab6383263c2",
            "expires_at": 1756310470,
            "session": {"type": "realtime", "model": "gpt-realtime-mini"},
        },
    )
    secret = mint(expires_after_seconds=300)
    assert secret.value.get_secret_value() == "ek_68af296e8e408191a1120ab6383263c2"
    assert "ek_68af" not in repr(secret)
    assert secret.expires_at.timestamp() == 1756310470
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    body = json.loads(request.content)
    assert body["expires_after"] == {"anchor": "created_at", "seconds": 300}
    assert body["session"]["type"] == "realtime"
    assert QUESTION in body["session"]["instructions"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "refused the API key (HTTP 401)"), (403, "denied access (HTTP 403)")],
)
def test_a_refused_key_is_a_readable_error_without_the_key(
    api: respx.MockRouter, status: int, expected: str
) -> None:
    api.post("/realtime/client_secrets").respond(
        status, json={"error": {"message": f"Incorrect API key provided: {KEY}."}}
    )
    with pytest.raises(CoachError, match=re.escape(expected)) as caught:
        mint()
    assert KEY not in str(caught.value)
    assert "api.openai.com" in str(caught.value)


def test_a_server_message_is_shown_with_anything_key_like_blanked(api: respx.MockRouter) -> None:
    api.post("/realtime/client_secrets").respond(
        400, json={"error": {"message": f"Invalid voice 'zzz' for key {KEY[:12]}-abcd."}}
    )
    with pytest.raises(CoachError, match=r"HTTP 400\): Invalid voice 'zzz'") as caught:
        mint()
    assert KEY[:12] not in str(caught.value)


def test_an_unreachable_server_is_a_readable_error(api: respx.MockRouter) -> None:
    api.post("/realtime/client_secrets").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(CoachError, match=r"Could not reach api\.openai\.com"):
        mint()
