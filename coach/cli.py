"""The ``coach`` command: seed demo data, export a session, run persona experiments.

``coach seed-demo`` runs the offline coach through the same services the pages call
(questions, answers, evaluations, summaries, chats), so demo data looks exactly like
real use, spans included when tracing records them, and then one small persona
experiment (a feedback coach against a stricter variant of itself on the bundled sample
set) so the Persona Lab and the experiments notebook have something to show. Everything
it writes is labelled: session and experiment names start with ``[demo] ``, session
metadata carries ``{"demo": "true"}`` and the demo's spans are marked ``demo``.

``coach experiment run spec.yaml`` runs a persona experiment (A/B variants of a feedback
persona on the same items) with a progress bar on stderr, then prints the verdict and a
table per variant; Ctrl-C cancels it, keeping every finished pair, and ``--resume ID``
does the rest. ``coach experiment show ID`` prints a stored experiment's report again and
``coach experiment list`` the recent ones.

Exit codes: 0 done, 1 a problem the user can fix (the message says how), 2 bad usage (a
bad spec or dataset included), 130 a run cancelled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, Field

from coach.agents.resolver import TEAM_KEY
from coach.command import build_parser
from coach.demo_data import (
    CANDIDATES,
    QUALITY_WEIGHTS,
    AnswerQuality,
    DemoCandidate,
    answer_text,
    chat_openers,
)
from coach.domain import (
    AnswerMode,
    CoachingLevel,
    DeliveryMetrics,
    DocumentKind,
    Evaluation,
    Session,
    SessionKind,
)
from coach.errors import CoachError, ExperimentError, PersonaError, SessionNotFound
from coach.experiments.records import Experiment, ExperimentStatus, Progress
from coach.experiments.report import ExperimentReport, VariantSummary
from coach.experiments.spec import ExperimentSpec, load_spec, parse_spec
from coach.log import configure_logging
from coach.personas import PersonaRole
from coach.services.experiments import ExperimentService
from coach.settings import CoachSettings
from coach.speech import delivery_from_transcript
from coach.users import Actor
from coach.workbench import Workbench, build_workbench

logger = logging.getLogger(__name__)

DEMO_PREFIX = "[demo] "
DEMO_METADATA = {"demo": "true"}

# The command line acts as the local user: it runs on the machine that holds the file.
LOCAL_USER = Actor.local()
_VOICE_SHARE = 0.3
_RETRY_SHARE = 0.5
_FOLLOW_UP_SHARE = 0.2
_SKIP_LAST_SHARE = 0.15
_SUMMARY_SHARE = 0.8
_STRICT_SHARE = 0.25


class SeedDemoRequest(BaseModel):
    """What ``coach seed-demo`` was asked for, checked before anything is written."""

    model_config = ConfigDict(frozen=True)

    sessions: int = Field(ge=1, le=500)
    chats: int = Field(default=2, ge=0, le=50)
    seed: int = 7
    # One small demo experiment after the sessions: the command runs it unless told not
    # to (--no-experiment); a caller of seed_demo asks for it.
    experiment: bool = False


class SeedDemoReport(BaseModel):
    """What was written, for the one-line summary and for tests."""

    practice_sessions: int = 0
    chats: int = 0
    questions: int = 0
    answers: int = 0
    evaluations: int = 0
    summaries: int = 0
    chat_messages: int = 0
    session_ids: list[str] = Field(default_factory=list)
    experiment_id: str | None = None
    experiment_name: str = ""
    experiment_pairs: int = 0
    seconds: float = 0.0


# --- seeding ----------------------------------------------------------------------------


def seed_demo(workbench: Workbench, request: SeedDemoRequest) -> SeedDemoReport:
    """Practice sessions and chats played through the workbench's own services."""
    started = time.monotonic()
    rng = random.Random(request.seed)
    report = SeedDemoReport()
    candidates = list(CANDIDATES)
    rng.shuffle(candidates)
    for index in range(request.sessions):
        candidate = candidates[index % len(candidates)]
        session = _practice_session(workbench, candidate, rng, report)
        report.practice_sessions += 1
        report.session_ids.append(session.id)
        logger.debug("demo session seeded", extra={"session_id": session.id})
    for opener_count in range(request.chats):
        session = _chat_session(workbench, rng, report, turns=2 + opener_count % 2)
        report.chats += 1
        report.session_ids.append(session.id)
    if request.experiment:
        _demo_experiment(workbench, report)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _demo_experiment(workbench: Workbench, report: SeedDemoReport) -> None:
    """A feedback coach against a variant of itself with the other coaching level, on
    the bundled sample set: 96 pairs, about a second with the offline coach."""
    service = workbench.experiments
    feedback = {persona.name: persona for persona in service.base_personas()}
    if not feedback:
        return  # a personas folder without feedback coaches has nothing to compare
    base = feedback.get("feedback_coach") or next(iter(feedback.values()))
    other = (
        CoachingLevel.HELP if base.coaching_level is CoachingLevel.STRICT else CoachingLevel.STRICT
    )
    spec = parse_spec(
        {
            "name": f"{DEMO_PREFIX}{base.name} with coaching_level {other.value}",
            "base_persona": base.name,
            "variants": [
                {"name": "A"},
                {"name": "B", "overrides": {"coaching_level": other.value}},
            ],
            "dataset": "sample",
            "description": "Demo data from `coach seed-demo`: the offline coach on the "
            "bundled sample set.",
        }
    )
    experiment = service.create(LOCAL_USER, spec, service.dataset(LOCAL_USER, spec.dataset))
    progress = service.run(LOCAL_USER, experiment.id)
    report.experiment_id = experiment.id
    report.experiment_name = experiment.name
    report.experiment_pairs = progress.done


