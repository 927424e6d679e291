"""Paired runs: every variant on every item (and repeat), resumable, cached, cancellable.

The order is item by item, each item's variants side by side, so a run stopped half way
has complete pairs to compare. A pair already stored is never run again (resume after
a stop, a cancel or a crash), and a pair whose variant parameters, item and repeat were
run before, in any experiment, is copied instead of run (the cache). Results go to
the store in batches from a worker thread while calls continue, so a crash loses at most
the last quarter of a second, and a stop or cancel loses nothing.

Concurrency is the base persona's ``concurrency``: that many pairs are in flight, and
every call is an ``invoke_agent`` span tagged with its variant.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from coach.agents.concurrency import ConcurrencyLimits
from coach.agents.factory import AgentFactory
from coach.agents.team import AgentTeam
from coach.domain import QuestionDraft, utc_now
from coach.errors import CoachError
from coach.experiments.datasets import DatasetItem, question_type
from coach.experiments.judging import Judge
from coach.experiments.records import (
    Experiment,
    ExperimentStatus,
    PairKey,
    PairResult,
    Progress,
    VariantRecord,
)
from coach.experiments.store import ExperimentStore
from coach.personas import PersonaRole
from coach.tasks import EvaluateAnswer
from coach.telemetry import Telemetry
from coach.telemetry import attributes as names

__all__ = [
    "HEARTBEAT_SECONDS",
    "CancelToken",
    "ExperimentRunner",
    "ProgressCallback",
    "question_type",
    "this_process",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]
HEARTBEAT_SECONDS = 2.0


def this_process() -> str:
    """ "host:pid": who runs an experiment, so another process can tell a live run from
    one that was cut off."""
    return f"{socket.gethostname()}:{os.getpid()}"


class CancelToken:
    """Set from any thread (a page's Cancel button); the run stops taking new pairs."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class _Tally:
    """Counts for progress reports; touched only on the agent loop."""

    def __init__(self, experiment: Experiment, done: int) -> None:
        self.experiment = experiment
        self.started = time.perf_counter()
        self.done = done
        self.cached = 0
        self.failed = 0
        self.fallbacks = 0

    def add(self, result: PairResult) -> None:
        self.done += 1
        self.cached += result.cached
        self.failed += not result.ok
        self.fallbacks += result.fallback

    def progress(self, status: ExperimentStatus, message: str = "") -> Progress:
        return Progress(
            experiment_id=self.experiment.id,
            total=self.experiment.pairs_total,
            done=self.done,
            cached=self.cached,
            failed=self.failed,
            fallbacks=self.fallbacks,
            status=status,
            message=message,
            elapsed_seconds=time.perf_counter() - self.started,
        )


class ExperimentRunner:
    """Runs one experiment's missing pairs on the agent loop (``await run(...)``)."""

    def __init__(
        self,
        store: ExperimentStore,
        factory: AgentFactory,
        *,
        telemetry: Telemetry | None = None,
        flush_every: int = 64,
        flush_seconds: float = 0.25,
    ) -> None:
        self._store = store
        self._factory = factory
        self._telemetry = telemetry or Telemetry.disabled()
        self._flush_every = flush_every
        self._flush_seconds = flush_seconds

    async def run(
        self,
        experiment: Experiment,
        judge: Judge,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Progress:
        cancel = cancel or CancelToken()
        report = on_progress or (lambda _progress: None)
        store = self._store
        try:
            items = await asyncio.to_thread(store.items, experiment.id)
            done = await asyncio.to_thread(store.done, experiment.id)
            tally = _Tally(experiment, len(done))
            pending = [key for key in _pairs(experiment, items) if key not in done]
            by_id = {item.id: item for item in items}
            cached = await asyncio.to_thread(self._from_cache, experiment, pending, by_id, judge)
            for result in cached:
                tally.add(result)
            copied = {result.key for result in cached}
            todo = [key for key in pending if key not in copied]
            await asyncio.to_thread(
                store.set_status, experiment.id, ExperimentStatus.RUNNING, runner=this_process()
            )
        except BaseException as error:
            # The service claimed the run before it began: never leave it "running".
            status, message = _stopped_by(error)
            await asyncio.shield(
                asyncio.to_thread(store.set_status, experiment.id, status, message)
            )
            raise
        report(tally.progress(ExperimentStatus.RUNNING))
        heartbeat = asyncio.create_task(self._heartbeat(experiment.id))
        writer = _Writer(store, self._flush_every, self._flush_seconds)
        teams = self._teams(experiment)
        pairs = iter(todo)
        workers = [
            asyncio.create_task(
                self._work(experiment, pairs, by_id, teams, judge, writer, tally, report, cancel)
            )
            for _ in range(min(experiment.control.persona.concurrency, len(todo)))
        ]
        try:
            await asyncio.gather(*workers)
        except BaseException as error:
            for worker in workers:  # gather leaves the others running when one fails
                worker.cancel()
            heartbeat.cancel()
            await asyncio.shield(writer.flush())
            status, message = _stopped_by(error)
            await asyncio.to_thread(store.set_status, experiment.id, status, message)
            report(tally.progress(status, message))
            raise
        heartbeat.cancel()
        await writer.flush()
        if cancel.cancelled and tally.done < experiment.pairs_total:
            status = ExperimentStatus.CANCELLED
            message = (
                f"Cancelled after {tally.done} of {experiment.pairs_total} pairs. "
                "Finished pairs are kept; run it again to do the rest."
            )
        else:
            status, message = ExperimentStatus.FINISHED, _finished_message(tally)
        await asyncio.to_thread(store.set_status, experiment.id, status, message)
        final = tally.progress(status, message)
        report(final)
        return final

    async def _heartbeat(self, experiment_id: str) -> None:
        """Tell other processes (the page, the CLI) this run is alive, even when no
        result arrives for a while (a slow model)."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await asyncio.to_thread(self._store.touch, experiment_id)
            except CoachError:
                log.warning("experiment heartbeat not stored", exc_info=True)

    # --- one pair ---------------------------------------------------------------------

    async def _work(
        self,
        experiment: Experiment,
        pairs: Iterator[PairKey],
        items: dict[str, DatasetItem],
        teams: dict[str, tuple[VariantRecord, AgentTeam]],
        judge: Judge,
        writer: _Writer,
        tally: _Tally,
        report: ProgressCallback,
        cancel: CancelToken,
    ) -> None:
        for key in pairs:  # one shared iterator: each pair goes to exactly one worker
            if cancel.cancelled:
                return
            variant, team = teams[key.variant]
            result = await self._run_pair(experiment, key, items[key.item_id], variant, team, judge)
            tally.add(result)
            await writer.add(result)
            report(tally.progress(ExperimentStatus.RUNNING))

    async def _run_pair(
        self,
        experiment: Experiment,
        key: PairKey,
        item: DatasetItem,
        variant: VariantRecord,
        team: AgentTeam,
        judge: Judge,
    ) -> PairResult:
        task = EvaluateAnswer(
            question=QuestionDraft(text=item.question, type=question_type(item.question)),
            answer=item.answer,
            resume=item.resume,
            job_description=item.job_description,
            coaching_level=variant.persona.coaching_level,
        )
        base = {
            "experiment_id": experiment.id,
            "variant": key.variant,
            "item_id": key.item_id,
            "repeat": key.repeat,
            "fingerprint": variant.fingerprint,
            "item_hash": item.content_hash(),
            "judge": judge.name,
        }
        with self._telemetry.turn("experiment_pair") as turn:
            turn.inherit(names.VARIANT, key.variant)
            turn.inherit(names.EXPERIMENT_ID, experiment.id)
            started = time.perf_counter()
            try:
                output = await team.evaluate(task)
            except CoachError as error:
                return _failed(base, str(error), started)
            except Exception as error:  # a broken provider must not end the whole run
                log.warning("experiment pair failed", exc_info=True)
                return _failed(base, f"{type(error).__name__}: the call failed.", started)
            latency_ms = (time.perf_counter() - started) * 1000
            try:
                judgement = await judge.judge(item, output)
            except CoachError as error:  # not rated is not a result: a rerun tries again
                return _failed(base, f"The judge could not rate it: {error}", started)
            except Exception as error:
                log.warning("experiment judge failed", exc_info=True)
                return _failed(base, f"The judge failed: {type(error).__name__}.", started)
        attribution = output.attribution
        return PairResult(
            **base,
            ok=True,
            score=output.overall,
            quality=judgement.quality,
            quality_dimensions=judgement.dimensions,
            rubric={d.dimension.value: d.score for d in output.dimensions},
            output=output,
            fallback=bool(attribution and attribution.fallback),
            notice=attribution.notice if attribution else "",
            latency_ms=latency_ms,
            input_tokens=attribution.input_tokens if attribution else None,
            output_tokens=attribution.output_tokens if attribution else None,
            created_at=utc_now(),
        )

    # --- setup ------------------------------------------------------------------------

    def _teams(self, experiment: Experiment) -> dict[str, tuple[VariantRecord, AgentTeam]]:
        """One single-seat team per variant, sharing one concurrency limit: every
        variant's persona has the base persona's name, so they queue together."""
        limits = ConcurrencyLimits()
        return {
            variant.name: (
                variant,
                AgentTeam(
                    f"experiment {experiment.name}",
                    {
                        PersonaRole.FEEDBACK: self._factory.seat(
                            PersonaRole.FEEDBACK, variant.persona, variant=variant.name
                        )
                    },
                    limits=limits,
                ),
            )
            for variant in experiment.variants
        }

    def _from_cache(
        self,
        experiment: Experiment,
        pending: Sequence[PairKey],
        items: dict[str, DatasetItem],
        judge: Judge,
    ) -> list[PairResult]:
        """Copies of earlier results with the same parameters, item and repeat, stored
        for this experiment now."""
        fingerprints = {v.name: v.fingerprint for v in experiment.variants}
        hashes = {item_id: item.content_hash() for item_id, item in items.items()}
        wanted = {
            (fingerprints[key.variant], hashes[key.item_id], key.repeat): key for key in pending
        }
        found = self._store.cached(list(wanted), judge=judge.name)
        now = utc_now()
        copies = [
            hit.model_copy(
                update={
                    "experiment_id": experiment.id,
                    "variant": wanted[cache_key].variant,
                    "item_id": wanted[cache_key].item_id,
                    "cached": True,
                    "created_at": now,
                }
            )
            for cache_key, hit in found.items()
        ]
        self._store.add_results(copies)
        return copies


class _Writer:
    """Buffers results and writes them in batches off the loop, in order."""

    def __init__(self, store: ExperimentStore, every: int, seconds: float) -> None:
        self._store = store
        self._every = every
        self._seconds = seconds
        self._buffer: list[PairResult] = []
        self._last = time.perf_counter()
        self._lock = asyncio.Lock()

    async def add(self, result: PairResult) -> None:
        self._buffer.append(result)
        due = time.perf_counter() - self._last >= self._seconds
        if (len(self._buffer) >= self._every or due) and not self._lock.locked():
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self._buffer = self._buffer, []
            self._last = time.perf_counter()
            if batch:
                await asyncio.to_thread(self._store.add_results, batch)


def _pairs(experiment: Experiment, items: Sequence[DatasetItem]) -> list[PairKey]:
    return [
        PairKey(variant.name, item.id, repeat)
        for repeat in range(experiment.repeats)
        for item in items
        for variant in experiment.variants
    ]


def _failed(base: dict[str, object], error: str, started: float) -> PairResult:
    return PairResult.model_validate(
        {
            **base,
            "ok": False,
            "error": error,
            "latency_ms": (time.perf_counter() - started) * 1000,
            "created_at": utc_now(),
        }
    )


def _stopped_by(error: BaseException) -> tuple[ExperimentStatus, str]:
    if isinstance(error, Exception):
        return (
            ExperimentStatus.FAILED,
            f"The run stopped: {error if isinstance(error, CoachError) else type(error).__name__}. "
            "Finished pairs are kept; run it again to do the rest.",
        )
    return (
        ExperimentStatus.INTERRUPTED,
        "The run was interrupted. Finished pairs are kept; run it again to do the rest.",
    )


def _finished_message(tally: _Tally) -> str:
    parts = [f"{tally.done} pairs"]
    if tally.cached:
        parts.append(f"{tally.cached} from the cache")
    if tally.failed:
        parts.append(f"{tally.failed} failed")
    if tally.fallbacks:
        parts.append(f"{tally.fallbacks} answered by the offline coach after a model failure")
    return "Finished: " + ", ".join(parts) + "."
