"""Resampling between WebRTC's 48 kHz frames and the Realtime API's 24 kHz PCM16."""

from __future__ import annotations

import statistics
import time

import av
import numpy as np
import pytest

from coach.realtime.audio import (
    Downsampler,
    Upsampler,
    frame_like,
    frame_to_samples,
    resample_48k_to_24k,
    samples_to_frame,
)

FRAME = 960  # 20 ms at 48 kHz


def tone(frequency: float, seconds: float, rate: int, amplitude: float = 10_000) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


def downsample_in_frames(samples: np.ndarray, channels: int = 1) -> np.ndarray:
    state = Downsampler()
    step = FRAME * channels
    pcm = b"".join(
        resample_48k_to_24k(samples[i : i + step], channels, state=state)
        for i in range(0, samples.size, step)
    )
    return np.frombuffer(pcm, dtype="<i2")


def test_a_1khz_tone_keeps_its_pitch_and_loudness_with_half_the_samples() -> None:
    source = tone(1000, 1.0, 48_000)
    out = downsample_in_frames(source)
    assert out.size == source.size // 2
    assert peak_frequency(out, 24_000) == pytest.approx(1000, abs=2)
    assert np.abs(out[200:]).max() == pytest.approx(10_000, rel=0.02)


def test_the_output_is_little_endian_pcm16() -> None:
    pcm = resample_48k_to_24k(np.full(FRAME, 1000, dtype=np.int16), state=Downsampler())
    assert len(pcm) == FRAME  # 480 samples x 2 bytes
    assert int.from_bytes(pcm[-2:], "little", signed=True) == pytest.approx(1000, abs=2)


def test_frames_join_without_a_seam() -> None:
    source = tone(440, 0.5, 48_000)
    in_one_go = np.frombuffer(Downsampler().process(source), dtype="<i2")
    assert np.array_equal(downsample_in_frames(source), in_one_go)


def test_odd_length_frames_keep_the_decimation_phase() -> None:
    source = tone(440, 0.2, 48_000)
    state = Downsampler()
    pieces = [source[:481], source[481:1000], source[1000:]]
    joined = b"".join(state.process(piece) for piece in pieces)
    assert joined == Downsampler().process(source)


def test_interleaved_stereo_is_mixed_to_mono() -> None:
    left = tone(1000, 0.2, 48_000)
    stereo = np.column_stack((left, left)).reshape(-1)
    assert np.array_equal(downsample_in_frames(stereo, channels=2), downsample_in_frames(left))


def test_sound_above_12khz_does_not_fold_back_into_speech() -> None:
    out = downsample_in_frames(tone(18_000, 0.5, 48_000))
    assert np.abs(out[100:]).max() < 30  # about -50 dB; unfiltered it would be a 6 kHz tone


def test_upsampling_doubles_the_samples_and_keeps_the_pitch() -> None:
    source = tone(1000, 1.0, 24_000)
    state = Upsampler()
    out = np.concatenate(
        [state.process(source[i : i + 480].tobytes()) for i in range(0, source.size, 480)]
    )
    assert out.size == source.size * 2
    assert peak_frequency(out, 48_000) == pytest.approx(1000, abs=2)
    assert np.abs(out[400:]).max() == pytest.approx(10_000, rel=0.02)
    spectrum = np.abs(np.fft.rfft(out[400:] * np.hanning(out.size - 400)))
    image = spectrum[int(22_000 * out.size / 48_000) : int(24_000 * out.size / 48_000)].max()
    assert image < spectrum.max() / 1000  # the 23 kHz mirror image is filtered out


@pytest.mark.parametrize(
    ("layout", "fmt"), [("mono", "s16"), ("stereo", "s16"), ("stereo", "s16p")]
)
def test_frames_convert_to_samples_and_back_in_the_same_shape(layout: str, fmt: str) -> None:
    channels = 2 if layout == "stereo" else 1
    mono = tone(1000, 0.02, 48_000)
    shape = (channels, FRAME) if fmt == "s16p" else (1, FRAME * channels)
    data = np.broadcast_to(mono, (channels, FRAME))
    array = data.copy() if fmt == "s16p" else np.ascontiguousarray(data.T).reshape(shape)
    frame = av.AudioFrame.from_ndarray(array, format=fmt, layout=layout)
    frame.sample_rate, frame.pts = 48_000, 1234

    samples, found_channels = frame_to_samples(frame)
    assert found_channels == channels
    assert np.array_equal(samples.reshape(-1, channels)[:, 0], mono)

    back = frame_like(mono, frame)
    assert (back.format.name, back.layout.name, back.samples) == (fmt, layout, FRAME)
    assert (back.sample_rate, back.pts) == (48_000, 1234)
    assert back.to_ndarray().shape == shape


def test_samples_to_frame_builds_a_48khz_packed_frame() -> None:
    frame = samples_to_frame(np.zeros(FRAME, dtype=np.int16), layout="stereo")
    assert (frame.format.name, frame.layout.name, frame.samples, frame.sample_rate) == (
        "s16",
        "stereo",
        FRAME,
        48_000,
    )


def test_a_20ms_frame_is_resampled_in_well_under_a_millisecond() -> None:
    state = Downsampler()
    frame = np.column_stack((tone(440, 0.02, 48_000),) * 2).reshape(-1)
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        state.process(frame, 2)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.0005
