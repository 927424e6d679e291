"""The interview-practice use cases: the functions the Practice page calls.

Plain Python over a ``SessionStore`` and an ``AgentTeam``, so a notebook or the CLI can
run the same flow. The rule that matters most: an answer is stored *before* it is
evaluated, so a crash or a failing model never loses what the candidate typed.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from coach.agents.resolver import TEAM_KEY, AgentTeamResolver
from coach.agents.team import AgentTeam, TeamBriefing, TextReply
from coach.documents import extract_upload, from_pasted_text
from coach.domain import (
    Answer,
    AnswerMode,
    Attempt,
    CoachingLevel,
    Document,
    DocumentKind,
    Evaluation,
    ExtractedDocument,
    FollowUp,
    Question,
    QuestionDraft,
    QuestionSource,
    QuestionType,
    Session,
    SessionKind,
    SessionSummary,
    Transcript,
)
from coach.errors import AnswerSavedNotScored, CoachError, EmptyAnswer
from coach.offline.fields import FieldCatalog, field_catalog, field_questions
from coach.offline.fit import Fit, assess_fit
from coach.offline.profiles import job_title, profile_job, profile_resume
from coach.offline.question_kinds import question_type_for
from coach.offline.talking_points import TalkingPoints, talking_points
from coach.personas import PersonaRole
from coach.runtime import AsyncRunner
from coach.services.fair_use import ModelActionLimit
from coach.settings import UploadSettings
from coach.store.base import SessionStore
from coach.tasks import (
    AskFollowUp,
    EvaluateAnswer,
    GenerateQuestions,
    SummarizeSession,
    WriteExampleAnswer,
)
from coach.telemetry import Telemetry, carry_context
from coach.users import Actor

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1_000
# An answer and its evaluation each move the session's revision by one (the store's
# contract tests hold it to that).
_REVISIONS_PER_SCORED_ANSWER = 2
_MAX_PENDING_FOLLOW_UPS = 64
# Session metadata: what the candidate was warned about their documents (too little
# text, a locked PDF), kept so the session keeps saying it, not only the upload.
DOCUMENT_WARNINGS_KEY = "document_warnings"
# Session metadata of practice by field and level, with no job posting.
FIELD_KEY = "practice_field"
LEVEL_KEY = "practice_level"


class QuestionProgress(BaseModel):
    """One question with every attempt at it and the unsent draft."""

    model_config = ConfigDict(frozen=True)

    question: Question
    attempts: list[Attempt] = Field(default_factory=list)
    draft: str = ""

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def latest_evaluation(self) -> Evaluation | None:
        scored = [a.evaluation for a in self.attempts if a.evaluation is not None]
        return scored[-1] if scored else None

    @property
    def needs_evaluation(self) -> Answer | None:
        """The latest answer, if it was stored but never scored (a crash, a model error)."""
        latest = self.latest
        return latest.answer if latest and latest.evaluation is None else None


class PracticeView(BaseModel):
    """Everything the Practice page shows for one session, read in one go."""

    model_config = ConfigDict(frozen=True)

    session: Session
    documents: list[Document]
    questions: list[QuestionProgress]
    summary: SessionSummary | None = None
    transcripts: list[Transcript] = Field(default_factory=list)

    @property
    def current(self) -> QuestionProgress | None:
        """Where the candidate left off: the remembered question, else the first unanswered."""
        by_id = {p.question.id: p for p in self.questions}
        if self.session.current_question_id in by_id:
            return by_id[self.session.current_question_id]
        unanswered = [p for p in self.questions if not p.attempts]
        return (unanswered or self.questions or [None])[0]

    @property
    def answered_count(self) -> int:
        return sum(1 for p in self.questions if p.attempts)

    def document(self, kind: DocumentKind) -> Document | None:
        return next((d for d in self.documents if d.kind is kind), None)

    @property
    def practice_field(self) -> tuple[str, str] | None:
        """The field and level of a session practised without a posting."""
        metadata = self.session.metadata
        if FIELD_KEY not in metadata:
            return None
        return metadata[FIELD_KEY], metadata.get(LEVEL_KEY, "mid")

    @property
    def document_warnings(self) -> list[str]:
        stored = self.session.metadata.get(DOCUMENT_WARNINGS_KEY, "")
        return [line for line in stored.split("\n") if line]

    def with_evaluation(self, evaluation: Evaluation) -> PracticeView:
        """This view with one of its evaluations as stored since (a follow-up added): a
        page that stored it draws the rest of its run without reading the session again."""
        questions = []
        for progress in self.questions:
            attempts = [
                a.model_copy(update={"evaluation": evaluation})
                if a.evaluation is not None and a.evaluation.id == evaluation.id
                else a
                for a in progress.attempts
            ]
            questions.append(progress.model_copy(update={"attempts": attempts}))
        return self.model_copy(update={"questions": questions})

    def with_attempt(
        self, answer: Answer, evaluation: Evaluation, session: Session
    ) -> PracticeView:
        """This view after ``answer`` was stored and scored (its question's draft cleared,
        the question made current), at ``session``: what reading it again would give
        when nothing else was written to the session meanwhile."""
        attempt = Attempt(answer=answer, evaluation=evaluation)
        questions = [
            progress.model_copy(update={"attempts": [*progress.attempts, attempt], "draft": ""})
            if progress.question.id == answer.question_id
            else progress
            for progress in self.questions
        ]
        return self.model_copy(update={"session": session, "questions": questions})


class PracticeService:
    """Start sessions, generate questions, take answers, evaluate, summarise."""

    def __init__(
        self,
        store: SessionStore,
        teams: AgentTeamResolver,
        runner: AsyncRunner,
        uploads: UploadSettings,
        *,
        telemetry: Telemetry | None = None,
        limit: ModelActionLimit | None = None,
        follow_up_beside_score: Callable[[], bool] = lambda: False,
    ) -> None:
        """``follow_up_beside_score`` says whether the model server can work on the
        follow-up while it scores (more than one parallel slot)."""
        self._store = store
        self._teams = teams
        self._runner = runner
        self._uploads = uploads
        self._telemetry = telemetry or Telemetry.disabled()
        self._limit = limit or ModelActionLimit()
        # The page asks on every rerun; reading two long documents takes ~0.1 s. Both are
        # pure functions of stored text (answers never change), so they are remembered.
        self._fit_of = lru_cache(maxsize=64)(_fit_of_texts)
        self._talking_points_of = lru_cache(maxsize=256)(talking_points)
        self._follow_up_beside_score = follow_up_beside_score
        # Follow-ups started beside a score, by answer id, until the page asks for them.
        self._follow_ups: dict[str, concurrent.futures.Future[FollowUp]] = {}
        self._lock = threading.Lock()
        self._views = _ViewCache()

    # --- documents -------------------------------------------------------------------

    def read_upload(self, data: bytes, filename: str, kind: DocumentKind) -> ExtractedDocument:
        """Extract and check an upload; raises ``DocumentError`` and stores nothing."""
        return extract_upload(data, filename, kind, self._uploads)

    def read_pasted(self, text: str, kind: DocumentKind) -> ExtractedDocument:
        return from_pasted_text(text, kind, self._uploads)

    @staticmethod
    def field_choices() -> FieldCatalog:
        """The fields and levels a candidate can practise without a posting."""
        return field_catalog()

    # --- sessions --------------------------------------------------------------------

    def team_for(self, session: Session) -> AgentTeam:
        """The session's own team (kept in its metadata), so it keeps its coaches."""
        return self._teams.resolve(SessionKind.INTERVIEW, session.metadata, session_id=session.id)

    def briefing(self, session: Session) -> TeamBriefing:
        return self.team_for(session).boot(session.coaching_level)

    def start_session(
        self,
        actor: Actor,
        resume: ExtractedDocument,
        job_description: ExtractedDocument,
        *,
        name: str | None = None,
        question_count: int = 5,
        hint: str = "",
        coaching_level: CoachingLevel = CoachingLevel.HELP,
        types: list[QuestionType] | None = None,
        now: datetime | None = None,
    ) -> Session:
        """Create a session from two checked documents and generate its first questions."""
        with self._telemetry.turn("start_session", actor=actor):
            if resume.kind is not DocumentKind.RESUME or (
                job_description.kind is not DocumentKind.JOB_DESCRIPTION
            ):
                raise CoachError("Give a resume and a job description, in that order.")
            team = self._teams.resolve(SessionKind.INTERVIEW)
            metadata = {TEAM_KEY: team.name}
            warnings = [*resume.warnings, *job_description.warnings]
            if warnings:
                metadata[DOCUMENT_WARNINGS_KEY] = "\n".join(warnings)
            # One commit for the session and its documents, still before any model call.
            with self._store.batch():
                session = self._store.create_session(
                    actor,
                    _clean_name(name) or _default_name(job_description.text, now),
                    persona=team.agent(PersonaRole.PRIMARY).persona.name,
                    coaching_level=coaching_level,
                    metadata=metadata,
                )
                self._store.add_document(actor, session.id, resume)
                self._store.add_document(actor, session.id, job_description)
            self._telemetry.annotate(session)
            with self._telemetry.turn("generate_questions", session_id=session.id, actor=actor):
                self._generate(
                    actor,
                    session,
                    resume.text,
                    job_description.text,
                    [],
                    count=question_count,
                    hint=hint,
                    types=types,
                )
            return self._store.get_session(actor, session.id)

    def start_field_session(
        self,
        actor: Actor,
        field: str,
        level: str,
        resume: ExtractedDocument | None = None,
        *,
        name: str | None = None,
        question_count: int = 5,
        coaching_level: CoachingLevel = CoachingLevel.HELP,
        now: datetime | None = None,
    ) -> Session:
        """A session with no job posting: bank questions for a field and level.

        A resume is optional; given, the coach builds example answers from it.
        """
        with self._telemetry.turn("start_session", actor=actor):
            catalog = field_catalog()
            try:
                chosen_field, chosen_level = catalog.field(field), catalog.level(level)
            except KeyError as error:
                raise CoachError(
                    f"Pick a field and a level from the lists; {error.args[0]!r} is not one."
                ) from None
            if resume is not None and resume.kind is not DocumentKind.RESUME:
                raise CoachError("Give your resume here, or no document at all.")
            team = self._teams.resolve(SessionKind.INTERVIEW)
            metadata = {TEAM_KEY: team.name, FIELD_KEY: field, LEVEL_KEY: level}
            if resume is not None and resume.warnings:
                metadata[DOCUMENT_WARNINGS_KEY] = "\n".join(resume.warnings)
            stamp = (now or datetime.now()).strftime("%d %b %Y %H:%M")
            default_name = f"{chosen_field.label} · {chosen_level.label.split(' (')[0]} · {stamp}"
            session = self._store.create_session(
                actor,
                _clean_name(name) or default_name,
                persona=team.agent(PersonaRole.PRIMARY).persona.name,
                coaching_level=coaching_level,
                metadata=metadata,
            )
            self._telemetry.annotate(session)
            if resume is not None:
                self._store.add_document(actor, session.id, resume)
            self.generate_questions(actor, session.id, count=question_count)
            return self._store.get_session(actor, session.id)

    def view(self, actor: Actor, session_id: str) -> PracticeView:
        """The whole session as one consistent snapshot.

        A rerun with nothing changed costs one query: every write to a session moves
        its revision, so a view read at the same revision is still whole.
        """
        with self._store.reading():
            session = self._store.get_session(actor, session_id)
            cached = self._views.get(session)
            if cached is not None:
                return cached
            view = self._view(actor, session)
        self._views.put(view)
        return view

    def _view(self, actor: Actor, session: Session) -> PracticeView:
        store = self._store
        session_id = session.id
        questions = store.questions(actor, session_id)
        evaluations = {e.answer_id: e for e in store.evaluations(actor, session_id)}
        deliveries = store.deliveries(actor, session_id)
        attempts: dict[str, list[Attempt]] = {q.id: [] for q in questions}
        for answer in store.answers(actor, session_id):
            attempts.setdefault(answer.question_id, []).append(
                Attempt(
                    answer=answer,
                    evaluation=evaluations.get(answer.id),
                    delivery=deliveries.get(answer.id),
                )
            )
        drafts = store.drafts(actor, session_id)
        progress = [
            QuestionProgress(question=q, attempts=attempts[q.id], draft=drafts.get(q.id, ""))
            for q in questions
        ]
        return PracticeView(
            session=session,
            documents=store.documents(actor, session_id),
            questions=progress,
            summary=store.latest_summary(actor, session_id),
            transcripts=store.transcripts(actor, session_id),
        )

    def set_coaching_level(self, actor: Actor, session_id: str, level: CoachingLevel) -> Session:
        return self._store.set_coaching_level(actor, session_id, level)

    def go_to_question(self, actor: Actor, session_id: str, question_id: str) -> None:
        self._store.set_current_question(actor, session_id, question_id)

    # --- questions -------------------------------------------------------------------

    def generate_questions(
        self,
        actor: Actor,
        session_id: str,
        *,
        count: int = 5,
        hint: str = "",
        types: list[QuestionType] | None = None,
    ) -> list[Question]:
        """Ask the primary coach for ``count`` more questions, never repeating one."""
        with self._telemetry.turn("generate_questions", session_id=session_id, actor=actor):
            with self._store.reading():
                session = self._store.get_session(actor, session_id)
                resume, job = self._texts(actor, session_id)
                existing = [q.text for q in self._store.questions(actor, session_id)]
            return self._generate(
                actor, session, resume, job, existing, count=count, hint=hint, types=types
            )

    def _generate(
        self,
        actor: Actor,
        session: Session,
        resume: str,
        job: str,
        existing: list[str],
        *,
        count: int,
        hint: str,
        types: list[QuestionType] | None,
    ) -> list[Question]:
        """``generate_questions`` with what it reads in hand (a session just started
        has it all: its documents, and no questions yet)."""
        session_id = session.id
        self._telemetry.annotate(session)
        if FIELD_KEY in session.metadata:
            return self._add_field_questions(actor, session, count, types or [])
        task = GenerateQuestions(
            resume=resume,
            job_description=job,
            count=count,
            hint=hint.strip(),
            types=types or [],
            existing=existing,
            coaching_level=session.coaching_level,
        )
        with self._limit.hold(actor):
            question_set = self._runner.run(
                carry_context(self.team_for(session).ask_questions(task))
            )
        with self._store.batch():
            added = self._store.add_questions(
                actor,
                session_id,
                question_set.questions[:count],
                attribution=question_set.attribution,
            )
            if added and session.current_question_id is None:
                self._store.set_current_question(actor, session_id, added[0].id)
        return added

    def _add_field_questions(
        self, actor: Actor, session: Session, count: int, types: list[QuestionType]
    ) -> list[Question]:
        """More bank questions for a session practised by field (no model is asked)."""
        drafts = field_questions(
            session.metadata[FIELD_KEY],
            session.metadata.get(LEVEL_KEY, "mid"),
            count if not types else 10 * count,
            existing=[q.text for q in self._store.questions(actor, session.id)],
            seed=session.id,
        )
        drafts = [d for d in drafts if not types or d.type in types][:count]
        added = self._store.add_questions(actor, session.id, drafts)
        if added and session.current_question_id is None:
            self._store.set_current_question(actor, session.id, added[0].id)
        return added

    def add_custom_question(
        self, actor: Actor, session_id: str, text: str, question_type: QuestionType | None = None
    ) -> Question:
        """A question the candidate typed; its type read from its wording unless given."""
        text = " ".join(text.split())
        if not text:
            raise CoachError("Type the question you want to practise before adding it.")
        if len(text) > MAX_QUESTION_CHARS:
            raise CoachError(
                f"That question is {len(text):,} characters long; keep it under "
                f"{MAX_QUESTION_CHARS:,} so it reads like a real interview question."
            )
        draft = QuestionDraft(
            text=text,
            type=question_type or question_type_for(text),
            competency="custom",
            source=QuestionSource.CUSTOM,
            rationale="Added by you.",
        )
        (question,) = self._store.add_questions(actor, session_id, [draft])
        return question

    def add_follow_up(self, actor: Actor, session_id: str, text: str) -> Question:
        """The interviewer's follow-up becomes a question of its own, to practise next."""
        text = " ".join(text.split())[:MAX_QUESTION_CHARS]
        draft = QuestionDraft(
            text=text,
            type=question_type_for(text),
            competency="follow-up",
            source=QuestionSource.TAILORED,
            rationale="The interviewer's follow-up to your answer.",
        )
        (question,) = self._store.add_questions(actor, session_id, [draft])
        return question

    def remove_question(self, actor: Actor, question_id: str) -> None:
        self._store.remove_question(actor, question_id)

    # --- answers ---------------------------------------------------------------------

    def save_draft(self, actor: Actor, session_id: str, question_id: str, text: str) -> None:
        """Autosave what is in the answer box, so a closed tab loses nothing."""
        self._store.save_draft(actor, session_id, question_id, text)

    def submit_answer(
        self,
        actor: Actor,
        session_id: str,
        question_id: str,
        text: str,
        *,
        mode: AnswerMode = AnswerMode.TEXT,
    ) -> Answer:
        """Store the answer as the next attempt. Empty answers are refused, draft kept."""
        with self._telemetry.turn("submit_answer", session_id=session_id, actor=actor):
            if not text or not text.strip():
                raise EmptyAnswer(
                    "Your answer is empty. Type (or record) your answer, then submit it. "
                    "Stuck? Open the example answer for ideas."
                )
            # One write (it also remembers the question as the current one), committed
            # before anyone scores the answer.
            return self._store.add_answer(actor, session_id, question_id, text.strip(), mode=mode)

    def evaluate(self, actor: Actor, answer_id: str) -> Evaluation:
        """Score a stored answer and return as soon as the score is stored.

        The follow-up is a separate step (``follow_up``), so it never delays the score:
        on a server with parallel slots it is started beside the evaluation and picked
        up later; on a single-slot server it waits until the score is in."""
        return self._evaluate(actor, answer_id)

    def _evaluate(
        self, actor: Actor, answer: Answer | str, shown: PracticeView | None = None
    ) -> Evaluation:
        """``evaluate`` of a stored answer, or of its id; with the page's view of its
        session, the tasks come from there (no reads)."""
        with self._telemetry.turn("evaluate_answer", actor=actor):
            known = _shown_tasks(shown, answer)
            if known is not None:
                session, evaluate, follow_up = known
            else:
                with self._store.reading():  # one snapshot for every read the tasks need
                    if isinstance(answer, str):
                        answer = self._store.get_answer(actor, answer)
                    session = self._store.get_session(actor, answer.session_id)
                    evaluate, follow_up = self._tasks(actor, answer, session)
            self._telemetry.annotate(session)
            team = self.team_for(session)
            with self._limit.hold(actor):
                scoring = self._runner.submit(carry_context(team.evaluate(evaluate)))
                try:
                    if self._follow_up_beside_score():
                        # Started second: the loop sends the score's request first.
                        self._start_follow_up(answer.id, team, follow_up)
                except BaseException:
                    scoring.cancel()
                    raise
                draft = self._runner.wait(scoring)
            evaluation = self._store.add_evaluation(actor, answer.id, draft)
            self._telemetry.scored(evaluation.overall)
            return evaluation

    def follow_up(self, actor: Actor, evaluation: Evaluation) -> Evaluation:
        """The interviewer's follow-up to a scored answer, stored with the evaluation.

        It arrives after the score; if the model fails, the offline coach's follow-up is
        stored, labelled, like any fallback."""
        with self._telemetry.turn("ask_follow_up", session_id=evaluation.session_id, actor=actor):
            with self._lock:
                started = self._follow_ups.pop(evaluation.answer_id, None)
            if started is not None:
                probed = started.result()
            else:
                answer = self._store.get_answer(actor, evaluation.answer_id)
                session = self._store.get_session(actor, answer.session_id)
                _, task = self._tasks(actor, answer, session)
                with self._limit.hold(actor):
                    probed = self._runner.run(carry_context(self.team_for(session).follow_up(task)))
            return self._store.set_follow_up(
                actor, evaluation.id, probed.question.text, probed.attribution
            )

    def _tasks(
        self, actor: Actor, answer: Answer, session: Session
    ) -> tuple[EvaluateAnswer, AskFollowUp]:
        question = self._store.get_question(actor, answer.question_id)
        resume, job = self._texts(actor, answer.session_id)
        return _tasks_for(answer, question, resume, job, session)

    def _start_follow_up(self, answer_id: str, team: AgentTeam, task: AskFollowUp) -> None:
        future = self._runner.submit(carry_context(team.follow_up(task)))
        with self._lock:
            self._follow_ups[answer_id] = future
            while len(self._follow_ups) > _MAX_PENDING_FOLLOW_UPS:
                oldest = next(iter(self._follow_ups))
                self._follow_ups.pop(oldest).cancel()

    def fit(self, actor: Actor, session_id: str) -> Fit:
        """How the session's resume fits its posting: shared terms, missing requirements
        (named), gaps, a career change. Empty when either document is missing."""
        resume, job = self._texts(actor, session_id)
        return self._fit_of(resume, job)

    def talking_points(self, actor: Actor, answer_id: str) -> TalkingPoints:
        """The job-related terms an answer used and the posting's terms it could have."""
        answer = self._store.get_answer(actor, answer_id)
        resume, job = self._texts(actor, answer.session_id)
        return self._talking_points_of(answer.text, job, resume)

    def fit_of(self, view: PracticeView) -> Fit:
        """``fit`` from a view the page already holds: no query on a rerun."""
        return self._fit_of(*_view_texts(view))

    def talking_points_of(self, view: PracticeView, answer: Answer) -> TalkingPoints:
        """``talking_points`` of one of the view's answers, from the view's documents."""
        resume, job = _view_texts(view)
        return self._talking_points_of(answer.text, job, resume)

    def answer_and_evaluate(
        self,
        actor: Actor,
        session_id: str,
        question_id: str,
        text: str,
        *,
        shown: PracticeView | None = None,
    ) -> tuple[Answer, Evaluation]:
        """Store, then score, as one turn (one trace).

        ``shown`` is the view the page drew the question from. The evaluation then reads
        its question and documents there, and when nobody else wrote to the session
        meanwhile, the next ``view`` is this one with the scored answer added, not
        read again (a person waits for the score on that path).

        Raises ``AnswerSavedNotScored`` when the answer is stored but scoring failed, so
        the page can say the answer is safe without telling the two steps apart itself.
        """
        with self._telemetry.turn("answer_and_evaluate", session_id=session_id, actor=actor):
            answer = self.submit_answer(actor, session_id, question_id, text)
            if shown is not None and shown.session.id != session_id:
                shown = None
            try:
                evaluation = self._evaluate(actor, answer, shown)
            except CoachError as error:
                raise AnswerSavedNotScored(f"Your answer is saved. {error}") from error
            if shown is not None:
                self._carry_forward(actor, shown, answer, evaluation)
            return answer, evaluation

    def _carry_forward(
        self, actor: Actor, shown: PracticeView, answer: Answer, evaluation: Evaluation
    ) -> None:
        """Keep ``shown`` plus the scored answer as the session's view, if the answer and
        its evaluation (one revision each) were the only writes since ``shown``."""
        session = self._store.get_session(actor, shown.session.id)
        if session.revision == shown.session.revision + _REVISIONS_PER_SCORED_ANSWER:
            self._views.put(shown.with_attempt(answer, evaluation, session))

    def stream_example_answer(self, actor: Actor, question_id: str) -> TextReply:
        """A fresh example answer, streamed, for a candidate waiting to read it.

        Its turn ends when the last piece has been read (or the reader stops)."""
        turn = self._telemetry.start_turn("write_example_answer", actor=actor)
        try:
            with self._telemetry.activate_turn(turn):
                self._limit.check(actor)
                with self._store.reading():
                    question = self._store.get_question(actor, question_id)
                    session = self._store.get_session(actor, question.session_id)
                    resume, job = self._texts(actor, session.id)
                    attempts = self._store.answers(actor, session.id, question_id)
                self._telemetry.annotate(session)
                task = WriteExampleAnswer(
                    question=_draft_of(question),
                    answer=attempts[-1].text if attempts else "",
                    resume=resume,
                    job_description=job,
                    coaching_level=session.coaching_level,
                )
                reply = self.team_for(session).stream(task)
        except BaseException as error:
            self._telemetry.end_turn(turn, error)
            raise
        reply.pieces = self._telemetry.end_turn_after(
            turn, self._limit.hold_stream(actor, reply.pieces)
        )
        return reply

    def iterate(self, reply: TextReply) -> Iterator[str]:
        """The reply's pieces as a plain iterator (for ``st.write_stream``)."""
        return self._runner.iterate(reply.pieces)

    # --- summary ---------------------------------------------------------------------

    def summarize(self, actor: Actor, session_id: str) -> SessionSummary:
        """Sum up the latest evaluation of every answered question."""
        with self._telemetry.turn("summarize_session", session_id=session_id, actor=actor):
            view = self.view(actor, session_id)
            self._telemetry.annotate(view.session)
            latest = [p.latest_evaluation for p in view.questions if p.latest_evaluation]
            task = SummarizeSession(
                questions=[_draft_of(p.question) for p in view.questions],
                evaluations=[e for e in latest if e is not None],
                coaching_level=view.session.coaching_level,
            )
            with self._limit.hold(actor):
                draft = self._runner.run(carry_context(self.team_for(view.session).summarize(task)))
            return self._store.add_summary(actor, session_id, draft)

    # --- helpers ---------------------------------------------------------------------

    def _texts(self, actor: Actor, session_id: str) -> tuple[str, str]:
        documents = {d.kind: d.text for d in self._store.documents(actor, session_id)}
        return (
            documents.get(DocumentKind.RESUME, ""),
            documents.get(DocumentKind.JOB_DESCRIPTION, ""),
        )


