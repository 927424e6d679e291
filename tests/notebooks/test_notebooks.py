"""Every notebook runs to the end beside a running workbench that keeps writing.

This is the analyst's real day: the app (``streamlit run``) is up on the same DuckDB
file with someone reloading its Sessions page in a browser, someone else is answering
questions (a second process driving ``build_workbench``, writing every half second),
and the notebooks open the data meanwhile. DuckDB lets one
process hold the file at a time, so this proves the snapshot-and-let-go design and the
app's idle release work together with real processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from coach.settings import PROJECT_ROOT
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app
from coach.users import Actor

LOCAL_USER = Actor.local()

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
SEEDED_SESSIONS = 6
CELL_TIMEOUT_SECONDS = 60


@dataclass
class Ran:
    """One executed notebook: its printed text, and how long it took."""

    text: str
    seconds: float


def _seed(path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "coach.cli",
            "seed-demo",
            "--sessions",
            str(SEEDED_SESSIONS),
            "--db",
            str(path),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _run_notebook(path: Path) -> Ran:
    """Executes the notebook in a fresh python3 kernel from this venv; fails on any error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    started = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}")
    seconds = time.monotonic() - started
    texts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name}: {output}"
            if output["output_type"] == "stream":
                texts.append(output["text"])
            elif "text/plain" in output.get("data", {}):
                texts.append(output["data"]["text/plain"])
    return Ran(text="\n".join(texts), seconds=seconds)


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The kernel inherits this process's environment, and never the network."""
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


class _Writer:
    """A second process answering questions through the real services, every half
    second, with the app's idle release: the workbench at work."""

    def __init__(self, db: Path, stop_file: Path) -> None:
        self._stop_file = stop_file
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db), str(stop_file)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert first.startswith("writing"), self.process.stderr.read() if first == "" else first

    def stop(self) -> dict[str, float]:
        self._stop_file.touch()
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])


class _SessionsPageReader(threading.Thread):
    """A person on the app's Sessions page, reloading it every second: each render makes
    the app open the database, list the sessions and let go after its idle time."""

    def __init__(self, url: str) -> None:
        super().__init__(name="sessions-page-reader", daemon=True)
        self._url = url
        self._stopping = threading.Event()
        self.renders = 0
        self.problems: list[str] = []

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.set_default_timeout(30_000)
                page.goto(f"{self._url}/sessions")
                while not self._stopping.is_set():
                    page.wait_for_selector("[data-testid='stApp']")
                    page.get_by_text("[demo] ").first.wait_for()
                    errors = page.locator("[data-testid='stException'], .stAlert")
                    if errors.count():
                        self.problems.append(errors.first.inner_text())
                    self.renders += 1
                    self._stopping.wait(1.0)
                    page.reload()
                browser.close()
        except Exception as error:  # reported by the test, not lost in a thread
            self.problems.append(repr(error))


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    path = tmp_path / "analysis.duckdb"
    _seed(path)
    return path


def test_the_notebooks_folder_holds_the_three_analyses() -> None:
    assert [p.stem for p in NOTEBOOKS] == ["latency", "persona_experiments", "session_analysis"]
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "markdown"
        assert "coach seed-demo" in first.source


def test_every_notebook_runs_beside_a_running_workbench_that_keeps_writing(
    seeded_db: Path, tmp_path: Path, kernel_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_STORE__PATH", str(seeded_db))
    answers_before = _count(seeded_db, "answers")
    app = start_app(seeded_db, tmp_path / "streamlit.log")
    reader: _SessionsPageReader | None = None
    try:
        if CHROMIUM.exists():
            reader = _SessionsPageReader(app.url)
            reader.start()
        else:
            warnings.warn("no Chromium: the app is up but nobody reads it", stacklevel=1)
        writer = _Writer(seeded_db, tmp_path / "stop")
        try:
            ran = {path.stem: _run_notebook(path) for path in NOTEBOOKS}
        finally:
            report = writer.stop()
            if reader is not None:
                reader.stop()
        assert app.process.poll() is None, app.log()
        with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=5) as response:
            assert response.status == 200
    finally:
        stop_app(app.process)

    # The writer kept writing the whole time, and never waited long for the file.
    assert report["writes"] >= 3, report
    assert report["max_seconds"] < 5, report
    assert _count(seeded_db, "answers") == answers_before + report["writes"]
    assert "Traceback" not in app.log()
    if reader is not None:
        assert reader.problems == []
        assert reader.renders >= 3  # the app kept serving pages from the same file

    sessions = ran["session_analysis"].text
    assert f"{SEEDED_SESSIONS + 2} sessions ({SEEDED_SESSIONS + 2} demo)" in sessions
    assert "Scores by attempt" in sessions
    assert "Progress over" in sessions  # the My progress figures, from coach.figures
    assert "Weakest competency:" in sessions
    assert "Weakest dimension:" in sessions
    assert "Delivery metrics for" in sessions
    latency = ran["latency"].text
    assert "Latency percentiles (ms)" in latency or "No spans recorded yet" in latency
    experiments = ran["persona_experiments"].text
    assert "No experiments yet" in experiments or "experiments" in experiments
    for name, result in ran.items():
        assert "Snapshot as of" in result.text, name