def _practice_session(
    workbench: Workbench, candidate: DemoCandidate, rng: random.Random, report: SeedDemoReport
) -> Session:
    practice, store = workbench.practice, workbench.store
    team = workbench.teams.resolve(SessionKind.INTERVIEW)
    level = CoachingLevel.STRICT if rng.random() < _STRICT_SHARE else CoachingLevel.HELP
    # The service's start_session would not label the session, so the session is made
    # here with the same team metadata it would get, and the rest goes through the service.
    session = store.create_session(
        LOCAL_USER,
        f"{DEMO_PREFIX}{candidate.role} · {candidate.name}",
        persona=team.agent(PersonaRole.PRIMARY).persona.name,
        coaching_level=level,
        metadata={TEAM_KEY: team.name, **DEMO_METADATA},
    )
    store.add_document(
        LOCAL_USER, session.id, practice.read_pasted(candidate.resume, DocumentKind.RESUME)
    )
    store.add_document(
        LOCAL_USER,
        session.id,
        practice.read_pasted(candidate.job_description, DocumentKind.JOB_DESCRIPTION),
    )
    questions = practice.generate_questions(LOCAL_USER, session.id, count=rng.randint(3, 5))
    report.questions += len(questions)
    if len(questions) > 1 and rng.random() < _SKIP_LAST_SHARE:
        questions = questions[:-1]  # a question left for later, as people do
    for question in questions:
        quality = _pick_quality(rng)
        evaluation = _answer(workbench, session.id, question.id, quality, candidate, rng, report)
        if quality is not AnswerQuality.STRONG and rng.random() < _RETRY_SHARE:
            better = rng.choice([AnswerQuality.STRONG, AnswerQuality.PARTIAL])
            evaluation = _answer(workbench, session.id, question.id, better, candidate, rng, report)
        if evaluation.follow_up and rng.random() < _FOLLOW_UP_SHARE:
            follow_up = practice.add_follow_up(LOCAL_USER, session.id, evaluation.follow_up)
            report.questions += 1
            _answer(workbench, session.id, follow_up.id, _pick_quality(rng), candidate, rng, report)
    if rng.random() < _SUMMARY_SHARE:
        practice.summarize(LOCAL_USER, session.id)
        report.summaries += 1
    return session


