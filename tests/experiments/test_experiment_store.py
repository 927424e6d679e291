"""The experiment store's contract, on a DuckDB file and on PostgreSQL: what is written
reads back exactly, survives a restart, belongs to its owner, and a run is claimed by
exactly one process."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coach.agents.rollout import Rollout
from coach.analysis import open_analysis
from coach.domain import new_id, utc_now
from coach.errors import ExperimentError
from coach.experiments.records import ExperimentStatus, PairResult
from coach.experiments.store import ExperimentStore, build_experiment_store
from coach.store.sql_store import SqlSessionStore
from coach.users import Actor
from tests.backends import Backend
from tests.experiments.test_runner import BASE, LOCAL_USER, items, make_experiment
from tests.store.conftest import at_once

ALICE = Actor(issuer="https://id.example.org", subject="alice", email="alice@example.org")
ADMIN = Actor(issuer="https://id.example.org", subject="root", email="", is_admin=True)


def result(experiment_id: str, variant: str, item_id: str, **fields: object) -> PairResult:
    values: dict[str, object] = {
        "experiment_id": experiment_id,
        "variant": variant,
        "item_id": item_id,
        "repeat": 0,
        "fingerprint": f"fp-{variant}",
        "item_hash": f"hash-{item_id}",
        "ok": True,
        "score": 6.5,
        "quality": 7.25,
        "quality_dimensions": {"specific": 8.0},
        "rubric": {"structure": 6.0},
        "judge": "offline",
        "created_at": utc_now(),
        **fields,
    }
    return PairResult.model_validate(values)


def test_an_experiment_reads_back_exactly_and_survives_a_restart(
    backend: Backend, sessions: SqlSessionStore, store: ExperimentStore
) -> None:
    data = items(3)
    experiment = make_experiment(store, data, repeats=2)
    sessions.close()

    with backend.open() as reopened:
        again = build_experiment_store(reopened)
        assert again.get(LOCAL_USER, experiment.id) == experiment
        assert again.items(experiment.id) == data
        assert again.list(LOCAL_USER) == [experiment]
        assert again.find(LOCAL_USER, experiment.id[:6]) == [experiment.id]
        assert again.find(LOCAL_USER, "no-such-prefix") == []


def test_experiments_list_newest_first_and_count_their_results(store: ExperimentStore) -> None:
    first = make_experiment(store, items(2))
    second = make_experiment(store, items(2))
    store.add_results(
        [
            result(first.id, "A", "item-0"),
            result(first.id, "B", "item-0", ok=False, score=None, error="timed out"),
            result(first.id, "A", "item-0", score=1.0),  # the same pair again: kept as it was
        ]
    )

    assert [e.id for e in store.list(LOCAL_USER)] == [second.id, first.id]
    assert store.counts([first.id, second.id]) == {first.id: (2, 1)}
    assert store.counts([]) == {}
    assert {r.score for r in store.results(first.id)} == {6.5, None}
    assert store.done(first.id) == {("A", "item-0", 0), ("B", "item-0", 0)}


def test_another_persons_experiment_reads_as_missing_and_an_admin_reads_all(
    store: ExperimentStore,
) -> None:
    mine = make_experiment(store, items(1))

    with pytest.raises(ExperimentError, match="There is no experiment"):
        store.get(ALICE, mine.id)
    assert store.list(ALICE) == [] and store.find(ALICE, mine.id[:4]) == []
    with pytest.raises(ExperimentError, match="There is no experiment"):
        store.delete(ALICE, mine.id)
    with pytest.raises(ExperimentError, match="There is no experiment"):
        store.delete(ADMIN, mine.id)  # an admin reads everyone's, changes only their own
    assert store.get(ADMIN, mine.id).id == mine.id


def test_deleting_an_experiment_deletes_its_items_and_results(store: ExperimentStore) -> None:
    experiment = make_experiment(store, items(2))
    store.add_results([result(experiment.id, "A", "item-0")])

    store.delete(LOCAL_USER, experiment.id)

    with pytest.raises(ExperimentError):
        store.get(LOCAL_USER, experiment.id)
    assert store.items(experiment.id) == [] and store.results(experiment.id) == []


def test_status_runner_and_heartbeat_are_stored(store: ExperimentStore) -> None:
    experiment = make_experiment(store, items(1))
    store.set_status(experiment.id, ExperimentStatus.RUNNING, runner="host-a:1")
    running = store.get(LOCAL_USER, experiment.id)
    store.touch(experiment.id)
    store.set_status(experiment.id, ExperimentStatus.FINISHED, "Finished: 2 pairs.")

    finished = store.get(LOCAL_USER, experiment.id)
    assert running.status is ExperimentStatus.RUNNING and running.runner == "host-a:1"
    assert finished.status is ExperimentStatus.FINISHED
    assert finished.message == "Finished: 2 pairs." and finished.runner == "host-a:1"
    assert finished.updated_at > running.updated_at > experiment.updated_at


def test_the_cache_gives_the_first_good_result_of_the_same_parameters_and_item(
    store: ExperimentStore,
) -> None:
    first = make_experiment(store, items(2))
    second = make_experiment(store, items(2))
    early = utc_now() - timedelta(hours=1)
    store.add_results(
        [
            result(first.id, "A", "item-0", score=5.0, created_at=early),
            result(second.id, "A", "item-0", score=9.0),  # later: not the one given
            result(first.id, "A", "item-1", fallback=True),  # the offline coach's: not cached
            result(first.id, "B", "item-0", ok=False, score=None, error="timed out"),
            result(first.id, "B", "item-1", judge="strict_coach"),  # another judge
            result(first.id, "A", "item-0", repeat=1, score=4.0),
        ]
    )

    found = store.cached(
        [
            ("fp-A", "hash-item-0", 0),
            ("fp-A", "hash-item-1", 0),
            ("fp-B", "hash-item-0", 0),
            ("fp-B", "hash-item-1", 0),
            ("fp-A", "hash-item-0", 1),
            ("fp-A", "hash-item-0", 2),
        ],
        judge="offline",
    )

    assert {key: hit.score for key, hit in found.items()} == {
        ("fp-A", "hash-item-0", 0): 5.0,
        ("fp-A", "hash-item-0", 1): 4.0,
    }
    assert store.cached([], judge="offline") == {}


def test_one_rollout_is_active_per_base_persona(store: ExperimentStore) -> None:
    experiment = make_experiment(store, items(1))
    variant = experiment.variant("B")
    assert variant is not None

    def rollout(share: float) -> Rollout:
        return Rollout(
            id=new_id(),
            base_persona=BASE.name,
            variant="B",
            experiment_id=experiment.id,
            persona=variant.persona,
            share=share,
            created_at=utc_now(),
        )

    old = store.save_rollout(LOCAL_USER, rollout(0.1))
    new = store.save_rollout(LOCAL_USER, rollout(0.5))
    ramped = store.save_rollout(LOCAL_USER, new.model_copy(update={"share": 0.9}))

    assert store.rollouts() == [ramped]
    everything = store.rollouts(active_only=False)
    assert [(r.id, r.active) for r in everything] == [(new.id, True), (old.id, False)]
    store.save_rollout(LOCAL_USER, ramped.model_copy(update={"active": False}))
    assert store.rollouts() == []


def test_of_several_processes_claiming_a_run_at_once_exactly_one_gets_it(
    backend: Backend, sessions: SqlSessionStore, store: ExperimentStore
) -> None:
    experiment = make_experiment(store, items(1))
    # On PostgreSQL a pool each, as replicas have; a DuckDB file has one writing
    # process, whose threads share its store.
    claimers = [backend.open() for _ in range(4)] if backend.name == "postgresql" else []
    won: list[str] = []
    try:

        def claim(number: int) -> None:
            runner = f"host-{number}:{1000 + number}"
            claimer = claimers[number % len(claimers)] if claimers else sessions
            if build_experiment_store(claimer).claim(experiment.id, runner):
                won.append(runner)

        assert at_once([lambda n=n: claim(n) for n in range(8)]) == []
    finally:
        for claimer in claimers:
            claimer.close()

    assert len(won) == 1
    stored = store.get(LOCAL_USER, experiment.id)
    assert stored.status is ExperimentStatus.RUNNING and stored.runner == won[0]


def test_a_claim_takes_over_only_the_dead_run_it_saw(store: ExperimentStore) -> None:
    experiment = make_experiment(store, items(1))
    assert store.claim(experiment.id, "host-a:1")
    assert store.claim(experiment.id, "host-a:1"), "its own run: claimed again"
    assert not store.claim(experiment.id, "host-b:2"), "running elsewhere"

    # host-a died; two processes saw it and both try to take over: one does.
    assert store.claim(experiment.id, "host-b:2", replacing="host-a:1")
    assert not store.claim(experiment.id, "host-c:3", replacing="host-a:1")
    # host-b's run beat a moment ago: a claim that wants it silent for 10 s fails.
    assert not store.claim(experiment.id, "host-c:3", replacing="host-b:2", silent_for=10)
    assert 0 <= (store.heartbeat_age(experiment.id) or -1) < 10
    assert store.heartbeat_age("no-such-experiment") is None

    store.set_status(experiment.id, ExperimentStatus.CANCELLED, "Cancelled.")
    assert store.claim(experiment.id, "host-c:3"), "a stopped run is anyone's to resume"
    stored = store.get(LOCAL_USER, experiment.id)
    assert (stored.status, stored.runner, stored.message) == (
        ExperimentStatus.RUNNING,
        "host-c:3",
        "",
    )
    assert not store.claim("no-such-experiment", "host-c:3")


def test_notebooks_read_the_experiments_and_their_results_on_either_engine(
    backend: Backend, sessions: SqlSessionStore, store: ExperimentStore
) -> None:
    experiment = make_experiment(store, items(2))
    store.add_results([result(experiment.id, v, f"item-{n}") for v in "AB" for n in range(2)])
    sessions.close()  # a DuckDB file is read once the app lets go (it would be asked)

    settings = backend.settings()
    url = settings.url.get_secret_value() if settings.url is not None else None
    with open_analysis(settings.path, url=url) as analysis:
        experiments = analysis.experiments()
        results = analysis.experiment_results()

    assert list(experiments["id"]) == [experiment.id]
    assert list(experiments["name"]) == [experiment.name]
    assert len(results) == 4 and set(results["variant"]) == {"A", "B"}
    assert sorted(results["quality"]) == [7.25] * 4
