"""The app on PostgreSQL (COACH_STORE__URL): sessions shared between app processes,
nothing left in a DuckDB file (so nothing to warn of), and a missing server said plainly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from coach.domain import DocumentKind
from coach.settings import CoachSettings, StoreSettings
from coach.store.postgres_store import PostgresSessionStore
from coach.users import Actor
from coach.workbench import build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.pages.conftest import APP
from tests.postgres_server import PostgresServer
from tests.processes import free_port


@pytest.fixture
def postgres_env(
    app_env: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with postgres_server.database() as url:
        monkeypatch.setenv("COACH_STORE__URL", url)
        yield url


def test_a_session_started_by_another_process_opens_here(postgres_env: str, app_env: Path) -> None:
    other = build_workbench(
        CoachSettings(
            store=StoreSettings(path=app_env.with_name("other.duckdb"), url=SecretStr(postgres_env))
        )
    )
    assert isinstance(other.store, PostgresSessionStore)
    resume = other.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = other.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    other.practice.start_session(
        Actor.local(), resume, job, name="Initech on Postgres", question_count=2
    )
    other.close()

    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert not at.sidebar.warning  # nothing is left behind in a DuckDB file to warn of
    at.switch_page("views/sessions.py").run()
    assert not at.exception, at.exception
    assert any("Initech on Postgres" in m.value for m in at.markdown)
    # Sessions, experiments and spans are in PostgreSQL only: no DuckDB file was made.
    assert not app_env.exists() and not app_env.with_name("other.duckdb").exists()


def test_a_server_that_is_not_there_is_an_error_on_the_page(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_STORE__URL", f"postgresql://coach:pw@127.0.0.1:{free_port()}/x")

    at = AppTest.from_file(APP, default_timeout=30)
    at.run()

    assert not at.exception, at.exception
    assert any("Cannot reach the PostgreSQL database" in e.value for e in at.error)
    assert not any(":pw@" in e.value for e in at.error)


@pytest.mark.parametrize(
    "page",
    [
        "views/practice.py",
        "views/voice.py",
        "views/chat.py",
        "views/progress.py",
        "views/telemetry.py",
        "views/persona_lab.py",
    ],
)
def test_every_page_opens_on_postgresql(postgres_env: str, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(page).run()

    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