def _answer(
    workbench: Workbench,
    session_id: str,
    question_id: str,
    quality: AnswerQuality,
    candidate: DemoCandidate,
    rng: random.Random,
    report: SeedDemoReport,
) -> Evaluation:
    """One attempt: stored first (typed or spoken), then evaluated, as the page does."""
    text = answer_text(quality, rng.choice(candidate.stories), rng)
    spoken = rng.random() < _VOICE_SHARE and quality is not AnswerQuality.NON_ANSWER
    mode = AnswerMode.VOICE if spoken else AnswerMode.TEXT
    answer = workbench.practice.submit_answer(LOCAL_USER, session_id, question_id, text, mode=mode)
    report.answers += 1
    if spoken:
        workbench.store.set_delivery(LOCAL_USER, answer.id, _delivery_for(text, quality, rng))
    evaluation = workbench.practice.evaluate(LOCAL_USER, answer.id)
    report.evaluations += 1
    return workbench.practice.follow_up(LOCAL_USER, evaluation)


def _delivery_for(text: str, quality: AnswerQuality, rng: random.Random) -> DeliveryMetrics:
    """Plausible speaking time for ``text``: ramblers speak slower, with longer pauses."""
    words = len(text.split())
    pace = rng.uniform(95, 125) if quality is AnswerQuality.RAMBLING else rng.uniform(125, 170)
    return delivery_from_transcript(text, duration_seconds=round(words / pace * 60, 1))


def _chat_session(
    workbench: Workbench, rng: random.Random, report: SeedDemoReport, *, turns: int
) -> Session:
    team = workbench.teams.resolve(SessionKind.CHAT)
    coach = team.agent(PersonaRole.GENERAL_CHAT).persona
    session = workbench.store.create_session(
        LOCAL_USER,
        f"{DEMO_PREFIX}Chat with {coach.title}",
        kind=SessionKind.CHAT,
        persona=coach.name,
        metadata={TEAM_KEY: team.name, **DEMO_METADATA},
    )
    for opener in chat_openers(rng, turns):
        workbench.chat.reply(LOCAL_USER, session.id, opener)
        report.chat_messages += 2
    workbench.chat.summarize(LOCAL_USER, session.id)
    return session


def _pick_quality(rng: random.Random) -> AnswerQuality:
    qualities = list(QUALITY_WEIGHTS)
    return rng.choices(qualities, weights=[QUALITY_WEIGHTS[q] for q in qualities])[0]


# --- commands ---------------------------------------------------------------------------


def _settings(db: Path | None, *, model: bool = False) -> CoachSettings:
    """The app's settings, pointed at ``db`` when given; with the offline coach unless
    ``model`` (an experiment runs the configured model, as the page does)."""
    settings = CoachSettings()
    store = settings.store if db is None else settings.store.model_copy(update={"path": db})
    if model:
        return settings.model_copy(update={"store": store})
    agent = settings.agent.model_copy(update={"provider": "offline"})
    return settings.model_copy(update={"store": store, "agent": agent})


def _workbench(db: Path | None, *, model: bool = False, demo: bool = False) -> Workbench:
    """The offline coach for demo data and exports; the configured model (behind its
    labelled fallback) when ``model``. ``demo`` marks every span it records as demo."""
    if model:
        return build_workbench(_settings(db, model=True))
    from coach.providers.offline import OfflineProvider

    return build_workbench(_settings(db), provider=OfflineProvider(), demo=demo)


