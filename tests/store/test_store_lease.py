"""The workbench and a notebook share one DuckDB file, with two real processes.

DuckDB lets only one process open a file. The store holds it only for a burst of
operations, waits politely while someone else holds it, and says so when it gives up.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coach.errors import StoreBusy
from coach.settings import StoreSettings
from coach.store import DuckDBSessionStore
from coach.users import Actor

LOCAL_USER = Actor.local()

REAPER_THREAD_NAME = "coach-store-idle-release"


def notebook_reads_sessions(path: Path) -> subprocess.CompletedProcess[str]:
    """What an analyst does in a notebook, in another process."""
    code = (
        "import duckdb, sys; "
        "print(duckdb.connect(sys.argv[1], read_only=True)"
        ".execute('select count(*) from sessions').fetchall()[0][0])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@contextmanager
def another_process_holds(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process opens the file, holds it for ``seconds``, then closes it."""
    code = (
        "import duckdb, sys, time; "
        "connection = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); "
        "time.sleep(float(sys.argv[2])); "
        "connection.close()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked", holder.stderr
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=10)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shared.duckdb"


def test_a_notebook_cannot_open_the_file_while_the_store_holds_it(db_path: Path) -> None:
    store = DuckDBSessionStore(StoreSettings(path=db_path, idle_release_seconds=60))
    store.create_session(LOCAL_USER, "held")

    while_held = notebook_reads_sessions(db_path)
    store.close()
    after_close = notebook_reads_sessions(db_path)

    assert while_held.returncode != 0
    assert "Could not set lock on file" in while_held.stderr
    assert after_close.returncode == 0, after_close.stderr
    assert after_close.stdout.strip() == "1"


def test_the_store_lets_go_of_the_file_after_a_short_idle_time(db_path: Path) -> None:
    with DuckDBSessionStore(StoreSettings(path=db_path, idle_release_seconds=0.2)) as store:
        store.create_session(LOCAL_USER, "first")
        store.create_session(LOCAL_USER, "second")
        assert store.is_open  # a burst reuses one connection

        time.sleep(0.5)

        assert not store.is_open
        notebook = notebook_reads_sessions(db_path)
        assert notebook.returncode == 0, notebook.stderr
        assert notebook.stdout.strip() == "2"
        # and the store opens the file again when it is next used
        assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["second", "first"]


def test_with_no_idle_time_the_file_is_free_right_after_each_operation(db_path: Path) -> None:
    with DuckDBSessionStore(StoreSettings(path=db_path, idle_release_seconds=0)) as store:
        store.create_session(LOCAL_USER, "one")

        assert not store.is_open
        notebook = notebook_reads_sessions(db_path)
        assert notebook.returncode == 0, notebook.stderr
        assert notebook.stdout.strip() == "1"


def test_the_store_waits_while_a_notebook_holds_the_file_then_succeeds(db_path: Path) -> None:
    settings = StoreSettings(path=db_path, idle_release_seconds=0, lock_timeout_seconds=15)
    with DuckDBSessionStore(settings) as store:
        session = store.create_session(LOCAL_USER, "patient")

        with another_process_holds(db_path, seconds=1.0):
            started = time.monotonic()
            renamed = store.rename_session(LOCAL_USER, session.id, "still here")
            waited = time.monotonic() - started

        assert renamed.name == "still here"
        assert waited > 0.3  # it really waited for the other process
        assert store.get_session(LOCAL_USER, session.id).name == "still here"


def test_the_store_gives_up_with_a_helpful_message_when_the_file_stays_busy(
    db_path: Path,
) -> None:
    settings = StoreSettings(path=db_path, idle_release_seconds=0, lock_timeout_seconds=0.3)
    with DuckDBSessionStore(settings) as store:
        store.create_session(LOCAL_USER, "before")

        with another_process_holds(db_path, seconds=30):
            started = time.monotonic()
            with pytest.raises(StoreBusy) as busy:
                store.list_sessions(LOCAL_USER)
            gave_up_after = time.monotonic() - started

        message = str(busy.value)
        assert str(db_path) in message
        assert "in use by another program" in message
        assert "try again" in message
        assert 0.3 <= gave_up_after < 3
        # once the other process is gone, the store works again
        assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["before"]


def test_close_releases_the_file_and_stops_the_idle_timer(db_path: Path) -> None:
    store = DuckDBSessionStore(StoreSettings(path=db_path, idle_release_seconds=60))
    store.create_session(LOCAL_USER, "s")
    assert store.is_open
    assert any(t.name == REAPER_THREAD_NAME for t in threading.enumerate())

    store.close()

    assert not store.is_open
    assert not any(t.name == REAPER_THREAD_NAME for t in threading.enumerate())
