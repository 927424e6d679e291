"""Schema migrations bring any earlier database file up to today's schema, once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from coach.settings import StoreSettings
from coach.store import DuckDBSessionStore, migrate
from coach.store.migrations import LATEST_VERSION, MIGRATIONS, Migration, SchemaTooNew
from coach.users import Actor

LOCAL_USER = Actor.local()

TABLES = {
    "schema_version",
    "sessions",
    "documents",
    "questions",
    "drafts",
    "answers",
    "evaluations",
    "evaluation_dimensions",
    "summaries",
    "chat_messages",
    "chat_summaries",
    "transcripts",
    "answer_delivery",
    "spans",
    "experiments",
    "experiment_variants",
    "experiment_items",
    "experiment_results",
    "rollouts",
}


def tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {name for (name,) in rows}


def versions(connection: duckdb.DuckDBPyConnection) -> list[int]:
    rows = connection.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    return [version for (version,) in rows]


def test_migration_versions_count_up_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == LATEST_VERSION


def test_an_empty_database_file_migrates_to_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "v0.duckdb"
    duckdb.connect(str(path)).close()

    with duckdb.connect(str(path)) as connection:
        assert tables(connection) == set()
        assert migrate(connection) == LATEST_VERSION
        assert tables(connection) == TABLES
        assert versions(connection) == [m.version for m in MIGRATIONS]


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "twice.duckdb")) as connection:
        migrate(connection)
        connection.execute(
            "INSERT INTO sessions (id, name, kind, persona, coaching_level, current_question_id, "
            "metadata, created_at, updated_at) "
            "VALUES ('s1', 'kept', 'interview', 'p', 'help', NULL, '{}', now(), now())"
        )

        assert migrate(connection) == LATEST_VERSION
        assert versions(connection) == [m.version for m in MIGRATIONS]
        assert connection.execute("SELECT name FROM sessions").fetchall() == [("kept",)]


def test_a_failing_migration_rolls_back_and_keeps_the_last_good_version(
    tmp_path: Path,
) -> None:
    broken = Migration(
        version=LATEST_VERSION + 1,
        description="half done",
        statements=("CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"),
    )
    with duckdb.connect(str(tmp_path / "broken.duckdb")) as connection:
        with pytest.raises(duckdb.Error):
            migrate(connection, (*MIGRATIONS, broken))

        assert versions(connection) == [m.version for m in MIGRATIONS]
        assert "half_done" not in tables(connection)


def test_a_file_from_a_newer_workbench_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with duckdb.connect(str(path)) as connection:
        migrate(connection)
        connection.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', now())",
            [LATEST_VERSION + 1],
        )

    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        with pytest.raises(SchemaTooNew, match="newer version of the workbench"):
            store.list_sessions(LOCAL_USER)
        assert not store.is_open


def test_the_store_migrates_a_new_file_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "fresh.duckdb"
    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        assert store.list_sessions(LOCAL_USER) == []

    with duckdb.connect(str(path), read_only=True) as connection:
        assert tables(connection) == TABLES
