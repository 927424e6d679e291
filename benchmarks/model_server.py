"""A loopback OpenAI-compatible server that answers every call after a fixed latency.

The benchmarks' stand-in for a real model: the workbench talks to it over HTTP through
its own provider, exactly as to vLLM or llama.cpp, so what is measured is everything but
the model's thinking. Replies are valid for the task named in ``response_format`` (the
questions are numbered so none repeats; the evaluation has no quotes or figures for the
output checks to repair). Given ``slots``, it says at ``/props`` how many requests it
runs at once (``total_slots``), as llama.cpp does, and the workbench then asks for the
follow-up beside the score; without, it says nothing and counts as one slot.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from coach.domain import RubricDimension

_EVALUATION = {
    "dimensions": {
        d.value: {"score": 6, "comment": "Clear enough; add what you did yourself."}
        for d in RubricDimension
    },
    "overall": 6,
    "headline": "A solid story that needs your own actions and the result.",
    "strengths": ["You set the scene quickly."],
    "improvements": ["Say what you did yourself, then the result."],
    "example_answer": "Situation, task, what I did, and what changed because of it.",
    "non_answer": False,
}


def _reply_for(kind: str, number: int) -> dict[str, Any]:
    if kind == "generate_questions":
        return {
            "questions": [
                {
                    "text": f"Tell me about challenge number {number * 20 + i} you solved.",
                    "type": "behavioural",
                    "competency": "problem solving",
                    "rationale": "Shows how you work.",
                }
                for i in range(15)
            ]
        }
    if kind == "ask_follow_up":
        return {"question": "What would you do differently next time?", "rationale": "Reflection."}
    if kind == "evaluate_answer":
        return _EVALUATION
    if kind == "summarize_session":
        return {"highlights": ["Clear stories."], "next_steps": ["Quantify results."]}
    return {"text": "Thanks."}


class _Handler(BaseHTTPRequestHandler):
    server: _ModelServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    # Headers and body go out in two writes: with Nagle's algorithm the body would wait
    # for the client's (delayed) ACK of the headers, up to 40 ms no real server adds.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        if self.path != "/props" or self.server.slots is None:
            self.send_error(404)
            return
        self._send(json.dumps({"total_slots": self.server.slots}).encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        time.sleep(self.server.latency_seconds)
        fmt = body.get("response_format") or {}
        kind = (fmt.get("json_schema") or {}).get("name", "text")
        content = json.dumps(_reply_for(kind, next(self.server.counter)))
        payload = json.dumps(
            {
                "id": "bench",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "bench"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
            }
        ).encode()
        self._send(payload)

    def _send(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the benchmark table is the output."""


class _ModelServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, latency_seconds: float, slots: int | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency_seconds = latency_seconds
        self.slots = slots
        self.counter = itertools.count()


@contextmanager
def model_server(latency_seconds: float, *, slots: int | None = None) -> Iterator[str]:
    """The server's base URL (``http://127.0.0.1:PORT/v1``) while it runs.

    It runs in a process of its own, as a real model server does: in the workbench's
    process it would compete for the interpreter lock with what is being measured.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.model_server", str(latency_seconds), str(slots or 0)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.kill()
        server.wait(timeout=10)


def serve(latency_seconds: float, slots: int | None = None) -> None:
    """Serves until killed; prints the port first."""
    server = _ModelServer(latency_seconds, slots)
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    given_slots = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    serve(float(sys.argv[1]), given_slots or None)