def _seed_demo_command(args: argparse.Namespace) -> int:
    request = SeedDemoRequest(
        sessions=args.sessions, chats=args.chats, seed=args.seed, experiment=args.experiment
    )
    # A workbench of its own: every span it records is the demo's, marked demo as it is
    # written (so the Telemetry page's rollups count it as demo too), on either engine.
    workbench = _workbench(args.db, demo=True)
    try:
        report = seed_demo(workbench, request)
    finally:
        workbench.close()  # flushes the last spans, then lets go of the store
    spans = workbench.telemetry.spans_stored
    experiment = (
        f"; and a demo experiment of {_count(report.experiment_pairs, 'pair')} "
        f"({report.experiment_id[:8]}: `coach experiment show {report.experiment_id[:8]}`)"
        if report.experiment_id
        else ""
    )
    sys.stdout.write(
        f"Seeded {_count(report.practice_sessions, 'demo practice session')} and "
        f"{_count(report.chats, 'chat')} into {workbench.store.where} in {report.seconds:g} s: "
        f"{_count(report.questions, 'question')}, {_count(report.answers, 'answer')}, "
        f"{_count(report.evaluations, 'evaluation')}, {_count(report.summaries, 'summary')}, "
        f"{_count(report.chat_messages, 'chat message')}, {_count(spans, 'span')}"
        f"{experiment}.\n"
    )
    return 0


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _export_command(args: argparse.Namespace) -> int:
    if args.pdf and args.out is None:
        raise CoachError("A PDF study guide is binary: give --out FILE or --out FOLDER.")
    workbench = _workbench(args.db)
    try:
        if args.pdf:
            export = workbench.exports.study_guide(LOCAL_USER, args.session)
        else:
            export = workbench.exports.markdown(LOCAL_USER, args.session)
    except SessionNotFound as error:
        raise CoachError(
            f"There is no session with id {args.session!r} in {workbench.store.where}. "
            "The ids are in the session_id column of open_analysis().sessions() "
            "(see the README's 'For analysts')."
        ) from error
    finally:
        workbench.close()
    out: Path | None = args.out
    if out is None:
        assert isinstance(export.content, str)
        sys.stdout.write(export.content)
        return 0
    if out.is_dir():
        out = out / export.filename
    try:
        if isinstance(export.content, bytes):
            out.write_bytes(export.content)
        else:
            out.write_text(export.content, encoding="utf-8")
    except OSError as error:
        raise CoachError(f"Could not write {out}: {error.strerror or error}.") from error
    sys.stdout.write(f"Wrote {out}\n")
    return 0


# --- experiments ------------------------------------------------------------------------

EXIT_CANCELLED = 130  # what a shell reports for a command stopped with Ctrl-C
_MIN_ID_PREFIX = 6
_MAX_NAME = 48
_MAX_CHANGES = 48


class _BadUsage(CoachError):
    """A spec, dataset or id to fix before anything can run: exit code 2, not 1."""