class _ViewCache:
    """The last views read, by session and revision; views are frozen, so threads
    share them safely."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._views: OrderedDict[tuple[str, int], PracticeView] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session) -> PracticeView | None:
        with self._lock:
            view = self._views.get((session.id, session.revision))
            if view is not None:
                self._views.move_to_end((session.id, session.revision))
            return view

    def put(self, view: PracticeView) -> None:
        with self._lock:
            self._views[(view.session.id, view.session.revision)] = view
            while len(self._views) > self._size:
                self._views.popitem(last=False)


_DRAFT_FIELDS = set(QuestionDraft.model_fields)


def _draft_of(question: Question) -> QuestionDraft:
    return QuestionDraft.model_validate(question.model_dump(include=_DRAFT_FIELDS))


def _tasks_for(
    answer: Answer, question: Question, resume: str, job: str, session: Session
) -> tuple[EvaluateAnswer, AskFollowUp]:
    context = {
        "question": _draft_of(question),
        "answer": answer.text,
        "resume": resume,
        "job_description": job,
        "coaching_level": session.coaching_level,
    }
    return EvaluateAnswer(**context), AskFollowUp(**context)


def _shown_tasks(
    shown: PracticeView | None, answer: Answer | str
) -> tuple[Session, EvaluateAnswer, AskFollowUp] | None:
    """The session and tasks for ``answer`` from the view the page showed (None: read
    them: no view, or the question is not in it)."""
    if shown is None or not isinstance(answer, Answer):
        return None
    asked = next((p.question for p in shown.questions if p.question.id == answer.question_id), None)
    if asked is None:
        return None
    return shown.session, *_tasks_for(answer, asked, *_view_texts(shown), shown.session)


def _view_texts(view: PracticeView) -> tuple[str, str]:
    resume, job = view.document(DocumentKind.RESUME), view.document(DocumentKind.JOB_DESCRIPTION)
    return (resume.text if resume else "", job.text if job else "")


def _fit_of_texts(resume: str, job: str) -> Fit:
    return assess_fit(resume, job, profile_resume(resume), profile_job(job))


def _clean_name(name: str | None) -> str:
    return " ".join((name or "").split())[:120]


def _default_name(job_text: str, now: datetime | None) -> str:
    title = job_title(job_text) or "Practice interview"
    stamp = (now or datetime.now()).strftime("%d %b %Y %H:%M")
    return f"{title[:80]} · {stamp}"
