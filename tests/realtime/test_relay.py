"""The relay end to end on loopback: a spoken answer in, the coach's voice out.

A real recording (espeak-ng, resampled to 48 kHz) is cut into the 20 ms frames
streamlit-webrtc delivers and pushed through ``on_frame`` to a fake Realtime server
that speaks the documented protocol (tests/realtime/fake_server.py).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from openai.types.realtime import RealtimeServerEvent
from pydantic import SecretStr, TypeAdapter

from coach.domain import Speaker
from coach.realtime.audio import samples_to_frame
from coach.realtime.relay import RealtimeRelay, RelayState
from coach.realtime.settings import RealtimeSettings
from tests.realtime.fake_server import FakeRealtimeServer

SENTENCE = "I led the migration of our data pipeline to Kubernetes"
TOKEN = "sk-" + "relay-test-token-0123456789"
FRAME = 960
SESSION = {"type": "realtime", "model": "gpt-realtime-mini", "instructions": "Interview me."}

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """The sentence spoken by espeak-ng, as 48 kHz mono int16 samples."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to record the spoken answer")
    folder = tmp_path_factory.mktemp("speech")
    raw, wav = folder / "raw.wav", folder / "answer48k.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), SENTENCE], check=True, timeout=30)
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav)], check=True)
    return read_wav(wav)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as reader:
        assert (reader.getframerate(), reader.getnchannels()) == (48_000, 1)
        return np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")


