"""Paired runs on each real store (a DuckDB file, PostgreSQL): every pair once,
resumable, cached, cancellable, failures kept as results."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from coach.agents import AgentFactory
from coach.domain import DimensionScore, EvaluationDraft, RubricDimension, new_id, utc_now
from coach.errors import ProviderTimeout
from coach.experiments.datasets import DatasetItem
from coach.experiments.judging import OfflineJudge
from coach.experiments.records import Experiment, ExperimentStatus, Progress, VariantRecord
from coach.experiments.runner import CancelToken, ExperimentRunner, question_type
from coach.experiments.spec import ExperimentSpec
from coach.experiments.store import ExperimentStore
from coach.experiments.variants import PersonaOverrides, Variant, fingerprint, variant_persona
from coach.personas import Persona, PersonaRegistry, PersonaRole
from coach.providers.base import Completion, ProviderRequest, StreamMeta, T
from coach.users import Actor

BASE = Persona(
    name="feedback_coach",
    role=PersonaRole.FEEDBACK,
    prompt="Score the answer.",
    temperature=0.4,
    concurrency=4,
)

LOCAL_USER = Actor.local()


class CountingProvider:
    """Scores by temperature (the variant's effect), counts every call by pair."""

    name = "counting"

    def __init__(self, *, delay: float = 0.0, fail_answers: frozenset[str] = frozenset()) -> None:
        self.calls: Counter[tuple[float, str]] = Counter()
        self.delay = delay
        self.fail_answers = fail_answers
        self.in_flight = 0
        self.most_in_flight = 0

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        task: Any = request.task
        self.calls[(request.settings.temperature, task.answer)] += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        if task.answer in self.fail_answers:
            raise ProviderTimeout("The model server at 127.0.0.1:9 took longer than 1 s.")
        overall = 7.0 if request.settings.temperature < 0.3 else 5.0
        value = EvaluationDraft(
            overall=overall,
            headline="Clear answer about the 'migration project'.",
            dimensions=[DimensionScore(dimension=d, score=overall) for d in RubricDimension],
            strengths=["You named the migration project and your own part in it."],
            improvements=["Add the result: say how much faster the nightly jobs ran."],
            example_answer="In my last role I led the migration...",
        )
        return Completion[output](  # type: ignore[valid-type]
            value=output.model_validate(value.model_dump()), provider=self.name, model="m"
        )

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> Any:
        raise NotImplementedError


def items(count: int) -> list[DatasetItem]:
    return [
        DatasetItem(
            id=f"item-{n}",
            question="Tell me about a time you improved a slow process.",
            answer=f"Answer number {n}: I led the migration project and cut the run time.",
            reference_score=6.0,
        )
        for n in range(count)
    ]


def make_experiment(
    store: ExperimentStore,
    data: list[DatasetItem],
    *,
    repeats: int = 1,
    provider: str = "counting",
    b_temperature: float = 0.2,
) -> Experiment:
    variants = (
        Variant(name="A"),
        Variant(name="B", overrides=PersonaOverrides(temperature=b_temperature)),
    )
    spec = ExperimentSpec(name="cooler", base_persona=BASE.name, variants=variants, repeats=repeats)
    records = []
    for position, variant in enumerate(variants):
        persona = variant_persona(BASE, variant)
        records.append(
            VariantRecord(
                name=variant.name,
                position=position,
                overrides=variant.overrides,
                persona=persona,
                fingerprint=fingerprint(persona, provider=provider),
            )
        )
    now = utc_now()
    experiment = Experiment(
        id=new_id(),
        name=spec.name,
        base_persona=BASE.name,
        spec=spec,
        variants=tuple(records),
        dataset_name="test items",
        dataset_source="file",
        item_count=len(data),
        repeats=repeats,
        judge="offline",
        provider=provider,
        status=ExperimentStatus.READY,
        created_at=now,
        updated_at=now,
    )
    return store.create(LOCAL_USER, experiment, data)


def runner_for(
    store: ExperimentStore, provider: CountingProvider, **kwargs: Any
) -> ExperimentRunner:
    factory = AgentFactory(PersonaRegistry(personas={BASE.name: BASE}), lambda _p: provider)
    return ExperimentRunner(store, factory, **kwargs)


def test_every_variant_sees_every_item_once_per_repeat(store: ExperimentStore) -> None:
    provider = CountingProvider()
    experiment = make_experiment(store, items(5), repeats=2)
    progress = asyncio.run(runner_for(store, provider).run(experiment, OfflineJudge()))

    assert progress.status is ExperimentStatus.FINISHED and progress.done == 20
    assert sum(provider.calls.values()) == 20
    assert set(provider.calls.values()) == {2}, "each (variant, item) twice: two repeats"
    results = store.results(experiment.id)
    assert len(results) == 20 and all(r.ok for r in results)
    scores = {r.variant: r.score for r in results}
    assert scores == {"A": 5.0, "B": 7.0}, "each variant's own parameters reached the model"
    assert all(r.quality is not None and "calibration" in r.quality_dimensions for r in results)
    assert store.get(LOCAL_USER, experiment.id).status is ExperimentStatus.FINISHED


def test_concurrency_is_the_base_personas(store: ExperimentStore) -> None:
    provider = CountingProvider(delay=0.02)
    experiment = make_experiment(store, items(12))
    asyncio.run(runner_for(store, provider).run(experiment, OfflineJudge()))
    assert provider.most_in_flight == BASE.concurrency


def test_a_cancelled_run_keeps_its_pairs_and_resumes_without_redoing_any(
    store: ExperimentStore,
) -> None:
    provider = CountingProvider(delay=0.005)
    experiment = make_experiment(store, items(20))
    cancel = CancelToken()
    seen: list[int] = []

    def stop_early(progress: Any) -> None:
        seen.append(progress.done)
        if progress.done >= 10:
            cancel.cancel()

    first = asyncio.run(
        runner_for(store, provider).run(
            experiment, OfflineJudge(), on_progress=stop_early, cancel=cancel
        )
    )
    assert first.status is ExperimentStatus.CANCELLED
    assert "kept" in first.message
    stored = len(store.results(experiment.id))
    assert 10 <= stored < 40, "finished pairs are stored, the rest are not run"
    assert stored == sum(provider.calls.values()), "nothing computed was lost"

    second = asyncio.run(runner_for(store, provider).run(experiment, OfflineJudge()))
    assert second.status is ExperimentStatus.FINISHED and second.done == 40
    assert set(provider.calls.values()) == {1}, "no pair ran twice"
    assert len(store.results(experiment.id)) == 40


def test_an_interrupted_run_flushes_what_finished_and_resumes(store: ExperimentStore) -> None:
    provider = CountingProvider(delay=0.01)
    experiment = make_experiment(store, items(40))

    async def cut_off() -> None:
        # Cut off hard (the task cancelled, as a stopping loop does) once some pairs have
        # finished, all of them still in the writer's buffer: whenever that is, on any
        # engine and however busy the machine.
        runner = runner_for(store, provider, flush_every=1000, flush_seconds=1000)
        some_done = asyncio.Event()

        def watch(progress: Progress) -> None:
            if progress.done >= 8:
                some_done.set()

        run = asyncio.create_task(runner.run(experiment, OfflineJudge(), on_progress=watch))
        await some_done.wait()
        run.cancel()
        await run

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cut_off())
    assert store.get(LOCAL_USER, experiment.id).status is ExperimentStatus.INTERRUPTED
    kept = {r.key for r in store.results(experiment.id)}
    assert kept, "the buffered results were written when the run was cut off"

    asyncio.run(runner_for(store, provider).run(experiment, OfflineJudge()))
    assert len(store.results(experiment.id)) == 80
    in_flight_when_cut = sum(provider.calls.values()) - 80
    assert 0 <= in_flight_when_cut <= BASE.concurrency, (
        "only calls that were in flight when the run was cut off ran again"
    )


