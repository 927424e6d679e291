"""Forward-only migrations of the PostgreSQL session store.

PostgreSQL holds the session tables only (sessions, practice, chat, voice); spans and
experiments stay in the DuckDB file beside it for now (issue 14). Version 1 is the
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

_DUCKDB_ONLY_TABLES = re.compile(r"\b(spans|experiments|experiment_\w+|rollouts)\b")
"""Tables that stay in the DuckDB file for now: their statements are left out."""


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

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (_V1_SESSIONS, _V2_OWNERS)
"""Every PostgreSQL migration, oldest first; versions are 1, 2, 3, ... without gaps."""
