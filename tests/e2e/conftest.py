"""Start the real app (`streamlit run`) on loopback and drive it with headless Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coach.settings import PROJECT_ROOT
from tests.processes import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class RunningApp:
    url: str
    db_path: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_app(
    db_path: Path,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    *,
    port: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> RunningApp:
    port = port or free_port()
    env = {**os.environ, "COACH_STORE__PATH": str(db_path), **(extra_env or {})}
    for name in ("OPENAI_API_KEY", "COACH_OPENAI_API_KEY", "COACH_OPENAI_BASE_URL"):
        if not extra_env or name not in extra_env:
            env.pop(name, None)
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "workbench.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *extra_args,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return RunningApp(url, db_path, process, log_path)
        except OSError:
            time.sleep(0.2)
    stop_app(process)
    raise RuntimeError(f"streamlit did not become healthy:\n{log_path.read_text()}")


def stop_app(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[RunningApp]:
    app = start_app(tmp_path / "e2e.duckdb", tmp_path / "streamlit.log")
    yield app
    stop_app(app.process)


# A busy 2-core machine can take far longer than Playwright's 5 s default for a first render:
# every expectation waits up to this long for the app instead of a fixed few seconds.
APP_READY_MS = 60_000
expect.set_options(timeout=APP_READY_MS)


# The app's root says whether its script is running. Streamlit's "Running…" indicator
# is no such signal: it shows only after a run has lasted 500 ms, so it is absent while
# a short run (or the first half second of any run) is still drawing the page.
SCRIPT_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_for_app(page: Page) -> None:
    """Wait until the app has rendered a page and finished running its script: something
    of the page is on screen (a title, an open session's name, a chat) and the script
    is no longer running."""
    page.wait_for_selector("[data-testid='stApp']", timeout=APP_READY_MS)
    # `main`, not stMain: a page with a chat input renders main under another test id.
    main = "main [data-testid='stElementContainer'] >> visible=true"
    rendered = page.locator(main).first
    expect(rendered).to_be_visible(timeout=APP_READY_MS)
    expect(page.locator(SCRIPT_IDLE)).to_have_count(1, timeout=APP_READY_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Per module: Playwright's sync API holds an event loop in this thread while it
    runs, which would break ``asyncio.run`` in the tests collected after it."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run ./scripts/test, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(APP_READY_MS)
    yield page
    context.close()