def test_an_unchanged_variant_costs_nothing_the_second_time(store: ExperimentStore) -> None:
    provider = CountingProvider()
    data = items(6)
    first = make_experiment(store, data)
    asyncio.run(runner_for(store, provider).run(first, OfflineJudge()))
    assert sum(provider.calls.values()) == 12

    # Same A, a new B: only B's pairs are run; A's come from the cache.
    second = make_experiment(store, data, b_temperature=0.1)
    progress = asyncio.run(runner_for(store, provider).run(second, OfflineJudge()))
    assert sum(provider.calls.values()) == 18
    assert progress.cached == 6
    results = store.results(second.id)
    assert {r.variant for r in results if r.cached} == {"A"}
    assert len(results) == 12

    # Another provider never reuses these results.
    third = make_experiment(store, data, provider="another")
    asyncio.run(runner_for(store, provider).run(third, OfflineJudge()))
    assert sum(provider.calls.values()) == 30


def test_failures_are_results_and_the_run_goes_on(store: ExperimentStore) -> None:
    data = items(4)
    provider = CountingProvider(fail_answers=frozenset({data[1].answer}))
    experiment = make_experiment(store, data)
    progress = asyncio.run(runner_for(store, provider).run(experiment, OfflineJudge()))
    assert progress.status is ExperimentStatus.FINISHED and progress.failed == 2
    failed = [r for r in store.results(experiment.id) if not r.ok]
    assert {r.item_id for r in failed} == {data[1].id}
    assert all("took longer" in r.error for r in failed)
    assert "2 failed" in progress.message


