"""The ``coach`` command: seed demo data, export a session.

``coach seed-demo`` runs the offline coach through the same services the pages call
(questions, answers, evaluations, summaries, chats), so demo data looks exactly like
real use, spans included when tracing records them. Everything it writes is labelled:
session names start with ``[demo] `` and metadata carries ``{"demo": "true"}``.

Exit codes: 0 done, 1 a problem the user can fix (the message says how), 2 bad usage.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from coach.agents.resolver import TEAM_KEY
from coach.analysis import busy_message
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
from coach.errors import CoachError, SessionNotFound
from coach.log import configure_logging
from coach.personas import PersonaRole
from coach.settings import CoachSettings
from coach.speech import delivery_from_transcript
from coach.store.locking import retry_while_locked
from coach.workbench import Workbench, build_workbench

logger = logging.getLogger(__name__)

DEMO_PREFIX = "[demo] "
DEMO_METADATA = {"demo": "true"}

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
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _practice_session(
    workbench: Workbench, candidate: DemoCandidate, rng: random.Random, report: SeedDemoReport
) -> Session:
    practice, store = workbench.practice, workbench.store
    team = workbench.teams.resolve(SessionKind.INTERVIEW)
    level = CoachingLevel.STRICT if rng.random() < _STRICT_SHARE else CoachingLevel.HELP
    # The service's start_session would not label the session, so the session is made
    # here with the same team metadata it would get, and the rest goes through the service.
    session = store.create_session(
        f"{DEMO_PREFIX}{candidate.role} · {candidate.name}",
        persona=team.agent(PersonaRole.PRIMARY).persona.name,
        coaching_level=level,
        metadata={TEAM_KEY: team.name, **DEMO_METADATA},
    )
    store.add_document(session.id, practice.read_pasted(candidate.resume, DocumentKind.RESUME))
    store.add_document(
        session.id, practice.read_pasted(candidate.job_description, DocumentKind.JOB_DESCRIPTION)
    )
    questions = practice.generate_questions(session.id, count=rng.randint(3, 5))
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
            follow_up = practice.add_follow_up(session.id, evaluation.follow_up)
            report.questions += 1
            _answer(workbench, session.id, follow_up.id, _pick_quality(rng), candidate, rng, report)
    if rng.random() < _SUMMARY_SHARE:
        practice.summarize(session.id)
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
    answer = workbench.practice.submit_answer(session_id, question_id, text, mode=mode)
    report.answers += 1
    if spoken:
        workbench.store.set_delivery(answer.id, _delivery_for(text, quality, rng))
    evaluation = workbench.practice.evaluate(answer.id)
    report.evaluations += 1
    return evaluation


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
        f"{DEMO_PREFIX}Chat with {coach.title}",
        kind=SessionKind.CHAT,
        persona=coach.name,
        metadata={TEAM_KEY: team.name, **DEMO_METADATA},
    )
    for opener in chat_openers(rng, turns):
        workbench.chat.reply(session.id, opener)
        report.chat_messages += 2
    workbench.chat.summarize(session.id)
    return session


def _pick_quality(rng: random.Random) -> AnswerQuality:
    qualities = list(QUALITY_WEIGHTS)
    return rng.choices(qualities, weights=[QUALITY_WEIGHTS[q] for q in qualities])[0]


# --- commands ---------------------------------------------------------------------------


def _settings(db: Path | None) -> CoachSettings:
    """The app's settings, pointed at ``db`` when given, always with the offline coach."""
    settings = CoachSettings()
    store = settings.store if db is None else settings.store.model_copy(update={"path": db})
    agent = settings.agent.model_copy(update={"provider": "offline"})
    return settings.model_copy(update={"store": store, "agent": agent})


def _workbench(db: Path | None) -> Workbench:
    from coach.providers.offline import OfflineProvider

    return build_workbench(_settings(db), provider=OfflineProvider())


