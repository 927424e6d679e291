"""The server-side bridge between a streamlit-webrtc audio track and the Realtime API.

streamlit-webrtc calls ``on_frame`` from its own thread for every 20 ms frame and
plays whatever frame it returns, so ``on_frame`` must never wait on the network: it
downsamples the candidate's frame, queues it for the relay's own asyncio loop
(a background thread holding the WebSocket) and returns the next 20 ms of coach
audio from a buffer, or silence of the same shape.

The loop sends ``session.update`` first, then ``input_audio_buffer.append`` events;
it turns server events into coach audio, transcripts of both sides and a status a
page can show. A dropped connection is retried with backoff (a bounded number of
times, the transcript kept and replayed to the new session as context); refused
credentials fail at once with a message that says what to check; the session stops
itself at ``max_session_minutes``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

import av
import numpy as np
import numpy.typing as npt
from openai.types.realtime import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    RealtimeErrorEvent,
    ResponseAudioDeltaEvent,
    ResponseAudioTranscriptDeltaEvent,
    ResponseAudioTranscriptDoneEvent,
    ResponseCreatedEvent,
    ResponseDoneEvent,
    SessionUpdatedEvent,
)
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
)

from coach.domain import Speaker, TranscriptSegment
from coach.realtime.audio import (
    WEBRTC_SAMPLE_RATE,
    Downsampler,
    Upsampler,
    frame_like,
    frame_to_samples,
    samples_to_frame,
)
from coach.realtime.session import (
    conversation_item_truncate,
    input_audio_buffer_append,
    response_cancel,
    response_create,
    session_update,
    with_conversation_so_far,
)
from coach.realtime.settings import RealtimeSettings

__all__ = ["RealtimeRelay", "RelayState", "RelayStats", "RelayStatus"]

logger = logging.getLogger(__name__)

_FRAME_SECONDS: Final = 0.02
_STABLE_CONNECTION_SECONDS: Final = 5.0  # a connection that lived this long resets the count
_MAX_BACKOFF_SECONDS: Final = 8.0
_CLOSE_TIMEOUT_SECONDS: Final = 2.0
_MAX_MESSAGE_BYTES: Final = 16 * 1024 * 1024
_LATENCY_SAMPLES: Final = 5_000
_FATAL_STATUSES: Final = frozenset({400, 401, 403, 404})
# Answers to a response.cancel sent just after the response finished: harmless.
_IGNORED_ERROR_CODES: Final = frozenset({"response_cancel_not_active"})

ClientEvent = dict[str, Any]


class _RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets logs handshake headers at DEBUG; the Authorization one must not leave."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if len(args) == 2 and str(args[0]).lower() == "authorization":
            args = (args[0], "Bearer ***")
        super().log(level, msg, *args, **kwargs)


class RelayState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"
    FAILED = "failed"


class RelayStatus(BaseModel):
    """What a page shows: the state and one sentence written for the candidate."""

    model_config = ConfigDict(frozen=True)

    state: RelayState
    message: str

    @property
    def active(self) -> bool:
        return self.state in (RelayState.CONNECTING, RelayState.LIVE, RelayState.RECONNECTING)


class RelayStats(BaseModel):
    """Counters for telemetry and benchmarks; approximate while the relay runs."""

    model_config = ConfigDict(frozen=True)

    frames_in: int
    frames_dropped: int
    appends_sent: int
    audio_seconds_sent: float
    connections: int


class _Outcome(StrEnum):
    STOPPED = "stopped"
    LIMIT = "limit"
    DROPPED = "dropped"


@dataclass
class _CoachPart:
    """A coach reply being spoken: its response, when it started, the words so far."""

    response_id: str
    started_at: float
    words: list[str] = field(default_factory=list)
    audio_samples: int = 0  # at 48 kHz: how long the reply plays, or played until cut off

    def ends_at(self, now: float) -> float:
        if not self.audio_samples:
            return now
        return round(self.started_at + self.audio_samples / WEBRTC_SAMPLE_RATE, 3)


class _OutputBuffer:
    """Coach audio at 48 kHz waiting for ``on_frame``, shared by two threads.

    It remembers how much of each conversation item was played, which is what
    ``conversation.item.truncate`` needs after a barge-in.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: deque[tuple[str, npt.NDArray[np.int16]]] = deque()
        self._available = 0
        self._played: dict[str, int] = {}
        self._last_item: str | None = None

    def __len__(self) -> int:
        return self._available

    def push(self, item_id: str, samples: npt.NDArray[np.int16]) -> None:
        if samples.size:
            with self._lock:
                self._chunks.append((item_id, samples))
                self._available += samples.size

    def take(self, count: int) -> npt.NDArray[np.int16]:
        """``count`` samples of coach audio, padded with silence when there is less."""
        out = np.zeros(count, dtype=np.int16)
        if not self._available:
            return out
        filled = 0
        with self._lock:
            while filled < count and self._chunks:
                item_id, chunk = self._chunks[0]
                used = min(count - filled, chunk.size)
                out[filled : filled + used] = chunk[:used]
                filled += used
                self._played[item_id] = self._played.get(item_id, 0) + used
                self._last_item = item_id
                if used == chunk.size:
                    self._chunks.popleft()
                else:
                    self._chunks[0] = (item_id, chunk[used:])
            self._available -= filled
        return out

    def clear(self) -> tuple[str | None, int, bool]:
        """Drop what was not played: (item cut off, ms of it heard, whether audio was left)."""
        with self._lock:
            item_id = self._chunks[0][0] if self._chunks else self._last_item
            had_audio = bool(self._chunks)
            self._chunks.clear()
            self._available = 0
            played = self._played.get(item_id, 0) if item_id else 0
        return item_id, played * 1000 // WEBRTC_SAMPLE_RATE, had_audio


