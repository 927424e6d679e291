"""Read the workbench's data from a notebook without getting in the app's way.

DuckDB lets one process open a file at a time, and the workbench keeps writing while
an analyst explores. So by default ``open_analysis`` takes a *snapshot*: it opens the
live file read-only (waiting with a short backoff while the app holds it), copies
every table into an in-memory DuckDB, and closes the live file again (about 30 ms for a
few hundred sessions, 0.3 s for 200,000 spans). The app, which also retries, waits at
most that long once. Every query afterwards runs on the snapshot, at leisure;
``refresh()`` takes a new one.

``snapshot=False`` reads the live file instead, opening and closing it around every
query: always current, never holding the file between queries, but each call may wait
for the app and two calls may see different data.

On PostgreSQL (``COACH_STORE__URL``, or ``open_analysis(url=...)``) the snapshot is
taken the same way into the same in-memory DuckDB: every table the DuckDB schema has is
streamed out of one ``REPEATABLE READ`` transaction with ``COPY ... TO STDOUT`` (plain
``SELECT``s of columns, the only SQL PostgreSQL is asked to run) and loaded with DuckDB's
``COPY``. So the API, the SQL a notebook writes (DuckDB's) and the DataFrames are the
same on both engines; PostgreSQL serves many readers, so nobody waits for the app.
``snapshot=False`` on PostgreSQL takes a fresh snapshot for every query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from coach.domain import RubricDimension
from coach.errors import CoachError
from coach.store.locking import retry_while_locked
from coach.users import Actor

logger = logging.getLogger(__name__)

__all__ = ["Analysis", "AnalysisSettings", "busy_message", "open_analysis"]

# Short waits: a file the app releases is picked up almost at once.
_FIRST_BACKOFF_SECONDS = 0.005
_MAX_BACKOFF_SECONDS = 0.1
_LIVE_ALIAS = "live"
_NOTE = "note"

_NO_SPANS_NOTE = (
    "No spans recorded yet: spans appear once tracing is switched on and agents have "
    "been called (use the app, or run `coach seed-demo`)."
)
_NO_SPANS_TABLE_NOTE = (
    "This database has no spans table yet (an older schema); open it once with the "
    "workbench to migrate it."
)
_NO_EXPERIMENTS_NOTE = (
    "No experiments yet: this database has no {table} table. Persona experiments "
    "(A/B runs) will appear here once one has been run."
)

_DIMENSION_COLUMNS = ",\n    ".join(
    f"max(score) FILTER (WHERE dimension = '{d.value}') AS {d.value}" for d in RubricDimension
)
_DIMENSION_SELECT = ", ".join(f"dims.{d.value}" for d in RubricDimension)

_SESSIONS_SQL = """
WITH latest AS (
    SELECT session_id, overall,
           row_number() OVER (PARTITION BY question_id ORDER BY created_at DESC, id DESC) AS r
    FROM evaluations
)
SELECT s.id AS session_id, s.name, s.kind, s.persona, s.coaching_level,
       coalesce(json_extract_string(s.metadata, '$.demo') = 'true', false) AS demo,
       json_extract_string(s.metadata, '$.team') AS team,
       s.created_at, s.updated_at,
       (SELECT count(*) FROM questions q WHERE q.session_id = s.id) AS questions,
       (SELECT count(*) FROM answers a WHERE a.session_id = s.id) AS answers,
       (SELECT count(*) FROM evaluations e WHERE e.session_id = s.id) AS evaluations,
       (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id) AS chat_messages,
       (SELECT avg(overall) FROM latest WHERE latest.session_id = s.id AND r = 1)
           AS average_score
FROM sessions s
WHERE {scope}
ORDER BY s.created_at, s.id
"""

# One row per answer with its latest evaluation (an answer scored twice keeps the
# newer score), the six dimensions as columns and the delivery metrics of spoken ones.
_ANSWERS_WITH_SCORES_SQL = f"""
WITH latest_evaluation AS (
    SELECT * FROM (
        SELECT e.*, row_number() OVER (
            PARTITION BY answer_id ORDER BY created_at DESC, id DESC
        ) AS recency
        FROM evaluations e
    ) WHERE recency = 1
),
dims AS (
    SELECT evaluation_id,
    {_DIMENSION_COLUMNS}
    FROM evaluation_dimensions
    GROUP BY evaluation_id
)
SELECT s.id AS session_id, s.name AS session_name,
       coalesce(json_extract_string(s.metadata, '$.demo') = 'true', false) AS demo,
       q.id AS question_id, q.position AS question_position, q.text AS question,
       q.question_type, q.competency, q.source AS question_source,
       a.id AS answer_id, a.attempt, a.mode, a.created_at AS answered_at,
       len(regexp_split_to_array(trim(a.text), '\\s+')) AS answer_words,
       e.id AS evaluation_id, e.overall, e.non_answer, e.coaching_level,
       e.provider, e.persona AS evaluator, e.model, e.fallback,
       {_DIMENSION_SELECT},
       d.speaking_seconds, d.words_per_minute, d.filler_count, d.fillers_per_minute,
       d.longest_pause_seconds, d.long_pauses
