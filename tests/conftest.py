"""Shared fixtures: settings pointing at a temporary database and the real personas."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.settings import PROJECT_ROOT, CoachSettings, StoreSettings
from tests.postgres_server import PostgresServer, running_postgres

# Beside the checkout (CI, /work/main) or, for a git worktree under wt/, one level up.
_REALDATA_PLACES = [root / "shared" / "realdata" for root in PROJECT_ROOT.parents[:2]]
REALDATA = next((p for p in _REALDATA_PLACES if p.is_dir()), _REALDATA_PLACES[0])


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's key or server: offline unless a test says so."""
    for name in (
        "OPENAI_API_KEY",
        "COACH_OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "COACH_OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_default_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A test that forgets to choose a database gets a temporary one, never the
    developer's (``~/.local/share/coach-workbench/workbench.duckdb``)."""
    monkeypatch.setenv("COACH_STORE__PATH", str(tmp_path / "default" / "workbench.duckdb"))
    monkeypatch.delenv("COACH_STORE__URL", raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the run (started on first use); each test that
    needs one makes its own database on it (``PostgresServer.database``)."""
    with running_postgres() as server:
        yield server


@pytest.fixture(autouse=True)
def _restore_coach_logging() -> Iterator[None]:
    """Pages configure the ``coach`` logger for the process; undo it after each test."""
    logger = logging.getLogger("coach")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workbench.duckdb"


@pytest.fixture
def settings(db_path: Path) -> CoachSettings:
    return CoachSettings(store=StoreSettings(path=db_path, idle_release_seconds=0.2))


@pytest.fixture
def realdata() -> Iterator[Path]:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present on this machine")
    yield REALDATA