def _seed_demo_command(args: argparse.Namespace) -> int:
    request = SeedDemoRequest(sessions=args.sessions, chats=args.chats, seed=args.seed)
    workbench = _workbench(args.db)
    try:
        report = seed_demo(workbench, request)
    finally:
        workbench.close()  # flushes the last spans, then lets go of the file
    store = workbench.settings.store
    spans = _label_demo_spans(store.path, report.session_ids, store.lock_timeout_seconds)
    sys.stdout.write(
        f"Seeded {_count(report.practice_sessions, 'demo practice session')} and "
        f"{_count(report.chats, 'chat')} into {store.path} in {report.seconds:g} s: "
        f"{_count(report.questions, 'question')}, {_count(report.answers, 'answer')}, "
        f"{_count(report.evaluations, 'evaluation')}, {_count(report.summaries, 'summary')}, "
        f"{_count(report.chat_messages, 'chat message')}, {_count(spans, 'span')}.\n"
    )
    return 0


def _label_demo_spans(path: Path, session_ids: list[str], timeout_seconds: float) -> int:
    """Marks the spans of the demo's traces ``demo``, so telemetry can tell them apart.

    The tracer writes spans without knowing they are demo data; every trace the seeding
    makes touches one of its sessions, so their trace ids find them all. Returns how many
    spans the demo has (0 before tracing, or with it switched off).
    """
    if not session_ids:
        return 0
    live, _ = retry_while_locked(
        lambda: duckdb.connect(str(path)),
        path=path,
        timeout_seconds=timeout_seconds,
        busy_message=busy_message(path, timeout_seconds),
    )
    with live as connection:
        tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        if ("spans",) not in tables:
            return 0
        connection.execute(
            "UPDATE spans SET demo = true WHERE NOT demo AND trace_id IN "
            "(SELECT trace_id FROM spans WHERE list_contains(?, session_id))",
            [session_ids],
        )
        row = connection.execute(
            "SELECT count(*) FROM spans WHERE trace_id IN "
            "(SELECT trace_id FROM spans WHERE list_contains(?, session_id))",
            [session_ids],
        ).fetchone()
    return int(row[0]) if row else 0


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _export_command(args: argparse.Namespace) -> int:
    workbench = _workbench(args.db)
    try:
        export = workbench.exports.markdown(args.session)
    except SessionNotFound as error:
        raise CoachError(
            f"There is no session with id {args.session!r} in {workbench.settings.store.path}. "
            "The ids are in the session_id column of open_analysis().sessions() "
            "(see the README's 'For analysts')."
        ) from error
    finally:
        workbench.close()
    out: Path | None = args.out
    if out is None:
        sys.stdout.write(export.content)
        return 0
    if out.is_dir():
        out = out / export.filename
    try:
        out.write_text(export.content, encoding="utf-8")
    except OSError as error:
        raise CoachError(f"Could not write {out}: {error.strerror or error}.") from error
    sys.stdout.write(f"Wrote {out}\n")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small; give 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="The Coaching Workbench from the command line."
    )
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = commands.add_parser(
        "seed-demo",
        help="fill a database with labelled demo sessions, played by the offline coach",
    )
    seed.add_argument("--sessions", type=_positive_int, required=True, help="practice sessions")
    seed.add_argument("--chats", type=int, default=2, help="chat sessions (default 2)")
    seed.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    seed.set_defaults(handler=_seed_demo_command)

    export = commands.add_parser("export", help="write a session as Markdown")
    export.add_argument("--session", required=True, help="the session id")
    export.add_argument("--db", type=Path, default=None, help="database file (default: settings)")
    export.add_argument("--out", type=Path, default=None, help="file or folder (default: stdout)")
    export.set_defaults(handler=_export_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code (argparse exits 2 itself on bad usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    # The library logs every store write at INFO; a command line wants only problems.
    configure_logging(args.log_level or "WARNING")
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CoachError as error:
        sys.stderr.write(f"coach: {error}\n")
        return 1
    except ValueError as error:  # pydantic validation of the request
        sys.stderr.write(f"coach: {error}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
