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
    "span_rollups",
    "span_latency_bins",
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


def test_spans_written_before_rollups_existed_are_rolled_up_by_the_migration(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v9.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        migrate(connection, MIGRATIONS[:9])
        for n, (operation, duration) in enumerate([("invoke_agent", 12.0), ("chat", 9.0)]):
            connection.execute(
                "INSERT INTO spans (span_id, trace_id, name, start_time, end_time, duration_ms, "
                "status, operation, agent, attributes) VALUES (?, 't', 'n', "
                "TIMESTAMPTZ '2025-03-01 09:10:00+00', TIMESTAMPTZ '2025-03-01 09:10:01+00', "
                "?, 'ok', ?, 'coach', '{}')",
                [f"s{n}", duration, operation],
            )

        assert migrate(connection) == LATEST_VERSION

        rows = connection.execute(
            "SELECT width_s, bucket, operation, agent, spans FROM span_rollups ORDER BY ALL"
        ).fetchall()
        bins = connection.execute(
            "SELECT width_s, operation, histogram, bin, spans FROM span_latency_bins ORDER BY ALL"
        ).fetchall()
    nine_o_clock = 1740819600  # 09:10 is in the quarter and the hour from 09:00
    assert rows == [
        (900, nine_o_clock, "chat", "coach", 1),
        (900, nine_o_clock, "invoke_agent", "coach", 1),
        (3600, nine_o_clock, "chat", "coach", 1),
        (3600, nine_o_clock, "invoke_agent", "coach", 1),
    ]
    # Four bins a doubling from 1 ms: 9 ms in bin 1 + floor(4 log2 9) = 13, 12 ms in 15.
    assert bins == [
        (900, "chat", "duration", 13, 1),
        (900, "invoke_agent", "duration", 15, 1),
        (3600, "chat", "duration", 13, 1),
        (3600, "invoke_agent", "duration", 15, 1),
    ]


def test_sessions_from_before_revisions_start_at_zero_and_count_on(tmp_path: Path) -> None:
    path = tmp_path / "v10.duckdb"
    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        session = store.create_session(LOCAL_USER, "kept")
    with duckdb.connect(str(path)) as connection:  # as the last release left it: no revision
        connection.execute("ALTER TABLE sessions DROP COLUMN revision")
        connection.execute("DELETE FROM schema_version WHERE version = 11")

    with DuckDBSessionStore(StoreSettings(path=path)) as store:
        assert store.get_session(LOCAL_USER, session.id).revision == 0
        store.rename_session(LOCAL_USER, session.id, "renamed")
        assert store.get_session(LOCAL_USER, session.id).revision == 1
