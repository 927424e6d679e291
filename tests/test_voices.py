"""Voice catalog and previews: real espeak-ng audio, cached on disk."""

from __future__ import annotations

import hashlib
import io
import logging
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from coach.errors import CoachError
from coach.settings import CoachSettings
from coach.speech import delivery_from_audio, read_wav
from coach.voices import (
    MAX_PREVIEW_CHARS,
    VOICES,
    VoicePreviewer,
    default_preview_text,
    voice_info,
)

MISSING_ESPEAK = "/nonexistent/espeak-ng"
LINE = "Tell me about a time you changed your mind."


class RecordingTTS:
    """A stand-in for OpenAI TTS: a distinct tone per voice, and a log of its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, voice: str, text: str) -> bytes:
        self.calls.append((voice, text))
        rate = 24_000
        pitch = 200 + 10 * [v.name for v in VOICES].index(voice)
        tone = 0.3 * np.sin(2 * np.pi * pitch * np.arange(rate) / rate)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((tone * 32767).astype("<i2").tobytes())
        return buffer.getvalue()


def test_the_catalog_has_the_realtime_voices_each_with_how_it_sounds() -> None:
    names = [voice.name for voice in VOICES]
    assert names == [
        "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"
    ]  # fmt: skip
    assert all(len(voice.description.split(",")) >= 2 for voice in VOICES)
    assert len({voice.description for voice in VOICES}) == len(VOICES)
    assert voice_info(" Coral ").name == "coral"
    assert voice_info("marin").label.startswith("Marin: ")


def test_an_unknown_voice_names_the_choices() -> None:
    with pytest.raises(CoachError, match=r"no voice called 'nova': choose one of alloy, ash"):
        voice_info("nova")


def test_the_default_line_sounds_like_an_interview() -> None:
    text = default_preview_text("sage")
    assert "interview coach" in text and "project you're proud of" in text
    assert len(text) <= MAX_PREVIEW_CHARS


def test_a_second_preview_comes_from_the_cache_instantly(tmp_path: Path) -> None:
    previewer = VoicePreviewer(tmp_path)

    started = time.perf_counter()
    first = previewer.preview("ash", LINE)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = previewer.preview("ash", LINE)
    second_seconds = time.perf_counter() - started

    assert (first.cached, second.cached) == (False, True)
    assert second.path == first.path and first.path.parent == tmp_path
    assert (first.engine, first.mime_type) == ("espeak-ng", "audio/wav")
    assert second_seconds < first_seconds / 10, (first_seconds, second_seconds)
    assert second_seconds < 0.01
    samples, rate = read_wav(first.path.read_bytes())
    assert delivery_from_audio(samples, rate).speaking_seconds > 1.5


def test_a_cached_preview_needs_no_espeak_at_all(tmp_path: Path) -> None:
    made = VoicePreviewer(tmp_path).preview("echo", LINE)

    again = VoicePreviewer(tmp_path, espeak_binary=MISSING_ESPEAK).preview("echo", LINE)

    assert again.cached and again.path == made.path


def test_every_voice_sounds_different_offline(tmp_path: Path) -> None:
    previewer = VoicePreviewer(tmp_path)

    previews = [previewer.preview(voice.name, LINE) for voice in VOICES]

    digests = {hashlib.sha256(p.path.read_bytes()).hexdigest() for p in previews}
    assert len(digests) == len(VOICES)
    lengths = {round(read_wav(p.path.read_bytes())[0].size / 2205) for p in previews}
    assert len(lengths) > 3  # pace differs too, not only the timbre


def test_different_text_is_a_different_preview(tmp_path: Path) -> None:
    previewer = VoicePreviewer(tmp_path)
    one = previewer.preview("alloy", LINE)
    other = previewer.preview("alloy", "Walk me through your last project.")
    assert one.path != other.path and not other.cached


def test_an_injected_tts_is_used_instead_of_espeak(tmp_path: Path) -> None:
    tts = RecordingTTS()
    previewer = VoicePreviewer(tmp_path, espeak_binary=MISSING_ESPEAK, tts=tts)

    coral = previewer.preview("coral", LINE)
    verse = previewer.preview("verse", LINE)
    again = previewer.preview("coral", LINE)

    assert tts.calls == [("coral", LINE), ("verse", LINE)]
    assert (coral.engine, coral.cached, again.cached) == ("openai", False, True)
    assert coral.path.read_bytes() == tts("coral", LINE)
    assert coral.path.read_bytes() != verse.path.read_bytes()


def test_openai_and_espeak_previews_are_cached_apart(tmp_path: Path) -> None:
    offline = VoicePreviewer(tmp_path).preview("sage", LINE)
    online = VoicePreviewer(tmp_path, tts=RecordingTTS()).preview("sage", LINE)
    assert not online.cached and online.path != offline.path


def test_mp3_from_tts_is_saved_and_labelled_as_mp3(tmp_path: Path) -> None:
    mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200)
    preview = VoicePreviewer(tmp_path, tts=lambda voice, text: mp3).preview("alloy", LINE)
    assert preview.path.suffix == ".mp3" and preview.mime_type == "audio/mpeg"
    assert preview.path.read_bytes() == mp3


def test_a_missing_espeak_says_what_to_install(tmp_path: Path) -> None:
    previewer = VoicePreviewer(tmp_path, espeak_binary=MISSING_ESPEAK)
    with pytest.raises(CoachError, match=r"install Debian's espeak-ng.*OpenAI API key"):
        previewer.preview("alloy", LINE)


def test_a_failing_tts_leaves_nothing_behind_and_never_logs_the_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-" + "test-0123456789abcdef"

    def rejecting_tts(voice: str, text: str) -> bytes:
        raise RuntimeError(f"Incorrect API key provided: {key}")

    previewer = VoicePreviewer(tmp_path, tts=rejecting_tts)
    with (
        caplog.at_level(logging.DEBUG, logger="coach"),
        pytest.raises(CoachError, match="check the API key") as raised,
    ):
        previewer.preview("ballad", LINE)

    assert key not in str(raised.value)
    assert key not in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_file_names_carry_neither_the_text_nor_a_key(tmp_path: Path) -> None:
    key = "sk-" + "test-0123456789abcdef"
    previewer = VoicePreviewer(tmp_path, tts=lambda voice, text: RecordingTTS()(voice, text))
    previewer.preview("cedar", f"My key is {key}")
    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 1 and "key" not in names[0] and key not in names[0]
    assert not any(name.endswith(".tmp") for name in names)


def test_long_text_is_cut_at_a_word_and_empty_text_uses_the_default(tmp_path: Path) -> None:
    tts = RecordingTTS()
    previewer = VoicePreviewer(tmp_path, tts=tts)

    previewer.preview("shimmer", "word " * 200)
    previewer.preview("shimmer", "   ")

    long_text, default_text = (text for _, text in tts.calls)
    assert len(long_text) <= MAX_PREVIEW_CHARS + 1 and long_text.endswith("word…")
    assert default_text == default_preview_text("shimmer")


def test_the_cache_folder_comes_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_VOICE_PREVIEWS__CACHE_DIR", str(tmp_path / "previews"))
    settings = CoachSettings()
    assert settings.voice_previews.cache_dir == tmp_path / "previews"
    assert settings.voice_previews.espeak_binary == "espeak-ng"
