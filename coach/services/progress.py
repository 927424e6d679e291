"""My progress: how a candidate's answers change across sessions and attempts.

Scores per rubric dimension over time, fillers and most-used words over time, and the
questions they keep struggling with, all read from the store the practice flow writes
(offline: nothing here calls a model). The page, a notebook and the figures in
``coach.figures`` read the same ``ProgressReport``.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import mean
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import RubricDimension, SessionKind, SessionOverview
from coach.store.base import SessionStore
from coach.text import Filler, content_words, count_words, find_fillers
from coach.users import Actor

if TYPE_CHECKING:  # pandas (~0.4 s) loads when a report is drawn, not with the app
    import pandas as pd

# A question "keeps giving trouble" when its answers average below this, over at least
# this many attempts (one weak answer is a bad day, two is a pattern).
STRUGGLE_BELOW = 6.0
STRUGGLE_MIN_ATTEMPTS = 2
_SPACES = re.compile(r"\s+")


class ScoredAttempt(BaseModel):
    """One scored answer, with what the charts need from it."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    session_name: str
    session_started: datetime
    question_text: str
    attempt: int
    answered_at: datetime
    overall: float
    dimensions: dict[RubricDimension, float] = Field(default_factory=dict)
    words: int = 0
    fillers: int = 0


