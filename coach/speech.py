"""How an answer was spoken: pace, fillers and pauses, from a recording or a transcript.

Speaking time and pauses come from the audio alone (an energy voice-activity detector
with an adaptive threshold), so they are known offline, before any transcript exists;
words per minute and fillers need the words. Everything here is plain numpy and the
standard library: a two-minute 48 kHz recording is measured in a few tens of
milliseconds, fast enough to run on every Streamlit rerun.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coach.domain import DeliveryMetrics, Speaker, TranscriptSegment
from coach.errors import CoachError

# Words and fillers are read one way for the whole coach (coach.text); re-exported here.
from coach.text import count_fillers as count_fillers
from coach.text import count_words as count_words

logger = logging.getLogger(__name__)

COMFORTABLE_WPM = (140.0, 160.0)
LONG_PAUSE_SECONDS = 3.0
NOTICEABLE_FILLERS_PER_MINUTE = 4.0
SHORT_ANSWER_SECONDS = 20.0
SHORT_ANSWER_WORDS = 40
LONG_ANSWER_SECONDS = 180.0
MIN_PACE_SECONDS = 10.0

_EMPTY_RECORDING = "The recording is empty: check the microphone and record again."
_NOT_WAV = (
    "The recording could not be read as a WAV file: record again in the app, or upload a WAV file."
)

# --- reading WAV ----------------------------------------------------------------------

_PCM, _IEEE_FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_READABLE_BITS = {_PCM: (8, 16, 24, 32), _IEEE_FLOAT: (32, 64)}
_STREAMING_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000}


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and the sample rate, from the bytes of a WAV file.

    A small RIFF reader rather than the ``wave`` module: Python 3.11's ``wave`` rejects
    WAVE_FORMAT_EXTENSIBLE and float files, which browsers and tools do produce, and
    streamed WAVs (``espeak-ng --stdout``, some recorders) carry placeholder sizes.
    Stereo is mixed down, because pace and pauses do not depend on the channel.
    """
    if not data:
        raise CoachError(_EMPTY_RECORDING)
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise CoachError(_NOT_WAV)
    fmt, payload = _riff_chunks(memoryview(data))
    if fmt is None or payload is None or len(fmt) < 16:
        raise CoachError(_NOT_WAV)
    tag, channels, sample_rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # the sub-format GUID starts with the tag
    if tag not in (_PCM, _IEEE_FLOAT) or bits not in _READABLE_BITS[tag]:
        raise CoachError(
            "This WAV file uses a format we cannot read: record again in the app, "
            "or save the file as 16-bit PCM WAV."
        )
    if channels < 1 or sample_rate < 1000:
        raise CoachError(_NOT_WAV)
    width = bits // 8
    frames = len(payload) // (width * channels)
    if frames == 0:
        raise CoachError(_EMPTY_RECORDING)
    samples = _decode(payload[: frames * width * channels], tag, width)
    if channels > 1:
        samples = samples.reshape(frames, channels).mean(axis=1, dtype=np.float32)
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples, int(sample_rate)


def _riff_chunks(data: memoryview) -> tuple[memoryview | None, memoryview | None]:
    """The ``fmt `` and ``data`` chunks; a placeholder data size means "to the end"."""
    fmt: memoryview | None = None
    position = 12
    while position + 8 <= len(data):
        chunk_id = bytes(data[position : position + 4])
        (size,) = struct.unpack_from("<I", data, position + 4)
        body_start = position + 8
        if chunk_id == b"data":
            if size in _STREAMING_SIZES or body_start + size > len(data):
                return fmt, data[body_start:]
            return fmt, data[body_start : body_start + size]
        if chunk_id == b"fmt ":
            fmt = data[body_start : body_start + size]
        position = body_start + size + (size & 1)  # chunks are word-aligned
    return fmt, None


def _decode(raw: memoryview, tag: int, width: int) -> np.ndarray:
    """Interleaved samples as float32 in [-1, 1]."""
    if tag == _IEEE_FLOAT:
        values = np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float32)
        return np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0)
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / np.float32(32768.0)
    if width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float32) / np.float32(1 << 23)
    wide = np.frombuffer(raw, dtype="<i4").astype(np.float64) / float(1 << 31)
    return wide.astype(np.float32)


# --- voice activity -------------------------------------------------------------------

