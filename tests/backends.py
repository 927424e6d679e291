"""The two engines every contract suite runs on: a DuckDB file and a real PostgreSQL.

``backend`` (a fixture in tests/store and tests/experiments) names the engine, opens
session stores on one database (to prove what survives a restart) and reads it from
outside the store, the way a notebook would.
"""

from __future__ import annotations

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

BACKENDS = ["duckdb", "postgresql"]


@dataclass(frozen=True)
class Backend:
    name: str
    open: Callable[..., SqlSessionStore]
    """A new store on this database; keyword arguments go to ``StoreSettings``."""
    read: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
    """One query from outside the store (close a DuckDB store first: it holds the file)."""
    settings: Callable[..., StoreSettings]
    """``StoreSettings`` for this database (a workbench's), keywords added."""


def duckdb_backend(path: Path) -> Backend:
    def settings(**extra: Any) -> StoreSettings:
        return StoreSettings(path=path, **{"idle_release_seconds": 0.2, **extra})

    def open_store(**extra: Any) -> SqlSessionStore:
        return DuckDBSessionStore(settings(**extra))

    def read(sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql, list(parameters)).fetchall()

    return Backend("duckdb", open_store, read, settings)


def postgres_backend(url: str, path: Path) -> Backend:
    """PostgreSQL at ``url``; ``path`` is the DuckDB file a workbench keeps beside it."""

    def settings(**extra: Any) -> StoreSettings:
        return StoreSettings(url=url, path=path, **extra)

    def open_store(**extra: Any) -> SqlSessionStore:
        return PostgresSessionStore(settings(**extra))

    def read(sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(url) as connection:
            return connection.execute(sql.replace("?", "%s"), list(parameters)).fetchall()  # type: ignore[arg-type]

    return Backend("postgresql", open_store, read, settings)


def open_backend(request: pytest.FixtureRequest, folder: Path) -> Iterator[Backend]:
    """The ``backend`` fixture's body: the engine ``request.param`` names."""
    path = folder / "data" / "workbench.duckdb"
    if request.param == "duckdb":
        yield duckdb_backend(path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield postgres_backend(url, path)
