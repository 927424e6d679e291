"""The voice relay's speed target: a candidate's 20 ms frame is on the wire within 5 ms.

``RealtimeRelay.on_frame`` runs on streamlit-webrtc's thread and only queues audio;
the relay's loop sends it. What the candidate's turn-taking feels is the time from
``on_frame`` being called to the ``input_audio_buffer.append`` leaving the socket,
measured inside the relay for every frame, with frames paced at 20 ms as WebRTC
delivers them, against the fake Realtime server on loopback (which answers each
spoken turn with coach audio, so the loop is receiving while it sends).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from pydantic import SecretStr

from benchmarks.core import Result
from coach.realtime.audio import samples_to_frame
from coach.realtime.relay import RealtimeRelay, RelayState
from coach.realtime.settings import RealtimeSettings
from tests.realtime.fake_server import FakeRealtimeServer

FRAMES = 500
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
TARGET_MS = 5.0


def _speech_like_frames(count: int) -> list[np.ndarray]:
    """2 s of voiced sound, then 1 s of quiet, repeated: turns the server answers."""
    rate = 48_000
    t = np.arange(count * FRAME_SAMPLES) / rate
    voiced = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 720 * t)
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)  # syllable-rate loudness changes
    talking = (t % 3.0) < 2.0
    samples = (8_000 * voiced * envelope * talking).astype(np.int16)
    return [samples[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES] for i in range(count)]


def bench_relay_frame() -> Result:
    name = f"voice relay: on_frame -> append on the socket ({FRAMES} frames)"
    with FakeRealtimeServer(reply_seconds=1.0, reply_chunk_interval_seconds=0.02) as server:
        relay = RealtimeRelay(
            token=SecretStr("benchmark-token"),
            session={"type": "realtime", "instructions": "Interview me."},
            settings=RealtimeSettings(base_url=server.url),
            greet=False,
        )
        with relay:
            if relay.wait_for(RelayState.LIVE, timeout=10).state is not RelayState.LIVE:
                raise RuntimeError(f"the relay did not go live: {relay.status.message}")
            tick = time.perf_counter()
            for samples in _speech_like_frames(FRAMES):
                frame = samples_to_frame(samples, layout="stereo")
                relay.on_frame(frame)
                tick += 0.02
                time.sleep(max(0.0, tick - time.perf_counter()))
            deadline = time.monotonic() + 5
            while relay.stats().appends_sent < FRAMES and time.monotonic() < deadline:
                time.sleep(0.01)
            samples_ms = sorted(relay.send_latencies_ms())
    if len(samples_ms) < FRAMES:
        raise RuntimeError(f"only {len(samples_ms)} of {FRAMES} frames reached the server")
    return Result(
        name=name,
        target_ms=TARGET_MS,
        runs=len(samples_ms),
        median_ms=statistics.median(samples_ms),
        p95_ms=samples_ms[max(0, round(0.95 * len(samples_ms)) - 1)],
        worst_ms=samples_ms[-1],
    )
