"""The contract suite's store: every ``store`` test runs on DuckDB and on PostgreSQL.

``backend`` names the engine and opens stores on one database (to prove what survives
a restart) and reads it from outside the store, the way a notebook would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from coach.store.sql_store import SqlSessionStore
from tests.backends import BACKENDS, Backend, open_backend

__all__ = ["Backend", "at_once"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend(request, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[SqlSessionStore]:
    with backend.open() as store:
        yield store


def at_once(work: Sequence[Callable[[], object]], *, timeout: float = 60) -> list[BaseException]:
    """Runs each callable in its own thread, all released together; what they raised."""
    start = threading.Barrier(len(work))
    failures: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        start.wait(timeout=10)
        try:
            job()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return failures