class _ProgressBar:
    """A run's progress on ``stream`` (stderr). On a terminal one line is redrawn in
    place with ``\\r`` (at most ten times a second); in a log or a pipe a plain line is
    printed at every tenth of the way and at the end.

    Called on the agent loop's thread while the main thread waits for the run."""

    _WIDTH = 24
    _REDRAW_SECONDS = 0.1

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        try:
            self._tty = stream.isatty()
        except (AttributeError, ValueError):
            self._tty = False
        self._lock = threading.Lock()
        self._drawn_at = float("-inf")
        self._width = 0  # of the line on screen, to blank what a shorter one leaves
        self._tenth = -1
        self._logged: tuple[int, ...] = ()
        self._start_done: int | None = None
        self._ended = False

    def __call__(self, progress: Progress) -> None:
        with self._lock:
            if self._ended:
                return
            if self._start_done is None:
                self._start_done = progress.done  # pairs stored before this run (resume)
            try:
                if self._tty:
                    self._redraw(progress)
                else:
                    self._log(progress)
            except (OSError, ValueError):  # stderr closed or gone: the run goes on
                self._ended = True

    def close(self) -> None:
        with self._lock:
            if self._tty and self._width and not self._ended:
                self._stream.write("\n")
                self._stream.flush()
            self._ended = True

    def _redraw(self, progress: Progress) -> None:
        now = time.monotonic()
        if not progress.finished and now - self._drawn_at < self._REDRAW_SECONDS:
            return
        self._drawn_at = now
        filled = round(self._WIDTH * progress.fraction)
        line = f"[{'#' * filled}{'.' * (self._WIDTH - filled)}] {self.describe(progress)}"
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def _log(self, progress: Progress) -> None:
        tenth = int(progress.fraction * 10)
        if tenth <= self._tenth and not progress.finished:
            return
        self._tenth = tenth
        counts = (progress.done, progress.cached, progress.failed, progress.fallbacks)
        if counts != self._logged:  # the last pair and the end of the run say the same
            self._logged = counts
            self._stream.write(self.describe(progress) + "\n")
            self._stream.flush()

    def describe(self, progress: Progress) -> str:
        parts = [f"{progress.done}/{progress.total} pairs {progress.fraction:4.0%}"]
        for count, noun in (
            (progress.cached, "cached"),
            (progress.failed, "failed"),
            (progress.fallbacks, "fallbacks"),
        ):
            if count:
                parts.append(f"{count} {noun}")
        parts.append(f"{progress.elapsed_seconds:.1f} s")
        ran = progress.done - (self._start_done or 0)
        left = progress.total - progress.done
        if not progress.finished and ran > 0 and left > 0:
            remaining = left * progress.elapsed_seconds / ran
            if remaining >= 1:
                parts.append(f"about {remaining:.0f} s left")
        return ", ".join(parts)


def _read_spec(path: Path) -> ExperimentSpec:
    """The spec file's spec; a dataset file it names is relative to the spec's folder."""
    try:
        spec = load_spec(path)
    except ExperimentError as error:
        raise _BadUsage(str(error)) from error
    dataset = spec.dataset
    if dataset.source == "file" and dataset.path is not None:
        where = dataset.path.expanduser()
        if not where.is_absolute():
            where = path.resolve().parent / where
        spec = spec.model_copy(update={"dataset": dataset.model_copy(update={"path": where})})
    return spec


def _create_experiment(service: ExperimentService, spec: ExperimentSpec) -> Experiment:
    try:
        dataset = service.dataset(LOCAL_USER, spec.dataset, upload=_dataset_file(spec))
        return service.create(LOCAL_USER, spec, dataset)
    except (ExperimentError, PersonaError) as error:  # the dataset, a variant, the persona
        raise _BadUsage(str(error)) from error


def _dataset_file(spec: ExperimentSpec) -> tuple[str, bytes] | None:
    """The spec's dataset file, read here and handed over as an upload: the command
    line may read the user's files, a spec typed into the page may not."""
    path = spec.dataset.path
    if spec.dataset.source != "file" or path is None:
        return None
    try:
        return path.name, path.read_bytes()
    except OSError as error:
        raise _BadUsage(
            f"The dataset file {path} could not be read: {error.strerror or error}."
        ) from error


