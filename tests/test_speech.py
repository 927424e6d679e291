"""Delivery metrics measured on real speech: espeak-ng recordings at known paces."""

from __future__ import annotations

import io
import subprocess
import time
import wave
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from coach.domain import Speaker, TranscriptSegment
from coach.errors import CoachError
from coach.speech import (
    count_fillers,
    count_words,
    delivery_from_audio,
    delivery_from_transcript,
    read_wav,
    speech_activity,
    synthesize_speech_wav,
)

ANSWER = (
    "In my last role I led a small team that rebuilt our billing pipeline. "
    "We moved from nightly batch jobs to an event driven design, which cut invoice errors "
    "by half and let finance close the month two days earlier. The hardest part was "
    "convincing people to trust the new numbers, so we ran both systems side by side for a "
    "quarter and published the differences every week until nobody asked anymore."
)
FIRST = "In my last role I led a small team that rebuilt our billing pipeline."
SECOND = "We moved from nightly batch jobs to an event driven design, which cut errors by half."


@cache
def _spoken(text: str, rate_wpm: int = 150) -> tuple[np.ndarray, int]:
    samples, rate = read_wav(synthesize_speech_wav(text, rate_wpm=rate_wpm))
    samples.setflags(write=False)
    return samples, rate


def _wav_bytes(samples: np.ndarray, rate: int, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def _sound_span(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """Ground truth for synthetic speech: its first and last audible sample."""
    audible = np.flatnonzero(np.abs(samples) > 1e-3)
    return audible[0] / rate, audible[-1] / rate


def _with_pause(seconds: float) -> tuple[np.ndarray, int, float]:
    """FIRST, ``seconds`` of silence, SECOND; and the true silent gap between them."""
    first, rate = _spoken(FIRST)
    second, _ = _spoken(SECOND)
    lead = np.zeros(rate // 2, dtype=np.float32)
    gap = np.zeros(int(seconds * rate), dtype=np.float32)
    samples = np.concatenate([lead, first, gap, second, lead])
    true_gap = (
        (len(first) / rate - _sound_span(first, rate)[1]) + seconds + _sound_span(second, rate)[0]
    )
    return samples, rate, true_gap


# --- pace -----------------------------------------------------------------------------


@pytest.mark.parametrize(("rate_wpm", "verdict"), [(120, "slow"), (190, "fast")])
def test_pace_is_measured_within_20_percent_and_named_in_the_guidance(
    rate_wpm: int, verdict: str
) -> None:
    samples, rate = _spoken(ANSWER, rate_wpm)

    metrics = delivery_from_audio(samples, rate, ANSWER)

    assert metrics.words == count_words(ANSWER) == 72
    assert metrics.words_per_minute is not None
    assert abs(metrics.words_per_minute - rate_wpm) / rate_wpm < 0.20
    pace_line = metrics.guidance[0]
    assert "words per minute" in pace_line
    assert str(int(metrics.words_per_minute + 0.5)) in pace_line
    assert verdict in pace_line
    assert ("fast" in pace_line) is (verdict == "fast")


def test_faster_speech_measures_faster() -> None:
    paces = [
        delivery_from_audio(*_spoken(ANSWER, wpm), ANSWER).words_per_minute for wpm in (120, 190)
    ]
    assert paces[0] is not None and paces[1] is not None
    assert paces[1] / paces[0] == pytest.approx(190 / 120, rel=0.1)


def test_speaking_time_runs_from_first_to_last_sound_not_the_whole_file() -> None:
    speech, rate = _spoken(ANSWER)
    padded = np.concatenate(
        [np.zeros(2 * rate, np.float32), speech, np.zeros(3 * rate, np.float32)]
    )
    start, end = _sound_span(padded, rate)

    metrics = delivery_from_audio(padded, rate)

    assert metrics.speaking_seconds == pytest.approx(end - start, abs=0.25)
    assert metrics.words is None and metrics.words_per_minute is None
    intervals = speech_activity(padded, rate)
    assert intervals[0][0] == pytest.approx(start, abs=0.1)


# --- pauses ---------------------------------------------------------------------------


def _quiet_with_hiss(samples: np.ndarray) -> np.ndarray:
    hiss = np.random.default_rng(1).normal(0, 3e-4, len(samples))
    return (samples * 0.01 + hiss).astype(np.float32)


def _under_loud_hum(samples: np.ndarray, rate: int) -> np.ndarray:
    t = np.arange(len(samples)) / rate
    hum = 0.25 * np.sin(2 * np.pi * 50 * t) + 0.05 * np.sin(2 * np.pi * 150 * t)
    return (samples * 0.4 + hum).astype(np.float32)


@pytest.mark.parametrize("room", ["clean", "quiet with hiss", "loud mains hum"])
def test_a_four_second_silence_between_sentences_is_one_long_pause(room: str) -> None:
    samples, rate, true_gap = _with_pause(4.0)
    if room == "quiet with hiss":
        samples = _quiet_with_hiss(samples)
    elif room == "loud mains hum":
        samples = _under_loud_hum(samples, rate)

    metrics = delivery_from_audio(samples, rate)

    assert metrics.long_pauses == 1
    assert metrics.longest_pause_seconds == pytest.approx(true_gap, abs=0.2)
    assert any(f"{int(true_gap + 0.5)}-second pause" in line for line in metrics.guidance)
    assert any("let me think" in line for line in metrics.guidance)


def test_breaths_between_sentences_are_not_long_pauses() -> None:
    samples, rate, true_gap = _with_pause(1.5)

    metrics = delivery_from_audio(samples, rate)

    assert metrics.long_pauses == 0
    assert metrics.longest_pause_seconds == pytest.approx(true_gap, abs=0.2)


def test_silence_only_has_no_speaking_time_and_says_to_check_the_microphone() -> None:
    rate = 48_000
    hiss = np.random.default_rng(2).normal(0, 1e-3, 5 * rate).astype(np.float32)
    for samples in (np.zeros(5 * rate, np.float32), hiss):
        metrics = delivery_from_audio(samples, rate, "")

        assert metrics.speaking_seconds == 0
        assert metrics.words_per_minute is None
        assert len(metrics.guidance) == 1
        assert "microphone" in metrics.guidance[0]


def test_a_steady_hum_alone_is_not_speech() -> None:
    rate = 16_000
    t = np.arange(4 * rate) / rate
    hum = (0.3 * np.sin(2 * np.pi * 60 * t)).astype(np.float32)
    assert speech_activity(hum, rate) == []


# --- fillers --------------------------------------------------------------------------


def test_fillers_are_counted_but_ordinary_uses_of_like_are_not() -> None:
    assert count_fillers("Um, so, like, I basically built the whole thing, you know?") == {
        "um": 1,
        "like": 1,
        "basically": 1,
        "you know": 1,
    }
    assert count_fillers("I like Python.") == {}
    assert count_fillers("It looks like a good fit; what kind of team would I join?") == {}
    assert count_fillers("Do you know what I mean? I'd like that sort of role.") == {}
    assert count_fillers("It was kind of hard and it took like three weeks, I mean, so yeah.") == {
        "kind of": 1,
        "like": 1,
        "i mean": 1,
        "so yeah": 1,
    }
    assert count_fillers("Uh, er, umm, ah, actually, literally.") == {
        "uh": 1,
        "er": 1,
        "um": 1,
        "ah": 1,
        "actually": 1,
        "literally": 1,
    }


def test_frequent_fillers_are_flagged_with_advice_to_pause_instead() -> None:
    text = " ".join(["Um, so, like, I basically built the billing service, you know."] * 6)

    metrics = delivery_from_transcript(text, 60.0)

    assert metrics.filler_count == 24
    assert metrics.fillers_per_minute == 24.0
    assert metrics.fillers == {"um": 6, "like": 6, "basically": 6, "you know": 6}
    filler_line = metrics.guidance[1]
    assert "24 filler words" in filler_line
    assert "pausing" in filler_line


def test_a_transcript_without_fillers_is_praised() -> None:
    metrics = delivery_from_transcript(ANSWER, 30.0)

    assert metrics.filler_count == 0
    assert metrics.words_per_minute == 144.0
    assert "comfortable" in metrics.guidance[0]
    assert "0 filler words" in metrics.guidance[1]
    assert metrics.longest_pause_seconds is None


# --- transcripts with segments --------------------------------------------------------


def _segment(speaker: Speaker, text: str, start: float, end: float) -> TranscriptSegment:
    return TranscriptSegment(speaker=speaker, text=text, start_seconds=start, end_seconds=end)


def test_realtime_pauses_come_from_gaps_between_the_candidates_own_segments() -> None:
    segments = [
        _segment(Speaker.COACH, "Tell me about a project.", 0.0, 3.0),
        _segment(Speaker.CANDIDATE, FIRST, 9.0, 14.0),  # thinking before answering is fine
        _segment(Speaker.CANDIDATE, SECOND, 20.5, 26.0),
        _segment(Speaker.COACH, "Thanks. And then?", 26.5, 28.0),
        _segment(Speaker.CANDIDATE, "Then we shipped it.", 40.0, 41.5),
    ]
    text = " ".join(s.text for s in segments if s.speaker is Speaker.CANDIDATE)

    metrics = delivery_from_transcript(text, 12.5, segments=segments)

    assert metrics.longest_pause_seconds == 6.5
    assert metrics.long_pauses == 1
    assert any("7-second pause" in line for line in metrics.guidance)


def test_segments_without_times_leave_pauses_unknown() -> None:
    segments = [TranscriptSegment(speaker=Speaker.CANDIDATE, text=ANSWER)]
    metrics = delivery_from_transcript(ANSWER, 30.0, segments=segments)
    assert metrics.longest_pause_seconds is None and metrics.long_pauses is None


# --- guidance -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(ANSWER, 30.0), ("Yes, I did that.", 2.0), (" ".join([ANSWER] * 4), 200.0)],
)
def test_guidance_is_two_to_four_full_sentences_each_with_its_number(
    text: str, seconds: float
) -> None:
    metrics = delivery_from_transcript(text, seconds)

    assert 2 <= len(metrics.guidance) <= 4
    for line in metrics.guidance:
        assert line[0].isupper() and line.endswith(".")
        assert any(char.isdigit() for char in line)


def test_a_very_short_answer_is_called_out() -> None:
    metrics = delivery_from_transcript("Yes, I did that.", 2.0)
    assert any("only 2 seconds (4 words)" in line for line in metrics.guidance)


def test_audio_alone_gives_length_and_pauses_guidance() -> None:
    samples, rate, _ = _with_pause(4.0)
    metrics = delivery_from_audio(samples, rate)
    assert len(metrics.guidance) == 2
    assert metrics.words is None and metrics.filler_count is None


# --- reading WAV ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [b"not audio at all", b"RIFF\x00\x00\x00\x00WAVEjunk", b"\x00" * 1000, b"ID3\x04" + b"x" * 100],
)
def test_junk_is_not_a_recording(junk: bytes) -> None:
    with pytest.raises(CoachError, match="could not be read as a WAV"):
        read_wav(junk)


def test_an_empty_recording_says_to_record_again() -> None:
    for empty in (b"", _wav_bytes(np.zeros(0, np.float32), 48_000)):
        with pytest.raises(CoachError, match="The recording is empty: check the microphone"):
            read_wav(empty)


def test_stereo_is_mixed_down_to_mono() -> None:
    speech, rate = _spoken(FIRST)
    stereo = np.stack([speech, np.zeros_like(speech)], axis=1).ravel()

    samples, sample_rate = read_wav(_wav_bytes(stereo, rate, channels=2))

    assert sample_rate == rate
    assert len(samples) == len(speech)
    np.testing.assert_allclose(samples, speech / 2, atol=1e-4)


@pytest.mark.parametrize(
    "sox_format",
    [["-b", "8"], ["-b", "24"], ["-b", "32"], ["-e", "floating-point", "-b", "32"], ["-c", "2"]],
    ids=["8-bit", "24-bit extensible", "32-bit", "float", "stereo"],
)
def test_wav_files_sox_writes_are_read_alike(sox_format: list[str], tmp_path: Path) -> None:
    source = tmp_path / "speech.wav"
    source.write_bytes(synthesize_speech_wav(FIRST))
    converted = tmp_path / "converted.wav"
    subprocess.run(["sox", str(source), *sox_format, str(converted)], check=True)
    reference, rate = read_wav(source.read_bytes())

    samples, sample_rate = read_wav(converted.read_bytes())

    assert sample_rate == rate and samples.dtype == np.float32
    tolerance = 2.5 / 128 if "8" in sox_format else 1e-3  # 8-bit: a step, dithered
    np.testing.assert_allclose(samples, reference, atol=tolerance)


def test_a_compressed_wav_asks_for_plain_pcm(tmp_path: Path) -> None:
    source = tmp_path / "speech.wav"
    source.write_bytes(synthesize_speech_wav(FIRST))
    mu_law = tmp_path / "mu-law.wav"
    subprocess.run(["sox", str(source), "-e", "u-law", str(mu_law)], check=True)

    with pytest.raises(CoachError, match=r"format we cannot read.*16-bit PCM"):
        read_wav(mu_law.read_bytes())


def test_a_streamed_wav_with_placeholder_sizes_is_read_to_the_end() -> None:
    speech, rate = _spoken(FIRST)
    data = bytearray(_wav_bytes(speech, rate))
    data[4:8] = b"\xff\xff\xff\xff"
    data[40:44] = b"\xff\xff\xff\xff"

    samples, _ = read_wav(bytes(data))

    assert len(samples) == len(speech)


# --- speed ----------------------------------------------------------------------------


def test_a_two_minute_48khz_recording_is_measured_in_well_under_100_ms(tmp_path: Path) -> None:
    source = tmp_path / "speech.wav"
    source.write_bytes(synthesize_speech_wav(ANSWER))
    upsampled = tmp_path / "speech48k.wav"
    subprocess.run(["sox", str(source), "-r", "48000", str(upsampled)], check=True)
    speech, rate = read_wav(upsampled.read_bytes())
    assert rate == 48_000
    pause = np.zeros(rate, np.float32)
    two_minutes = np.resize(np.concatenate([speech, pause]), 120 * rate)
    recording = _wav_bytes(two_minutes, rate)
    transcript = " ".join([ANSWER] * 5)

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        metrics = delivery_from_audio(*read_wav(recording), transcript)
        timings.append(time.perf_counter() - started)

    assert sorted(timings)[2] < 0.1, timings
    assert metrics.speaking_seconds > 110
    assert metrics.long_pauses == 0