def frames_of(samples: np.ndarray, layout: str = "mono") -> list[av.AudioFrame]:
    """20 ms frames as streamlit-webrtc hands them over (the last one padded)."""
    padded = np.concatenate((samples, np.zeros(-samples.size % FRAME, dtype=np.int16)))
    frames = []
    for index in range(padded.size // FRAME):
        frame = samples_to_frame(padded[index * FRAME : (index + 1) * FRAME], layout=layout)
        frame.pts = index * FRAME
        frames.append(frame)
    return frames


def silence(count: int, layout: str = "mono") -> list[av.AudioFrame]:
    return frames_of(np.zeros(count * FRAME, dtype=np.int16), layout)


def loud(frame: av.AudioFrame) -> bool:
    return int(np.abs(frame.to_ndarray()).max()) > 1000


def leaks(records: list[logging.LogRecord]) -> list[str]:
    """Log lines of the relay's side (ours and its websockets client) that hold the token."""
    return [
        record.getMessage()
        for record in records
        if record.name.startswith(("coach", "websockets.client"))
        and TOKEN in record.getMessage() + str(record.__dict__)
    ]


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def feed(relay: RealtimeRelay, frames: list[av.AudioFrame]) -> list[av.AudioFrame]:
    out = []
    for frame in frames:
        out.append(relay.on_frame(frame))
        time.sleep(0.001)  # faster than real time, slow enough not to overrun the queue
    return out


def listen(
    relay: RealtimeRelay, until: Callable[[av.AudioFrame], bool], layout: str = "mono"
) -> list[av.AudioFrame]:
    """Keep sending silence (as a quiet room does) until a frame out satisfies ``until``."""
    out: list[av.AudioFrame] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        frame = relay.on_frame(silence(1, layout)[0])
        out.append(frame)
        if until(frame):
            return out
        time.sleep(0.002)
    raise AssertionError("no such frame came back")


@pytest.fixture(autouse=True)
def _relay_threads_end() -> Iterator[None]:
    """Every relay a test starts has stopped its loop thread by the end: a clean shutdown."""
    yield
    eventually(lambda: not [t for t in threading.enumerate() if t.name.startswith("realtime-")])


@pytest.fixture
def server() -> Iterator[FakeRealtimeServer]:
    with FakeRealtimeServer() as fake:
        yield fake


def make_relay(server: FakeRealtimeServer, **kwargs: Any) -> RealtimeRelay:
    settings = {
        "base_url": server.url,
        "reconnect_backoff_seconds": 0.05,
        "connect_timeout_seconds": 2,
        **kwargs.pop("settings", {}),
    }
    kwargs.setdefault("greet", False)
    return RealtimeRelay(
        token=SecretStr(TOKEN), session=SESSION, settings=RealtimeSettings(**settings), **kwargs
    )


def answer(
    relay: RealtimeRelay, recording: np.ndarray, layout: str = "mono"
) -> list[av.AudioFrame]:
    """Speak the sentence, then a short silence that ends the turn; returns what was heard."""
    return feed(relay, frames_of(recording, layout) + silence(20, layout))


# --- the conversation ---------------------------------------------------------------------


def test_a_spoken_answer_reaches_the_server_and_the_coach_answers_back(
    server: FakeRealtimeServer, recording: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    candidate_turns: list[str] = []
    coach_turns: list[str] = []
    relay = make_relay(
        server, on_candidate_turn=candidate_turns.append, on_coach_turn=coach_turns.append
    )
    relay.start()
    assert relay.wait_for(RelayState.LIVE, timeout=5).state is RelayState.LIVE

    spoken = frames_of(recording, "stereo") + silence(20, "stereo")
    out = asyncio.run(relay.on_frames(spoken))  # the queued-frames callback, every frame
    # Until the coach speaks, the candidate hears silence of the very shape they sent.
    assert all((f.layout.name, f.samples, f.sample_rate) == ("stereo", FRAME, 48_000) for f in out)
    heard = listen(relay, until=loud, layout="stereo")
    assert heard[-1].to_ndarray().shape == (1, 2 * FRAME)
    eventually(lambda: len(coach_turns) == 1)

    # The server got every frame as 24 kHz PCM16: 20 ms of audio -> 480 samples, 960 bytes.
    frames_sent = len(spoken) + len(heard)
    eventually(lambda: len(server.audio) >= frames_sent * 960)
    assert server.audio_seconds() == pytest.approx(frames_sent * 0.02)
    reference = recording[::2].astype(float)
    first = np.frombuffer(server.audio, dtype="<i2")[: reference.size].astype(float)
    best = max(
        np.corrcoef(first[lag:], reference[: reference.size - lag])[0, 1] for lag in range(40)
    )
    assert best > 0.95  # the same speech, at half the rate, not garbled

    assert server.received_types()[0] == "session.update"
    assert server.received[0]["session"] == SESSION
    assert server.paths == ["/v1/realtime?model=gpt-realtime-mini"]
    assert server.authorizations == [f"Bearer {TOKEN}"]

    transcript = server.options.transcript
    assert relay.candidate_text() == transcript
    assert candidate_turns == [transcript]
    assert coach_turns == [server.options.reply]
    candidate, coach = relay.transcript()
    assert (candidate.speaker, coach.speaker) == (Speaker.CANDIDATE, Speaker.COACH)
    assert candidate.start_seconds is not None and candidate.end_seconds is not None
    assert coach.start_seconds is not None and coach.end_seconds is not None
    assert candidate.start_seconds <= candidate.end_seconds <= coach.start_seconds
    assert coach.end_seconds - coach.start_seconds == pytest.approx(1.0, abs=0.05)  # its audio

    relay.stop()
    assert relay.status.state is RelayState.STOPPED
    assert not loud(relay.on_frame(silence(1)[0]))
    relay.stop()  # twice is harmless
    # The fake spoke the documented protocol, so the relay was tested against the real shapes.
    adapter = TypeAdapter(RealtimeServerEvent)
    for event in server.sent:
        adapter.validate_python(event)
    assert not leaks(caplog.records)


def test_the_coach_can_ask_the_question_first(server: FakeRealtimeServer) -> None:
    coach_turns: list[str] = []
    relay = make_relay(server, greet=True, on_coach_turn=coach_turns.append)
    try:
        listen(relay, until=loud)  # the first frame opens the connection by itself
        eventually(lambda: coach_turns == [server.options.greeting])
        assert server.received_types()[:2] == ["session.update", "response.create"]
    finally:
        relay.stop()


def test_barge_in_cancels_the_coach_and_silences_playback(
    server: FakeRealtimeServer, recording: np.ndarray
) -> None:
    server.options.reply_seconds = 4.0
    server.options.reply_chunk_interval_seconds = 0.05  # the reply streams for about 2 s
    with make_relay(server) as relay:
        relay.wait_for(RelayState.LIVE, timeout=5)
        played = answer(relay, recording)
        played += listen(relay, until=loud)
        played += feed(relay, silence(10))  # the candidate hears the coach for a moment...

        played += feed(relay, frames_of(recording[: 48_000 // 2]))  # ...and talks over it
        eventually(lambda: "response.cancel" in server.received_types())
        assert not any(loud(frame) for frame in feed(relay, silence(5)))

        # The server is told how much of the reply the candidate actually heard.
        truncate = next(e for e in server.received if e["type"] == "conversation.item.truncate")
        heard_ms = sum(loud(frame) for frame in played) * 20
        assert truncate["audio_end_ms"] == pytest.approx(heard_ms, abs=40)
        eventually(lambda: any(s.speaker is Speaker.COACH for s in relay.transcript()))
        coach = next(s for s in relay.transcript() if s.speaker is Speaker.COACH)
        assert coach.text and server.options.reply.startswith(coach.text)
        assert coach.text != server.options.reply  # only what came before the interruption


# --- failures -----------------------------------------------------------------------------


def test_refused_credentials_fail_at_once_with_a_readable_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeRealtimeServer(refuse_status=401) as server, make_relay(server) as relay:
        status = relay.wait_for(RelayState.FAILED, timeout=5)
        assert status.state is RelayState.FAILED
        assert "refused the credentials (HTTP 401)" in status.message
        assert "COACH_OPENAI_API_KEY" in status.message
        assert server.connection_attempts == 1  # no pointless retries with a bad key
        frame = relay.on_frame(silence(1)[0])
        assert frame.samples == FRAME and not loud(frame)
    assert TOKEN not in status.message
    assert not leaks(caplog.records)


def test_a_rejected_session_is_shown_instead_of_connecting_forever(
    server: FakeRealtimeServer,
) -> None:
    server.options.session_error = "Invalid value: 'robot'. Supported values are: 'alloy'."
    with make_relay(server) as relay:
        eventually(lambda: "robot" in relay.status.message)
        assert relay.status.state is RelayState.CONNECTING
        assert relay.status.message == (
            "The Realtime server reported: Invalid value: 'robot'. Supported values are: 'alloy'."
        )


def test_an_unreachable_server_fails_clearly_after_the_retries() -> None:
    with FakeRealtimeServer() as server:
        url = server.url  # a port that nobody listens on once the server stops
    settings = {"base_url": url, "reconnect_attempts": 2, "reconnect_backoff_seconds": 0.01}
    relay = RealtimeRelay(
        token=SecretStr(TOKEN), session=SESSION, settings=RealtimeSettings(**settings)
    )
    with relay:
        status = relay.wait_for(RelayState.FAILED, timeout=5)
    assert status.state is RelayState.FAILED
    assert "Could not reach the Realtime server at 127.0.0.1" in status.message
    assert "connection refused" in status.message


def test_a_dropped_connection_reconnects_and_keeps_the_transcript(
    server: FakeRealtimeServer, recording: np.ndarray
) -> None:
    turns: list[str] = []
    slow_retry = {"reconnect_backoff_seconds": 0.3}  # long enough to see "reconnecting"
    with make_relay(server, settings=slow_retry, on_candidate_turn=turns.append) as relay:
        relay.wait_for(RelayState.LIVE, timeout=5)
        answer(relay, recording)
        eventually(lambda: len(turns) == 1)

        server.drop_all()
        eventually(lambda: relay.status.state is RelayState.RECONNECTING)
        assert "Connection lost" in relay.status.message
        assert relay.wait_for(RelayState.LIVE, timeout=5).state is RelayState.LIVE
        assert server.connections == 2
        assert len(relay.transcript()) >= 1  # nothing collected was lost
        # The new session is told what was said, so the coach does not start over.
        updates = [e for e in server.received if e["type"] == "session.update"]
        assert server.options.transcript in updates[-1]["session"]["instructions"]

        server.options.transcript = "Then I moved the batch jobs."
        answer(relay, recording)
        eventually(lambda: len(turns) == 2)
    assert relay.candidate_text() == (
        "I led the migration of our data pipeline to Kubernetes. Then I moved the batch jobs."
    )


def test_a_server_that_keeps_dropping_fails_after_the_retries_keeping_the_transcript(
    server: FakeRealtimeServer, recording: np.ndarray
) -> None:
    with make_relay(server, settings={"reconnect_attempts": 2}) as relay:
        relay.wait_for(RelayState.LIVE, timeout=5)
        answer(relay, recording)
        eventually(lambda: relay.candidate_text() != "")

        server.options.drop_after_messages = 1  # every new connection dies at once
        server.options.drop_connections = None
        server.drop_all()
        status = relay.wait_for(RelayState.FAILED, timeout=5)
        assert status.state is RelayState.FAILED
        assert "2 reconnection attempts failed" in status.message
        assert "code 1011" in status.message
        assert server.connections == 3
        assert relay.candidate_text() == server.options.transcript


def test_the_session_stops_itself_at_the_time_limit(server: FakeRealtimeServer) -> None:
    with make_relay(server, settings={"max_session_minutes": 0.02}) as relay:  # 1.2 s
        relay.wait_for(RelayState.LIVE, timeout=5)
        started = time.monotonic()
        status = relay.wait_for(RelayState.STOPPED, timeout=5)
        assert time.monotonic() - started < 2
        assert status.state is RelayState.STOPPED
        assert "0.02-minute limit" in status.message
        appended = len(server.audio)
        feed(relay, silence(5))  # frames after the end are answered with silence, not sent
        assert len(server.audio) == appended