def _find_experiment(service: ExperimentService, text: str) -> Experiment:
    """The experiment with id ``text``, or the only one whose id starts with it."""
    wanted = text.strip().lower()
    if len(wanted) < _MIN_ID_PREFIX:
        raise _BadUsage(
            f"{text!r} is too short: give at least {_MIN_ID_PREFIX} characters of the "
            "experiment id (`coach experiment list` shows them)."
        )
    try:
        return service.get(LOCAL_USER, wanted)
    except ExperimentError:
        pass
    matches = [
        service.get(LOCAL_USER, found) for found in service.ids_starting_with(LOCAL_USER, wanted)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CoachError(
            f"There is no experiment whose id starts with {wanted!r} in {service.where}. "
            "`coach experiment list` shows the recent ones."
        )
    raise _BadUsage(
        f"{wanted!r} starts the ids of {len(matches)} experiments "
        f"({', '.join(m.id[:12] for m in matches[:5])}): give more of the id."
    )


def _check_resumable(spec: ExperimentSpec, path: Path, experiment: Experiment) -> None:
    """A spec given with ``--resume`` must describe the experiment it resumes."""
    stored = experiment.spec
    if (spec.base_persona, spec.variants, spec.repeats) != (
        stored.base_persona,
        stored.variants,
        stored.repeats,
    ):
        raise _BadUsage(
            f"{path.name} does not describe experiment {experiment.id[:8]} "
            f"({experiment.name!r}): its base persona, variants or repeats differ. Resume "
            "with --resume alone, or run the spec without --resume as a new experiment."
        )


def _resume_command(experiment_id: str, db: Path | None) -> str:
    where = f" --db {db}" if db is not None else ""
    return f"coach experiment run --resume {experiment_id}{where}"


def _run_experiment(
    service: ExperimentService, experiment: Experiment, db: Path | None, *, resuming: bool
) -> int:
    pairs = _count(experiment.pairs_total, "pair")
    size = (
        f"{_count(experiment.item_count, 'item')} x {_count(len(experiment.variants), 'variant')}"
        f" x {_count(experiment.repeats, 'repeat')} = {pairs}"
    )
    if resuming:
        done = next(
            (x.done for x in service.list(LOCAL_USER) if x.experiment.id == experiment.id), 0
        )
        size += f", {done} done before"
    sys.stderr.write(
        f"{'Resuming' if resuming else 'Running'} experiment {experiment.id[:8]} "
        f"({experiment.name!r}): {size}. Ctrl-C stops it and keeps the finished pairs.\n"
    )
    sys.stderr.flush()
    bar = _ProgressBar(sys.stderr)
    try:
        final = service.run(LOCAL_USER, experiment.id, on_progress=bar)
    finally:
        bar.close()
    sys.stdout.write(render_report(service.report(LOCAL_USER, experiment.id)))
    if final.status is ExperimentStatus.FINISHED:
        return 0
    sys.stderr.write(
        f"coach: {final.message or final.status.value}\n"
        f"Resume with: {_resume_command(experiment.id, db)}\n"
    )
    return 1 if final.status is ExperimentStatus.FAILED else EXIT_CANCELLED


def _experiment_run_command(args: argparse.Namespace) -> int:
    if args.spec is None and args.resume is None:
        raise _BadUsage(
            "Give the spec file to run (coach experiment run spec.yaml), or --resume ID "
            "to continue an experiment."
        )
    spec = _read_spec(args.spec) if args.spec is not None else None
    workbench = _workbench(args.db, model=True)
    try:
        service = workbench.experiments
        if args.resume is not None:
            experiment = _find_experiment(service, args.resume)
            if spec is not None:
                _check_resumable(spec, args.spec, experiment)
        else:
            assert spec is not None
            experiment = _create_experiment(service, spec)
        return _run_experiment(service, experiment, args.db, resuming=args.resume is not None)
    finally:
        workbench.close()


def _experiment_show_command(args: argparse.Namespace) -> int:
    workbench = _workbench(args.db)
    try:
        service = workbench.experiments
        experiment = _find_experiment(service, args.id)
        report = service.report(LOCAL_USER, experiment.id)
    finally:
        workbench.close()
    sys.stdout.write(render_report(report))
    return 0


def _experiment_list_command(args: argparse.Namespace) -> int:
    workbench = _workbench(args.db)
    try:
        listings = workbench.experiments.list(LOCAL_USER)[: args.limit]
    finally:
        workbench.close()
    if not listings:
        sys.stdout.write(
            f"No experiments in {workbench.experiments.where} yet: run one with "
            "`coach experiment run spec.yaml`.\n"
        )
        return 0
    rows = []
    for listing in listings:
        experiment = listing.experiment
        done = f"{listing.done}/{experiment.pairs_total}"
        if listing.failed:
            done += f" ({listing.failed} failed)"
        rows.append(
            [
                experiment.id[:8],
                _clip(experiment.name, _MAX_NAME),
                listing.status.value,
                done,
                f"{experiment.created_at.astimezone():%Y-%m-%d %H:%M}",
            ]
        )
    table = _table(["id", "name", "status", "done/total", "created"], rows, numeric=())
    sys.stdout.write("\n".join(table) + "\n")
    return 0


def render_report(report: ExperimentReport) -> str:
    """The verdict and a table per variant, as ``coach experiment run`` and ``show`` print."""
    experiment = report.experiment
    done = sum(summary.pairs for summary in report.summaries)
    lines = [
        f"Experiment {experiment.id[:8]}: {experiment.name} ({experiment.status.value})",
        f"  {experiment.base_persona} on {experiment.dataset_name}, "
        f"{done}/{_count(experiment.pairs_total, 'pair')} "
        f"({_count(experiment.repeats, 'repeat')}), judge {experiment.judge}, "
        f"provider {experiment.provider}, created "
        f"{experiment.created_at.astimezone():%Y-%m-%d %H:%M}",
    ]
    if experiment.spec.description:
        lines.append(f"  {experiment.spec.description}")
    if experiment.message:
        lines.append(f"  {experiment.message}")
    lines += ["", f"Verdict: {report.verdict}"]
    for comparison in report.comparisons:
        if comparison.score is not None:
            lines.append(f"Scoring the answers: {comparison.score.verdict}")
        if comparison.unpaired:
            lines.append(
                f"  ({_count(comparison.unpaired, 'item')} left out of {comparison.variant} "
                "vs the control: a side failed or has not run yet.)"
            )
    lines += ["", *_variant_table(report), ""]
    return "\n".join(lines)


def _variant_table(report: ExperimentReport) -> list[str]:
    references = any(summary.agreement is not None for summary in report.summaries)
    headers = ["variant", "pairs", "quality", "score", "p50 ms", "p95 ms", "failed", "fallbacks"]
    headers += ["cached"]
    if references:
        headers += ["ref MAE", "ref rho"]
    headers.append("changes")
    changes = {
        variant.name: ", ".join(f"{k}={v}" for k, v in variant.overrides.changed().items())
        for variant in report.experiment.variants
    }
    rows = []
    for summary in report.summaries:
        row = [
            summary.variant,
            str(summary.pairs),
            _number(summary.mean_quality, 2),
            _number(summary.mean_score, 2),
            _number(summary.latency_p50_ms, 1),
            _number(summary.latency_p95_ms, 1),
            str(summary.failed),
            str(summary.fallbacks),
            str(summary.cached),
        ]
        if references:
            row += _agreement(summary)
        row.append(_clip(changes.get(summary.variant) or "(the base persona)", _MAX_CHANGES))
        rows.append(row)
    numeric = range(1, len(headers) - 1)
    return _table(headers, rows, numeric=numeric)


def _agreement(summary: VariantSummary) -> list[str]:
    agreement = summary.agreement
    if agreement is None:
        return ["-", "-"]
    return [_number(agreement.mean_absolute_error, 2), _number(agreement.spearman, 2)]


def _table(headers: list[str], rows: list[list[str]], *, numeric: Sequence[int]) -> list[str]:
    """Plain columns two spaces apart; ``numeric`` columns are aligned right."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def _number(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code (argparse exits 2 itself on bad usage)."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Runs the command ``args`` names (parsed by ``coach.command.build_parser``)."""
    # The library logs every store write at INFO; a command line wants only problems.
    configure_logging(args.log_level or "WARNING")
    handler: Callable[[argparse.Namespace], int] = globals()[args.handler]
    try:
        return handler(args)
    except _BadUsage as error:  # a spec, dataset or id to fix
        sys.stderr.write(f"coach: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("coach: interrupted.\n")
        return EXIT_CANCELLED
    except CoachError as error:
        sys.stderr.write(f"coach: {error}\n")
        return 1
    except ValueError as error:  # pydantic validation of the request
        sys.stderr.write(f"coach: {error}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