class StrugglingQuestion(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_text: str
    attempts: int
    sessions: int
    average: float
    best: float
    latest: float


class WordUse(BaseModel):
    model_config = ConfigDict(frozen=True)

    word: str
    count: int


class SessionWords(BaseModel):
    """One session's most-used words: does the vocabulary change as you practise?"""

    model_config = ConfigDict(frozen=True)

    session_name: str
    session_started: datetime
    words: list[WordUse]


class ProgressReport(BaseModel):
    """Everything the progress page shows, oldest attempt first."""

    model_config = ConfigDict(frozen=True)

    attempts: list[ScoredAttempt] = Field(default_factory=list)
    struggling: list[StrugglingQuestion] = Field(default_factory=list)
    top_words: list[WordUse] = Field(default_factory=list)
    words_by_session: list[SessionWords] = Field(default_factory=list)
    sessions_read: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.attempts

    @classmethod
    def from_answers(cls, answers: pd.DataFrame) -> ProgressReport:
        """A report from ``open_analysis().answers_with_scores()`` (a notebook's snapshot
        of the database), so a notebook draws the page's figures while the app runs.

        That frame has no answer text: fillers and words stay empty here."""
        import pandas as pd

        scored = answers.dropna(subset=["overall"])
        started = scored.groupby("session_id")["answered_at"].min()
        attempts = [
            ScoredAttempt(
                session_id=row["session_id"],
                session_name=row["session_name"],
                session_started=started[row["session_id"]],
                question_text=row["question"],
                attempt=int(row["attempt"]),
                answered_at=row["answered_at"],
                overall=float(row["overall"]),
                dimensions={
                    d: float(row[d.value])
                    for d in RubricDimension
                    if d.value in row and pd.notna(row[d.value])
                },
                words=int(row.get("answer_words", 0) or 0),
            )
            for _, row in scored.iterrows()
        ]
        attempts.sort(key=lambda a: a.answered_at)
        return cls(
            attempts=attempts,
            struggling=_struggling(attempts),
            sessions_read=len(started),
        )

    def frame(self) -> pd.DataFrame:
        """One row per scored attempt and dimension (long form, for charts and notebooks)."""
        import pandas as pd

        rows = []
        for a in self.attempts:
            base = {
                "session_id": a.session_id,
                "session": a.session_name,
                "session_started": a.session_started,
                "question": a.question_text,
                "attempt": a.attempt,
                "answered_at": a.answered_at,
            }
            rows.append({**base, "dimension": "Overall", "score": a.overall})
            rows += [
                {**base, "dimension": d.label, "score": score} for d, score in a.dimensions.items()
            ]
        return pd.DataFrame(rows)

    def fillers_by_session(self) -> pd.DataFrame:
        """Fillers per 100 words in each session's answers, oldest session first."""
        import pandas as pd

        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        names: dict[str, tuple[datetime, str]] = {}
        for a in self.attempts:
            totals[a.session_id][0] += a.fillers
            totals[a.session_id][1] += a.words
            names[a.session_id] = (a.session_started, a.session_name)
        rows = [
            {
                "session_id": sid,
                "session": names[sid][1],
                "session_started": names[sid][0],
                "fillers": fillers,
                "words": words,
                "fillers_per_100_words": 100 * fillers / words if words else 0.0,
            }
            for sid, (fillers, words) in totals.items()
        ]
        frame = pd.DataFrame(rows)
        return frame.sort_values("session_started") if not frame.empty else frame


@dataclass(frozen=True)
class _SessionProgress:
    """What one session adds to the report, remembered until the session changes."""

    version: tuple[object, ...]
    attempts: list[ScoredAttempt]
    words: Counter[str]


class ProgressService:
    """Reads the practice sessions and sums up how the answers are going.

    Reading a session takes three store calls (~7 ms each on a busy machine, so 1.7 s
    for 60 sessions); a session is read again only when its row in the sessions list
    changes (a new answer or score moves ``updated_at``, a removed question the counts).
    """

    def __init__(self, store: SessionStore, *, max_sessions: int = 200) -> None:
        self._store = store
        self._max_sessions = max_sessions
        # By (owner, session id); each report keeps its owner's current sessions only.
        self._read: dict[tuple[tuple[str, str], str], _SessionProgress] = {}
        self._lock = threading.Lock()

    def report(self, actor: Actor, *, top_words: int = 15) -> ProgressReport:
        """The actor's own progress; an admin's too is their own sessions only."""
        actor = actor.model_copy(update={"is_admin": False})
        overviews = [
            o
            for o in self._store.list_sessions(actor, limit=self._max_sessions)
            if o.kind is SessionKind.INTERVIEW and o.answered_count
        ]
        attempts: list[ScoredAttempt] = []
        word_counts: Counter[str] = Counter()
        by_session: list[SessionWords] = []
        owner = (actor.issuer, actor.subject)
        fresh: dict[tuple[tuple[str, str], str], _SessionProgress] = {}
        for overview in overviews:
            version = (
                overview.name,
                overview.updated_at,
                overview.answered_count,
                overview.question_count,
                overview.average_score,
            )
            with self._lock:
                known = self._read.get((owner, overview.id))
            progress = known if known and known.version == version else None
            progress = progress or self._read_session(actor, overview, version)
            fresh[(owner, overview.id)] = progress
            attempts += progress.attempts
            word_counts.update(progress.words)
            by_session.append(
                SessionWords(
                    session_name=overview.name,
                    session_started=overview.created_at,
                    words=[WordUse(word=w, count=c) for w, c in progress.words.most_common(5)],
                )
            )
        with self._lock:
            for key in [k for k in self._read if k[0] == owner and k not in fresh]:
                del self._read[key]
            self._read.update(fresh)
        attempts.sort(key=lambda a: a.answered_at)
        return ProgressReport(
            attempts=attempts,
            struggling=_struggling(attempts),
            top_words=[WordUse(word=w, count=c) for w, c in word_counts.most_common(top_words)],
            words_by_session=sorted(by_session, key=lambda s: s.session_started),
            sessions_read=len(overviews),
        )

    def _read_session(
        self, actor: Actor, overview: SessionOverview, version: tuple[object, ...]
    ) -> _SessionProgress:
        questions = {q.id: q.text for q in self._store.questions(actor, overview.id)}
        scores = {e.answer_id: e for e in self._store.evaluations(actor, overview.id)}
        attempts: list[ScoredAttempt] = []
        words: Counter[str] = Counter()
        for answer in self._store.answers(actor, overview.id):
            fillers = find_fillers(answer.text)
            words.update(content_words(_without(answer.text, fillers)))
            evaluation = scores.get(answer.id)
            if evaluation is None:
                continue
            attempts.append(
                ScoredAttempt(
                    session_id=overview.id,
                    session_name=overview.name,
                    session_started=overview.created_at,
                    question_text=questions.get(answer.question_id, "A removed question"),
                    attempt=answer.attempt,
                    answered_at=answer.created_at,
                    overall=evaluation.overall,
                    dimensions={d.dimension: float(d.score) for d in evaluation.dimensions},
                    words=count_words(answer.text),
                    fillers=len(fillers),
                )
            )
        return _SessionProgress(version=version, attempts=attempts, words=words)


def _without(text: str, fillers: list[Filler]) -> str:
    """The text with its fillers blanked out, so "um" is never a most-used word."""
    for filler in reversed(fillers):
        text = text[: filler.start] + " " + text[filler.end :]
    return text


def _struggling(attempts: list[ScoredAttempt]) -> list[StrugglingQuestion]:
    """Questions (the same wording in any session) whose answers stay weak."""
    by_question: dict[str, list[ScoredAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_question[_SPACES.sub(" ", attempt.question_text.strip().lower())].append(attempt)
    found = []
    for tries in by_question.values():
        average = mean(a.overall for a in tries)
        if len(tries) < STRUGGLE_MIN_ATTEMPTS or average >= STRUGGLE_BELOW:
            continue
        found.append(
            StrugglingQuestion(
                question_text=tries[-1].question_text,
                attempts=len(tries),
                sessions=len({a.session_id for a in tries}),
                average=round(average, 1),
                best=max(a.overall for a in tries),
                latest=tries[-1].overall,
            )
        )
    return sorted(found, key=lambda q: (q.average, -q.attempts))
