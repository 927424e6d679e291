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
from tests.store.conftest import Backend

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


# --- held while useful, handed over on request (issue 13) ---------------------------


def notebook_takes_a_snapshot(path: Path) -> subprocess.CompletedProcess[str]:
    """An analyst's notebook in another process, through coach.analysis (which knocks)."""
    code = (
        "import sys, time; from pathlib import Path; "
        "from coach.analysis import open_analysis; "
        "started = time.monotonic(); "
        "analysis = open_analysis(Path(sys.argv[1]), lock_timeout_seconds=5); "
        "print(len(analysis.sessions()), round(analysis.waited_seconds, 3)); "
        "analysis.close()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_pause_between_clicks_keeps_the_file_open_and_warm(db_path: Path) -> None:
    with DuckDBSessionStore(StoreSettings(path=db_path)) as store:
        store.create_session(LOCAL_USER, "first")
        time.sleep(0.8)  # longer than the old half-second idle release
        assert store.is_open


def test_a_notebook_that_asks_gets_the_file_from_a_store_that_would_keep_it(
    db_path: Path,
) -> None:
    settings = StoreSettings(path=db_path, idle_release_seconds=600)
    with DuckDBSessionStore(settings) as store:
        store.create_session(LOCAL_USER, "one")
        store.create_session(LOCAL_USER, "two")
        assert store.is_open

        notebook = notebook_takes_a_snapshot(db_path)

        assert notebook.returncode == 0, notebook.stderr
        count, waited = notebook.stdout.split()
        assert count == "2"
        assert float(waited) < 2.0  # handed over on the knock, not after 600 s
        # and the store takes the file back for its next operation
        assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["two", "one"]
        assert store.is_open


def test_a_second_workbench_process_gets_the_file_while_this_one_holds_it(
    db_path: Path,
) -> None:
    settings = StoreSettings(path=db_path, idle_release_seconds=600, lock_timeout_seconds=5)
    with DuckDBSessionStore(settings) as store:
        store.create_session(LOCAL_USER, "here")
        code = (
            "import sys; from coach.settings import StoreSettings; "
            "from coach.store import DuckDBSessionStore; from coach.users import Actor; "
            "store = DuckDBSessionStore(StoreSettings(path=sys.argv[1], lock_timeout_seconds=5)); "
            "store.create_session(Actor.local(), 'there'); store.close(); print('ok')"
        )
        other = subprocess.run(
            [sys.executable, "-c", code, str(db_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert other.returncode == 0, other.stderr
        assert sorted(s.name for s in store.list_sessions(LOCAL_USER)) == ["here", "there"]


# --- threads, batches and snapshots: the contract, on DuckDB and on PostgreSQL -----------


def test_reads_in_one_thread_do_not_wait_for_another_threads_open_operation(
    backend: Backend,
) -> None:
    """No process-wide lock: a long read in one thread, others read and write meanwhile."""
    with backend.open() as store:
        session = store.create_session(LOCAL_USER, "shared")
        inside, finish = threading.Event(), threading.Event()

        def long_reader() -> None:
            with store.reading():
                store.get_session(LOCAL_USER, session.id)
                inside.set()
                finish.wait(timeout=10)

        reader = threading.Thread(target=long_reader)
        reader.start()
        try:
            assert inside.wait(timeout=10)
            done = threading.Event()

            def others() -> None:
                store.get_session(LOCAL_USER, session.id)
                store.rename_session(LOCAL_USER, session.id, "renamed meanwhile")
                done.set()

            threading.Thread(target=others, daemon=True).start()
            assert done.wait(timeout=5), "another thread waited for the open read"
        finally:
            finish.set()
            reader.join(timeout=10)
        assert store.get_session(LOCAL_USER, session.id).name == "renamed meanwhile"


def test_answers_written_from_many_threads_at_once_get_distinct_attempts(
    backend: Backend,
) -> None:
    from coach.domain import QuestionDraft, QuestionType

    with backend.open() as store:
        session = store.create_session(LOCAL_USER, "busy")
        (question,) = store.add_questions(
            LOCAL_USER, session.id, [QuestionDraft(text="Why?", type=QuestionType.BEHAVIOURAL)]
        )
        start = threading.Barrier(12)

        def answer(number: int) -> None:
            start.wait(timeout=10)
            store.add_answer(LOCAL_USER, session.id, question.id, f"answer {number}")

        threads = [threading.Thread(target=answer, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        attempts = [a.attempt for a in store.answers(LOCAL_USER, session.id, question.id)]
        assert attempts == list(range(1, 13))


def test_a_batch_commits_together_or_not_at_all(backend: Backend) -> None:
    with backend.open() as store:
        with pytest.raises(RuntimeError, match="model exploded"), store.batch():
            store.create_session(LOCAL_USER, "half done")
            raise RuntimeError("model exploded")
        assert store.list_sessions(LOCAL_USER) == []

        with store.batch():
            kept = store.create_session(LOCAL_USER, "whole")
            store.rename_session(LOCAL_USER, kept.id, "whole, renamed")
        assert [s.name for s in store.list_sessions(LOCAL_USER)] == ["whole, renamed"]


def test_a_write_inside_a_read_snapshot_is_refused(backend: Backend) -> None:
    with backend.open() as store:
        with store.reading(), pytest.raises(RuntimeError, match="read-only"):
            store.create_session(LOCAL_USER, "sneaky")
        assert store.list_sessions(LOCAL_USER) == []
