"""A fake OpenAI Realtime server on loopback that speaks the documented event protocol.

It runs a ``websockets`` server in its own thread on a free port and plays the
part of the GA Realtime API closely enough for the relay to be tested end to end:
``session.update`` -> ``session.updated``; ``input_audio_buffer.append`` audio is
decoded and kept; a crude energy VAD (speech = a chunk louder than ``speech_rms``;
a turn ends after ``end_of_turn_silence_ms`` of quiet audio, after ``idle_turn_ms``
without appends, or on ``input_audio_buffer.commit``) emits speech started/stopped,
the configured candidate transcript, and a reply: ``response.created``,
``response.output_audio.delta`` (a 24 kHz tone), transcript deltas and done, and
``response.done``. It can refuse the handshake, drop connections, and records every
event in both directions for assertions.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import numpy as np
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

logger = logging.getLogger(__name__)

RATE = 24_000
BYTES_PER_SECOND = RATE * 2


@dataclass
class FakeRealtimeOptions:
    """How the fake behaves; tests may change fields while it runs."""

    transcript: str = "I led the migration of our data pipeline to Kubernetes."
    reply: str = "Thank you. What was the hardest part of that migration?"
    greeting: str = "Hello. Tell me about a project you are proud of."
    reply_seconds: float = 1.0
    reply_chunk_ms: int = 100
    reply_chunk_interval_seconds: float = 0.0
    speech_rms: float = 300.0
    end_of_turn_silence_ms: int = 300
    idle_turn_ms: int = 300
    refuse_status: int | None = None
    session_error: str | None = None  # answer session.update with this error instead
    drop_after_messages: int | None = None
    drop_connections: int | None = 1  # how many connections the drop applies to; None: all


class _Connection:
    """One client's state: its audio clock, VAD and the reply being spoken."""

    def __init__(self, ws: ServerConnection, index: int) -> None:
        self.ws = ws
        self.index = index
        self.messages = 0
        self.audio_ms = 0.0
        self.in_speech = False
        self.silence_ms = 0.0
        self.item_id = ""
        self.last_append = time.monotonic()
        self.response: asyncio.Task[None] | None = None
        self.response_id = ""
        self.words_sent: list[str] = []