def test_the_latency_and_variant_sections_draw_when_spans_exist(
    seeded_db: Path, kernel_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tracing fills the spans table; until it lands everywhere, write spans like it."""
    _add_spans(seeded_db, traces=15)
    monkeypatch.setenv("COACH_STORE__PATH", str(seeded_db))

    latency = _run_notebook(NOTEBOOKS_DIR / "latency.ipynb").text
    experiments = _run_notebook(NOTEBOOKS_DIR / "persona_experiments.ipynb").text

    assert "Latency percentiles (ms)" in latency
    assert "p90_ms" in latency
    assert "Queue time by agent (ms)" in latency
    assert "Slowest traces" in latency
    assert "Latency and scores per variant" in experiments


# --- helpers -----------------------------------------------------------------------


def _count(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def _add_spans(db: Path, *, traces: int) -> None:
    """Two spans per trace (primary, then feedback), in the migration-5 columns."""
    with duckdb.connect(str(db)) as connection:
        for trace in range(traces):
            parent: str | None = None
            for index, agent in enumerate(("primary", "feedback")):
                span_id = f"{trace:04d}{index:012d}"
                duration = 20.0 + 37.0 * ((trace * 7 + index * 3) % 11)
                connection.execute(
                    """
                    INSERT INTO spans (span_id, trace_id, parent_span_id, name, start_time,
                        end_time, duration_ms, status, operation, agent, variant, queue_ms,
                        fallback, score, attributes)
                    VALUES (?, ?, ?, ?, now() + to_milliseconds(?),
                        now() + to_milliseconds(?), ?, 'OK', 'chat', ?, ?, ?, false, ?, '{}')
                    """,
                    [
                        span_id,
                        f"trace{trace:04d}",
                        parent,
                        f"chat {agent}",
                        trace * 1000 + index * 100,
                        trace * 1000 + index * 100 + duration,
                        duration,
                        agent,
                        "A" if trace % 2 else "B",
                        float(trace % 4),
                        5.0 + trace % 5,
                    ],
                )
                parent = parent or span_id


# Answers a question in a demo session every half second through build_workbench, the
# way the app does, and releases the file after 0.1 s idle; prints its waits at the end.
_WRITER = """
import json, sys, time
from pathlib import Path
from coach.domain import SessionKind
from coach.providers.offline import OfflineProvider
from coach.settings import CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench

LOCAL_USER = Actor.local()
db, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
settings = CoachSettings(store=StoreSettings(path=db, idle_release_seconds=0.1))
workbench = build_workbench(settings, provider=OfflineProvider())
sessions = [s for s in workbench.store.list_sessions(LOCAL_USER) if s.kind is SessionKind.INTERVIEW]
questions = [q for s in sessions for q in workbench.store.questions(LOCAL_USER, s.id)]
print("writing", flush=True)
durations = []
while not stop_file.exists():
    question = questions[len(durations) % len(questions)]
    started = time.monotonic()
    workbench.practice.answer_and_evaluate(LOCAL_USER, 
        question.session_id, question.id,
        "I led the migration, cut the runtime by 40% and wrote the runbook.",
    )
    durations.append(time.monotonic() - started)
    time.sleep(0.5)
workbench.close()
durations.sort()
print(json.dumps({
    "writes": len(durations),
    "median_seconds": round(durations[len(durations) // 2], 4) if durations else 0.0,
    "max_seconds": round(durations[-1], 4) if durations else 0.0,
}))
"""
