"""The interviewer voices a candidate can pick, and a short preview of each.

With an OpenAI key the caller passes a ``tts`` function and the preview is the real
voice; without one, espeak-ng speaks it offline with a distinct accent, pitch and pace
per voice, so the choice still feels like a choice. Previews are cached on disk by what
they say and who says it, because the same few lines are played again and again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from coach.errors import CoachError
from coach.speech import synthesize_speech_wav

logger = logging.getLogger(__name__)

MAX_PREVIEW_CHARS = 300

TextToSpeech = Callable[[str, str], bytes]
"""``tts(voice, text)`` returns audio bytes (WAV, MP3, Ogg or FLAC)."""


class VoiceInfo(BaseModel):
    """A voice as the picker shows it: its API name and how it sounds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str

    @property
    def label(self) -> str:
        return f"{self.name.capitalize()}: {self.description}"


class VoicePreview(BaseModel):
    """A preview file ready to play, and whether it came from the cache."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    engine: Literal["openai", "espeak-ng"]
    cached: bool
    voice: str
    mime_type: str


VOICES: tuple[VoiceInfo, ...] = (
    VoiceInfo(name="alloy", description="neutral, balanced, clear mid-range"),
    VoiceInfo(name="ash", description="warm, confident, slightly low"),
    VoiceInfo(name="ballad", description="gentle, melodic, with a British lilt"),
    VoiceInfo(name="coral", description="bright, friendly, upbeat"),
    VoiceInfo(name="echo", description="deep, calm, resonant"),
    VoiceInfo(name="sage", description="soft, thoughtful, measured"),
    VoiceInfo(name="shimmer", description="light, clear, energetic"),
    VoiceInfo(name="verse", description="expressive, lively, varied"),
    VoiceInfo(name="marin", description="natural, warm, conversational"),
    VoiceInfo(name="cedar", description="grounded, steady, low and unhurried"),
)
_BY_NAME = {voice.name: voice for voice in VOICES}


class _EspeakStyle(NamedTuple):
    """How espeak-ng imitates a voice: accent and variant, pitch (0-99), words a minute."""

    variant: str
    pitch: int
    rate_wpm: int


# Every voice gets its own combination, so offline previews are told apart by ear.
# ("en-gb+f2" silently ignores its variant in espeak-ng 1.51, hence "en" and "en-gb-x-rp".)
_ESPEAK_STYLES: dict[str, _EspeakStyle] = {
    "alloy": _EspeakStyle("en-us", 50, 160),
    "ash": _EspeakStyle("en-us+m3", 42, 155),
    "ballad": _EspeakStyle("en-gb-x-rp+m1", 58, 145),
    "coral": _EspeakStyle("en-us+f3", 62, 165),
    "echo": _EspeakStyle("en-us+m7", 32, 150),
    "sage": _EspeakStyle("en+f4", 50, 140),
    "shimmer": _EspeakStyle("en-us+f2", 72, 170),
    "verse": _EspeakStyle("en-us+m5", 56, 175),
    "marin": _EspeakStyle("en-gb-x-rp+f2", 56, 155),
    "cedar": _EspeakStyle("en+m3", 38, 145),
}

_AUDIO_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"RIFF", ".wav", "audio/wav"),
    (b"ID3", ".mp3", "audio/mpeg"),
    (b"OggS", ".ogg", "audio/ogg"),
    (b"fLaC", ".flac", "audio/flac"),
)
_MIME_BY_SUFFIX = {suffix: mime for _, suffix, mime in _AUDIO_TYPES}


def voice_info(name: str) -> VoiceInfo:
    """The catalog entry for ``name``; a clear error naming the choices otherwise."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        choices = ", ".join(voice.name for voice in VOICES)
        raise CoachError(f"There is no voice called {name!r}: choose one of {choices}.") from None


def default_preview_text(voice: str) -> str:
    """What the interviewer says in a preview: short, and in the interview's register."""
    name = voice_info(voice).name.capitalize()
    return (
        f"Hi, I'm {name}, your interview coach. "
        "Tell me about a project you're proud of, and what you did to make it work."
    )


