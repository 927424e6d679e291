"""Audio between WebRTC (48 kHz frames) and the Realtime API (PCM16 mono, 24 kHz).

A 20 ms WebRTC frame is 960 samples; halving the rate is a low-pass FIR and keeping
every second sample. The filters are stateful so that a frame boundary is not a
click: each call continues exactly where the last one stopped, and processing a
recording frame by frame gives the same samples as processing it in one go.
"""

from __future__ import annotations

from typing import Final

import av
import numpy as np
import numpy.typing as npt

__all__ = [
    "WEBRTC_SAMPLE_RATE",
    "Downsampler",
    "Upsampler",
    "frame_like",
    "frame_to_samples",
    "resample_48k_to_24k",
    "samples_to_frame",
]

WEBRTC_SAMPLE_RATE: Final = 48_000
_TAPS: Final = 47

Int16Array = npt.NDArray[np.int16]


def _half_band_lowpass(taps: int) -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass at a quarter of the sample rate (Kaiser, about 70 dB).

    Cut-off at fs/4 is exactly what a factor-2 rate change needs; half of the
    taps come out zero, and the Kaiser window keeps aliasing below hearing.
    """
    centre = (taps - 1) / 2
    n = np.arange(taps) - centre
    h = 0.5 * np.sinc(0.5 * n) * np.kaiser(taps, 7.0)
    return h / h.sum()


def _to_int16(values: npt.NDArray[np.float64]) -> Int16Array:
    return np.clip(np.rint(values), -32768, 32767).astype(np.int16)


def _mono(samples: npt.NDArray[np.integer], channels: int) -> npt.NDArray[np.float64]:
    flat = np.asarray(samples).reshape(-1)
    mixed = flat[0::channels].astype(np.float64)
    for channel in range(1, channels):  # strided adds: several times faster than .mean()
        mixed += flat[channel::channels]
    if channels > 1:
        mixed /= channels
    return mixed


class Downsampler:
    """48 kHz (mono or interleaved multi-channel) int16 -> 24 kHz mono PCM16 bytes.

    Keeps the filter's history and the decimation phase between calls, so frames of
    any length (even odd ones) join without a seam. Not thread-safe: one per stream.
    """

    def __init__(self, taps: int = _TAPS) -> None:
        self._filter = _half_band_lowpass(taps)
        self._history = np.zeros(taps - 1)
        self._phase = 0

    def process(self, samples: npt.NDArray[np.integer], channels: int = 1) -> bytes:
        return self.process_array(samples, channels).astype("<i2", copy=False).tobytes()

    def process_array(self, samples: npt.NDArray[np.integer], channels: int = 1) -> Int16Array:
        mono = _mono(samples, channels)
        if mono.size == 0:
            return np.zeros(0, dtype=np.int16)
        extended = np.concatenate((self._history, mono))
        filtered = np.convolve(extended, self._filter, mode="valid")  # one per input sample
        start = self._phase
        self._phase = (self._phase + mono.size) % 2
        self._history = extended[-(self._filter.size - 1) :]
        return _to_int16(filtered[start::2])

    def reset(self) -> None:
        self._history[:] = 0
        self._phase = 0


class Upsampler:
    """24 kHz mono int16 (or PCM16 bytes) -> 48 kHz mono int16, stateful like ``Downsampler``."""

    def __init__(self, taps: int = _TAPS) -> None:
        self._filter = 2.0 * _half_band_lowpass(taps)  # zero-stuffing halves the level
        self._history = np.zeros(taps - 1)

    def process(self, pcm16: bytes | npt.NDArray[np.int16]) -> Int16Array:
        samples = (
            np.frombuffer(pcm16, dtype="<i2") if isinstance(pcm16, bytes | bytearray) else pcm16
        )
        if samples.size == 0:
            return np.zeros(0, dtype=np.int16)
        stuffed = np.zeros(samples.size * 2)
        stuffed[::2] = samples
        extended = np.concatenate((self._history, stuffed))
        self._history = extended[-(self._filter.size - 1) :]
        return _to_int16(np.convolve(extended, self._filter, mode="valid"))

    def reset(self) -> None:
        self._history[:] = 0


def resample_48k_to_24k(
    frame_samples: npt.NDArray[np.integer],
    channels: int = 1,
    *,
    state: Downsampler | None = None,
) -> bytes:
    """One frame to PCM16 at 24 kHz; pass ``state`` to continue a stream without seams."""
    return (state or Downsampler()).process(frame_samples, channels)


def frame_to_samples(frame: av.AudioFrame) -> tuple[Int16Array, int]:
    """An ``s16``/``s16p`` frame as interleaved int16 samples and its channel count."""
    if frame.format.name not in ("s16", "s16p"):
        raise ValueError(f"expected 16-bit audio frames, got {frame.format.name}")
    channels = len(frame.layout.channels)
    array = frame.to_ndarray()
    if frame.format.is_planar:
        return np.ascontiguousarray(array.T).reshape(-1), channels
    return array.reshape(-1), channels


def frame_like(mono: Int16Array, like: av.AudioFrame) -> av.AudioFrame:
    """Mono samples in a frame shaped as ``like`` (layout, format, rate, pts), for playback."""
    channels = len(like.layout.channels)
    if like.format.is_planar:
        array = np.broadcast_to(mono, (channels, mono.size))
        array = np.ascontiguousarray(array, dtype=np.int16)
    else:
        interleaved = np.repeat(mono, channels) if channels > 1 else mono
        array = interleaved.astype(np.int16, copy=False).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(array, format=like.format.name, layout=like.layout.name)
    frame.sample_rate = like.sample_rate
    frame.pts = like.pts
    if like.time_base is not None:
        frame.time_base = like.time_base
    return frame


def samples_to_frame(
    mono: Int16Array, *, layout: str = "mono", sample_rate: int = WEBRTC_SAMPLE_RATE
) -> av.AudioFrame:
    """Mono samples as a packed ``s16`` frame (duplicated across channels for stereo)."""
    channels = 2 if layout == "stereo" else 1
    interleaved = np.repeat(mono, channels) if channels > 1 else mono
    frame = av.AudioFrame.from_ndarray(
        interleaved.astype(np.int16, copy=False).reshape(1, -1), format="s16", layout=layout
    )
    frame.sample_rate = sample_rate
    return frame
