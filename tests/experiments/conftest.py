"""The experiment store's contract suite runs on both engines, like tests/store: a
DuckDB file and a real PostgreSQL server the tests start (``tests.backends``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.experiments.store import ExperimentStore, build_experiment_store
from coach.store.sql_store import SqlSessionStore
from tests.backends import BACKENDS, Backend, open_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend(request, tmp_path)


@pytest.fixture
def sessions(backend: Backend) -> Iterator[SqlSessionStore]:
    with backend.open() as sessions:
        yield sessions


@pytest.fixture
def store(sessions: SqlSessionStore) -> ExperimentStore:
    """The experiment store on the backend's database."""
    return build_experiment_store(sessions)
