"""A misbehaving OpenAI-compatible server on loopback, for the failure modes real
servers have: down (500), rate-limited (429), hanging, answering junk, refusing
``json_schema``, dropping a stream half way, or answering schema-valid nonsense.

A real HTTP server on a free port (stdlib, one thread per request), so the ``openai``
client's own transport, retries and timeouts run exactly as against a real server.
It counts the requests that reach it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("none", "500", "429", "hang", "junk", "reject_schema", "drop", "drop_stream", "nonsense")

GOOD_EVALUATION = {
    "dimensions": {
        d: {"score": 7, "comment": "Clear and on topic."}
        for d in ("relevance", "structure", "specificity", "impact", "ownership", "clarity")
    },
    "overall": 7,
    "headline": "A solid answer with a measurable result.",
    "strengths": ["You named the result and your own part in it."],
    "improvements": ["Say what you would do differently next time."],
    "example_answer": "",
    "non_answer": False,
}
NONSENSE_EVALUATION = {
    "dimensions": {
        "relevance": {"score": 1, "comment": "x"},
        "structure": {"score": 3, "comment": "x"},
        "specificity": {"score": 2, "comment": "x"},
        "impact": {"score": 2, "comment": "x"},
        "ownership": {"score": 3, "comment": "x"},
        "clarity": {"score": 2, "comment": "x"},
    },
    "overall": 10,
    "headline": "Overall 10/10: perfect.",
    "strengths": ["2019", "comment"],
    "improvements": ['You said "we tripled revenue in a week", which needs numbers.'],
    "example_answer": "I cut costs by 73% and grew revenue to $4.2M in 2019.",
    "non_answer": False,
}


def _reply_for(kind: str, *, nonsense: bool) -> dict[str, Any]:
    if kind == "evaluate_answer":
        return NONSENSE_EVALUATION if nonsense else GOOD_EVALUATION
    if kind == "ask_follow_up":
        return {"question": "What would you change if you ran that project again?"}
    if kind == "generate_questions":
        text = "Tell me about a pipeline you made faster."
        # Nonsense: the same question three times over.
        count = 3 if nonsense else 1
        return {"questions": [{"text": text, "type": "behavioural"}] * count}
    if kind == "summarize_session":
        return {"highlights": ["You quantified results."], "next_steps": ["Practise STAR."]}
    if kind == "judge_feedback":
        return {
            "specificity": 7,
            "actionability": 6,
            "completeness": 7,
            "concision": 8,
            "calibration": 6,
            "rationale": "Specific and usable.",
        }
    if kind == "summarize_chat":
        return {"takeaways": ["Stay specific."], "action_items": ["Write two stories."]}
    return {}


def _kind(body: dict[str, Any]) -> str:
    response_format = body.get("response_format") or {}
    name = (response_format.get("json_schema") or {}).get("name")
    if name:
        return str(name)
    text = json.dumps(body.get("messages", []))
    for kind in ("judge_feedback", "evaluate_answer", "ask_follow_up", "generate_questions"):
        if kind in text:
            return kind
    properties = (response_format.get("schema") or {}).get("properties", {})
    if "dimensions" in properties:
        return "evaluate_answer"
    if "questions" in properties:
        return "generate_questions"
    if "question" in properties:
        return "ask_follow_up"
    return "text"


def task_kind(body: dict[str, Any]) -> str:
    """Which task a request asks for (the schema's name, or what its prompt names)."""
    return _kind(body)


class FakeModelServer:
    def __init__(
        self,
        mode: str = "none",
        *,
        owned_by: str | None = None,
        total_slots: int | None = None,
        slow: dict[str, float] | None = None,
        failing: frozenset[str] = frozenset(),
    ) -> None:
        """``owned_by``: what ``/v1/models`` says owns the model (llama.cpp says
        "llamacpp", vLLM "vllm"); ``total_slots``: what llama.cpp's ``/props`` reports
        (None: 404 there); ``slow``: seconds to wait before answering a task kind;
        ``failing``: task kinds answered with HTTP 500."""
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self.owned_by = owned_by
        self.total_slots = total_slots
        self.slow = slow or {}
        self.failing = failing
        self.arrivals: list[tuple[float, str]] = []
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> FakeModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/props" and fake.total_slots is not None:
                    return self._json(200, {"total_slots": fake.total_slots})
                if self.path.rstrip("/") == "/v1/models" and fake.owned_by is not None:
                    model = {"id": "smollm2", "object": "model", "owned_by": fake.owned_by}
                    return self._json(200, {"object": "list", "data": [model]})
                self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                kind = _kind(body)
                with fake._lock:
                    fake.requests.append(body)
                    fake.arrivals.append((time.monotonic(), kind))
                if kind in fake.slow:
                    fake.stopping.wait(fake.slow[kind])
                if kind in fake.failing:
                    return self._json(500, {"error": {"message": "busy"}}, {"retry-after": "0"})
                mode = fake.mode
                if mode == "hang":
                    fake.stopping.wait(120)
                    return
                if mode == "500":
                    return self._json(500, {"error": {"message": "internal error"}})
                if mode == "429":
                    return self._json(
                        429, {"error": {"message": "slow down"}}, {"retry-after": "1"}
                    )
                response_format = body.get("response_format") or {}
                if mode == "reject_schema" and response_format.get("type") == "json_schema":
                    return self._json(
                        400, {"error": {"message": "response_format json_schema not supported"}}
                    )
                if body.get("stream"):
                    return self._stream(body, drop=mode in ("drop", "drop_stream"))
                if mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "junk":
                    content = "Sure! Here is my answer: it was great, 10/10"
                else:
                    content = json.dumps(_reply_for(_kind(body), nonsense=mode == "nonsense"))
                self._json(200, _completion(body, content))

            def _json(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], *, drop: bool) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                words = ["Situation:", "our", "nightly", "job", "was", "slow.", "Action:", "I"]
                for number, word in enumerate(words):
                    if drop and number == 4:
                        break  # the server goes away mid-reply, no finish reason, no [DONE]
                    chunk = _chunk(body, f"{word} ", None)
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                if not drop:
                    chunk = _chunk(body, "", "stop")
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())
                self.close_connection = True

        return Handler


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _chunk(body: dict[str, Any], piece: str, finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": finish}],
    }


@contextmanager
def fake_model_server(mode: str = "none", **options: Any) -> Iterator[FakeModelServer]:
    server = FakeModelServer(mode, **options).start()
    try:
        yield server
    finally:
        server.stop()
