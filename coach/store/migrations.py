"""Forward-only schema migrations for the session store.

Each migration has a version, a description and the SQL statements that take the
schema from the previous version to this one. ``migrate`` applies the missing ones in
order, each in its own transaction, and records them in ``schema_version``, so a file
written by any earlier version of the workbench opens with today's schema.

The SQL is kept portable (plain types, standard DDL) so the PostgreSQL store reuses
it (``coach.store.postgres_schema``); ``migrate`` runs on either engine's connection.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from coach.domain import utc_now
from coach.errors import CoachError
from coach.store.rollups import rollup_sql, rollup_table_sql

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """What migrating needs of a connection: DuckDB's, or the PostgreSQL store's cursor
    (which takes the same ``?`` placeholders)."""

    def execute(self, sql: str, parameters: Sequence[Any] | None = None, /) -> Any: ...


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_SCHEMA_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""

# Attribution (who produced a result) is stored as plain columns rather than JSON so
# notebooks can GROUP BY provider, persona or fallback without unpacking anything.
_ATTRIBUTION_COLUMNS = """
    agent VARCHAR,
    persona VARCHAR,
    provider VARCHAR,
    model VARCHAR,
    fallback BOOLEAN,
    notice VARCHAR"""

_V1_INITIAL = Migration(
    version=1,
    description="sessions, documents, questions, drafts, answers, evaluations, summaries",
    statements=(
        """
        CREATE TABLE sessions (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            persona VARCHAR NOT NULL,
            coaching_level VARCHAR NOT NULL,
            current_question_id VARCHAR,
            metadata VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE documents (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            filename VARCHAR NOT NULL,
            media_type VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            pages INTEGER,
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX documents_session_id ON documents (session_id)",
        f"""
        CREATE TABLE questions (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            question_type VARCHAR NOT NULL,
            competency VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            rationale VARCHAR NOT NULL,
            {_ATTRIBUTION_COLUMNS},
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX questions_session_id ON questions (session_id)",
        """
        CREATE TABLE drafts (
            question_id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX drafts_session_id ON drafts (session_id)",
        # UNIQUE (question_id, attempt) is the last line of defence for attempt
        # numbering: two writers that both computed the same "max + 1" cannot both win.
        """
        CREATE TABLE answers (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            question_id VARCHAR NOT NULL,
            attempt INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            mode VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            UNIQUE (question_id, attempt)
        )
        """,
        "CREATE INDEX answers_session_id ON answers (session_id)",
        f"""
        CREATE TABLE evaluations (
            id VARCHAR PRIMARY KEY,
            answer_id VARCHAR NOT NULL,
            session_id VARCHAR NOT NULL,
            question_id VARCHAR NOT NULL,
            overall DOUBLE NOT NULL,
            headline VARCHAR NOT NULL,
            strengths VARCHAR NOT NULL,
            improvements VARCHAR NOT NULL,
            example_answer VARCHAR NOT NULL,
            non_answer BOOLEAN NOT NULL,
            coaching_level VARCHAR NOT NULL,
            {_ATTRIBUTION_COLUMNS},
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX evaluations_session_id ON evaluations (session_id)",
        "CREATE INDEX evaluations_question_id ON evaluations (question_id)",
        # One row per scored dimension, so analytics is a GROUP BY dimension away.
        # session_id is repeated here so a session can be deleted without a join.
        """
        CREATE TABLE evaluation_dimensions (
            evaluation_id VARCHAR NOT NULL,
            session_id VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            dimension VARCHAR NOT NULL,
            score INTEGER NOT NULL,
            comment VARCHAR NOT NULL,
            PRIMARY KEY (evaluation_id, position)
        )
        """,
        "CREATE INDEX evaluation_dimensions_session_id ON evaluation_dimensions (session_id)",
        f"""
        CREATE TABLE summaries (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            average_score DOUBLE,
            questions_total INTEGER NOT NULL,
            questions_answered INTEGER NOT NULL,
            dimension_averages VARCHAR NOT NULL,
            strongest VARCHAR NOT NULL,
            weakest VARCHAR NOT NULL,
            highlights VARCHAR NOT NULL,
            next_steps VARCHAR NOT NULL,
            {_ATTRIBUTION_COLUMNS},
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX summaries_session_id ON summaries (session_id)",
    ),
)

_V2_CHAT = Migration(
    version=2,
    description="chat messages and chat summaries",
    statements=(
        f"""
        CREATE TABLE chat_messages (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            role VARCHAR NOT NULL,
            content VARCHAR NOT NULL,
            {_ATTRIBUTION_COLUMNS},
            created_at TIMESTAMPTZ NOT NULL,
            UNIQUE (session_id, position)
        )
        """,
        "CREATE INDEX chat_messages_session_id ON chat_messages (session_id)",
        f"""
        CREATE TABLE chat_summaries (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            takeaways VARCHAR NOT NULL,
            action_items VARCHAR NOT NULL,
            {_ATTRIBUTION_COLUMNS},
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX chat_summaries_session_id ON chat_summaries (session_id)",
    ),
)

_V3_FOLLOW_UPS = Migration(
    version=3,
    description="the primary coach's follow-up question on each evaluation",
    statements=("ALTER TABLE evaluations ADD COLUMN follow_up VARCHAR",),
)

_V4_VOICE = Migration(
    version=4,
    description="voice transcripts and delivery metrics of spoken answers",
    statements=(
        """
        CREATE TABLE transcripts (
            id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            question_id VARCHAR,
            segments VARCHAR NOT NULL,
            voice VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX transcripts_session_id ON transcripts (session_id)",
        """
        CREATE TABLE answer_delivery (
            answer_id VARCHAR PRIMARY KEY,
            session_id VARCHAR NOT NULL,
            speaking_seconds DOUBLE NOT NULL,
            words INTEGER,
            words_per_minute DOUBLE,
            filler_count INTEGER,
            fillers_per_minute DOUBLE,
            fillers VARCHAR NOT NULL,
            longest_pause_seconds DOUBLE,
            long_pauses INTEGER,
            guidance VARCHAR NOT NULL
        )
        """,
        "CREATE INDEX answer_delivery_session_id ON answer_delivery (session_id)",
    ),
)

_V5_SPANS = Migration(
    version=5,
    description="telemetry spans (OpenTelemetry, GenAI attribute names flattened to columns)",
    statements=(
        """
        CREATE TABLE spans (
            span_id VARCHAR NOT NULL,
            trace_id VARCHAR NOT NULL,
            parent_span_id VARCHAR,
            name VARCHAR NOT NULL,
            start_time TIMESTAMPTZ NOT NULL,
            end_time TIMESTAMPTZ NOT NULL,
            duration_ms DOUBLE NOT NULL,
            status VARCHAR NOT NULL,
            status_message VARCHAR,
            operation VARCHAR,
            provider VARCHAR,
            request_model VARCHAR,
            response_model VARCHAR,
            temperature DOUBLE,
            max_tokens INTEGER,
            agent VARCHAR,
            persona VARCHAR,
            variant VARCHAR,
            session_id VARCHAR,
            input_tokens INTEGER,
            output_tokens INTEGER,
            queue_ms DOUBLE,
            ttft_ms DOUBLE,
            fallback BOOLEAN,
            score DOUBLE,
            demo BOOLEAN NOT NULL DEFAULT FALSE,
            attributes VARCHAR NOT NULL
        )
        """,
        # No primary key or indexes: spans arrive in time order (DuckDB's zone maps
        # prune by start_time), and every index would cost each exported span.
    ),
)

_V6_EXPERIMENTS = Migration(
    version=6,
    description="persona experiments: variants as they ran, items, and one result per pair",
    statements=(
        """
        CREATE TABLE experiments (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            base_persona VARCHAR NOT NULL,
            spec VARCHAR NOT NULL,
            dataset_name VARCHAR NOT NULL,
            dataset_source VARCHAR NOT NULL,
            item_count INTEGER NOT NULL,
            repeats INTEGER NOT NULL,
            judge VARCHAR NOT NULL,
            provider VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            message VARCHAR NOT NULL DEFAULT '',
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE experiment_variants (
            experiment_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            overrides VARCHAR NOT NULL,
            persona VARCHAR NOT NULL,
            fingerprint VARCHAR NOT NULL,
            PRIMARY KEY (experiment_id, name)
        )
        """,
        """
        CREATE TABLE experiment_items (
            experiment_id VARCHAR NOT NULL,
            item_id VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            question VARCHAR NOT NULL,
            answer VARCHAR NOT NULL,
            resume VARCHAR NOT NULL,
            job_description VARCHAR NOT NULL,
            reference_score DOUBLE,
            item_hash VARCHAR NOT NULL,
            PRIMARY KEY (experiment_id, item_id)
        )
        """,
        """
        CREATE TABLE experiment_results (
            experiment_id VARCHAR NOT NULL,
            variant VARCHAR NOT NULL,
            item_id VARCHAR NOT NULL,
            repeat INTEGER NOT NULL,
            fingerprint VARCHAR NOT NULL,
            item_hash VARCHAR NOT NULL,
            ok BOOLEAN NOT NULL,
            score DOUBLE,
            quality DOUBLE,
            quality_dimensions VARCHAR NOT NULL,
            rubric VARCHAR NOT NULL,
            output VARCHAR,
            error VARCHAR NOT NULL,
            fallback BOOLEAN NOT NULL,
            notice VARCHAR NOT NULL,
            latency_ms DOUBLE NOT NULL,
            queue_ms DOUBLE NOT NULL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cached BOOLEAN NOT NULL,
            judge VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (experiment_id, variant, item_id, repeat)
        )
        """,
        # The cache: earlier results of the same parameters on the same item.
        "CREATE INDEX experiment_results_cache ON experiment_results (fingerprint, item_hash)",
        """
        CREATE TABLE rollouts (
            id VARCHAR PRIMARY KEY,
            base_persona VARCHAR NOT NULL,
            variant VARCHAR NOT NULL,
            experiment_id VARCHAR,
            persona VARCHAR NOT NULL,
            share DOUBLE NOT NULL,
            active BOOLEAN NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
    ),
)

_V7_EXPERIMENT_RUNNER = Migration(
    version=7,
    description="which process runs an experiment (host:pid), so others can tell a live run",
    statements=("ALTER TABLE experiments ADD COLUMN runner VARCHAR NOT NULL DEFAULT ''",),
)

_V8_CHECKS = Migration(
    version=8,
    description="what the checks repaired in a model's answer (and cut-off replies), and "
    "who wrote each follow-up",
    statements=(
        *(
            f"ALTER TABLE {table} ADD COLUMN checks VARCHAR"
            for table in (
                "questions",
                "evaluations",
                "summaries",
                "chat_messages",
                "chat_summaries",
            )
        ),
        "ALTER TABLE evaluations ADD COLUMN follow_up_attribution VARCHAR",
    ),
)

# Owners: the OIDC issuer and subject of the person who created the row, and their email
# for display only. Rows from before sign-in existed belong to the local user. The
# columns carry no NOT NULL because DuckDB cannot add a constrained column; every insert
# sets them and the defaults fill the old rows.
_OWNED_TABLES = ("sessions", "answers", "chat_messages", "transcripts", "experiments", "rollouts")

_V9_OWNERS = Migration(
    version=9,
    description="owners (issuer, subject, email) on sessions, answers, chats, transcripts, "
    "experiments and rollouts; existing rows go to the local user",
    statements=tuple(
        statement
        for table in _OWNED_TABLES
        for statement in (
            f"ALTER TABLE {table} ADD COLUMN owner_issuer VARCHAR DEFAULT 'local'",
            f"ALTER TABLE {table} ADD COLUMN owner_subject VARCHAR DEFAULT 'local'",
            f"ALTER TABLE {table} ADD COLUMN owner_email VARCHAR DEFAULT ''",
        )
    ),
)

# Rollups of the spans the Telemetry page reads (coach.store.rollups); existing spans
# are rolled up once here, later batches by the span sink as they are written.
_V10_SPAN_ROLLUPS = Migration(
    version=10,
    description="span rollups: counts and latency histograms per 15 minutes and per hour",
    statements=(*rollup_table_sql(), *rollup_sql("spans")),
)

# A session's revision moves by one with every write to it (``updated_at`` says when, not
# how many): a service that wrote twice and finds the revision moved by two knows nobody
# else wrote in between, so it can update the view it holds instead of reading it again.
_V11_SESSION_REVISIONS = Migration(
    version=11,
    description="sessions.revision: one more with every write to the session",
    statements=("ALTER TABLE sessions ADD COLUMN revision BIGINT DEFAULT 0",),
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1_INITIAL,
    _V2_CHAT,
    _V3_FOLLOW_UPS,
    _V4_VOICE,
    _V5_SPANS,
    _V6_EXPERIMENTS,
    _V7_EXPERIMENT_RUNNER,
    _V8_CHECKS,
    _V9_OWNERS,
    _V10_SPAN_ROLLUPS,
    _V11_SESSION_REVISIONS,
)
"""Every migration, oldest first; versions are 1, 2, 3, ... without gaps."""

LATEST_VERSION = MIGRATIONS[-1].version


class SchemaTooNew(CoachError):
    """The file was written by a newer workbench than the one reading it."""


def current_version(connection: Connection) -> int:
    """The highest applied version; 0 for a file that has never been migrated.

    Creates the empty ``schema_version`` table in such a file, so the question can
    always be answered the same way.
    """
    connection.execute(_SCHEMA_VERSION_TABLE)
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def migrate(connection: Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Applies every missing migration, each in its own transaction; returns the version.

    A failed migration rolls back completely, so the file stays at the last good
    version and the next start tries again. ``migrations`` is only for tests.
    """
    latest = migrations[-1].version if migrations else 0
    version = current_version(connection)
    if version > latest:
        raise SchemaTooNew(
            f"This database was written by a newer version of the workbench (schema "
            f"{version}, this version knows up to {latest}). Update the workbench, "
            "or point it at another database file."
        )
    for migration in migrations:
        if migration.version <= version:
            continue
        connection.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.description, utc_now()],
            )
            connection.execute("COMMIT")
        except Exception:
            connection.execute("ROLLBACK")
            logger.error(
                "schema migration failed; rolled back",
                extra={"schema_version": migration.version, "description": migration.description},
            )
            raise
        version = migration.version
        logger.info(
            "schema migrated to version %d",
            version,
            extra={"schema_version": version, "description": migration.description},
        )
    return version
