"""Forward-only migrations of the PostgreSQL session store.

PostgreSQL holds the session tables (sessions, practice, chat, voice), the experiments
(Persona Lab: experiments, their variants, items and results, rollouts) and telemetry
spans with their rollups. Version 1 is the session schema as DuckDB's shipped
migrations built it (versions 1-8 without the spans and experiments tables), taken from
those statements so the two cannot drift, with DuckDB's ``DOUBLE`` spelled ``DOUBLE
PRECISION``; each later version takes one part of DuckDB's migrations the same way. The
versions here count on their own: the next change to these tables is a DuckDB migration
*and* a PostgreSQL one. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import re

from coach.store.migrations import MIGRATIONS, Migration
from coach.store.rollups import rollup_table_sql

_DUCKDB_ONLY_TABLES = re.compile(r"\b(spans|experiments|experiment_\w+|rollouts)\b")
"""Tables that are not session tables: the session parts leave their statements out."""
_EXPERIMENT_TABLES = re.compile(r"\b(experiments|experiment_\w+|rollouts)\b")


def _postgresql(statement: str) -> str:
    return re.sub(r"\bDOUBLE\b", "DOUBLE PRECISION", statement)


def _session_part(*versions: int) -> tuple[str, ...]:
    """DuckDB's statements of ``versions`` that touch the session tables, for PostgreSQL."""
    return tuple(
        _postgresql(statement)
        for migration in MIGRATIONS
        if migration.version in versions
        for statement in migration.statements
        if not _DUCKDB_ONLY_TABLES.search(statement)
    )


def _experiment_part(*versions: int) -> tuple[str, ...]:
    """DuckDB's statements of ``versions`` that build the experiment tables."""
    return tuple(
        _postgresql(statement)
        for migration in MIGRATIONS
        if migration.version in versions
        for statement in migration.statements
        if _EXPERIMENT_TABLES.search(statement)
    )


_V1_SESSIONS = Migration(
    version=1,
    description="sessions, documents, questions, drafts, answers, evaluations, summaries, "
    "chat and voice (DuckDB's versions 1-4 and 8)",
    statements=_session_part(1, 2, 3, 4, 5, 6, 7, 8),
)

_V2_OWNERS = Migration(
    version=2,
    description="owners (issuer, subject, email) on sessions, answers, chats and "
    "transcripts; existing rows go to the local user (DuckDB's version 9)",
    statements=_session_part(9),
)

_V3_EXPERIMENTS = Migration(
    version=3,
    description="persona experiments: variants as they ran, items, one result per pair, "
    "rollouts, the process running each, and owners (DuckDB's versions 6, 7 and 9)",
    statements=_experiment_part(6, 7, 9),
)

_SPANS_TABLE = next(
    statement
    for migration in MIGRATIONS
    for statement in migration.statements
    if "CREATE TABLE spans" in statement
)

_V4_SPANS = Migration(
    version=4,
    description="telemetry spans (DuckDB's version 5) with the indexes PostgreSQL reads "
    "them by, and their rollups (DuckDB's version 10)",
    statements=(
        _postgresql(_SPANS_TABLE),
        # DuckDB prunes by zone maps; PostgreSQL needs indexes: a time range (the last
        # hour's exact charts, first and last span), a trace (waterfall, turn sizes),
        # and the slowest turns, walked from the longest down.
        "CREATE INDEX spans_start_time ON spans (start_time)",
        "CREATE INDEX spans_trace_id ON spans (trace_id)",
        "CREATE INDEX spans_slowest_turns ON spans (duration_ms DESC) WHERE parent_span_id IS NULL",
        *rollup_table_sql("DOUBLE PRECISION"),
    ),
)

_ROLLUP_TABLES = ("span_rollups", "span_latency_bins")

_V5_ROLLUPS_BY_LEVEL = Migration(
    version=5,
    description="span rollups partitioned by level, so a week's chart scans the hourly "
    "rows only (five million spans: 3.5 s of queries to 0.7 s)",
    statements=(
        *(
            statement
            for table in _ROLLUP_TABLES
            for statement in (
                f"ALTER TABLE {table} RENAME TO {table}_unpartitioned",
                f"ALTER INDEX {table}_pkey RENAME TO {table}_unpartitioned_pkey",
            )
        ),
        *rollup_table_sql("DOUBLE PRECISION", partitioned=True),
        *(
            statement
            for table in _ROLLUP_TABLES
            for statement in (
                f"INSERT INTO {table} SELECT * FROM {table}_unpartitioned",
                f"DROP TABLE {table}_unpartitioned",
            )
        ),
    ),
)

_V6_SESSION_REVISIONS = Migration(
    version=6,
    description="sessions.revision: one more with every write to the session (DuckDB's 11)",
    statements=_session_part(11),
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    _V1_SESSIONS,
    _V2_OWNERS,
    _V3_EXPERIMENTS,
    _V4_SPANS,
    _V5_ROLLUPS_BY_LEVEL,
    _V6_SESSION_REVISIONS,
)
"""Every PostgreSQL migration, oldest first; versions are 1, 2, 3, ... without gaps."""
