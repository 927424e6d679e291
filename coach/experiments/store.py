"""``ExperimentStore``: what the Persona Lab keeps, whatever database keeps it.

The protocol sits beside the records it stores (``coach.experiments.records``), so
``coach.store`` never imports experiments. Two implementations share one SQL
(``coach.experiments.sql_store``): ``DuckDBExperimentStore`` in the DuckDB file beside
the sessions, and ``PostgresExperimentStore`` on the PostgreSQL store's pool, so app
replicas see each other's experiments; one contract suite (tests/experiments) runs on
both. ``build_experiment_store`` picks the one for a session store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from coach.agents.rollout import Rollout
from coach.experiments.datasets import DatasetItem
from coach.experiments.records import Experiment, ExperimentStatus, PairKey, PairResult
from coach.store.base import SessionStore
from coach.users import Actor

__all__ = ["ExperimentStore", "build_experiment_store"]


class ExperimentStore(Protocol):
    """Experiments, their items, one result per (variant, item, repeat), and rollouts."""

    @property
    def where(self) -> str:
        """Where the experiments are (a file, or a database and its host), for messages."""
        ...

    def create(
        self, actor: Actor, experiment: Experiment, items: Sequence[DatasetItem]
    ) -> Experiment: ...

    def get(self, actor: Actor, experiment_id: str) -> Experiment:
        """Raises ``ExperimentError`` for a missing id and for another person's alike."""
        ...

    def list(self, actor: Actor, limit: int = 200) -> list[Experiment]:
        """Newest first."""
        ...

    def find(self, actor: Actor, prefix: str) -> list[str]:
        """Ids that start with ``prefix`` (the CLI's short ids), oldest first."""
        ...

    def delete(self, actor: Actor, experiment_id: str) -> None: ...

    def set_status(
        self,
        experiment_id: str,
        status: ExperimentStatus,
        message: str = "",
        *,
        runner: str | None = None,
    ) -> None: ...

    def claim(
        self, experiment_id: str, runner: str, *, replacing: str = "", silent_for: float = 0.0
    ) -> bool:
        """Marks the experiment running by ``runner`` unless another process runs it, in
        one atomic write: of several processes starting it at once, exactly one gets
        True. ``replacing`` is the runner of a run the caller found dead, taken over
        only if it has been silent ``silent_for`` seconds (by the database's clock)."""
        ...

    def touch(self, experiment_id: str) -> None:
        """A running experiment's heartbeat: other processes see it is alive."""
        ...

    def heartbeat_age(self, experiment_id: str) -> float | None:
        """Seconds since the experiment's row last changed, by the database's clock (the
        one clock every replica shares); None for a missing one."""
        ...

    def items(self, experiment_id: str) -> list[DatasetItem]: ...

    def done(self, experiment_id: str) -> set[PairKey]: ...

    def counts(self, experiment_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(stored results, failed results) per experiment."""
        ...

    def add_results(self, results: Sequence[PairResult]) -> int:
        """Stores a batch in one transaction; a pair already stored is kept as it was."""
        ...

    def results(self, experiment_id: str) -> list[PairResult]: ...

    def cached(
        self, wanted: Sequence[tuple[str, str, int]], *, judge: str
    ) -> dict[tuple[str, str, int], PairResult]:
        """The first successful result for each (fingerprint, item_hash, repeat), from
        any experiment, judged by ``judge``."""
        ...

    def save_rollout(self, actor: Actor, rollout: Rollout) -> Rollout:
        """Insert or replace ``rollout``; one active rollout per base persona."""
        ...

    def rollouts(self, *, active_only: bool = True) -> list[Rollout]: ...


def build_experiment_store(sessions: SessionStore) -> ExperimentStore:
    """The experiment store on the same database as ``sessions``: the PostgreSQL one's
    pool, or the DuckDB file's lease."""
    from coach.store.duckdb_store import DuckDBSessionStore

    if isinstance(sessions, DuckDBSessionStore):
        from coach.experiments.duckdb_store import DuckDBExperimentStore

        return DuckDBExperimentStore(sessions)
    from coach.experiments.postgres_store import PostgresExperimentStore
    from coach.store.postgres_store import PostgresSessionStore

    if isinstance(sessions, PostgresSessionStore):
        return PostgresExperimentStore(sessions)
    raise TypeError(f"No experiment store for {sessions!r}")
