"""AppTest helpers: run the real workbench script against a temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "workbench.py")


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> Path:
    monkeypatch.setenv("COACH_STORE__PATH", str(db_path))
    monkeypatch.setenv("COACH_STORE__IDLE_RELEASE_SECONDS", "0")
    return db_path


@pytest.fixture
def app(app_env: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at
