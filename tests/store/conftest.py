"""The contract suite's store: every ``store`` test runs on DuckDB and on PostgreSQL.

``backend`` names the engine and opens stores on one database (to prove what survives
a restart) and reads it from outside the store, the way a notebook would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from coach.settings import StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.postgres_store import PostgresSessionStore
from coach.store.sql_store import SqlSessionStore
from tests.postgres_server import PostgresServer


@dataclass(frozen=True)
class Backend:
    name: str
    open: Callable[..., SqlSessionStore]
    """A new store on this database; keyword arguments go to ``StoreSettings``."""
    read: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
    """One query from outside the store (close a DuckDB store first: it holds the file)."""


def _duckdb_backend(path: Path) -> Backend:
    def open_store(**settings: Any) -> SqlSessionStore:
        return DuckDBSessionStore(
            StoreSettings(path=path, **{"idle_release_seconds": 0.2, **settings})
        )

    def read(sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql, list(parameters)).fetchall()

    return Backend("duckdb", open_store, read)


def _postgres_backend(url: str) -> Backend:
    def open_store(**settings: Any) -> SqlSessionStore:
        return PostgresSessionStore(StoreSettings(url=url, **settings))

    def read(sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(url) as connection:
            return connection.execute(sql.replace("?", "%s"), list(parameters)).fetchall()  # type: ignore[arg-type]

    return Backend("postgresql", open_store, read)


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "duckdb":
        yield _duckdb_backend(tmp_path / "data" / "workbench.duckdb")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield _postgres_backend(url)


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