class FakeRealtimeServer:
    def __init__(self, options: FakeRealtimeOptions | None = None, **overrides: Any) -> None:
        self.options = options or FakeRealtimeOptions(**overrides)
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []
        self._sent: list[dict[str, Any]] = []
        self._audio = bytearray()
        self.connection_attempts = 0
        self.connections = 0
        self.authorizations: list[str] = []
        self.paths: list[str] = []
        self._live: set[_Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeRealtimeServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="fake-realtime", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fake realtime server did not start")

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start_server())
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _start_server(self) -> None:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            compression=None,
            max_size=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    # --- what tests read ----------------------------------------------------------------

    @property
    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)

    @property
    def sent(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._sent)

    def received_types(self) -> list[str]:
        return [event["type"] for event in self.received]

    @property
    def audio(self) -> bytes:
        with self._lock:
            return bytes(self._audio)

    def audio_seconds(self) -> float:
        return len(self.audio) / BYTES_PER_SECOND

    def drop_all(self) -> None:
        """Cut every open connection without a closing handshake, like a network drop."""
        assert self._loop is not None

        def abort() -> None:
            for conn in list(self._live):
                conn.ws.transport.abort()

        self._loop.call_soon_threadsafe(abort)

    # --- the protocol -------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        with self._lock:
            self.connection_attempts += 1
            self.paths.append(request.path)
            self.authorizations.append(request.headers.get("Authorization", ""))
        status = self.options.refuse_status
        if status is not None:
            return connection.respond(HTTPStatus(status), "refused by the fake server\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        with self._lock:
            conn = _Connection(ws, self.connections)
            self.connections += 1
        self._live.add(conn)
        await self._send(conn, "session.created", session={"type": "realtime"})
        idle = asyncio.create_task(self._watch_idle(conn))
        try:
            async for raw in ws:
                event = json.loads(raw)
                with self._lock:
                    self._received.append(event)
                conn.messages += 1
                if self._should_drop(conn):
                    await ws.close(1011, "fake server dropped the connection")
                    return
                await self._dispatch(conn, event)
        except ConnectionClosed:
            pass
        finally:
            self._live.discard(conn)
            idle.cancel()
            if conn.response is not None:
                conn.response.cancel()

    def _should_drop(self, conn: _Connection) -> bool:
        limit, applies_to = self.options.drop_after_messages, self.options.drop_connections
        if limit is None or conn.messages < limit:
            return False
        return applies_to is None or conn.index < applies_to

    async def _dispatch(self, conn: _Connection, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "session.update" and self.options.session_error:
            error = {"type": "invalid_request_error", "message": self.options.session_error}
            await self._send(conn, "error", error=error)
        elif kind == "session.update":
            await self._send(conn, "session.updated", session=event["session"])
        elif kind == "input_audio_buffer.append":
            await self._on_audio(conn, base64.b64decode(event["audio"]))
        elif kind == "input_audio_buffer.commit":
            if conn.in_speech:
                await self._end_turn(conn)
        elif kind == "response.create":
            self._start_response(conn, self.options.greeting)
        elif kind == "response.cancel":
            await self._cancel_response(conn)
        elif kind == "conversation.item.truncate":
            await self._send(
                conn,
                "conversation.item.truncated",
                item_id=event["item_id"],
                content_index=event["content_index"],
                audio_end_ms=event["audio_end_ms"],
            )

    async def _on_audio(self, conn: _Connection, pcm: bytes) -> None:
        with self._lock:
            self._audio.extend(pcm)
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
        chunk_ms = samples.size * 1000 / RATE
        conn.audio_ms += chunk_ms
        conn.last_append = time.monotonic()
        loud = samples.size > 0 and float(np.sqrt(np.mean(samples**2))) >= self.options.speech_rms
        if loud:
            conn.silence_ms = 0
            if not conn.in_speech:
                conn.in_speech = True
                conn.item_id = _id("item")
                await self._send(
                    conn,
                    "input_audio_buffer.speech_started",
                    audio_start_ms=int(conn.audio_ms - chunk_ms),
                    item_id=conn.item_id,
                )
        elif conn.in_speech:
            conn.silence_ms += chunk_ms
            if conn.silence_ms >= self.options.end_of_turn_silence_ms:
                await self._end_turn(conn)

    async def _watch_idle(self, conn: _Connection) -> None:
        while True:
            await asyncio.sleep(0.05)
            quiet = time.monotonic() - conn.last_append
            if conn.in_speech and quiet * 1000 >= self.options.idle_turn_ms:
                await self._end_turn(conn)

    async def _end_turn(self, conn: _Connection) -> None:
        if not conn.in_speech:
            return
        conn.in_speech = False
        item_id = conn.item_id
        await self._send(
            conn,
            "input_audio_buffer.speech_stopped",
            audio_end_ms=int(conn.audio_ms),
            item_id=item_id,
        )
        await self._send(conn, "input_audio_buffer.committed", item_id=item_id)
        await self._send(
            conn,
            "conversation.item.input_audio_transcription.completed",
            item_id=item_id,
            content_index=0,
            transcript=self.options.transcript,
            usage={"type": "duration", "seconds": round(conn.audio_ms / 1000, 3)},
        )
        if conn.response is not None and not conn.response.done():
            conn.response.cancel()
        self._start_response(conn, self.options.reply)

    def _start_response(self, conn: _Connection, text: str) -> None:
        conn.response = asyncio.create_task(self._respond(conn, text))

    async def _respond(self, conn: _Connection, text: str) -> None:
        response_id, item_id = _id("resp"), _id("item")
        conn.response_id, conn.words_sent = response_id, []
        await self._send(conn, "response.created", response=_response(response_id, "in_progress"))
        where = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        options = self.options
        chunks = max(1, round(options.reply_seconds * 1000 / options.reply_chunk_ms))
        words = text.split()
        samples_per_chunk = RATE * options.reply_chunk_ms // 1000
        for index in range(chunks):
            start = index * samples_per_chunk
            t = (start + np.arange(samples_per_chunk)) / RATE
            tone = (6000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()
            await self._send(
                conn, "response.output_audio.delta", delta=base64.b64encode(tone).decode(), **where
            )
            first, last = -(-index * len(words) // chunks), -(-(index + 1) * len(words) // chunks)
            for word in words[first:last]:  # word k goes with chunk k * chunks / words
                conn.words_sent.append(word)
                await self._send(
                    conn, "response.output_audio_transcript.delta", delta=word + " ", **where
                )
            await asyncio.sleep(options.reply_chunk_interval_seconds)
        await self._send(conn, "response.output_audio.done", **where)
        await self._send(conn, "response.output_audio_transcript.done", transcript=text, **where)
        await self._send(conn, "response.done", response=_response(response_id, "completed"))

    async def _cancel_response(self, conn: _Connection) -> None:
        task = conn.response
        if task is None or task.done():
            await self._send(
                conn,
                "error",
                error={
                    "type": "invalid_request_error",
                    "code": "response_cancel_not_active",
                    "message": "Cancellation failed: no active response found",
                },
            )
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        cancelled = _response(conn.response_id, "cancelled")
        cancelled["status_details"] = {"type": "cancelled", "reason": "client_cancelled"}
        await self._send(conn, "response.done", response=cancelled)

    async def _send(self, conn: _Connection, kind: str, **fields: Any) -> None:
        event = {"type": kind, "event_id": _id("event"), **fields}
        with self._lock:
            self._sent.append(event)
        with contextlib.suppress(ConnectionClosed):
            await conn.ws.send(json.dumps(event))


def _response(response_id: str, status: str) -> dict[str, Any]:
    return {"id": response_id, "object": "realtime.response", "status": status, "output": []}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"