class VoicePreviewer:
    """Makes and caches voice previews, with OpenAI when ``tts`` is given, else espeak-ng.

    The cache key is a hash of engine, voice and text (and espeak-ng's settings), so a
    file name never carries the text or anything secret, and a changed voice mapping
    never replays a stale preview.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        espeak_binary: str = "espeak-ng",
        tts: TextToSpeech | None = None,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.espeak_binary = espeak_binary
        self._tts = tts

    @property
    def engine(self) -> Literal["openai", "espeak-ng"]:
        return "openai" if self._tts is not None else "espeak-ng"

    def preview(self, voice: str, text: str | None = None) -> VoicePreview:
        """The preview of ``voice`` saying ``text`` (the default line when empty)."""
        started = time.perf_counter()
        name = voice_info(voice).name
        line = _clip(text or "") or default_preview_text(name)
        engine = self.engine
        digest = _cache_key(engine, name, line)
        cached = self._find(digest)
        if cached is not None:
            result = VoicePreview(
                path=cached,
                engine=engine,
                cached=True,
                voice=name,
                mime_type=_MIME_BY_SUFFIX[cached.suffix],
            )
        else:
            audio = self._synthesize(name, line)
            suffix, mime_type = _audio_type(audio)
            path = self._write(digest + suffix, audio)
            result = VoicePreview(
                path=path, engine=engine, cached=False, voice=name, mime_type=mime_type
            )
        logger.info(
            "voice preview",
            extra={
                "voice": name,
                "engine": engine,
                "cached": result.cached,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return result

    def _find(self, digest: str) -> Path | None:
        for suffix in _MIME_BY_SUFFIX:
            candidate = self.cache_dir / f"{digest}{suffix}"
            if candidate.is_file() and candidate.stat().st_size > 0:
                return candidate
        return None

    def _synthesize(self, voice: str, text: str) -> bytes:
        if self._tts is not None:
            return _speak_with_openai(self._tts, voice, text)
        if shutil.which(self.espeak_binary) is None:
            raise CoachError(
                f"Offline voice previews need espeak-ng, and {self.espeak_binary!r} was not "
                "found: install Debian's espeak-ng package (sudo apt-get install espeak-ng), "
                "or set an OpenAI API key to hear the real voices."
            )
        style = _ESPEAK_STYLES[voice]
        return synthesize_speech_wav(
            text,
            espeak_binary=self.espeak_binary,
            voice=style.variant,
            rate_wpm=style.rate_wpm,
            pitch=style.pitch,
        )

    def _write(self, file_name: str, audio: bytes) -> Path:
        """Temp file and rename, so a reader never plays half a file, even across threads."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        target = self.cache_dir / file_name
        handle, temp_name = tempfile.mkstemp(dir=self.cache_dir, prefix=".preview-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(audio)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return target


def _speak_with_openai(tts: TextToSpeech, voice: str, text: str) -> bytes:
    try:
        audio = tts(voice, text)
    except CoachError:
        raise
    except Exception as error:
        # Log only the type: a provider's message may quote part of the key.
        logger.warning(
            "voice preview failed", extra={"voice": voice, "error": type(error).__name__}
        )
        raise CoachError(
            f"OpenAI could not speak the {voice} preview: check the API key and the "
            "network, or remove the key to hear the offline voice."
        ) from error
    if not audio:
        raise CoachError(f"OpenAI returned no audio for the {voice} preview: try again.")
    return audio


def _clip(text: str) -> str:
    """At most MAX_PREVIEW_CHARS, cut at a word boundary: previews are a sentence or two."""
    text = " ".join(text.split())
    if len(text) <= MAX_PREVIEW_CHARS:
        return text
    cut = text[:MAX_PREVIEW_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _cache_key(engine: str, voice: str, text: str) -> str:
    parts = [engine, voice, text]
    if engine == "espeak-ng":
        parts.append(repr(tuple(_ESPEAK_STYLES[voice])))
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _audio_type(audio: bytes) -> tuple[str, str]:
    for magic, suffix, mime_type in _AUDIO_TYPES:
        if audio.startswith(magic):
            return suffix, mime_type
    if len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0:
        return ".mp3", "audio/mpeg"  # an MPEG frame without an ID3 tag
    raise CoachError("The voice preview came back in an audio format we cannot play.")
