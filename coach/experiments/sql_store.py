"""``ExperimentStore`` in SQL both engines run: experiments, their variants and items,
one row per (variant, item, repeat) result, and live rollouts.

Like ``coach.store.sql_store`` for sessions, the statements here are written once, with
DuckDB's ``?`` placeholders (the PostgreSQL cursor translates), and a subclass supplies
the connections (``_write``, ``_read``) and the two bulk writes, where each engine has
its own fast path: DuckDB inserts an Arrow table in one statement, PostgreSQL pipelines
the rows. Results arrive by the hundred while a run is going, so each batch is one
short transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from pydantic import BaseModel

from coach.agents.rollout import Rollout
from coach.domain import as_utc, utc_now
from coach.errors import ExperimentError
from coach.experiments.datasets import DatasetItem
from coach.experiments.records import (
    Experiment,
    ExperimentStatus,
    PairKey,
    PairResult,
    VariantRecord,
)
from coach.experiments.spec import ExperimentSpec
from coach.experiments.variants import PersonaOverrides
from coach.personas import Persona
from coach.store.sql_store import Cursor
from coach.users import Actor

__all__ = ["ITEM_COLUMNS", "RESULT_COLUMNS", "SqlExperimentStore"]

RESULT_COLUMNS = (
    "experiment_id",
    "variant",
    "item_id",
    "repeat",
    "fingerprint",
    "item_hash",
    "ok",
    "score",
    "quality",
    "quality_dimensions",
    "rubric",
    "output",
    "error",
    "fallback",
    "notice",
    "latency_ms",
    "queue_ms",
    "input_tokens",
    "output_tokens",
    "cached",
    "judge",
    "created_at",
)
ITEM_COLUMNS = (
    "experiment_id",
    "item_id",
    "position",
    "question",
    "answer",
    "resume",
    "job_description",
    "reference_score",
    "item_hash",
)
_EXPERIMENT_COLUMNS = (
    "id, name, base_persona, spec, dataset_name, dataset_source, item_count, repeats, "
    "judge, provider, status, message, runner, created_at, updated_at"
)
_OWNER_COLUMNS = "owner_issuer, owner_subject, owner_email"
_RUNNING = ExperimentStatus.RUNNING.value

# The cache: the first successful result of each (fingerprint, item_hash, repeat) among
# the wanted fingerprints and items (a window in a subquery: QUALIFY is DuckDB's only).
_CACHED_SQL = f"""
SELECT {", ".join(RESULT_COLUMNS)} FROM (
    SELECT *, row_number() OVER (
        PARTITION BY fingerprint, item_hash, repeat ORDER BY created_at
    ) AS earliest
    FROM experiment_results
    WHERE ok AND NOT fallback AND judge = ? AND fingerprint = ANY(?) AND item_hash = ANY(?)
) AS first_results
WHERE earliest = 1
"""


class SqlExperimentStore:
    """The shared statements; subclasses give connections and bulk writes."""

    @property
    def where(self) -> str:
        raise NotImplementedError

    # --- what each engine supplies ----------------------------------------------------

    def _write(self) -> AbstractContextManager[Cursor]:
        """One write transaction; experiment writers never collide with session rows."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Cursor]:
        """Reads that never change anything."""
        raise NotImplementedError

    def _insert_items(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        """Inserts ``rows`` (in ``ITEM_COLUMNS`` order) into experiment_items."""
        raise NotImplementedError

    def _insert_results(self, db: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        """Inserts ``rows`` (in ``RESULT_COLUMNS`` order), skipping pairs already stored."""
        raise NotImplementedError

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._read() as db:
            return list(db.execute(sql, list(parameters)).fetchall())

    # --- experiments ------------------------------------------------------------------

    def create(
        self, actor: Actor, experiment: Experiment, items: Sequence[DatasetItem]
    ) -> Experiment:
        with self._write() as db:
            db.execute(
                f"INSERT INTO experiments ({_EXPERIMENT_COLUMNS}, {_OWNER_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    experiment.id,
                    experiment.name,
                    experiment.base_persona,
                    experiment.spec.model_dump_json(),
                    experiment.dataset_name,
                    experiment.dataset_source,
                    experiment.item_count,
                    experiment.repeats,
                    experiment.judge,
                    experiment.provider,
                    experiment.status.value,
                    experiment.message,
                    experiment.runner,
                    experiment.created_at,
                    experiment.updated_at,
                    actor.issuer,
                    actor.subject,
                    actor.email,
                ],
            )
            db.executemany(
                "INSERT INTO experiment_variants "
                "(experiment_id, name, position, overrides, persona, fingerprint) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    [
                        experiment.id,
                        variant.name,
                        variant.position,
                        variant.overrides.model_dump_json(exclude_none=True),
                        variant.persona.model_dump_json(),
                        variant.fingerprint,
                    ]
                    for variant in experiment.variants
                ],
            )
            if items:
                self._insert_items(
                    db,
                    [
                        (
                            experiment.id,
                            item.id,
                            position,
                            item.question,
                            item.answer,
                            item.resume,
                            item.job_description,
                            item.reference_score,
                            item.content_hash(),
                        )
                        for position, item in enumerate(items)
                    ],
                )
        return experiment

    def get(self, actor: Actor, experiment_id: str) -> Experiment:
        """Raises ``ExperimentError`` for a missing id and for another person's alike."""
        scope, owner = _owner_scope(actor)
        rows = self._query(
            f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE id = ? AND {scope}",
            [experiment_id, *owner],
        )
        if not rows:
            raise _not_found(experiment_id)
        return _experiment(rows[0], self._variants([experiment_id]).get(experiment_id, ()))

    def list(self, actor: Actor, limit: int = 200) -> list[Experiment]:
        """Newest first."""
        scope, owner = _owner_scope(actor)
        rows = self._query(
            f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE {scope} "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            [*owner, limit],
        )
        variants = self._variants([row[0] for row in rows])
        return [_experiment(row, variants.get(row[0], ())) for row in rows]

    def set_status(
        self,
        experiment_id: str,
        status: ExperimentStatus,
        message: str = "",
        *,
        runner: str | None = None,
    ) -> None:
        """``runner`` ("host:pid") says which process runs it, for other processes.

        A running experiment's ``updated_at`` is the database's clock (here, in ``claim``
        and ``touch``), so replicas on machines whose clocks differ agree on how long
        a run has been silent (``heartbeat_age``)."""
        with self._write() as db:
            db.execute(
                "UPDATE experiments SET status = ?, message = ?, updated_at = current_timestamp, "
                "runner = coalesce(?, runner) WHERE id = ?",
                [status.value, message, runner, experiment_id],
            )

    def claim(
        self, experiment_id: str, runner: str, *, replacing: str = "", silent_for: float = 0.0
    ) -> bool:
        """Marks the experiment running by ``runner`` unless another process runs it.

        One conditional UPDATE: the row is "running" only by ``runner`` itself, or by
        ``replacing`` (a run the caller found dead) that has been silent for at least
        ``silent_for`` seconds by the database's clock (a run on another host whose
        heartbeat stopped: should it beat again first, the claim fails), or not running
        at all. Two processes claiming at once write the same row: the database makes
        the second wait for the first and then re-checks the condition against the
        first's row (PostgreSQL's row lock; DuckDB's one writing process), so exactly
        one wins.
        """
        with self._write() as db:
            row = db.execute(
                "UPDATE experiments SET status = ?, runner = ?, message = '', "
                "updated_at = current_timestamp "
                "WHERE id = ? AND (status <> ? OR runner = ? OR (runner = ? AND "
                "extract(epoch FROM current_timestamp - updated_at) >= ?))",
                [_RUNNING, runner, experiment_id, _RUNNING, runner, replacing, silent_for],
            ).fetchone()
        return row is not None and row[0] == 1

    def touch(self, experiment_id: str) -> None:
        """A running experiment's heartbeat: other processes see it is alive."""
        with self._write() as db:
            db.execute(
                "UPDATE experiments SET updated_at = current_timestamp WHERE id = ?",
                [experiment_id],
            )

    def heartbeat_age(self, experiment_id: str) -> float | None:
        """Seconds since the experiment's row last changed, by the database's clock;
        None for a missing one."""
        rows = self._query(
            "SELECT extract(epoch FROM current_timestamp - updated_at) FROM experiments "
            "WHERE id = ?",
            [experiment_id],
        )
        return float(rows[0][0]) if rows else None

    def find(self, actor: Actor, prefix: str) -> list[str]:
        """Ids that start with ``prefix`` (the CLI's short ids), oldest first."""
        scope, owner = _owner_scope(actor)
        rows = self._query(
            f"SELECT id FROM experiments WHERE starts_with(id, ?) AND {scope} "
            "ORDER BY created_at, id",
            [prefix, *owner],
        )
        return [row[0] for row in rows]

    def delete(self, actor: Actor, experiment_id: str) -> None:
        """Deletes one of the actor's own experiments; another's reads as not found."""
        scope, owner = _owner_scope(actor, write=True)
        with self._write() as db:
            found = db.execute(
                f"SELECT 1 FROM experiments WHERE id = ? AND {scope}", [experiment_id, *owner]
            ).fetchone()
            if found is None:
                raise _not_found(experiment_id)
            for table in ("experiment_results", "experiment_items", "experiment_variants"):
                db.execute(f"DELETE FROM {table} WHERE experiment_id = ?", [experiment_id])
            db.execute("DELETE FROM experiments WHERE id = ?", [experiment_id])

    def items(self, experiment_id: str) -> list[DatasetItem]:
        rows = self._query(
            "SELECT item_id, question, answer, resume, job_description, reference_score "
            "FROM experiment_items WHERE experiment_id = ? ORDER BY position",
            [experiment_id],
        )
        return [
            DatasetItem(
                id=row[0],
                question=row[1],
                answer=row[2],
                resume=row[3],
                job_description=row[4],
                reference_score=row[5],
            )
            for row in rows
        ]

    # --- results ----------------------------------------------------------------------

    def done(self, experiment_id: str) -> set[PairKey]:
        rows = self._query(
            "SELECT variant, item_id, repeat FROM experiment_results WHERE experiment_id = ?",
            [experiment_id],
        )
        return {PairKey(*row) for row in rows}

    def counts(self, experiment_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(stored results, failed results) per experiment."""
        ids = list(experiment_ids)
        if not ids:
            return {}
        rows = self._query(
            "SELECT experiment_id, count(*), count(*) FILTER (WHERE NOT ok) "
            "FROM experiment_results WHERE experiment_id IN "
            f"({', '.join('?' for _ in ids)}) GROUP BY experiment_id",
            ids,
        )
        return {row[0]: (int(row[1]), int(row[2])) for row in rows}

    def add_results(self, results: Sequence[PairResult]) -> int:
        """Stores a batch in one transaction; a pair already stored is kept as it was."""
        if not results:
            return 0
        with self._write() as db:
            self._insert_results(db, [_result_row(result) for result in results])
        return len(results)

    def results(self, experiment_id: str) -> list[PairResult]:
        rows = self._query(
            f"SELECT {', '.join(RESULT_COLUMNS)} FROM experiment_results "
            "WHERE experiment_id = ? ORDER BY variant, item_id, repeat",
            [experiment_id],
        )
        return [result_from_row(row) for row in rows]

    def cached(
        self, wanted: Sequence[tuple[str, str, int]], *, judge: str
    ) -> dict[tuple[str, str, int], PairResult]:
        """Earlier successful results for (fingerprint, item_hash, repeat), from any
        experiment, judged by ``judge``: the cache that makes an unchanged variant free."""
        if not wanted:
            return {}
        keys = set(wanted)
        rows = self._query(
            _CACHED_SQL,
            [judge, sorted({w[0] for w in keys}), sorted({w[1] for w in keys})],
        )
        found: dict[tuple[str, str, int], PairResult] = {}
        for row in rows:
            result = result_from_row(row)
            key = (result.fingerprint, result.item_hash, result.repeat)
            if key in keys:  # the query matched fingerprints and items, not their pairs
                found[key] = result
        return found

    # --- rollouts ---------------------------------------------------------------------

    def save_rollout(self, actor: Actor, rollout: Rollout) -> Rollout:
        """Insert or replace ``rollout``; one active rollout per base persona."""
        with self._write() as db:
            if rollout.active:
                db.execute(
                    "UPDATE rollouts SET active = false, updated_at = ? "
                    "WHERE base_persona = ? AND id <> ? AND active",
                    [utc_now(), rollout.base_persona, rollout.id],
                )
            db.execute("DELETE FROM rollouts WHERE id = ?", [rollout.id])
            db.execute(
                "INSERT INTO rollouts (id, base_persona, variant, experiment_id, persona, share, "
                f"active, created_at, updated_at, {_OWNER_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    rollout.id,
                    rollout.base_persona,
                    rollout.variant,
                    rollout.experiment_id,
                    rollout.persona.model_dump_json(),
                    rollout.share,
                    rollout.active,
                    rollout.created_at,
                    utc_now(),
                    actor.issuer,
                    actor.subject,
                    actor.email,
                ],
            )
        return rollout

    def rollouts(self, *, active_only: bool = True) -> list[Rollout]:
        rows = self._query(
            "SELECT id, base_persona, variant, experiment_id, persona, share, active, "
            "created_at FROM rollouts"
            + (" WHERE active" if active_only else "")
            + " ORDER BY created_at DESC, id DESC"
        )
        return [
            Rollout(
                id=row[0],
                base_persona=row[1],
                variant=row[2],
                experiment_id=row[3],
                persona=Persona.model_validate_json(row[4]),
                share=row[5],
                active=row[6],
                created_at=as_utc(row[7]),
            )
            for row in rows
        ]

    # --- rows -------------------------------------------------------------------------

    def _variants(self, experiment_ids: Sequence[str]) -> dict[str, tuple[VariantRecord, ...]]:
        if not experiment_ids:
            return {}
        rows = self._query(
            "SELECT experiment_id, name, position, overrides, persona, fingerprint "
            "FROM experiment_variants WHERE experiment_id IN "
            f"({', '.join('?' for _ in experiment_ids)}) ORDER BY experiment_id, position",
            list(experiment_ids),
        )
        found: dict[str, list[VariantRecord]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(
                VariantRecord(
                    name=row[1],
                    position=row[2],
                    overrides=PersonaOverrides.model_validate_json(row[3]),
                    persona=Persona.model_validate_json(row[4]),
                    fingerprint=row[5],
                )
            )
        return {key: tuple(value) for key, value in found.items()}


def _experiment(row: Sequence[Any], variants: Sequence[VariantRecord]) -> Experiment:
    return Experiment(
        id=row[0],
        name=row[1],
        base_persona=row[2],
        spec=ExperimentSpec.model_validate_json(row[3]),
        variants=tuple(variants),
        dataset_name=row[4],
        dataset_source=row[5],
        item_count=row[6],
        repeats=row[7],
        judge=row[8],
        provider=row[9],
        status=ExperimentStatus(row[10]),
        message=row[11],
        runner=row[12],
        created_at=as_utc(row[13]),
        updated_at=as_utc(row[14]),
    )


# Stored as JSON text; every other result column holds the field's value as it is.
_JSON_COLUMNS = frozenset({"quality_dimensions", "rubric", "output"})


def _result_row(result: PairResult) -> tuple[Any, ...]:
    """``result`` in ``RESULT_COLUMNS`` order, the nested fields as JSON text."""
    return tuple(
        _json(getattr(result, column)) if column in _JSON_COLUMNS else getattr(result, column)
        for column in RESULT_COLUMNS
    )


def _json(value: object) -> str | None:
    if value is None:
        return None
    return value.model_dump_json() if isinstance(value, BaseModel) else json.dumps(value)


def result_from_row(row: Sequence[Any]) -> PairResult:
    """A stored result row (``RESULT_COLUMNS`` order) as the record it was written from."""
    fields = dict(zip(RESULT_COLUMNS, row, strict=True))
    for column in _JSON_COLUMNS:
        if fields[column] is not None:
            fields[column] = json.loads(fields[column])
    fields["created_at"] = as_utc(fields["created_at"])
    return PairResult.model_validate(fields)


def _not_found(experiment_id: str) -> ExperimentError:
    return ExperimentError(
        f"There is no experiment {experiment_id}: it was deleted or never created."
    )


def _owner_scope(actor: Actor, *, write: bool = False) -> tuple[str, list[Any]]:
    """The condition on ``experiments`` for rows the actor may read (an admin: all), or
    change (only their own)."""
    if actor.is_admin and not write:
        return "TRUE", []
    return "owner_issuer = ? AND owner_subject = ?", [actor.issuer, actor.subject]