_DIGITAL_SILENCE_DB = -95.0
_ABSOLUTE_GATE_DB = -85.0
_MIN_DYNAMIC_RANGE_DB = 6.0
_MIN_MARGIN_DB, _MAX_MARGIN_DB = 4.0, 12.0
_SPEECH_BAND_HZ = (300.0, 3500.0)
_ANALYSIS_RATE = 16_000
_HANGOVER_SECONDS = 0.3
_MIN_SPEECH_SECONDS = 0.09


def speech_activity(
    samples: np.ndarray, sample_rate: int, *, frame_ms: int = 30
) -> list[tuple[float, float]]:
    """Speech intervals in seconds, by frame energy against an adaptive threshold.

    Energy is measured in the speech band (300-3500 Hz), so mains hum and rumble below it
    and hiss above it barely count. The threshold sits a margin above the noise floor,
    the level of the quietest frames, so it works the same for a quiet recording and a
    loud one. Gaps shorter than the hangover are part of the speech (stops inside and
    between words), and bursts shorter than a syllable (a click, a bumped desk) are not.
    """
    signal, rate = _downsample(np.asarray(samples, dtype=np.float32).ravel(), sample_rate)
    frame_length = max(16, int(rate * frame_ms / 1000))
    frame_count = len(signal) // frame_length
    if frame_count == 0:
        return []
    levels = _band_levels_db(signal[: frame_count * frame_length], frame_length, rate)
    active = levels > _threshold_db(levels)
    if not active.any():
        return []
    frame_seconds = frame_length / rate
    runs = _merge_close(_runs(active), max_gap=round(_HANGOVER_SECONDS / frame_seconds))
    min_frames = max(1, round(_MIN_SPEECH_SECONDS / frame_seconds))
    return [
        (round(start * frame_seconds, 3), round(end * frame_seconds, 3))
        for start, end in runs
        if end - start >= min_frames
    ]