def test_question_types_are_read_from_the_wording() -> None:
    assert question_type("Tell me about a time you failed.").value == "behavioural"
    assert question_type("What would you do if a deadline slipped?").value == "situational"
    assert question_type("How would you design a URL shortener?").value == "technical"
    assert question_type("Why do you want this role?").value == "role_specific"


class RefusingJudge:
    """A judge persona whose model is down for one answer."""

    name = "refusing"

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse

    async def judge(self, item: DatasetItem, output: Any) -> Any:
        if item.answer == self.refuse:
            raise ProviderTimeout("The model server at 127.0.0.1:9 took longer than 1 s.")
        return await OfflineJudge().judge(item, output)


def test_a_judge_that_cannot_rate_fails_that_pair_only(store: ExperimentStore) -> None:
    data = items(3)
    experiment = make_experiment(store, data)
    progress = asyncio.run(
        runner_for(store, CountingProvider()).run(experiment, RefusingJudge(data[2].answer))
    )
    assert progress.status is ExperimentStatus.FINISHED and progress.failed == 2
    failed = [r for r in store.results(experiment.id) if not r.ok]
    assert {r.item_id for r in failed} == {data[2].id}
    assert all(r.error.startswith("The judge could not rate it: The model server") for r in failed)


class Broken(BaseException):
    """Not an ``Exception``: nothing in the run may swallow it."""


class BrokenJudge:
    """Breaks once; a worker left running after that would go on judging."""

    name = "broken"

    def __init__(self) -> None:
        self.broke = False

    async def judge(self, item: DatasetItem, output: Any) -> Any:
        if not self.broke:
            self.broke = True
            raise Broken
        return await OfflineJudge().judge(item, output)


def test_a_run_that_breaks_stops_every_worker_and_keeps_what_finished(
    store: ExperimentStore,
) -> None:
    provider = CountingProvider(delay=0.01)
    experiment = make_experiment(store, items(40))

    async def on_a_long_lived_loop() -> None:  # like the workbench's agent loop
        with pytest.raises(Broken):
            await runner_for(store, provider).run(experiment, BrokenJudge())
        await asyncio.sleep(0.2)  # workers left running would call the model here

    asyncio.run(on_a_long_lived_loop())
    assert store.get(LOCAL_USER, experiment.id).status is ExperimentStatus.INTERRUPTED
    calls = sum(provider.calls.values())
    # Calls already started when it broke may finish; none start after.
    assert calls < 2 * BASE.concurrency, "the other workers stopped instead of running on"


def test_a_result_reads_back_exactly_as_it_was_written(store: ExperimentStore) -> None:
    experiment = make_experiment(store, items(1))
    asyncio.run(runner_for(store, CountingProvider()).run(experiment, OfflineJudge()))
    stored = store.results(experiment.id)[0]
    again = store.results(experiment.id)[0]
    store.add_results([stored.model_copy(update={"experiment_id": "copy"})])
    (copied,) = store.results("copy")
    assert copied.model_dump(exclude={"experiment_id"}) == stored.model_dump(
        exclude={"experiment_id"}
    )
    assert stored == again and stored.output is not None and stored.rubric
