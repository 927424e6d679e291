"""What only the PostgreSQL store does: its own migrations, several processes (replicas)
on one database, and a clear message when the server is not there."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import psycopg
import pytest
from pydantic import SecretStr, ValidationError

from coach.domain import QuestionDraft, QuestionType
from coach.settings import StoreSettings
from coach.store.migrations import SchemaTooNew
from coach.store.postgres_schema import POSTGRES_MIGRATIONS
from coach.store.postgres_store import PostgresSessionStore, StoreUnavailable
from coach.users import Actor
from tests.postgres_server import PostgresServer, running_postgres
from tests.processes import free_port
from tests.store.conftest import at_once

ME = Actor.local()


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


def versions(url: str) -> list[int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT version FROM schema_version ORDER BY version")
        return [row[0] for row in rows.fetchall()]


def test_migration_versions_count_up_from_one_without_gaps() -> None:
    assert [m.version for m in POSTGRES_MIGRATIONS] == list(range(1, len(POSTGRES_MIGRATIONS) + 1))


def test_postgresql_has_no_duckdb_type_names_left() -> None:
    statements = " ".join(s for m in POSTGRES_MIGRATIONS for s in m.statements)
    assert "DOUBLE," not in statements and "DOUBLE\n" not in statements


def test_replicas_starting_together_migrate_the_database_once(url: str) -> None:
    settings = StoreSettings(url=SecretStr(url))
    stores: list[PostgresSessionStore] = []

    failures = at_once([lambda: stores.append(PostgresSessionStore(settings))] * 4)
    for store in stores:
        store.close()

    assert failures == []
    assert versions(url) == [m.version for m in POSTGRES_MIGRATIONS]


def test_two_replicas_number_answers_to_one_question_without_gaps(url: str) -> None:
    """Two stores (two app processes) write to one question at once: every answer is
    stored once, attempts 1..N, none lost to a collision."""
    settings = StoreSettings(url=SecretStr(url))
    with PostgresSessionStore(settings) as one, PostgresSessionStore(settings) as two:
        session = one.create_session(ME, "shared")
        (question,) = one.add_questions(
            ME, session.id, [QuestionDraft(text="Why?", type=QuestionType.BEHAVIOURAL)]
        )

        def answer(store: PostgresSessionStore, number: int) -> None:
            for attempt in range(5):
                store.add_answer(ME, session.id, question.id, f"replica {number}.{attempt}")

        failures = at_once([functools.partial(answer, one if n % 2 else two, n) for n in range(8)])

        assert failures == []
        stored = two.answers(ME, session.id, question.id)
        assert [a.attempt for a in stored] == list(range(1, 41))
        assert len({a.text for a in stored}) == 40
        assert one.get_session(ME, session.id).current_question_id == question.id


def test_a_session_started_in_one_replica_resumes_in_the_other(url: str) -> None:
    settings = StoreSettings(url=SecretStr(url))
    with PostgresSessionStore(settings) as one, PostgresSessionStore(settings) as two:
        session = one.create_session(ME, "started on one")
        (question,) = one.add_questions(
            ME, session.id, [QuestionDraft(text="Why?", type=QuestionType.BEHAVIOURAL)]
        )
        one.save_draft(ME, session.id, question.id, "half typed")

        assert two.get_session(ME, session.id) == one.get_session(ME, session.id)
        assert two.draft(ME, question.id) == "half typed"


def test_an_unreachable_server_says_where_without_the_password() -> None:
    url = f"postgresql://coach:hunter2@127.0.0.1:{free_port()}/coach"

    with pytest.raises(StoreUnavailable, match="Cannot reach the PostgreSQL database") as error:
        PostgresSessionStore(StoreSettings(url=SecretStr(url)))

    assert "hunter2" not in str(error.value)
    assert "database coach on 127.0.0.1" in str(error.value)


def test_a_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be a PostgreSQL URL"):
        StoreSettings(url=SecretStr("sqlite:///tmp/x.db"))


def test_the_url_never_prints(url: str) -> None:
    settings = StoreSettings(url=SecretStr(url.replace("coach@", "coach:hunter2@")))

    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())


def test_a_database_from_a_newer_workbench_is_refused_with_a_clear_message(url: str) -> None:
    settings = StoreSettings(url=SecretStr(url))
    PostgresSessionStore(settings).close()
    with psycopg.connect(url) as connection:
        connection.execute("INSERT INTO schema_version VALUES (99, 'from the future', now())")

    with pytest.raises(SchemaTooNew, match="newer version of the workbench"):
        PostgresSessionStore(settings)


def test_a_server_that_goes_away_is_a_clear_error_and_a_restart_is_picked_up() -> None:
    with running_postgres() as server:  # its own server: this test stops it
        url = server.url()
        store = PostgresSessionStore(StoreSettings(url=SecretStr(url), lock_timeout_seconds=2))
        session = store.create_session(ME, "before the restart")
        with psycopg.connect(server.url(), autocommit=True) as admin:
            # What a restart does to the store's open connections.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [url.rsplit("/", 1)[1]],
            )
        assert store.get_session(ME, session.id).name == "before the restart"  # reconnected
        server.stop()
        with pytest.raises(StoreUnavailable, match="did not answer, so nothing"):
            store.rename_session(ME, session.id, "while it is down")
        store.close()


def test_rollups_written_before_they_were_partitioned_are_kept(url: str) -> None:
    """A database at version 4 (rollups in one table each) moves to one partition per
    level without losing a row."""
    from coach.store.migrations import migrate
    from coach.store.postgres_store import _Cursor

    key = "3600, 'invoke_agent', 'coach', '', '', 'openai', 'gpt', 'live'"  # bucket, dims
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as raw:
        migrate(_Cursor(raw), POSTGRES_MIGRATIONS[:4])
        for width in (900, 3600):
            # Four agent calls, one an error, four that say whether they fell back.
            raw.execute(
                f"INSERT INTO span_rollups VALUES ({width}, {key}, 4, 0, 1, 0, 4, 0, 0, 0, 0, 0, 0)"  # type: ignore[arg-type]
            )
            raw.execute(
                f"INSERT INTO span_latency_bins VALUES ({width}, {key}, 'duration', 30, 4)"  # type: ignore[arg-type]
            )

    PostgresSessionStore(StoreSettings(url=SecretStr(url))).close()  # migrates to the last

    with psycopg.connect(url) as connection:
        partitions = connection.execute(
            "SELECT c.relname FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid "
            "WHERE c.relkind = 'r' ORDER BY c.relname"
        ).fetchall()
        counts = connection.execute(
            "SELECT (SELECT sum(spans) FROM span_rollups_3600), "
            "(SELECT sum(spans) FROM span_latency_bins_900)"
        ).fetchone()
    assert [name for (name,) in partitions] == [
        "span_latency_bins_3600",
        "span_latency_bins_900",
        "span_rollups_3600",
        "span_rollups_900",
    ]
    assert counts == (4, 4)
