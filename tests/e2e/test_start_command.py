"""The README's start command, as a new user runs it: `./scripts/start` in a copy of the
checkout with a `.venv` of its own, installed from requirements.lock alone (no test extras,
which once hid a missing base dependency), every page opened in Chromium.

Slow by nature (a virtualenv is made and filled from pip's cache); it is the only test
that proves the app runs on what the start command installs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from coach.settings import PROJECT_ROOT
from tests.e2e.conftest import APP_READY_MS, wait_for_app
from tests.processes import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

# Every page in the navigation, by its URL path and the heading it shows first.
PAGES = {
    "": "Practise an interview",
    "voice": "Voice interview",
    "chat": "Chat with a coach",
    "sessions": "Your sessions",
    "progress": "My progress",
    "telemetry": "Telemetry",
    "persona_lab": "Persona Lab",
}
INSTALL_SECONDS = 900  # a new .venv from pip's cache; a cold cache downloads ~80 wheels


def copy_checkout(destination: Path) -> None:
    """The files a clone would have (tracked, plus new ones not ignored), as they are now."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file() and not source.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port``, read from the kernel's tables."""
    addresses: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(_decode_address(address))
    return addresses


def _decode_address(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::1" if hex_address == "00000000000000000000000001000000" else hex_address


@pytest.fixture
def started_app(tmp_path: Path) -> Iterator[tuple[str, Path, int]]:
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COACH_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["COACH_STORE__PATH"] = str(tmp_path / "start.duckdb")
    log_path = tmp_path / "start.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["./scripts/start", "--server.port", str(port)],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + INSTALL_SECONDS
        while True:
            if process.poll() is not None:
                log_text = log_path.read_text()
                pytest.fail(f"./scripts/start exited with {process.returncode}:\n{log_text}")
            if time.monotonic() > deadline:
                pytest.fail(f"./scripts/start never became healthy:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield url, checkout, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def test_start_command_serves_every_page_on_loopback_from_the_base_lock(
    started_app: tuple[str, Path, int], browser: Browser
) -> None:
    url, checkout, port = started_app

    assert listening_addresses(port) == {"127.0.0.1"}

    # Only the base lock was installed: the test tools are absent from that environment.
    probe = subprocess.run(
        [str(checkout / ".venv/bin/python"), "-c", "import pytest"], capture_output=True
    )
    assert probe.returncode != 0, "the start command installed the test extras"

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(APP_READY_MS)
        for path, heading in PAGES.items():
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            expect(page.get_by_role("heading", name=heading).first).to_be_visible()
            assert page.get_by_test_id("stException").count() == 0, f"/{path}: exception"
            body = page.locator("main").inner_text()
            assert "Traceback" not in body and "ModuleNotFoundError" not in body, f"/{path}"
    finally:
        context.close()
