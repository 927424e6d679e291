"""The ``SessionStore`` protocol: everything the services may ask of storage.

Every method takes the acting ``Actor`` and answers only with rows that person may see
(their own; an admin reads everyone's); another person's id reads as "not found".

DuckDB implements it today; a Postgres implementation can follow behind the same
interface, so nothing here mentions DuckDB. Every method writes through at once
(autosave): there is no "save" step a crash could skip.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from coach.domain import (
    Answer,
    AnswerMode,
    Attribution,
    ChatMessage,
    ChatRole,
    ChatSummary,
    ChatSummaryDraft,
    CoachingLevel,
    DeliveryMetrics,
    Document,
    Evaluation,
    EvaluationDraft,
    ExtractedDocument,
    Question,
    QuestionDraft,
    Session,
    SessionKind,
    SessionOverview,
    SessionSummary,
    SummaryDraft,
    Transcript,
    TranscriptDraft,
)
from coach.users import Actor


@runtime_checkable
class SessionStore(Protocol):
    @property
    def where(self) -> str:
        """Where the sessions are, for messages: the DuckDB file's path, or the
        PostgreSQL database and its host (never a password)."""
        ...

    # sessions
    def create_session(
        self,
        actor: Actor,
        name: str,
        *,
        kind: SessionKind = SessionKind.INTERVIEW,
        persona: str = "primary_coach",
        coaching_level: CoachingLevel = CoachingLevel.HELP,
        metadata: dict[str, str] | None = None,
    ) -> Session: ...

    def get_session(self, actor: Actor, session_id: str) -> Session:
        """Raises ``SessionNotFound``."""
        ...

    def list_sessions(
        self, actor: Actor, search: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[SessionOverview]:
        """Newest activity first; ``search`` matches the name, case-insensitively."""
        ...

    def page_sessions(
        self, actor: Actor, search: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[SessionOverview], int]:
        """``list_sessions`` and how many sessions match in all, from one snapshot."""
        ...

    def count_sessions(self, actor: Actor, search: str | None = None) -> int: ...

    def rename_session(self, actor: Actor, session_id: str, name: str) -> Session: ...

    def delete_session(self, actor: Actor, session_id: str) -> None:
        """Deletes the session and everything that belongs to it."""
        ...

    def set_current_question(self, actor: Actor, session_id: str, question_id: str | None) -> None:
        """Remembers where the candidate is, so a resumed session opens there."""
        ...

    def set_coaching_level(
        self, actor: Actor, session_id: str, level: CoachingLevel
    ) -> Session: ...

    # documents
    def add_document(
        self, actor: Actor, session_id: str, document: ExtractedDocument
    ) -> Document: ...

    def documents(self, actor: Actor, session_id: str) -> list[Document]: ...

    # questions
    def add_questions(
        self,
        actor: Actor,
        session_id: str,
        drafts: Sequence[QuestionDraft],
        *,
        attribution: Attribution | None = None,
    ) -> list[Question]:
        """Appends after the existing questions, in order; records who wrote them."""
        ...

    def questions(self, actor: Actor, session_id: str) -> list[Question]: ...

    def get_question(self, actor: Actor, question_id: str) -> Question:
        """Raises ``QuestionNotFound``."""
        ...

    def remove_question(self, actor: Actor, question_id: str) -> None:
        """Removes the question with its answers, evaluations and draft."""
        ...

    # drafts: the text in the answer box, saved as it is typed
    def save_draft(self, actor: Actor, session_id: str, question_id: str, text: str) -> None: ...

    def draft(self, actor: Actor, question_id: str) -> str: ...

    def drafts(self, actor: Actor, session_id: str) -> dict[str, str]:
        """Every saved draft of the session, by question id."""
        ...

    # answers and evaluations
    def add_answer(
        self, session_id: str, question_id: str, text: str, *, mode: AnswerMode = AnswerMode.TEXT
    ) -> Answer:
        """Stores the next attempt, clears its draft and makes it the current question."""
        ...

    def get_answer(self, actor: Actor, answer_id: str) -> Answer:
        """Raises ``AnswerNotFound``."""
        ...

    def answers(
        self, actor: Actor, session_id: str, question_id: str | None = None
    ) -> list[Answer]:
        """Oldest first."""
        ...

    def add_evaluation(
        self, actor: Actor, answer_id: str, draft: EvaluationDraft
    ) -> Evaluation: ...

    def set_follow_up(
        self, actor: Actor, evaluation_id: str, follow_up: str, attribution: Attribution | None
    ) -> Evaluation:
        """The follow-up arrives after the score and is added to its evaluation."""
        ...

    def evaluations(self, actor: Actor, session_id: str) -> list[Evaluation]:
        """Oldest first."""
        ...

    # summaries
    def add_summary(self, actor: Actor, session_id: str, draft: SummaryDraft) -> SessionSummary: ...

    def latest_summary(self, actor: Actor, session_id: str) -> SessionSummary | None: ...

    # chat
    def add_chat_message(
        self,
        actor: Actor,
        session_id: str,
        role: ChatRole,
        content: str,
        *,
        attribution: Attribution | None = None,
    ) -> ChatMessage: ...

    def chat_messages(self, actor: Actor, session_id: str) -> list[ChatMessage]:
        """Oldest first."""
        ...

    def add_chat_summary(
        self, actor: Actor, session_id: str, draft: ChatSummaryDraft
    ) -> ChatSummary: ...

    def latest_chat_summary(self, actor: Actor, session_id: str) -> ChatSummary | None: ...

    # voice
    def add_transcript(
        self, actor: Actor, session_id: str, draft: TranscriptDraft
    ) -> Transcript: ...

    def transcripts(self, actor: Actor, session_id: str) -> list[Transcript]:
        """Oldest first."""
        ...

    def set_delivery(self, actor: Actor, answer_id: str, metrics: DeliveryMetrics) -> None: ...

    def deliveries(self, actor: Actor, session_id: str) -> dict[str, DeliveryMetrics]:
        """Delivery metrics of spoken answers, by answer id."""
        ...

    # several operations of one thread as one unit
    def batch(self) -> AbstractContextManager[object]:
        """Writes (and reads) inside it are one transaction, committed at the end."""
        ...

    def reading(self) -> AbstractContextManager[object]:
        """Reads inside it see one consistent snapshot; no write may happen inside."""
        ...

    def close(self) -> None: ...
