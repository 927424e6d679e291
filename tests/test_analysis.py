"""A notebook reads the workbench's data without getting in the app's way.

``open_analysis`` copies the live file into memory and lets go of it at once; the app
(another process here, as in real life) waits at most a moment, and a notebook waits
politely while the app holds the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from coach.analysis import open_analysis
from coach.cli import SeedDemoRequest, seed_demo
from coach.domain import RubricDimension
from coach.errors import CoachError, StoreBusy
from coach.providers.offline import OfflineProvider
from coach.settings import CoachSettings, StoreSettings
from coach.store import DuckDBSessionStore
from coach.store.postgres_store import PostgresSessionStore
from coach.users import Actor
from coach.workbench import build_workbench
from tests.postgres_server import PostgresServer, fill_from_duckdb

LOCAL_USER = Actor.local()


@pytest.fixture
def seeded(settings: CoachSettings) -> Path:
    """Two demo practice sessions and a chat, written through the real services."""
    workbench = build_workbench(settings, provider=OfflineProvider())
    try:
        seed_demo(workbench, SeedDemoRequest(sessions=2, chats=1, seed=3))
    finally:
        workbench.close()
    return settings.store.path


def test_a_snapshot_sees_the_seeded_sessions_answers_and_scores(seeded: Path) -> None:
    with open_analysis(seeded) as analysis:
        sessions = analysis.sessions()
        answers = analysis.answers_with_scores()
        dimensions = analysis.dimension_scores()

    assert sorted(sessions["kind"]) == ["chat", "interview", "interview"]
    assert sessions["demo"].all()
    assert (sessions.loc[sessions["kind"] == "interview", "answers"] > 0).all()
    assert len(answers) == sessions["answers"].sum()
    assert answers["overall"].between(1, 10).all()
    for dimension in RubricDimension:
        assert answers[dimension.value].between(1, 10).all()
    assert {"attempt", "question_type", "competency", "mode", "words_per_minute"} <= set(
        answers.columns
    )
    assert set(dimensions["dimension"]) == {d.value for d in RubricDimension}
    assert len(dimensions) == len(answers) * len(RubricDimension)


def test_the_live_file_is_free_as_soon_as_the_snapshot_is_taken(seeded: Path) -> None:
    analysis = open_analysis(seeded)

    # The app (another process) opens the file for writing at once, without retrying,
    # while the analysis stays open and usable.
    app = subprocess.run(
        [sys.executable, "-c", _OPEN_FOR_WRITING, str(seeded)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert app.returncode == 0, app.stderr
    assert len(analysis.sessions()) == 3
    assert analysis.held_seconds < 1.0
    analysis.close()


def test_a_newer_write_appears_only_after_refresh(seeded: Path, settings: CoachSettings) -> None:
    analysis = open_analysis(seeded)
    first_snapshot = analysis.snapshot_time
    with DuckDBSessionStore(settings.store) as store:
        store.create_session(LOCAL_USER, "written after the snapshot")

    before = analysis.sessions()
    analysis.refresh()
    after = analysis.sessions()

    assert "written after the snapshot" not in set(before["name"])
    assert "written after the snapshot" in set(after["name"])
    assert analysis.snapshot_time is not None and first_snapshot is not None
    assert analysis.snapshot_time > first_snapshot
    analysis.close()


def test_reading_the_live_file_sees_new_writes_without_refresh(
    seeded: Path, settings: CoachSettings
) -> None:
    live = open_analysis(seeded, snapshot=False)
    assert live.snapshot_time is None
    count = len(live.sessions())

    with DuckDBSessionStore(settings.store) as store:
        store.create_session(LOCAL_USER, "seen live")  # would fail if the live reader held the file

    assert len(live.sessions()) == count + 1


def test_opening_waits_while_another_process_holds_the_file_then_succeeds(seeded: Path) -> None:
    with _another_process_holds(seeded, seconds=1.0):
        started = time.monotonic()
        analysis = open_analysis(seeded)
        waited = time.monotonic() - started

    assert 0.5 < waited < 5
    assert analysis.waited_seconds == pytest.approx(waited, abs=0.2)
    assert len(analysis.sessions()) == 3
    analysis.close()


def test_opening_gives_up_with_a_clear_message_when_the_file_stays_busy(seeded: Path) -> None:
    with _another_process_holds(seeded, seconds=5.0), pytest.raises(StoreBusy) as caught:
        open_analysis(seeded, lock_timeout_seconds=0.5)

    assert "stayed busy for 0.5 seconds" in str(caught.value)
    assert "lock_timeout_seconds" in str(caught.value)


def test_the_app_waits_only_a_moment_while_snapshots_are_taken(tmp_path: Path) -> None:
    """A writer process (the app's store, idle release 0) keeps writing while this
    process takes snapshot after snapshot; every write succeeds and none waits long."""
    path = tmp_path / "busy.duckdb"
    with DuckDBSessionStore(StoreSettings(path=path, idle_release_seconds=0)) as store:
        store.create_session(LOCAL_USER, "first")
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITE_FOR_A_WHILE, str(path), "3.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    snapshots: list[int] = []
    holds: list[float] = []
    analysis = open_analysis(path)
    while writer.poll() is None:
        analysis.refresh()
        snapshots.append(len(analysis.sessions()))
        holds.append(analysis.held_seconds)
    out, err = writer.communicate(timeout=30)
    analysis.close()

    assert writer.returncode == 0, err
    report = json.loads(out)
    assert report["writes"] > 20
    assert report["max_seconds"] < 1.0, report
    assert len(snapshots) > 10
    assert snapshots == sorted(snapshots)  # each snapshot is whole: counts only grow
    assert max(holds) < 0.5


def test_spans_and_experiments_say_why_they_are_empty(seeded: Path) -> None:
    with open_analysis(seeded) as analysis:
        spans = analysis.spans()
        experiments = analysis.experiments()
        results = analysis.experiment_results()

    # Tracing may or may not record spans during the seeded calls; either way the
    # analyst gets rows or a sentence saying why there are none.
    assert not spans.empty or "No spans recorded yet" in spans.attrs["note"]
    assert experiments.empty and "No experiments yet" in experiments.attrs["note"]
    assert results.empty and "note" in results.attrs


def test_free_sql_and_relations_run_on_the_snapshot(seeded: Path) -> None:
    with open_analysis(seeded) as analysis:
        frame = analysis.sql(
            "SELECT count(*) AS n FROM questions WHERE session_id IN "
            "(SELECT id FROM sessions WHERE kind = ?)",
            ["interview"],
        )
        relation = analysis.relation("SELECT * FROM answers").aggregate("count(*) AS n")

        assert int(frame["n"].iloc[0]) > 0
        assert relation.fetchall()[0][0] > 0
        assert "spans" in analysis.tables()


def test_postgresql_gives_the_same_frames_as_the_duckdb_file(
    seeded: Path, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The same data (the seeded file's rows, copied into PostgreSQL) reads as the same
    DataFrames through the same API, and a notebook's DuckDB SQL runs on both."""
    with postgres_server.database() as url:
        PostgresSessionStore(StoreSettings(url=url)).close()  # PostgreSQL's schema
        fill_from_duckdb(seeded, url, tmp_path)
        with open_analysis(seeded) as duck, open_analysis(url=url) as postgres:
            assert "database test_" in repr(postgres) and "@" not in repr(postgres)
            for read in ("sessions", "answers_with_scores", "dimension_scores", "spans"):
                frame = getattr(postgres, read)()
                assert not frame.empty, read
                pd.testing.assert_frame_equal(frame, getattr(duck, read)(), obj=read)
            query = "SELECT kind, count(*) AS n FROM sessions GROUP BY ALL ORDER BY kind"
            pd.testing.assert_frame_equal(postgres.sql(query), duck.sql(query))
            counted = [
                analysis.relation("SELECT * FROM answers").aggregate("count(*) AS n").fetchall()
                for analysis in (postgres, duck)
            ]
            assert counted[0] == counted[1] and counted[0][0][0] > 0
        with open_analysis(url=url, snapshot=False) as live:
            assert len(live.sessions()) == 3


def test_a_missing_database_names_the_command_that_fills_one(tmp_path: Path) -> None:
    with pytest.raises(CoachError) as caught:
        open_analysis(tmp_path / "nothing-here.duckdb")

    assert "coach seed-demo" in str(caught.value)


def test_the_default_path_comes_from_the_settings(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_STORE__PATH", str(seeded))

    with open_analysis() as analysis:
        assert analysis.path == seeded


# --- other processes ---------------------------------------------------------------

_OPEN_FOR_WRITING = """
import duckdb, sys
connection = duckdb.connect(sys.argv[1])
connection.execute("INSERT INTO schema_version VALUES (999, 'probe', now())")
connection.execute("DELETE FROM schema_version WHERE version = 999")
connection.close()
"""

_WRITE_FOR_A_WHILE = """
import json, sys, time
from coach.settings import StoreSettings
from coach.store import DuckDBSessionStore
from coach.users import Actor

LOCAL_USER = Actor.local()
store = DuckDBSessionStore(StoreSettings(path=sys.argv[1], idle_release_seconds=0))
deadline = time.monotonic() + float(sys.argv[2])
durations = []
while time.monotonic() < deadline:
    started = time.monotonic()
    store.create_session(LOCAL_USER, f"write {len(durations)}")
    durations.append(time.monotonic() - started)
    time.sleep(0.02)
store.close()
durations.sort()
print(json.dumps({
    "writes": len(durations),
    "median_seconds": durations[len(durations) // 2],
    "max_seconds": durations[-1],
}))
"""

_HOLD = """
import duckdb, sys, time
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


@contextmanager
def _another_process_holds(path: Path, seconds: float) -> Iterator[None]:
    """Another process opens the file for writing and holds it for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked", holder.stderr
        yield
    finally:
        holder.kill()
        holder.wait(timeout=10)
