"""Forward-only migrations of the PostgreSQL session store.

PostgreSQL holds the session tables only (sessions, practice, chat, voice); spans and
experiments stay in the DuckDB file beside it for now (issue 14). Version 1 is the
session schema as DuckDB's shipped migrations built it (versions 1-4 and 8), taken
from those statements so the two cannot drift, with DuckDB's ``DOUBLE`` spelled
``DOUBLE PRECISION``. The versions here count on their own: the next change to the
session tables is a DuckDB migration *and* a PostgreSQL one. Never edit a migration
that has shipped: add a new one.
"""

from __future__ import annotations

import re

from coach.store.migrations import MIGRATIONS, Migration

_SESSION_VERSIONS = (1, 2, 3, 4, 8)
"""DuckDB's migrations that build the session tables (5 is spans, 6-7 experiments)."""


def _postgresql(statement: str) -> str:
    return re.sub(r"\bDOUBLE\b", "DOUBLE PRECISION", statement)


_V1_SESSIONS = Migration(
    version=1,
    description="sessions, documents, questions, drafts, answers, evaluations, summaries, "
    "chat and voice (DuckDB's versions 1-4 and 8)",
    statements=tuple(
        _postgresql(statement)
        for migration in MIGRATIONS
        if migration.version in _SESSION_VERSIONS
        for statement in migration.statements
    ),
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (_V1_SESSIONS,)
"""Every PostgreSQL migration, oldest first; versions are 1, 2, 3, ... without gaps."""
