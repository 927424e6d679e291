"""Forward-only migrations of the PostgreSQL session store.

PostgreSQL holds the session tables (sessions, practice, chat, voice) and telemetry
spans with their rollups; experiments stay in the DuckDB file beside it for now
(issue 14). Version 1 is the
session schema as DuckDB's shipped migrations built it (versions 1-8 without the
spans and experiments tables), taken from those statements so the two cannot drift,
with DuckDB's ``DOUBLE`` spelled ``DOUBLE PRECISION``; each later version takes the
session part of one DuckDB migration. The versions here count on their own: the next
change to the session tables is a DuckDB migration *and* a PostgreSQL one. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

import re

from coach.store.migrations import MIGRATIONS, Migration
from coach.store.rollups import rollup_table_sql

_DUCKDB_ONLY_TABLES = re.compile(r"\b(spans|experiments|experiment_\w+|rollouts)\b")
"""Tables that are not session tables: left out of versions 1 and 2 (spans come in
version 3; experiments stay in the DuckDB file for now)."""


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

_SPANS_TABLE = next(
    statement
    for migration in MIGRATIONS
    for statement in migration.statements
    if "CREATE TABLE spans" in statement
)

_V3_SPANS = Migration(
    version=3,
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
        *rollup_table_sql("DOUBLE PRECISION", partitioned=True),
    ),
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (_V1_SESSIONS, _V2_OWNERS, _V3_SPANS)
"""Every PostgreSQL migration, oldest first; versions are 1, 2, 3, ... without gaps."""