def _downsample(signal: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Average groups of samples down to about 16 kHz: the speech band survives, and the
    spectra below cost a third as much for 48 kHz input."""
    factor = max(1, sample_rate // _ANALYSIS_RATE)
    if factor == 1:
        return signal, float(sample_rate)
    usable = len(signal) // factor
    summed = signal[0 : usable * factor : factor].copy()
    for offset in range(1, factor):
        summed += signal[offset : usable * factor : factor]
    return summed / np.float32(factor), sample_rate / factor


def _band_levels_db(signal: np.ndarray, frame_length: int, rate: float) -> np.ndarray:
    """Each frame's speech-band energy in dB relative to a full-scale sine's."""
    frames = signal.reshape(-1, frame_length)
    window = np.hanning(frame_length).astype(np.float32)  # low leakage from loud hum
    spectrum = np.fft.rfft(frames * window, axis=1)
    low, high = (int(hz * frame_length / rate) for hz in _SPEECH_BAND_HZ)
    band = spectrum[:, max(low, 1) : high + 1]
    power = np.einsum("ij,ij->i", band.real, band.real) + np.einsum(
        "ij,ij->i", band.imag, band.imag
    )
    # Parseval with the window's energy: a full-scale sine in band reads about 0 dB.
    power *= 4.0 / (frame_length * float(np.sum(window * window)))
    return 10.0 * np.log10(np.maximum(power, 1e-12))


def _threshold_db(levels: np.ndarray) -> float:
    """A margin above the noise floor; infinite when nothing stands out from it.

    Digital silence (exact zeros, as some browsers record before the microphone opens)
    is not a noise floor: it would put the line below the room's own hiss.
    """
    live = levels[levels > _DIGITAL_SILENCE_DB]
    if live.size == 0:
        return float("inf")
    floor = float(np.percentile(live, 10))
    loud = float(np.percentile(live, 99))
    if loud < _ABSOLUTE_GATE_DB or loud - floor < _MIN_DYNAMIC_RANGE_DB:
        return float("inf")  # near-silence, or a steady hum or hiss with nothing over it
    margin = min(max(0.25 * (loud - floor), _MIN_MARGIN_DB), _MAX_MARGIN_DB)
    return floor + margin


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame indices of each run of True, end exclusive."""
    edges = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _merge_close(runs: list[tuple[int, int]], *, max_gap: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] <= max_gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


# --- metrics --------------------------------------------------------------------------


def delivery_from_audio(
    samples: np.ndarray, sample_rate: int, transcript: str | None = None
) -> DeliveryMetrics:
    """Speaking time and pauses from the recording; pace and fillers too given its words."""
    started = time.perf_counter()
    intervals = speech_activity(samples, sample_rate)
    if intervals:
        speaking = intervals[-1][1] - intervals[0][0]
        gaps = [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(intervals)]
    else:
        speaking, gaps = 0.0, []
    metrics = _metrics(speaking, transcript, gaps)
    logger.debug(
        "delivery from audio",
        extra={
            "audio_seconds": round(len(samples) / sample_rate, 2),
            "speech_intervals": len(intervals),
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return metrics


def delivery_from_transcript(
    text: str,
    duration_seconds: float,
    *,
    segments: Sequence[TranscriptSegment] | None = None,
) -> DeliveryMetrics:
    """Pace and fillers from a transcript and how long the candidate spoke.

    Realtime transcripts carry segment times: the gaps between the candidate's own
    consecutive segments are their pauses (a coach turn in between is not a pause).
    """
    gaps: list[float] | None = None
    if segments:
        gaps = _candidate_gaps(segments)
    return _metrics(max(0.0, duration_seconds), text, gaps)


def _candidate_gaps(segments: Sequence[TranscriptSegment]) -> list[float] | None:
    timed = sorted(
        (s for s in segments if s.start_seconds is not None and s.end_seconds is not None),
        key=lambda s: s.start_seconds or 0.0,
    )
    if not timed:
        return None
    gaps: list[float] = []
    for previous, following in itertools.pairwise(timed):
        if previous.speaker is Speaker.CANDIDATE and following.speaker is Speaker.CANDIDATE:
            gaps.append(max(0.0, (following.start_seconds or 0.0) - (previous.end_seconds or 0.0)))
    return gaps


def _metrics(speaking: float, transcript: str | None, gaps: list[float] | None) -> DeliveryMetrics:
    speaking = round(speaking, 2)
    minutes = speaking / 60.0
    words = wpm = filler_count = fpm = None
    fillers: dict[str, int] = {}
    if transcript is not None:
        words = count_words(transcript)
        fillers = count_fillers(transcript)
        filler_count = sum(fillers.values())
        if minutes > 0:
            wpm = round(words / minutes, 1)
            fpm = round(filler_count / minutes, 1)
    longest = long_pauses = None
    if gaps is not None:
        longest = round(max(gaps, default=0.0), 2)
        long_pauses = sum(1 for gap in gaps if gap > LONG_PAUSE_SECONDS)
    metrics = DeliveryMetrics(
        speaking_seconds=speaking,
        words=words,
        words_per_minute=wpm,
        filler_count=filler_count,
        fillers_per_minute=fpm,
        fillers=fillers,
        longest_pause_seconds=longest,
        long_pauses=long_pauses,
    )
    return metrics.model_copy(update={"guidance": _guidance(metrics)})


# --- guidance -------------------------------------------------------------------------


def _guidance(m: DeliveryMetrics) -> list[str]:
    """Two to four plain sentences, each with its number, in the order a coach says them."""
    if m.speaking_seconds == 0:
        if m.words:
            return [
                f"We have {m.words} words but no timing, so pace could not be measured: "
                "record the answer to get pace and pauses."
            ]
        return [
            "We heard no speech in this recording (0 seconds): check that the microphone is "
            "on and not muted, then record again."
        ]
    lines = [line for line in (_pace(m), _fillers(m), _pauses(m), _length(m)) if line]
    return lines[:4]


def _pace(m: DeliveryMetrics) -> str | None:
    if m.words_per_minute is None or m.speaking_seconds < MIN_PACE_SECONDS:
        return None  # a few seconds say nothing reliable about pace
    wpm = _whole(m.words_per_minute)
    low, high = (_whole(x) for x in COMFORTABLE_WPM)
    if wpm > high + 20:
        return (
            f"At {wpm} words per minute you were speaking fast: slow down towards "
            f"{low}–{high} so each point has time to land."
        )
    if wpm > high:
        return (
            f"At {wpm} words per minute you were a little fast: {low}–{high} is a "
            "comfortable pace, so breathe between sentences."
        )
    if wpm >= low:
        return f"At {wpm} words per minute your pace was comfortable ({low}–{high} is ideal)."
    if wpm >= low - 20:
        return (
            f"At {wpm} words per minute you were a little slow: {low}–{high} keeps the "
            "listener with you, so tighten the gaps between sentences."
        )
    return (
        f"At {wpm} words per minute you spoke slowly: aim for {low}–{high} so the answer "
        "keeps its energy, and rehearse it until the words come readily."
    )


def _fillers(m: DeliveryMetrics) -> str | None:
    if m.filler_count is None or m.fillers_per_minute is None:
        return None
    if m.filler_count == 0:
        return "You used 0 filler words, which sounds confident."
    count = m.filler_count
    noun = "filler word" if count == 1 else "filler words"
    rate = f"{m.fillers_per_minute:g} a minute"
    if m.fillers_per_minute > NOTICEABLE_FILLERS_PER_MINUTE:
        return (
            f"You used {count} {noun} ({rate}, {_most_often(m.fillers)}), which listeners "
            "notice: practise pausing silently instead, because a short silence sounds "
            "more confident."
        )
    return f"You used {count} {noun} ({rate}), which is natural and barely noticeable."


def _most_often(fillers: dict[str, int]) -> str:
    ranked = sorted(fillers.items(), key=lambda item: -item[1])
    if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
        return f"most often “{ranked[0][0]}”"
    return f"“{ranked[0][0]}” and “{ranked[1][0]}” most often"


def _pauses(m: DeliveryMetrics) -> str | None:
    if m.longest_pause_seconds is None or m.long_pauses is None:
        return None
    longest = _whole(m.longest_pause_seconds)
    if m.long_pauses == 0 and m.longest_pause_seconds < 1.0:
        return (
            f"Your longest pause was only {m.longest_pause_seconds:.1f} seconds: a one-second "
            "pause after a key point gives it time to land."
        )
    if m.long_pauses == 0:
        return (
            f"Your longest pause was {m.longest_pause_seconds:.1f} seconds, so the answer "
            "flowed without awkward silences."
        )
    extra = "" if m.long_pauses == 1 else f" ({m.long_pauses} pauses over 3 seconds)"
    return (
        f"There was a {longest}-second pause{extra}: it's fine to take a breath, but say "
        "“let me think” so the silence is yours."
    )


def _length(m: DeliveryMetrics) -> str:
    seconds = _whole(m.speaking_seconds)
    short = m.speaking_seconds < SHORT_ANSWER_SECONDS or (
        m.words is not None and m.words < SHORT_ANSWER_WORDS
    )
    if short:
        said = f"{seconds} seconds" + (f" ({m.words} words)" if m.words is not None else "")
        return (
            f"The answer took only {said}: a strong answer usually runs 1–2 minutes, "
            "so add the situation, what you did and the result."
        )
    if m.speaking_seconds > LONG_ANSWER_SECONDS:
        return (
            f"The answer ran {_duration(seconds)}: aim for about 2 minutes and stop once "
            "you have given the result."
        )
    return f"You spoke for {_duration(seconds)}, a good length for an interview answer."


def _whole(value: float) -> int:
    """Round half up, as people do: a 6.5-second pause reads as 7, not Python's 6."""
    return int(value + 0.5)


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes == 0:
        return f"{rest} seconds"
    unit = "minute" if minutes == 1 else "minutes"
    return f"{minutes} {unit} {rest} seconds" if rest else f"{minutes} {unit}"


# --- synthesis ------------------------------------------------------------------------


def synthesize_speech_wav(
    text: str,
    *,
    espeak_binary: str = "espeak-ng",
    voice: str = "en-us",
    rate_wpm: int = 150,
    pitch: int = 50,
) -> bytes:
    """Spoken ``text`` as WAV bytes from espeak-ng, fully offline.

    Tests and demos use it to make realistic spoken answers at a known pace; voice
    previews use it when no OpenAI key is set.
    """
    binary = shutil.which(espeak_binary)
    if binary is None:
        raise CoachError(
            f"Speech synthesis needs espeak-ng, and {espeak_binary!r} was not found: "
            "install Debian's espeak-ng package (sudo apt-get install espeak-ng)."
        )
    with tempfile.TemporaryDirectory(prefix="coach-espeak-") as folder:
        out = Path(folder) / "speech.wav"
        command = [binary, "-v", voice, "-s", str(rate_wpm), "-p", str(pitch), "-w", str(out)]
        command.append("--stdin")
        try:
            result = subprocess.run(
                command, input=text.encode(), capture_output=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise CoachError(f"espeak-ng could not run ({type(error).__name__}).") from error
        if result.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
            logger.warning(
                "espeak-ng failed",
                extra={
                    "returncode": result.returncode,
                    "stderr": result.stderr.decode(errors="replace")[-300:],
                },
            )
            raise CoachError(
                f"espeak-ng could not speak with voice {voice!r}: "
                "check that the voice exists (espeak-ng --voices)."
            )
        return out.read_bytes()