FROM answers a
JOIN questions q ON q.id = a.question_id
JOIN sessions s ON s.id = a.session_id
LEFT JOIN latest_evaluation e ON e.answer_id = a.id
LEFT JOIN dims ON dims.evaluation_id = e.id
LEFT JOIN answer_delivery d ON d.answer_id = a.id
WHERE {{scope}}
ORDER BY a.created_at, s.id, q.position, a.attempt
"""

_DIMENSION_SCORES_SQL = """
SELECT ed.session_id, e.question_id, e.answer_id, a.attempt, q.question_type, q.competency,
       ed.dimension, ed.score, ed.comment, e.overall, e.created_at AS evaluated_at
FROM evaluation_dimensions ed
JOIN evaluations e ON e.id = ed.evaluation_id
JOIN answers a ON a.id = e.answer_id
JOIN questions q ON q.id = e.question_id
JOIN sessions s ON s.id = ed.session_id
WHERE {scope}
ORDER BY e.created_at, ed.evaluation_id, ed.position
"""

_SPANS_SQL = "SELECT * FROM spans ORDER BY start_time, span_id"


class AnalysisSettings(BaseModel):
    """Where to read and how long to wait for the app to let go of the file."""

    model_config = ConfigDict(frozen=True)

    path: Path
    url: SecretStr | None = None
    """A PostgreSQL database to read instead of the file at ``path``."""
    snapshot: bool = True
    lock_timeout_seconds: float = Field(default=15.0, gt=0)
    # Whose data to read: one person's own sessions, or (an admin) everyone's.
    actor: Actor = Field(default_factory=Actor.local)


def open_analysis(
    path: Path | str | None = None,
    *,
    url: str | None = None,
    snapshot: bool = True,
    lock_timeout_seconds: float = 15.0,
    actor: Actor | None = None,
) -> Analysis:
    """The workbench's data for a notebook, as of now.

    ``path`` defaults to the app's database: PostgreSQL when ``COACH_STORE__URL`` is set
    (or ``url`` is given), else ``COACH_STORE__PATH`` or the default under the user's
    data folder. With ``snapshot=True`` (the default) every table is copied
    into memory and the live file is closed before this returns; the app may wait for a
    moment while the copy is taken (tens of milliseconds; 0.3 s for 200,000 spans).
    Raises ``StoreBusy`` when the app holds the file longer than ``lock_timeout_seconds``,
    ``CoachError`` when there is no database at ``path``.

    ``actor`` reads as that person: their own sessions and answers only, and no spans or
    experiments unless they are an admin. The default is the local user, who owns the
    file on this machine and reads everything.
    """
    if path is None:
        from coach.settings import CoachSettings

        store = CoachSettings().store
        path = store.path
        if url is None and store.url is not None:
            url = store.url.get_secret_value()
    settings = AnalysisSettings(
        path=Path(path).expanduser(),
        url=SecretStr(url) if url is not None else None,
        snapshot=snapshot,
        lock_timeout_seconds=lock_timeout_seconds,
        actor=actor or Actor.local(),
    )
    return Analysis(settings)


class Analysis:
    """Sessions, answers, scores, spans and experiments as pandas DataFrames.

    A snapshot (the default) is consistent: every table as of ``snapshot_time``. New
    answers written by the app afterwards appear only after ``refresh()``. DataFrames
    already fetched never change. Use it as a context manager, or call ``close()``.
    """

    def __init__(self, settings: AnalysisSettings) -> None:
        self._settings = settings
        self._snapshot: duckdb.DuckDBPyConnection | None = None
        self._snapshot_time: datetime | None = None
        self._last_wait_seconds = 0.0
        self._last_hold_seconds = 0.0
        if settings.url is None and not self.path.exists():
            raise CoachError(
                f"There is no workbench database at {self.path}. Use the app once, or run "
                "`coach seed-demo --sessions 6` to fill it with demo data, then try again."
            )
        if settings.snapshot:
            self.refresh()

    # --- lifecycle ----------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._settings.path

    @property
    def is_snapshot(self) -> bool:
        return self._settings.snapshot

    @property
    def source(self) -> str:
        """What is read: the file's path, or the PostgreSQL database (no password)."""
        if self._settings.url is None:
            return str(self.path)
        from coach.store.postgres_store import describe_url

        return describe_url(self._settings.url.get_secret_value())

    @property
    def snapshot_time(self) -> datetime | None:
        """When the snapshot was taken (UTC); ``None`` when reading the live file."""
        return self._snapshot_time

    @property
    def waited_seconds(self) -> float:
        """How long the last open waited for the app to release the file."""
        return self._last_wait_seconds

    @property
    def held_seconds(self) -> float:
        """How long the last open held the live file (the app's worst extra wait)."""
        return self._last_hold_seconds

    def refresh(self) -> Self:
        """Takes a new snapshot (a no-op when reading the live file)."""
        if not self.is_snapshot:
            return self
        fresh, taken = self._take()
        old, self._snapshot, self._snapshot_time = self._snapshot, fresh, taken
        if old is not None:
            old.close()
        logger.info(
            "analysis snapshot taken",
            extra={
                "path": self.source,
                "waited_seconds": round(self._last_wait_seconds, 3),
                "held_seconds": round(self._last_hold_seconds, 3),
            },
        )
        return self

    def _take(self) -> tuple[duckdb.DuckDBPyConnection, datetime]:
        """Every table, as of now, in a new in-memory DuckDB."""
        fresh = duckdb.connect(":memory:")
        try:
            fresh.execute("SET TimeZone = 'UTC'")
            if self._settings.url is not None:
                started = time.monotonic()
                taken = copy_postgres(self._settings.url.get_secret_value(), fresh)
                self._last_wait_seconds, self._last_hold_seconds = 0.0, time.monotonic() - started
                return fresh, taken
            with self._live(fresh) as alias:
                fresh.execute(f"COPY FROM DATABASE {alias} TO memory")
                return fresh, datetime.now(UTC)
        except BaseException:
            fresh.close()
            raise

    def close(self) -> None:
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            snapshot.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        when = self._snapshot_time.isoformat(timespec="seconds") if self._snapshot_time else "live"
        return f"Analysis(source={self.source!r}, as_of={when!r})"

    # --- reading ------------------------------------------------------------------

    def tables(self) -> list[str]:
        """The tables this database has (it depends on the schema version that wrote it)."""
        frame = self.sql("SELECT table_name FROM duckdb_tables() ORDER BY table_name")
        return [str(name) for name in frame["table_name"]]

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any read query on the data (DuckDB SQL); the result as a DataFrame."""
        if self._settings.snapshot:
            if self._snapshot is None:
                raise CoachError("This analysis is closed; open a new one with open_analysis().")
            return self._snapshot.execute(query, params).df()
        if self._settings.url is not None:  # always current: a snapshot for this query
            fresh, _ = self._take()
            try:
                return fresh.execute(query, params).df()
            finally:
                fresh.close()
        connection = duckdb.connect(":memory:")
        try:
            connection.execute("SET TimeZone = 'UTC'")
            with self._live(connection) as alias:
                connection.execute(f"USE {alias}")
                return connection.execute(query, params).df()
        finally:
            connection.close()

    def relation(self, query: str) -> duckdb.DuckDBPyRelation:
        """A lazy DuckDB relation on the snapshot, for chaining (``.filter``, ``.aggregate``)."""
        if self._snapshot is None:
            raise CoachError("Relations need a snapshot: open_analysis(snapshot=True).")
        return self._snapshot.sql(query)

    def sessions(self) -> pd.DataFrame:
        """One row per session: kind, demo flag, counts and the average latest score."""
        return self._owned(_SESSIONS_SQL)

    def answers_with_scores(self) -> pd.DataFrame:
        """One row per answer attempt: question type and competency, overall score, the
        six dimensions as columns, and delivery metrics for spoken answers (else NaN)."""
        return self._owned(_ANSWERS_WITH_SCORES_SQL)

    def dimension_scores(self) -> pd.DataFrame:
        """The same scores in long form: one row per evaluation and dimension."""
        return self._owned(_DIMENSION_SCORES_SQL)

    def spans(self) -> pd.DataFrame:
        """Telemetry spans, oldest first. Empty (with ``attrs["note"]``) before tracing."""
        self._require_admin("Spans")
        if not self.has_table("spans"):
            return _empty(_NO_SPANS_TABLE_NOTE)
        frame = self.sql(_SPANS_SQL)
        if frame.empty:
            frame.attrs[_NOTE] = _NO_SPANS_NOTE
        return frame

    def experiments(self) -> pd.DataFrame:
        """Persona experiments (A/B runs); empty with ``attrs["note"]`` until there are any."""
        return self._optional_table("experiments")

    def experiment_results(self) -> pd.DataFrame:
        """Per-item results of the experiments; empty with ``attrs["note"]`` until any."""
        return self._optional_table("experiment_results")

    def _owned(self, query: str) -> pd.DataFrame:
        """``query`` limited to the sessions the actor may read (``{scope}`` on ``s``)."""
        actor = self._settings.actor
        if actor.is_admin:
            return self.sql(query.format(scope="TRUE"))
        return self.sql(
            query.format(scope="s.owner_issuer = ? AND s.owner_subject = ?"),
            [actor.issuer, actor.subject],
        )

    def _require_admin(self, what: str) -> None:
        if not self._settings.actor.is_admin:
            raise CoachError(
                f"{what} cover every user's work, so only admins (COACH_AUTH__ADMINS) read "
                "them. Your own sessions and answers are in sessions() and "
                "answers_with_scores()."
            )

    def _optional_table(self, table: str) -> pd.DataFrame:
        self._require_admin("Experiments")
        if not self.has_table(table):
            return _empty(_NO_EXPERIMENTS_NOTE.format(table=table))
        frame = self.sql(f"SELECT * FROM {table}")
        if frame.empty:
            frame.attrs[_NOTE] = (
                f"No experiments yet: the {table} table is empty. Run one in the Persona "
                "Lab or with `coach experiment run spec.yaml`."
            )
        return frame

    # --- the live file ------------------------------------------------------------

    @contextmanager
    def _live(self, connection: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """The live file attached read-only to ``connection``, detached on exit.

        While it is attached the app cannot open the file, so callers keep it short.
        """
        self._attach(connection)
        attached = time.monotonic()
        try:
            yield _LIVE_ALIAS
        finally:
            try:
                connection.execute("USE memory")
                connection.execute(f"DETACH {_LIVE_ALIAS}")
            finally:
                self._last_hold_seconds = time.monotonic() - attached

    def _attach(self, connection: duckdb.DuckDBPyConnection) -> None:
        target = str(self.path).replace("'", "''")
        _, self._last_wait_seconds = retry_while_locked(
            lambda: connection.execute(f"ATTACH '{target}' AS {_LIVE_ALIAS} (READ_ONLY)"),
            path=self.path,
            timeout_seconds=self._settings.lock_timeout_seconds,
            busy_message=busy_message(self.path, self._settings.lock_timeout_seconds),
            first_backoff_seconds=_FIRST_BACKOFF_SECONDS,
            max_backoff_seconds=_MAX_BACKOFF_SECONDS,
        )


def copy_postgres(url: str, target: duckdb.DuckDBPyConnection) -> datetime:
    """Every table of the workbench's schema from the PostgreSQL database at ``url`` into
    ``target`` (DuckDB, migrated here to today's schema first), from one consistent
    snapshot; returns when the snapshot was taken. Columns PostgreSQL lacks stay empty
    and tables it lacks (experiments, for now) stay empty."""
    import tempfile

    import psycopg

    from coach.store.migrations import migrate

    migrate(target)
    wanted = [
        str(row[0])
        for row in target.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_version' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    with (
        psycopg.connect(url) as source,
        tempfile.TemporaryDirectory(prefix="coach-analysis-") as folder,
    ):
        source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        source.execute("SET TimeZone = 'UTC'")
        taken = datetime.now(UTC)
        present: dict[str, set[str]] = {}
        for table, column in source.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall():
            present.setdefault(table, set()).add(column)
        for table in wanted:
            if table not in present:
                continue
            columns = [
                str(row[0])
                for row in target.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                    "ORDER BY column_index",
                    [table],
                ).fetchall()
                if row[0] in present[table]
            ]
            listed = ", ".join(columns)
            csv = Path(folder) / f"{table}.csv"
            with (
                source.cursor() as cursor,
                cursor.copy(f"COPY (SELECT {listed} FROM {table}) TO STDOUT (FORMAT csv)") as copy,  # type: ignore[arg-type]
                csv.open("wb") as out,
            ):
                for chunk in copy:
                    out.write(chunk)
            if csv.stat().st_size == 0:
                continue
            # PostgreSQL's CSV dialect, spelled out; it writes NULL as nothing and an
            # empty string as "".
            target.execute(
                f"COPY {table} ({listed}) FROM '{csv}' (FORMAT csv, HEADER false, "
                "DELIMITER ',', QUOTE '\"', ESCAPE '\"', AUTO_DETECT false, "
                "ALLOW_QUOTED_NULLS false)"
            )
    return taken


def _empty(note: str) -> pd.DataFrame:
    frame = pd.DataFrame()
    frame.attrs[_NOTE] = note
    return frame


def busy_message(path: Path, timeout_seconds: float) -> str:
    """What an analyst reads when the app kept the file longer than they waited."""
    return (
        f"The workbench database at {path} stayed busy for {timeout_seconds:g} "
        "seconds (another program holds it open, e.g. a script without idle "
        "release). Try again, or allow a longer wait (lock_timeout_seconds)."
    )
