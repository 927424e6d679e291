"""Cold start (issue 11): what a new user waits for before the first page, and `coach --help`.

- `streamlit run workbench.py` to the Practice page's heading in headless Chromium, offline:
  < 3 s, beside a bare three-widget page started the same way in the same run (the ratio is
  what the app adds to Streamlit's own start);
- `coach --help`: < 1 s;
- `python -X importtime`'s five slowest top-level imports on the way to the first page.

Run alone: ``.venv/bin/python -m benchmarks.cold_start``.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.core import Result
from coach.settings import PROJECT_ROOT
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

BARE_PAGE = """import streamlit as st
st.title("Bare page")
st.text_input("Name")
st.button("Go")
"""
RUNS = 3


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _offline_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    env["COACH_STORE__PATH"] = str(db)
    return env


def _first_render_seconds(browser: object, script: str, heading: str, workdir: Path) -> float:
    """From `streamlit run` to the page's heading on screen in Chromium."""
    from playwright.sync_api import expect

    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)],
        cwd=PROJECT_ROOT,
        env=_offline_env(workdir / f"cold-{port}.duckdb"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"{script} did not start") from None
                time.sleep(0.02)
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
        elapsed = time.perf_counter() - started
        context.close()
        return elapsed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def _result(name: str, target_ms: float, samples: list[float]) -> Result:
    samples = sorted(samples)
    return Result(
        name=name,
        target_ms=target_ms,
        runs=len(samples),
        median_ms=statistics.median(samples),
        p95_ms=samples[-1],  # with a handful of runs, the worst is the honest p95
        worst_ms=samples[-1],
    )


def bench_first_page() -> list[Result]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        workdir = Path(folder)
        bare = workdir / "bare_page.py"
        bare.write_text(BARE_PAGE)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        app, plain = [], []
        for _ in range(RUNS):
            plain.append(_first_render_seconds(browser, str(bare), "Bare page", workdir) * 1000)
            app.append(
                _first_render_seconds(browser, "workbench.py", "Practise an interview", workdir)
                * 1000
            )
        browser.close()
    ratio = statistics.median(app) / statistics.median(plain)
    return [
        _result("cold start: streamlit run -> bare 3-widget page", 3000, plain),
        _result(f"cold start: streamlit run -> Practice page ({ratio:.2f}x bare)", 3000, app),
    ]


def bench_cli_help() -> Result:
    coach = Path(sys.executable).parent / "coach"
    samples = []
    for _ in range(RUNS + 2):
        started = time.perf_counter()
        subprocess.run([str(coach), "--help"], check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return _result("cold start: coach --help", 1000, samples)


def slowest_imports(count: int = 5) -> list[tuple[str, float]]:
    """The top-level imports that cost most on the way to the first Practice page."""
    probe = "import streamlit, ui.resources, ui.feedback, coach.workbench"
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = re.compile(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|( *)(\S+)")
    top = [
        (m[3], int(m[1]) / 1000)
        for m in map(line.match, completed.stderr.splitlines())
        if m and len(m[2]) == 1  # one space: imported by the probe itself, not a dependency
    ]
    return sorted(top, key=lambda item: item[1], reverse=True)[:count]


def bench_cold_start() -> list[Result]:
    """Both cold-start figures; the five slowest imports are printed beside them."""
    sys.stdout.write("python -X importtime, five slowest top-level imports (cumulative):\n")
    for name, ms in slowest_imports():
        sys.stdout.write(f"  {ms:8.1f} ms  {name}\n")
    return [*bench_first_page(), bench_cli_help()]


def main() -> int:
    results = bench_cold_start()
    for result in results:
        sys.stdout.write(result.line() + "\n")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
