"""``ExperimentService``: the Persona Lab's one door (page, CLI and notebooks alike).

Create an experiment from a spec and a dataset, run it in the background on the agent
loop (progress, cancel, resume), read its report, promote a variant to a new persona
version, or roll it out live to a share of sessions.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from coach.agents.resolver import AgentTeamResolver
from coach.agents.rollout import Rollout, TrafficSplit
from coach.agents.team import AgentTeam
from coach.domain import new_id, utc_now
from coach.errors import CoachError, ExperimentError
from coach.experiments.datasets import (
    Dataset,
    dataset_from_file,
    dataset_from_sessions,
    sample_dataset,
)
from coach.experiments.judging import Judge, OfflineJudge, PersonaJudge
from coach.experiments.promotion import Promotion, promote
from coach.experiments.records import (
    Experiment,
    ExperimentStatus,
    PairResult,
    Progress,
    VariantRecord,
)
from coach.experiments.report import ExperimentReport, build_report
from coach.experiments.runner import (
    HEARTBEAT_SECONDS,
    CancelToken,
    ExperimentRunner,
    this_process,
)
from coach.experiments.spec import OFFLINE_JUDGE, DatasetChoice, ExperimentSpec
from coach.experiments.store import ExperimentStore
from coach.experiments.variants import fingerprint, variant_persona
from coach.personas import PERSONA_SUFFIXES, Persona, PersonaRegistry, PersonaRole
from coach.runtime import AsyncRunner
from coach.store.base import SessionStore
from coach.telemetry import Telemetry
from coach.users import Actor

__all__ = ["ROLLOUT_REFRESH_SECONDS", "ExperimentListing", "ExperimentService"]

log = logging.getLogger(__name__)

_SILENCE = 5 * HEARTBEAT_SECONDS
"""Seconds without a heartbeat after which another host's run counts as dead."""

ROLLOUT_REFRESH_SECONDS = 5.0
"""How often a replica re-reads the live rollouts (and a shared persona folder) another
replica may have changed."""


class ExperimentListing(BaseModel):
    """A row of the past-experiments list."""

    model_config = ConfigDict(frozen=True)

    experiment: Experiment
    done: int
    failed: int
    status: ExperimentStatus  # "interrupted" for a run this process is not running


@dataclass
class _Run:
    future: concurrent.futures.Future[Progress]
    cancel: CancelToken
    progress: Progress