class RealtimeRelay:
    """One voice interview: WebRTC frames in and out, a Realtime WebSocket behind.

    ``token`` is the API key or a client secret (both go in ``Authorization:
    Bearer``). ``session`` comes from :func:`coach.realtime.session_config`.
    ``on_candidate_turn`` and ``on_coach_turn`` receive each finished utterance on a
    worker thread of the relay, in order, so a slow store never delays the audio.
    With ``greet`` the coach speaks first (asks the question) once connected.
    """

    def __init__(
        self,
        *,
        token: SecretStr,
        session: dict[str, Any],
        settings: RealtimeSettings | None = None,
        on_candidate_turn: Callable[[str], None] | None = None,
        on_coach_turn: Callable[[str], None] | None = None,
        greet: bool = True,
    ) -> None:
        self._token = token
        self._session = session
        self._settings = settings or RealtimeSettings()
        self._on_candidate_turn = on_candidate_turn
        self._on_coach_turn = on_coach_turn
        self._greet = greet
        self._id = uuid.uuid4().hex[:8]
        self._url = self._settings.websocket_url()
        self._server = urlsplit(self._url).netloc or self._url

        self._condition = threading.Condition()  # guards status and segments
        self._status = RelayStatus(state=RelayState.CONNECTING, message="Not started yet.")
        self._segments: list[TranscriptSegment] = []

        frames = max(1, round(self._settings.input_buffer_seconds / _FRAME_SECONDS))
        self._pending: deque[tuple[bytes, float]] = deque(maxlen=frames)
        self._downsampler = Downsampler()  # webrtc thread only
        self._upsampler = Upsampler()  # loop thread only
        self._output = _OutputBuffer()
        self._latencies: deque[float] = deque(maxlen=_LATENCY_SAMPLES)
        self._frames_in = 0
        self._frames_dropped = 0
        self._appends_sent = 0
        self._bytes_sent = 0
        self._connections = 0

        self._start_lock = threading.Lock()
        self._closed = threading.Event()  # no more audio in: stopped, failed or limit
        self._started_at: float | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._callbacks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="realtime-turns")
        self._warned_format = False

        # Per-connection conversation state, touched by the loop thread only.
        self._greeted = False
        self._response_id: str | None = None
        self._response_active = False
        self._cancelled: set[str] = set()
        self._coach_parts: dict[str, _CoachPart] = {}
        self._speech: dict[str, list[float | None]] = {}
        self._handlers: dict[str, tuple[type[BaseModel], Callable[[Any], list[ClientEvent]]]] = {
            "session.updated": (SessionUpdatedEvent, self._on_session_updated),
            "input_audio_buffer.speech_started": (
                InputAudioBufferSpeechStartedEvent,
                self._on_speech_started,
            ),
            "input_audio_buffer.speech_stopped": (
                InputAudioBufferSpeechStoppedEvent,
                self._on_speech_stopped,
            ),
            "conversation.item.input_audio_transcription.completed": (
                ConversationItemInputAudioTranscriptionCompletedEvent,
                self._on_candidate_transcript,
            ),
            "response.created": (ResponseCreatedEvent, self._on_response_created),
            "response.output_audio.delta": (ResponseAudioDeltaEvent, self._on_audio_delta),
            "response.output_audio_transcript.delta": (
                ResponseAudioTranscriptDeltaEvent,
                self._on_transcript_delta,
            ),
            "response.output_audio_transcript.done": (
                ResponseAudioTranscriptDoneEvent,
                self._on_transcript_done,
            ),
            "response.done": (ResponseDoneEvent, self._on_response_done),
            "error": (RealtimeErrorEvent, self._on_error),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(id={self._id!r}, server={self._server!r}, "
            f"state={self._status.state.value!r})"
        )

    def __enter__(self) -> RealtimeRelay:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what a page calls ---------------------------------------------------------------

    @property
    def status(self) -> RelayStatus:
        return self._status

    def start(self) -> None:
        """Open the connection in the background; safe to call more than once."""
        with self._start_lock:
            if self._thread is not None or self._closed.is_set():
                return
            self._started_at = time.monotonic()
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._run_thread, name=f"realtime-relay-{self._id}", daemon=True
            )
            self._set_status(RelayState.CONNECTING, f"Connecting to {self._server}…")
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection and wait for the loop and pending turn callbacks to end."""
        self._closed.set()
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(self._stopping.set)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self._status.active:
            self._finish(RelayState.STOPPED, "The voice session was stopped.")
        on_callback_thread = threading.current_thread().name.startswith("realtime-turns")
        self._callbacks.shutdown(wait=not on_callback_thread)

    def on_frame(self, frame: av.AudioFrame) -> av.AudioFrame:
        """streamlit-webrtc's ``audio_frame_callback``: candidate audio in, coach audio out."""
        entered = time.perf_counter()
        if frame.format.name not in ("s16", "s16p") or frame.sample_rate != WEBRTC_SAMPLE_RATE:
            self._warn_unsupported(frame)
            silent = samples_to_frame(np.zeros(frame.samples, dtype=np.int16), layout="mono")
            silent.pts, silent.time_base = frame.pts, frame.time_base
            return silent
        if not self._closed.is_set():
            self._accept(frame, entered)
        return frame_like(self._output.take(frame.samples), frame)

    async def on_frames(self, frames: list[av.AudioFrame]) -> list[av.AudioFrame]:
        """``queued_audio_frames_callback``: every frame, even when the page thread lags."""
        return [self.on_frame(frame) for frame in frames]

    def on_ended(self) -> None:
        """``on_audio_ended``: the browser stopped the track."""
        self.stop()

    def wait_for(self, *states: RelayState, timeout: float) -> RelayStatus:
        """Block until the status is one of ``states`` (or ``timeout``); returns it."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._status.state not in states:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            return self._status

    def transcript(self) -> list[TranscriptSegment]:
        """Both sides' finished utterances in speaking order, times in seconds from start."""
        with self._condition:
            segments = list(self._segments)
        return sorted(segments, key=_segment_time)

    def candidate_text(self) -> str:
        return " ".join(s.text for s in self.transcript() if s.speaker is Speaker.CANDIDATE)

    def stats(self) -> RelayStats:
        return RelayStats(
            frames_in=self._frames_in,
            frames_dropped=self._frames_dropped,
            appends_sent=self._appends_sent,
            audio_seconds_sent=self._bytes_sent / 48_000,  # 24 kHz x 2 bytes
            connections=self._connections,
        )

    def send_latencies_ms(self) -> list[float]:
        """For each recent frame: ms from ``on_frame`` to its append leaving on the socket."""
        return list(self._latencies)

    # --- the webrtc thread ---------------------------------------------------------------

    def _warn_unsupported(self, frame: av.AudioFrame) -> None:
        if not self._warned_format:
            self._warned_format = True
            logger.warning(
                "realtime relay ignoring frames it cannot resample",
                extra={
                    "relay": self._id,
                    "format": frame.format.name,
                    "sample_rate": frame.sample_rate,
                },
            )

    def _accept(self, frame: av.AudioFrame, entered: float) -> None:
        if self._thread is None:
            self.start()
        samples, channels = frame_to_samples(frame)
        pcm = self._downsampler.process(samples, channels)
        if len(self._pending) == self._pending.maxlen:
            self._frames_dropped += 1
        self._pending.append((pcm, entered))
        self._frames_in += 1
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake.set)

    # --- the loop thread -----------------------------------------------------------------

    def _run_thread(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._run())
        except Exception:
            logger.exception("realtime relay crashed", extra={"relay": self._id})
            self._finish(RelayState.FAILED, "The voice session failed unexpectedly; see the log.")
        finally:
            loop.close()

    async def _run(self) -> None:
        assert self._started_at is not None
        deadline = self._started_at + self._settings.max_session_minutes * 60
        max_attempts = self._settings.reconnect_attempts
        attempt = 0
        ever_live = False
        while True:
            connected_at: float | None = None
            outcome, reason = _Outcome.DROPPED, ""
            try:
                ws = await self._open(deadline)
                if ws is None:
                    outcome = _Outcome.STOPPED
                else:
                    async with ws:
                        connected_at = time.monotonic()
                        self._connections += 1
                        logger.info(
                            "realtime connected",
                            extra={"relay": self._id, "server": self._server, "attempt": attempt},
                        )
                        outcome, reason = await self._serve(ws, deadline)
                        ever_live = ever_live or self._status.state is RelayState.LIVE
            except InvalidStatus as exc:
                code = exc.response.status_code
                if code in _FATAL_STATUSES:
                    self._finish(RelayState.FAILED, self._refusal_message(code))
                    return
                reason = f"the server answered HTTP {code}"
            except InvalidURI:
                self._finish(
                    RelayState.FAILED,
                    f"The Realtime address '{self._settings.base_url}' is not a ws:// or "
                    "wss:// URL. Check COACH_REALTIME__BASE_URL.",
                )
                return
            except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
                reason = _describe(exc, self._settings.connect_timeout_seconds)

            if outcome is _Outcome.STOPPED or self._stopping.is_set():
                self._finish(RelayState.STOPPED, "The voice session was stopped.")
                return
            if outcome is _Outcome.LIMIT or time.monotonic() >= deadline:
                self._finish(RelayState.STOPPED, self._limit_message())
                return
            self._close_coach_parts()
            self._response_active = False
            lived = time.monotonic() - connected_at if connected_at is not None else 0.0
            if lived >= _STABLE_CONNECTION_SECONDS:
                attempt = 0
            attempt += 1
            logger.warning(
                "realtime connection lost",
                extra={"relay": self._id, "server": self._server, "reason": reason},
            )
            if attempt > max_attempts:
                self._finish(RelayState.FAILED, self._gave_up_message(reason, ever_live))
                return
            lost = "Connection lost" if ever_live else f"Could not reach {self._server}"
            self._set_status(
                RelayState.RECONNECTING,
                f"{lost} ({reason}); reconnecting, attempt {attempt} of {max_attempts}…",
            )
            backoff = self._settings.reconnect_backoff_seconds * 2 ** (attempt - 1)
            delay = max(0.0, min(backoff, _MAX_BACKOFF_SECONDS, deadline - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _open(self, deadline: float) -> ClientConnection | None:
        """Connect, unless ``stop()`` comes first (then None): a slow handshake never
        holds up a stop."""
        timeout = min(self._settings.connect_timeout_seconds, deadline - time.monotonic())
        connecting = asyncio.ensure_future(
            connect(
                self._url,
                additional_headers={"Authorization": f"Bearer {self._token.get_secret_value()}"},
                open_timeout=max(0.1, timeout),
                close_timeout=_CLOSE_TIMEOUT_SECONDS,
                compression=None,  # base64 PCM barely compresses; deflate costs latency
                max_size=_MAX_MESSAGE_BYTES,
                logger=_RedactingLogger(logging.getLogger("websockets.client")),
            )
        )
        stopper = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({connecting, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if connecting in done:
            return connecting.result()
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        return None

    async def _serve(self, ws: ClientConnection, deadline: float) -> tuple[_Outcome, str]:
        """One connection: configure, then send and receive until it ends."""
        self._response_id, self._response_active = None, False
        self._cancelled.clear()
        self._speech.clear()
        session = with_conversation_so_far(self._session, self.transcript())
        await ws.send(json.dumps(session_update(session)))
        if self._greet and not self._greeted:
            self._greeted = True
            await ws.send(json.dumps(response_create()))
        self._wake.set()  # flush audio that queued up while connecting
        sender = asyncio.create_task(self._send_audio(ws))
        receiver = asyncio.create_task(self._receive(ws))
        stopper = asyncio.create_task(self._stopping.wait())
        timer = asyncio.create_task(asyncio.sleep(max(0.0, deadline - time.monotonic())))
        tasks = {sender, receiver, stopper, timer}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if stopper in done:
            return _Outcome.STOPPED, ""
        if timer in done:
            return _Outcome.LIMIT, ""
        for task in (receiver, sender):
            if task in done:
                error = task.exception()
                if error is not None and not isinstance(error, ConnectionClosed):
                    raise error
                return _Outcome.DROPPED, _describe(error, 0) if error else _closed_reason(ws)
        return _Outcome.DROPPED, "the connection ended"

    async def _send_audio(self, ws: ClientConnection) -> None:
        batch = self._settings.append_frames
        pending = self._pending
        while True:
            await self._wake.wait()
            self._wake.clear()
            while len(pending) >= batch:
                chunks = [pending.popleft() for _ in range(batch)]
                pcm = b"".join(chunk for chunk, _ in chunks)
                await ws.send(json.dumps(input_audio_buffer_append(pcm)))
                sent = time.perf_counter()
                self._latencies.extend((sent - entered) * 1000 for _, entered in chunks)
                self._appends_sent += 1
                self._bytes_sent += len(pcm)

    async def _receive(self, ws: ClientConnection) -> None:
        async for message in ws:
            for event in self._handle(message):
                await ws.send(json.dumps(event))

    def _handle(self, message: str | bytes) -> list[ClientEvent]:
        """One server event to state changes, and the client events it calls for."""
        try:
            data = json.loads(message)
            kind = data.get("type") if isinstance(data, dict) else None
        except ValueError:
            logger.warning("realtime server sent non-JSON", extra={"relay": self._id})
            return []
        entry = self._handlers.get(kind) if isinstance(kind, str) else None
        if entry is None:
            return []
        model, handler = entry
        try:
            event = model.model_validate(data)
        except ValidationError as exc:
            logger.warning(
                "realtime server event not understood",
                extra={"relay": self._id, "type": kind, "errors": exc.error_count()},
            )
            return []
        try:
            return handler(event)
        except Exception:
            logger.exception("realtime event handler failed", extra={"relay": self._id})
            return []

    # --- server events -------------------------------------------------------------------

    def _on_session_updated(self, event: SessionUpdatedEvent) -> list[ClientEvent]:
        if self._status.state is not RelayState.LIVE:
            self._set_status(RelayState.LIVE, "Live: the coach is listening.")
        return []

    def _on_speech_started(self, event: InputAudioBufferSpeechStartedEvent) -> list[ClientEvent]:
        self._speech[event.item_id] = [self._now(), None]
        if self._response_active or len(self._output):
            return self._barge_in()
        return []

    def _barge_in(self) -> list[ClientEvent]:
        """The candidate talks over the coach: stop the reply and what is left of its audio."""
        item_id, heard_ms, had_audio = self._output.clear()
        self._upsampler.reset()
        response_id = self._response_id if self._response_active else None
        if response_id:
            self._cancelled.add(response_id)
        part = self._coach_parts.get(item_id) if item_id else None
        if part is not None:
            part.audio_samples = heard_ms * WEBRTC_SAMPLE_RATE // 1000
        events = [response_cancel(response_id)]
        if item_id and (had_audio or self._response_active):
            events.append(conversation_item_truncate(item_id, heard_ms))
        logger.info(
            "realtime barge-in",
            extra={"relay": self._id, "heard_ms": heard_ms, "response_active": bool(response_id)},
        )
        return events

    def _on_speech_stopped(self, event: InputAudioBufferSpeechStoppedEvent) -> list[ClientEvent]:
        times = self._speech.setdefault(event.item_id, [None, None])
        times[1] = self._now()
        return []

    def _on_candidate_transcript(
        self, event: ConversationItemInputAudioTranscriptionCompletedEvent
    ) -> list[ClientEvent]:
        text = event.transcript.strip()
        start, end = self._speech.pop(event.item_id, [None, None])
        if text:
            self._add_segment(Speaker.CANDIDATE, text, start, end or self._now())
            self._notify(self._on_candidate_turn, text)
        return []

    def _on_response_created(self, event: ResponseCreatedEvent) -> list[ClientEvent]:
        self._response_id = event.response.id
        self._response_active = True
        return []

    def _on_audio_delta(self, event: ResponseAudioDeltaEvent) -> list[ClientEvent]:
        if event.response_id in self._cancelled:
            return []
        part = self._coach_part(event.item_id, event.response_id)
        samples = self._upsampler.process(base64.b64decode(event.delta))
        part.audio_samples += samples.size
        self._output.push(event.item_id, samples)
        return []

    def _on_transcript_delta(self, event: ResponseAudioTranscriptDeltaEvent) -> list[ClientEvent]:
        if event.response_id not in self._cancelled:
            self._coach_part(event.item_id, event.response_id).words.append(event.delta)
        return []

    def _on_transcript_done(self, event: ResponseAudioTranscriptDoneEvent) -> list[ClientEvent]:
        part = self._coach_parts.pop(event.item_id, None)
        # After a barge-in keep only the words that came with audio the candidate heard.
        if event.response_id in self._cancelled:
            text = "".join(part.words) if part else ""
        else:
            text = event.transcript
        self._add_coach_segment(text, part)
        return []

    def _on_response_done(self, event: ResponseDoneEvent) -> list[ClientEvent]:
        response_id = event.response.id
        if response_id is None or response_id == self._response_id:
            self._response_active = False
        self._close_coach_parts(response_id)
        if response_id:
            self._cancelled.discard(response_id)
        return []

    def _on_error(self, event: RealtimeErrorEvent) -> list[ClientEvent]:
        error = event.error
        if error.code in _IGNORED_ERROR_CODES:
            return []
        logger.warning(
            "realtime server error",
            extra={"relay": self._id, "error_type": error.type, "code": error.code},
        )
        # Shown, not fatal: most errors leave the session usable, and a rejected
        # session.update would otherwise leave "connecting" on screen with no reason.
        state = self._status.state
        prefix = "Live, but the" if state is RelayState.LIVE else "The"
        self._set_status(state, f"{prefix} Realtime server reported: {error.message}")
        return []

    # --- helpers -------------------------------------------------------------------------

    def _now(self) -> float:
        started = self._started_at if self._started_at is not None else time.monotonic()
        return round(time.monotonic() - started, 3)

    def _coach_part(self, item_id: str, response_id: str) -> _CoachPart:
        part = self._coach_parts.get(item_id)
        if part is None:
            part = self._coach_parts[item_id] = _CoachPart(response_id, self._now())
        return part

    def _close_coach_parts(self, response_id: str | None = None) -> None:
        """Keep what the coach said of replies that ended without a final transcript."""
        for item_id, part in list(self._coach_parts.items()):
            if response_id is None or part.response_id == response_id:
                del self._coach_parts[item_id]
                self._add_coach_segment("".join(part.words), part)

    def _add_coach_segment(self, text: str, part: _CoachPart | None) -> None:
        text = text.strip()
        if text:
            now = self._now()
            start, end = (part.started_at, part.ends_at(now)) if part else (None, now)
            self._add_segment(Speaker.COACH, text, start, end)
            self._notify(self._on_coach_turn, text)

    def _add_segment(
        self, speaker: Speaker, text: str, start: float | None, end: float | None
    ) -> None:
        segment = TranscriptSegment(
            speaker=speaker, text=text, start_seconds=start, end_seconds=end
        )
        with self._condition:
            self._segments.append(segment)
        logger.info(
            "realtime turn",
            extra={"relay": self._id, "speaker": speaker.value, "chars": len(text)},
        )

    def _notify(self, callback: Callable[[str], None] | None, text: str) -> None:
        if callback is None:
            return
        with contextlib.suppress(RuntimeError):  # shut down: the session is over
            self._callbacks.submit(self._call_safely, callback, text)

    def _call_safely(self, callback: Callable[[str], None], text: str) -> None:
        try:
            callback(text)
        except Exception:
            logger.exception("realtime turn callback failed", extra={"relay": self._id})

    def _set_status(self, state: RelayState, message: str) -> None:
        with self._condition:
            if not self._status.active:
                return  # stopped and failed are final
            changed = state is not self._status.state
            self._status = RelayStatus(state=state, message=message)
            self._condition.notify_all()
        if changed:
            logger.info(
                "realtime status",
                extra={"relay": self._id, "state": state.value, "detail": message},
            )

    def _finish(self, state: RelayState, message: str) -> None:
        self._closed.set()
        self._set_status(state, message)
        self._output.clear()
        self._pending.clear()

    def _refusal_message(self, code: int) -> str:
        if code == 401:
            return (
                f"The Realtime server at {self._server} refused the credentials (HTTP 401). "
                "Check COACH_OPENAI_API_KEY; a client secret may have expired."
            )
        if code == 403:
            return (
                f"The Realtime server at {self._server} denied access (HTTP 403) to model "
                f"'{self._settings.model}'. Check that the key's project may use it, or pick "
                "another model (COACH_REALTIME__MODEL)."
            )
        return (
            f"The Realtime server at {self._server} rejected the connection (HTTP {code}). "
            f"Check the model name '{self._settings.model}' and COACH_REALTIME__BASE_URL."
        )

    def _limit_message(self) -> str:
        minutes = self._settings.max_session_minutes
        return (
            f"The voice session reached its {minutes:g}-minute limit and was stopped. "
            "Start a new session to continue."
        )

    def _gave_up_message(self, reason: str, ever_live: bool) -> str:
        attempts = self._settings.reconnect_attempts
        if not ever_live:
            return (
                f"Could not reach the Realtime server at {self._server} ({reason}). "
                "Check the network and COACH_REALTIME__BASE_URL, then start again."
            )
        return (
            f"The connection to the Realtime server at {self._server} was lost ({reason}) "
            f"and {attempts} reconnection attempt{'s' if attempts != 1 else ''} failed. "
            "The transcript so far is kept; start the session again to continue."
        )


def _segment_time(segment: TranscriptSegment) -> float:
    for value in (segment.start_seconds, segment.end_seconds):
        if value is not None:
            return value
    return float("inf")


def _closed_reason(ws: ClientConnection) -> str:
    code, reason = ws.close_code, ws.close_reason
    if code is None:
        return "the connection was cut"
    return f"closed by the server with code {code}" + (f": {reason}" if reason else "")


def _describe(error: BaseException, timeout: float) -> str:
    """A short phrase for a status line; never includes headers, so never the token."""
    if isinstance(error, ConnectionClosed):
        if error.rcvd is None:
            return "the connection was cut"
        reason = f": {error.rcvd.reason}" if error.rcvd.reason else ""
        return f"closed by the server with code {error.rcvd.code}{reason}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "the host name could not be resolved"
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(error, InvalidHandshake):
        return "the server did not accept a WebSocket connection"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__
