"""Persona experiments in DuckDB (migration 6): experiments, their variants and items,
one row per (variant, item, repeat) result, and live rollouts.

DuckDB-only, like ``coach.store.spans``: results arrive by the hundred while a run is
going, so a batch is one Arrow table and one ``INSERT ... SELECT`` in one short
transaction on the store's lease (a row at a time would cost a commit each).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from coach.agents.rollout import Rollout
from coach.domain import utc_now
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
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor

if TYPE_CHECKING:  # pyarrow (and numpy under it) loads with the first write, not at start
    import pyarrow as pa

__all__ = ["ExperimentStore"]

_RESULT_COLUMNS = (
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


@cache
def _result_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    return {
        "repeat": pa.int32(),
        "ok": pa.bool_(),
        "score": pa.float64(),
        "quality": pa.float64(),
        "fallback": pa.bool_(),
        "latency_ms": pa.float64(),
        "queue_ms": pa.float64(),
        "input_tokens": pa.int32(),
        "output_tokens": pa.int32(),
        "cached": pa.bool_(),
        "created_at": pa.timestamp("us", tz="UTC"),
    }


_EXPERIMENT_COLUMNS = (
    "id, name, base_persona, spec, dataset_name, dataset_source, item_count, repeats, "
    "judge, provider, status, message, runner, created_at, updated_at"
)
_OWNER_COLUMNS = "owner_issuer, owner_subject, owner_email"
_RESULTS_VIEW = "coach_experiment_results_batch"
_WANTED_VIEW = "coach_experiment_cache_keys"


class ExperimentStore:
    """Reads and writes experiments through ``store``'s connection lease."""

    def __init__(self, store: DuckDBSessionStore) -> None:
        self._store = store

    # --- experiments ------------------------------------------------------------------

    def create(
        self, actor: Actor, experiment: Experiment, items: Sequence[DatasetItem]
    ) -> Experiment:
        import pyarrow as pa

        with self._store.transaction() as db:
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
                "INSERT INTO experiment_variants VALUES (?, ?, ?, ?, ?, ?)",
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
            db.register(
                _RESULTS_VIEW,
                pa.table(
                    {
                        "experiment_id": [experiment.id] * len(items),
                        "item_id": [item.id for item in items],
                        "position": pa.array(range(len(items)), type=pa.int32()),
                        "question": [item.question for item in items],
                        "answer": [item.answer for item in items],
                        "resume": [item.resume for item in items],
                        "job_description": [item.job_description for item in items],
                        "reference_score": pa.array(
                            [item.reference_score for item in items], type=pa.float64()
                        ),
                        "item_hash": [item.content_hash() for item in items],
                    }
                ),
            )
            try:
                db.execute(f"INSERT INTO experiment_items SELECT * FROM {_RESULTS_VIEW}")
            finally:
                db.unregister(_RESULTS_VIEW)
        return experiment

    def get(self, actor: Actor, experiment_id: str) -> Experiment:
        """Raises ``ExperimentError`` for a missing id and for another person's alike."""
        scope, owner = _owner_scope(actor)
        rows = self._store.query(
            f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE id = ? AND {scope}",
            [experiment_id, *owner],
        )
        if not rows:
            raise ExperimentError(
                f"There is no experiment {experiment_id}: it was deleted or never created."
            )
        return self._experiment(rows[0], self._variants([experiment_id])[experiment_id])

    def list(self, actor: Actor, limit: int = 200) -> list[Experiment]:
        """Newest first."""
        scope, owner = _owner_scope(actor)
        rows = self._store.query(
            f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE {scope} "
            "ORDER BY created_at DESC LIMIT ?",
            [*owner, limit],
        )
        variants = self._variants([row[0] for row in rows])
        return [self._experiment(row, variants.get(row[0], ())) for row in rows]

    def set_status(
        self,
        experiment_id: str,
        status: ExperimentStatus,
        message: str = "",
        *,
        runner: str | None = None,
    ) -> None:
        """``runner`` ("host:pid") says which process runs it, for other processes."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE experiments SET status = ?, message = ?, updated_at = ?, "
                "runner = coalesce(?, runner) WHERE id = ?",
                [status.value, message, utc_now(), runner, experiment_id],
            )

    def touch(self, experiment_id: str) -> None:
        """A running experiment's heartbeat: other processes see it is alive."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE experiments SET updated_at = ? WHERE id = ?", [utc_now(), experiment_id]
            )

    def find(self, actor: Actor, prefix: str) -> list[str]:
        """Ids that start with ``prefix`` (the CLI's short ids), oldest first."""
        scope, owner = _owner_scope(actor)
        rows = self._store.query(
            f"SELECT id FROM experiments WHERE starts_with(id, ?) AND {scope} ORDER BY created_at",
            [prefix, *owner],
        )
        return [row[0] for row in rows]

    def delete(self, actor: Actor, experiment_id: str) -> None:
        """Deletes one of the actor's own experiments; another's reads as not found."""
        scope, owner = _owner_scope(actor, write=True)
        with self._store.transaction() as db:
            found = db.execute(
                f"SELECT 1 FROM experiments WHERE id = ? AND {scope}", [experiment_id, *owner]
            ).fetchone()
            if found is None:
                raise ExperimentError(
                    f"There is no experiment {experiment_id}: it was deleted or never created."
                )
            for table in ("experiment_results", "experiment_items", "experiment_variants"):
                db.execute(f"DELETE FROM {table} WHERE experiment_id = ?", [experiment_id])
            db.execute("DELETE FROM experiments WHERE id = ?", [experiment_id])

    def items(self, experiment_id: str) -> list[DatasetItem]:
        rows = self._store.query(
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
        rows = self._store.query(
            "SELECT variant, item_id, repeat FROM experiment_results WHERE experiment_id = ?",
            [experiment_id],
        )
        return {PairKey(*row) for row in rows}

    def counts(self, experiment_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(stored results, failed results) per experiment."""
        ids = list(experiment_ids)
        if not ids:
            return {}
        rows = self._store.query(
            "SELECT experiment_id, count(*), count(*) FILTER (WHERE NOT ok) "
            "FROM experiment_results WHERE experiment_id IN "
            f"({', '.join('?' for _ in ids)}) GROUP BY experiment_id",
            ids,
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def add_results(self, results: Sequence[PairResult]) -> int:
        """Store a batch in one transaction; a pair already stored is kept as it was."""
        import pyarrow as pa

        if not results:
            return 0
        table = pa.table(
            {
                column: pa.array(values, type=_result_types().get(column, pa.string()))
                for column, values in zip(
                    _RESULT_COLUMNS,
                    zip(*(_result_row(r) for r in results), strict=True),
                    strict=True,
                )
            }
        )
        with self._store.transaction() as db:
            db.register(_RESULTS_VIEW, table)
            try:
                db.execute(
                    f"INSERT INTO experiment_results ({', '.join(_RESULT_COLUMNS)}) "
                    f"SELECT * FROM {_RESULTS_VIEW} ON CONFLICT DO NOTHING"
                )
            finally:
                db.unregister(_RESULTS_VIEW)
        return len(results)

    def results(self, experiment_id: str) -> list[PairResult]:
        rows = self._store.query(
            f"SELECT {', '.join(_RESULT_COLUMNS)} FROM experiment_results "
            "WHERE experiment_id = ? ORDER BY variant, item_id, repeat",
            [experiment_id],
        )
        return [_result(row) for row in rows]

    def cached(
        self, wanted: Sequence[tuple[str, str, int]], *, judge: str
    ) -> dict[tuple[str, str, int], PairResult]:
        """Earlier successful results for (fingerprint, item_hash, repeat), from any
        experiment, judged by ``judge``: the cache that makes an unchanged variant free."""
        if not wanted:
            return {}
        import pyarrow as pa

        keys = pa.table(
            {
                "fingerprint": [w[0] for w in wanted],
                "item_hash": [w[1] for w in wanted],
                "repeat": pa.array([w[2] for w in wanted], type=pa.int32()),
            }
        )
        columns = ", ".join(f"r.{column}" for column in _RESULT_COLUMNS)
        with self._store.transaction() as db:
            db.register(_WANTED_VIEW, keys)
            try:
                rows = db.execute(
                    f"SELECT {columns} FROM experiment_results r "
                    f"JOIN {_WANTED_VIEW} w USING (fingerprint, item_hash, repeat) "
                    "WHERE r.ok AND NOT r.fallback AND r.judge = ? "
                    "QUALIFY row_number() OVER "
                    "(PARTITION BY r.fingerprint, r.item_hash, r.repeat ORDER BY r.created_at) = 1",
                    [judge],
                ).fetchall()
            finally:
                db.unregister(_WANTED_VIEW)
        found: dict[tuple[str, str, int], PairResult] = {}
        for row in rows:
            result = _result(row)
            found[(result.fingerprint, result.item_hash, result.repeat)] = result
        return found

    # --- rollouts ---------------------------------------------------------------------

    def save_rollout(self, actor: Actor, rollout: Rollout) -> Rollout:
        """Insert or replace ``rollout``; one active rollout per base persona."""
        with self._store.transaction() as db:
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
        rows = self._store.query(
            "SELECT id, base_persona, variant, experiment_id, persona, share, active, "
            "created_at FROM rollouts"
            + (" WHERE active" if active_only else "")
            + " ORDER BY created_at DESC"
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
                created_at=row[7],
            )
            for row in rows
        ]

    # --- rows -------------------------------------------------------------------------

    def _variants(self, experiment_ids: Sequence[str]) -> dict[str, tuple[VariantRecord, ...]]:
        if not experiment_ids:
            return {}
        rows = self._store.query(
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

    @staticmethod
    def _experiment(row: tuple[Any, ...], variants: Sequence[VariantRecord]) -> Experiment:
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
            created_at=row[13],
            updated_at=row[14],
        )


# Stored as JSON text; every other result column holds the field's value as it is.
_JSON_COLUMNS = frozenset({"quality_dimensions", "rubric", "output"})


def _result_row(result: PairResult) -> tuple[Any, ...]:
    """``result`` in ``_RESULT_COLUMNS`` order, the nested fields as JSON text."""
    return tuple(
        _json(getattr(result, column)) if column in _JSON_COLUMNS else getattr(result, column)
        for column in _RESULT_COLUMNS
    )


def _json(value: object) -> str | None:
    if value is None:
        return None
    return value.model_dump_json() if isinstance(value, BaseModel) else json.dumps(value)


def _result(row: tuple[Any, ...]) -> PairResult:
    fields = dict(zip(_RESULT_COLUMNS, row, strict=True))
    for column in _JSON_COLUMNS:
        if fields[column] is not None:
            fields[column] = json.loads(fields[column])
    return PairResult.model_validate(fields)


def _owner_scope(actor: Actor, *, write: bool = False) -> tuple[str, list[Any]]:
    """The condition on ``experiments`` for rows the actor may read (an admin: all), or
    change (only their own)."""
    if actor.is_admin and not write:
        return "TRUE", []
    return "owner_issuer = ? AND owner_subject = ?", [actor.issuer, actor.subject]