class ExperimentService:
    def __init__(
        self,
        experiments: ExperimentStore,
        sessions: SessionStore,
        teams: AgentTeamResolver,
        runner: AsyncRunner,
        *,
        personas_dir: Path,
        provider_name: str,
        telemetry: Telemetry | None = None,
        rollout_refresh_seconds: float | None = None,
    ) -> None:
        """``rollout_refresh_seconds``: on a store other processes share (PostgreSQL),
        re-read the live rollouts this often, so a rollout started or stopped in
        another replica is served here too, and the persona folder when its files
        changed (a promotion in a replica that shares the folder); None reads them at
        start and on this process's own changes."""
        self._experiments = experiments
        self._sessions = sessions
        self._teams = teams
        self._runner = runner
        self._personas_dir = personas_dir
        self._provider_name = provider_name
        self._telemetry = telemetry or Telemetry.disabled()
        self._runs: dict[str, _Run] = {}
        self._runs_lock = threading.Lock()
        self._split_lock = threading.Lock()
        self._personas_seen = self._personas_files()
        self._served: list[Rollout] | None = None
        self._serve_rollouts()
        self._stop_refreshing = threading.Event()
        self._refresher: threading.Thread | None = None
        if rollout_refresh_seconds:
            self._refresher = threading.Thread(
                target=self._refresh_rollouts,
                args=(rollout_refresh_seconds,),
                name="coach-rollout-refresh",
                daemon=True,
            )
            self._refresher.start()

    # --- what can be compared -----------------------------------------------------------

    @property
    def personas(self) -> PersonaRegistry:
        return self._teams.personas

    def base_personas(self) -> list[Persona]:
        """Personas an experiment can tune: the feedback coaches, who score answers."""
        return self.personas.by_role(PersonaRole.FEEDBACK)

    def judges(self) -> list[str]:
        """The offline rules, or a feedback persona as judge (a model, when set up)."""
        return [OFFLINE_JUDGE, *(p.name for p in self.base_personas())]

    def dataset(
        self, actor: Actor, choice: DatasetChoice, *, upload: tuple[str, bytes] | None = None
    ) -> Dataset:
        """The items ``choice`` names. A file's bytes come as ``upload`` (name, data),
        never as a path read here: a spec typed into the page must not make the server
        read its files (the CLI reads the user's file and hands it over)."""
        if choice.source == "sample":
            return sample_dataset()
        if choice.source == "sessions":
            return dataset_from_sessions(self._sessions, actor, limit=choice.limit)
        if upload is None:
            raise ExperimentError("Choose a CSV or JSONL file of items to upload.")
        return dataset_from_file(*upload)

    def variants(self, spec: ExperimentSpec) -> tuple[VariantRecord, ...]:
        """The spec's variants as they would run, validated against the base persona."""
        base = self.personas.get(spec.base_persona)
        if base.role is not PersonaRole.FEEDBACK:
            raise ExperimentError(
                f"'{base.name}' is a {base.role.value} persona; experiments compare feedback "
                "coaches (the personas that score answers)."
            )
        records = []
        problems = []
        for position, variant in enumerate(spec.variants):
            try:
                persona = variant_persona(base, variant)
            except ExperimentError as error:
                problems.append(str(error))  # every bad variant at once, not the first
                continue
            records.append(
                VariantRecord(
                    name=variant.name,
                    position=position,
                    overrides=variant.overrides,
                    persona=persona,
                    fingerprint=fingerprint(persona, provider=self._provider_name),
                )
            )
        if problems:
            raise ExperimentError(" ".join(problems))
        return tuple(records)

    # --- experiments --------------------------------------------------------------------

    def create(self, actor: Actor, spec: ExperimentSpec, dataset: Dataset) -> Experiment:
        if spec.judge not in self.judges():
            raise ExperimentError(
                f"Unknown judge '{spec.judge}': use '{OFFLINE_JUDGE}' (the rubric rules) or "
                f"one of the feedback personas ({', '.join(self.judges()[1:]) or 'none'})."
            )
        now = utc_now()
        experiment = Experiment(
            id=new_id(),
            name=spec.name,
            base_persona=spec.base_persona,
            spec=spec,
            variants=self.variants(spec),
            dataset_name=dataset.name,
            dataset_source=dataset.source,
            item_count=len(dataset.items),
            repeats=spec.repeats,
            judge=spec.judge,
            provider=self._provider_name,
            status=ExperimentStatus.READY,
            created_at=now,
            updated_at=now,
        )
        return self._experiments.create(actor, experiment, dataset.items)

    def get(self, actor: Actor, experiment_id: str) -> Experiment:
        return self._experiments.get(actor, experiment_id)

    @property
    def where(self) -> str:
        """Where the experiments are stored (a file, or a database and its host)."""
        return self._experiments.where

    def ids_starting_with(self, actor: Actor, prefix: str) -> list[str]:
        """Every experiment id that starts with ``prefix`` (short ids), oldest first."""
        return self._experiments.find(actor, prefix)

    def list(self, actor: Actor) -> list[ExperimentListing]:
        experiments = self._experiments.list(actor)
        counts = self._experiments.counts(e.id for e in experiments)
        return [
            ExperimentListing(
                experiment=e,
                done=counts.get(e.id, (0, 0))[0],
                failed=counts.get(e.id, (0, 0))[1],
                status=self._status(e),
            )
            for e in experiments
        ]

    def delete(self, actor: Actor, experiment_id: str) -> None:
        if self.is_running(experiment_id):
            raise ExperimentError("Cancel the run before deleting the experiment.")
        experiment = self._experiments.get(actor, experiment_id)
        if self._status(experiment) is ExperimentStatus.RUNNING:  # another process's run
            raise _running_elsewhere(experiment)
        self._experiments.delete(actor, experiment_id)

    def results(self, actor: Actor, experiment_id: str) -> list[PairResult]:
        """Every stored pair of the experiment, failures included (notebooks, exports)."""
        self._experiments.get(actor, experiment_id)  # someone else's reads as not found
        return self._experiments.results(experiment_id)

    def report(self, actor: Actor, experiment_id: str) -> ExperimentReport:
        experiment = self._experiments.get(actor, experiment_id)
        return build_report(
            experiment.model_copy(update={"status": self._status(experiment)}),
            self._experiments.items(experiment_id),
            self._experiments.results(experiment_id),
        )

    # --- runs -------------------------------------------------------------------------

    def start(self, actor: Actor, experiment_id: str) -> Progress:
        """Run the experiment's missing pairs in the background; returns at once."""
        with self._runs_lock:
            current = self._runs.get(experiment_id)
            if current is not None and not current.future.done():
                return current.progress
            experiment = self._claim(actor, experiment_id)
            cancel = CancelToken()
            first = Progress(experiment_id=experiment_id, total=experiment.pairs_total)
            run = _Run(future=concurrent.futures.Future(), cancel=cancel, progress=first)

            def remember(progress: Progress) -> None:
                run.progress = progress  # one reference swap: readers see old or new

            run.future = self._runner.submit(self._run(experiment, remember, cancel))
            self._runs[experiment_id] = run
            return first

    def run(
        self,
        actor: Actor,
        experiment_id: str,
        *,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Progress:
        """Run in the foreground until done (the CLI); Ctrl-C cancels cleanly."""
        experiment = self._claim(actor, experiment_id)
        cancel = CancelToken()
        future = self._runner.submit(
            self._run(experiment, on_progress or (lambda _p: None), cancel)
        )
        try:
            return future.result()
        except KeyboardInterrupt:
            cancel.cancel()
            return future.result()

    def progress(self, experiment_id: str) -> Progress | None:
        """The live progress of a run started here, or None."""
        run = self._runs.get(experiment_id)
        return run.progress if run is not None else None

    def is_running(self, experiment_id: str) -> bool:
        run = self._runs.get(experiment_id)
        return run is not None and not run.future.done()

    def cancel(self, experiment_id: str) -> None:
        run = self._runs.get(experiment_id)
        if run is not None:
            run.cancel.cancel()

    def close(self, timeout: float = 5.0) -> None:
        """Stop this process's runs before the workbench goes (finished pairs are kept):
        each is cancelled, and one still busy after ``timeout`` is marked interrupted,
        so nobody mistakes it for a run still going."""
        self._stop_refreshing.set()
        if self._refresher is not None:
            self._refresher.join(timeout)
        deadline = time.monotonic() + timeout
        running = [(key, run) for key, run in self._runs.items() if not run.future.done()]
        for _, run in running:
            run.cancel.cancel()
        for experiment_id, run in running:
            try:
                run.future.result(max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                run.future.cancel()
                self._experiments.set_status(
                    experiment_id,
                    ExperimentStatus.INTERRUPTED,
                    "The app stopped while this ran. Finished pairs are kept; run it again "
                    "to do the rest.",
                )
            except BaseException:  # its own status is already stored
                log.debug("experiment run ended with an error at close", exc_info=True)

    def wait(self, experiment_id: str, timeout: float | None = None) -> Progress:
        """Block until a background run ends (tests, scripts)."""
        run = self._runs.get(experiment_id)
        if run is None:
            raise ExperimentError("That experiment is not running.")
        return run.future.result(timeout)

    async def _run(
        self,
        experiment: Experiment,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken,
    ) -> Progress:
        runner = ExperimentRunner(self._experiments, self._teams.factory, telemetry=self._telemetry)
        return await runner.run(
            experiment, self._judge(experiment), on_progress=on_progress, cancel=cancel
        )

    def _judge(self, experiment: Experiment) -> Judge:
        if experiment.judge == OFFLINE_JUDGE:
            return OfflineJudge()
        persona = self.personas.get(experiment.judge)
        seat = self._teams.factory.seat(PersonaRole.FEEDBACK, persona, variant="judge")
        team = AgentTeam(f"judge {persona.name}", {PersonaRole.FEEDBACK: seat})
        return PersonaJudge(team, fingerprint(persona, provider=self._provider_name))

    def _status(self, experiment: Experiment) -> ExperimentStatus:
        """A run the database calls running is running if this process runs it, or
        another live one does (the CLI next to the app); otherwise it was cut off (the
        process stopped) and is interrupted, and resumable."""
        if self.is_running(experiment.id):
            return ExperimentStatus.RUNNING  # started here; the database may not say so yet
        if experiment.status is ExperimentStatus.RUNNING and not self._alive_elsewhere(experiment):
            return ExperimentStatus.INTERRUPTED
        return experiment.status

    def _alive_elsewhere(self, experiment: Experiment) -> bool:
        """Whether the process that ran ``experiment`` last still runs it: by its pid on
        this host, by a fresh heartbeat from another host (timed by the database's
        clock, so machines whose clocks differ agree)."""
        if not experiment.runner:
            return False  # no process ever said it runs it
        host, _, pid = experiment.runner.rpartition(":")
        if host == socket.gethostname() and pid.isdigit():
            if int(pid) == os.getpid():
                return False  # this process, and not running it (see is_running)
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True  # exists, owned by someone else
            return True
        silence = self._experiments.heartbeat_age(experiment.id)
        return silence is not None and silence < _SILENCE

    def _claim(self, actor: Actor, experiment_id: str) -> Experiment:
        """Marks the experiment as run by this process, in the database, or refuses:
        another process (an app replica, the CLI) runs it. The claim is one atomic
        write (``ExperimentStore.claim``), so two processes starting it at the same
        moment cannot both get it."""
        experiment = self._experiments.get(actor, experiment_id)
        running = experiment.status is ExperimentStatus.RUNNING
        if running and not self.is_running(experiment.id) and self._alive_elsewhere(experiment):
            raise _running_elsewhere(experiment)
        # A run the database calls running but nobody runs (the process stopped) is
        # taken over; a claim by anyone else in the meantime wins over this one.
        replacing = experiment.runner if running else ""
        host = replacing.rpartition(":")[0]
        # A dead pid on this host is dead now; another host's run is dead only while
        # its heartbeat stays silent, which the claim checks again as it writes.
        silent_for = 0.0 if not replacing or host == socket.gethostname() else _SILENCE
        if not self._experiments.claim(
            experiment.id, this_process(), replacing=replacing, silent_for=silent_for
        ):
            raise _running_elsewhere(self._experiments.get(actor, experiment_id))
        return experiment

    # --- ship it ------------------------------------------------------------------------

    def ship_warning(self, actor: Actor, experiment_id: str, variant_name: str) -> str | None:
        """Why shipping ``variant_name`` needs a confirmation, if it does: it gave worse
        feedback than the control, or it is what the base persona already is."""
        experiment = self._experiments.get(actor, experiment_id)
        variant = self._variant(experiment, variant_name)
        base = self.personas.get(experiment.base_persona)
        current = fingerprint(base, provider=self._provider_name)
        if fingerprint(variant.persona, provider=self._provider_name) == current:
            return (
                f"Variant {variant.name} is what {base.name} already is (version "
                f"{base.version}): shipping it changes nothing."
            )
        if self.report(actor, experiment_id).worse(variant.name):
            return (
                f"Variant {variant.name} gave significantly worse feedback than "
                f"{experiment.control.name}."
            )
        return None

    def promote(
        self, actor: Actor, experiment_id: str, variant_name: str, *, confirmed: bool = False
    ) -> Promotion:
        """``variant_name`` becomes the next version of its persona file; teams use it
        from now on. A worse variant, or the current base, needs ``confirmed``."""
        self._require_confirmation(actor, experiment_id, variant_name, confirmed)
        experiment = self._experiments.get(actor, experiment_id)
        variant = self._variant(experiment, variant_name)
        promotion = promote(
            variant.persona,
            self._personas_dir,
            promoted_from=(
                f"experiment '{experiment.name}' ({experiment.id[:8]}), variant {variant.name}"
            ),
        )
        self._reload_personas()
        return promotion

    def roll_out(
        self,
        actor: Actor,
        experiment_id: str,
        variant_name: str,
        share: float,
        *,
        confirmed: bool = False,
    ) -> Rollout:
        """Serve ``share`` of sessions with the variant (sticky per session). A worse
        variant, or the current base, needs ``confirmed``."""
        if not 0 < share <= 1:
            raise ExperimentError("Choose a share between 1% and 100%.")
        self._require_confirmation(actor, experiment_id, variant_name, confirmed)
        experiment = self._experiments.get(actor, experiment_id)
        variant = self._variant(experiment, variant_name)
        existing = next(
            (r for r in self._experiments.rollouts() if r.base_persona == experiment.base_persona),
            None,
        )
        same = existing is not None and existing.persona == variant.persona
        rollout = Rollout(
            # The same variant keeps its id, so ramping the share keeps sessions sticky.
            id=existing.id if same and existing else new_id(),
            base_persona=experiment.base_persona,
            variant=variant.name,
            experiment_id=experiment.id,
            persona=variant.persona,
            share=share,
            created_at=existing.created_at if same and existing else utc_now(),
        )
        self._experiments.save_rollout(actor, rollout)
        self._serve_rollouts()
        return rollout

    def stop_rollout(self, actor: Actor, base_persona: str) -> None:
        for rollout in self._experiments.rollouts():
            if rollout.base_persona == base_persona:
                self._experiments.save_rollout(actor, rollout.model_copy(update={"active": False}))
        self._serve_rollouts()

    def rollouts(self) -> list[Rollout]:
        return self._experiments.rollouts()

    def _serve_rollouts(self) -> None:
        """The teams serve the live rollouts as stored now. Read and set under one lock,
        so an older read (the refresher's) never replaces a newer one; the teams are
        told only of a change (a new split drops their rolled-out teams)."""
        with self._split_lock:
            rollouts = self._experiments.rollouts()
            if rollouts != self._served:
                self._teams.set_split(TrafficSplit(rollouts))
                self._served = rollouts

    def _refresh_rollouts(self, every: float) -> None:
        while not self._stop_refreshing.wait(every):
            try:
                self._serve_rollouts()
            except CoachError:  # the database is away: keep serving what was read
                log.warning("live rollouts not re-read", exc_info=True)
            if self._personas_files() != self._personas_seen:
                try:
                    self._reload_personas()
                except CoachError:  # a half-written file: the next round reads it again
                    log.warning("persona folder not re-read", exc_info=True)

    def _personas_files(self) -> tuple[tuple[str, int], ...]:
        """The persona folder's files and when each last changed: a cheap way to see a
        promotion another replica wrote into a shared folder."""
        try:
            return tuple(
                sorted(
                    (path.name, path.stat().st_mtime_ns)
                    for path in self._personas_dir.iterdir()
                    if path.suffix in PERSONA_SUFFIXES
                )
            )
        except OSError:
            return ()

    def _reload_personas(self) -> None:
        """Teams use the persona folder as it is now."""
        seen = self._personas_files()
        self._teams.reload_personas(PersonaRegistry.from_directory(self._personas_dir))
        self._personas_seen = seen

    def _require_confirmation(
        self, actor: Actor, experiment_id: str, variant: str, confirmed: bool
    ) -> None:
        if confirmed:
            return
        warning = self.ship_warning(actor, experiment_id, variant)
        if warning is not None:
            raise ExperimentError(f"{warning} Confirm to ship it anyway.")

    @staticmethod
    def _variant(experiment: Experiment, name: str) -> VariantRecord:
        variant = experiment.variant(name)
        if variant is None:
            raise ExperimentError(f"Experiment '{experiment.name}' has no variant '{name}'.")
        return variant


def _running_elsewhere(experiment: Experiment) -> ExperimentError:
    return ExperimentError(
        f"Experiment '{experiment.name}' is running in another process "
        f"({experiment.runner}); wait for it to finish or cancel it there."
    )
