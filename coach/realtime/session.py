"""The Realtime session a persona speaks through, and the client events we send.

Everything here is a plain JSON-ready dict in the GA Realtime API's shape (checked
against the ``openai`` package's own event models in the tests), so the same
session config serves the server-side relay (``session.update``) and a browser
that connects directly with a client secret.

``output_audio_buffer.clear`` has no builder: it exists only for WebRTC/SIP
connections, and the relay speaks WebSocket, where ``response.cancel`` plus
``conversation.item.truncate`` is how playback is cut off.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from coach.domain import CoachingLevel, Speaker, TranscriptSegment, VoiceSettings
from coach.personas import Persona
from coach.realtime.settings import RealtimeSettings, SemanticVad

__all__ = [
    "INPUT_SAMPLE_RATE",
    "conversation_item_truncate",
    "input_audio_buffer_append",
    "input_audio_buffer_commit",
    "instructions_for",
    "resolve_voice",
    "response_cancel",
    "response_create",
    "session_config",
    "session_update",
    "voice_settings",
    "with_conversation_so_far",
]

INPUT_SAMPLE_RATE = 24_000
"""``audio/pcm`` in the Realtime API is always 16-bit mono at 24 kHz."""

_PCM_FORMAT = {"type": "audio/pcm", "rate": INPUT_SAMPLE_RATE}

_LEVEL_GUIDANCE = {
    CoachingLevel.HELP: (
        "Coaching level: help. If the candidate stalls, offer one short hint or suggest a "
        "structure (situation, task, action, result). After an answer, name one thing that "
        "worked and one thing to improve, in a sentence each."
    ),
    CoachingLevel.STRICT: (
        "Coaching level: strict. Behave like a demanding interviewer: no hints and no praise "
        "mid-answer; press for specifics, numbers and the candidate's own part when an "
        "answer is vague."
    ),
}

_VOICE_RULES = (
    "This is a live spoken interview. Speak naturally and briefly: short sentences, "
    "no lists, no markdown, no reading out of symbols. "
    "Ask one question at a time and wait for the answer. You may ask one follow-up about "
    "that answer; then say the question is done. "
    "The candidate may pause to think: silence is fine, do not fill it or hurry them."
)

_CONTEXT_LIMIT_CHARS = 4_000


def resolve_voice(persona: Persona, settings: RealtimeSettings, voice: str | None = None) -> str:
    """Call > persona (when its file names a voice) > settings: one answer to "which voice"."""
    if voice:
        return voice
    if "voice" in persona.model_fields_set:
        return persona.voice
    return settings.voice


def instructions_for(
    persona: Persona, *, question: str | None, coaching_level: CoachingLevel
) -> str:
    """The system prompt for a spoken interview: persona, tone, level, question, rules."""
    if question and question.strip():
        opening = (
            f'The question to ask now: "{question.strip()}". Ask it in your own words as '
            "your first turn, then listen."
        )
    else:
        opening = "Start by asking the candidate which role they are preparing for."
    return "\n\n".join(
        [
            persona.prompt.strip(),
            f"Tone: {persona.tone}.",
            _LEVEL_GUIDANCE[coaching_level],
            _VOICE_RULES,
            opening,
        ]
    )


def session_config(
    persona: Persona,
    settings: RealtimeSettings,
    *,
    question: str | None,
    coaching_level: CoachingLevel | None = None,
    voice: str | None = None,
) -> dict[str, Any]:
    """A GA ``realtime`` session: PCM16 at 24 kHz both ways, transcription of the candidate."""
    level = coaching_level or persona.coaching_level
    audio_input: dict[str, Any] = {
        "format": dict(_PCM_FORMAT),
        "transcription": _transcription(settings),
        "noise_reduction": (
            {"type": settings.noise_reduction} if settings.noise_reduction else None
        ),
        "turn_detection": settings.turn_detection.model_dump(),
    }
    return {
        "type": "realtime",
        "model": settings.model,
        "instructions": instructions_for(persona, question=question, coaching_level=level),
        "output_modalities": ["audio"],
        "audio": {
            "input": audio_input,
            "output": {
                "format": dict(_PCM_FORMAT),
                "voice": resolve_voice(persona, settings, voice),
            },
        },
    }


def _transcription(settings: RealtimeSettings) -> dict[str, Any]:
    transcription: dict[str, Any] = {"model": settings.transcription_model}
    if settings.transcription_language:
        transcription["language"] = settings.transcription_language
    return transcription


def voice_settings(
    persona: Persona, settings: RealtimeSettings, voice: str | None = None
) -> VoiceSettings:
    """What to store beside a transcript, resolved exactly as ``session_config`` does."""
    detection = settings.turn_detection
    return VoiceSettings(
        voice=resolve_voice(persona, settings, voice),
        model=settings.model,
        turn_detection=detection.type,
        eagerness=detection.eagerness if isinstance(detection, SemanticVad) else None,
    )


def with_conversation_so_far(
    session: dict[str, Any], segments: Sequence[TranscriptSegment]
) -> dict[str, Any]:
    """The session again, told what was said before a reconnection lost the context."""
    if not segments:
        return session
    lines = [
        f"{'Candidate' if s.speaker is Speaker.CANDIDATE else 'You'}: {s.text.strip()}"
        for s in segments
        if s.text.strip()
    ]
    history = "\n".join(lines)[-_CONTEXT_LIMIT_CHARS:]
    note = (
        "The connection dropped and was restored. The conversation so far:\n"
        f"{history}\n"
        "Continue from there; do not greet the candidate again or repeat a question "
        "they have answered."
    )
    instructions = session.get("instructions") or ""
    return {**session, "instructions": f"{instructions}\n\n{note}".strip()}


# --- client events ----------------------------------------------------------------------


def session_update(session: dict[str, Any]) -> dict[str, Any]:
    return {"type": "session.update", "session": session}


def input_audio_buffer_append(pcm16: bytes) -> dict[str, Any]:
    """``pcm16``: little-endian 16-bit mono at 24 kHz, as the session's format says."""
    return {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm16).decode("ascii")}


def input_audio_buffer_commit() -> dict[str, Any]:
    """Only needed without turn detection; with VAD the server commits by itself."""
    return {"type": "input_audio_buffer.commit"}


def response_create(instructions: str | None = None) -> dict[str, Any]:
    """Ask the model to speak now (the opening question); ``instructions`` override once."""
    event: dict[str, Any] = {"type": "response.create"}
    if instructions:
        event["response"] = {"instructions": instructions}
    return event


def response_cancel(response_id: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "response.cancel"}
    if response_id:
        event["response_id"] = response_id
    return event


def conversation_item_truncate(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    """Tell the server how much of the coach's reply was heard, so its context matches."""
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": max(0, int(audio_end_ms)),
    }
