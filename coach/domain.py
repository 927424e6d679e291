"""The workbench's nouns as pydantic models: what a session, question, answer and
evaluation *are*, independent of where they are stored or who produced them.

Models named ``...Draft`` are what an agent produces before the store gives it an id
and a time; the stored models extend them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


def new_id() -> str:
    """A random, URL-safe identifier (hex UUID4)."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from a store, in UTC (drivers return the session's zone)."""
    return value.astimezone(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoachingLevel(StrEnum):
    """``help`` encourages and explains; ``strict`` scores as a demanding interviewer."""

    HELP = "help"
    STRICT = "strict"


class SessionKind(StrEnum):
    INTERVIEW = "interview"
    CHAT = "chat"


class DocumentKind(StrEnum):
    RESUME = "resume"
    JOB_DESCRIPTION = "job_description"

    @property
    def label(self) -> str:
        return "resume" if self is DocumentKind.RESUME else "job description"


class QuestionType(StrEnum):
    BEHAVIOURAL = "behavioural"
    TECHNICAL = "technical"
    SITUATIONAL = "situational"
    ROLE_SPECIFIC = "role_specific"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-")


class QuestionSource(StrEnum):
    """Where a question came from, so the page can say why it was asked."""

    BANK = "bank"
    TAILORED = "tailored"
    CUSTOM = "custom"
    MODEL = "model"


class AnswerMode(StrEnum):
    TEXT = "text"
    VOICE = "voice"


class RubricDimension(StrEnum):
    """The named dimensions every answer is scored on, 1-10 each."""

    RELEVANCE = "relevance"
    STRUCTURE = "structure"
    SPECIFICITY = "specificity"
    IMPACT = "impact"
    OWNERSHIP = "ownership"
    CLARITY = "clarity"

    @property
    def label(self) -> str:
        return _DIMENSION_LABELS[self]


_DIMENSION_LABELS = {
    RubricDimension.RELEVANCE: "Relevance to the question and role",
    RubricDimension.STRUCTURE: "STAR structure",
    RubricDimension.SPECIFICITY: "Specificity and evidence",
    RubricDimension.IMPACT: "Impact and results",
    RubricDimension.OWNERSHIP: "Ownership",
    RubricDimension.CLARITY: "Clarity and length",
}


class Attribution(_Model):
    """Who produced a result: which agent, persona, provider and model.

    ``fallback`` is true when the configured provider failed and another one answered;
    ``notice`` then says why, in words for the candidate. ``checks`` names what the
    checks between model and page repaired or dropped (a model's answer is not shown
    as given when it contradicts itself); ``cut_off`` marks a streamed reply that ended
    before the model said it had finished.
    """

    agent: str
    persona: str
    provider: str
    model: str
    fallback: bool = False
    notice: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    checks: list[str] = Field(default_factory=list)
    cut_off: bool = False

    @property
    def is_offline(self) -> bool:
        return self.provider == "offline"

    @property
    def label(self) -> str:
        source = "Offline coach" if self.is_offline else f"{self.provider} · {self.model}"
        text = f"{source} · {self.agent} ({self.persona})"
        if self.fallback:
            text += " · fallback"
        if self.checks:
            text += " · repaired"
        if self.cut_off:
            text += " · cut off"
        return text


# --- sessions -------------------------------------------------------------------------


class Session(_Model):
    id: str
    name: str
    kind: SessionKind = SessionKind.INTERVIEW
    persona: str = "primary_coach"
    coaching_level: CoachingLevel = CoachingLevel.HELP
    current_question_id: str | None = None
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, str] = Field(default_factory=dict)
    revision: int = Field(
        default=0,
        description="One more with every write to the session: a view is whole "
        "at one revision, and two writes that find it moved by two were the only ones.",
    )


class SessionOverview(_Model):
    """One row of the sessions list: enough to choose, nothing more."""

    id: str
    name: str
    kind: SessionKind
    created_at: datetime
    updated_at: datetime
    owner_email: str = ""  # shown to admins, who list everyone's sessions
    question_count: int = 0
    answered_count: int = 0
    average_score: float | None = None
    transcript_count: int = 0


# --- documents ------------------------------------------------------------------------


class ExtractedDocument(_Model):
    """Text taken out of an upload or a paste, checked against the limits."""

    kind: DocumentKind
    filename: str
    media_type: str
    text: str
    pages: int | None = None
    # What the candidate should know before coaching starts (too little text, a locked
    # PDF); shown when the document is read, not stored with it.
    warnings: list[str] = Field(default_factory=list)

    @property
    def char_count(self) -> int:
        return len(self.text)


class Document(ExtractedDocument):
    id: str
    session_id: str
    created_at: datetime


# --- questions ------------------------------------------------------------------------


class QuestionDraft(_Model):
    text: str = Field(min_length=1)
    type: QuestionType
    competency: str = "general"
    source: QuestionSource = QuestionSource.BANK
    rationale: str = Field(default="", description="Why this question, for the candidate.")


class QuestionSet(_Model):
    """What an agent returns when asked for questions."""

    questions: list[QuestionDraft]
    attribution: Attribution | None = None


class Question(QuestionDraft):
    id: str
    session_id: str
    position: int
    created_at: datetime
    attribution: Attribution | None = Field(
        default=None, description="Who wrote it: the page labels a fallback's questions."
    )


# --- answers and evaluations ----------------------------------------------------------


class Answer(_Model):
    id: str
    session_id: str
    question_id: str
    attempt: int = Field(ge=1)
    text: str
    mode: AnswerMode = AnswerMode.TEXT
    created_at: datetime


class DimensionScore(_Model):
    dimension: RubricDimension
    score: int = Field(ge=1, le=10)
    comment: str = ""


class EvaluationDraft(_Model):
    """A scored judgement of one answer, before it is stored."""

    overall: float = Field(ge=1, le=10)
    headline: str = Field(description="One sentence verdict the candidate reads first.")
    dimensions: list[DimensionScore]
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    example_answer: str = ""
    follow_up: str = Field(default="", description="A probing follow-up from the interviewer.")
    non_answer: bool = False
    coaching_level: CoachingLevel = CoachingLevel.HELP
    attribution: Attribution | None = None
    follow_up_attribution: Attribution | None = Field(
        default=None, description="Who wrote the follow-up (it arrives after the score)."
    )

    def dimension(self, dimension: RubricDimension) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.dimension is dimension), None)


class FeedbackJudgement(_Model):
    """A judge's 0-10 ratings of one piece of feedback (persona experiments).

    ``calibration`` is rated only when the answer has a reference score to compare with."""

    specificity: float = Field(ge=0, le=10)
    actionability: float = Field(ge=0, le=10)
    completeness: float = Field(ge=0, le=10)
    concision: float = Field(ge=0, le=10)
    calibration: float | None = Field(default=None, ge=0, le=10)
    rationale: str = ""

    def dimensions(self) -> dict[str, float]:
        rated = {
            "calibration": self.calibration,
            "specificity": self.specificity,
            "actionability": self.actionability,
            "completeness": self.completeness,
            "concision": self.concision,
        }
        return {name: value for name, value in rated.items() if value is not None}


class Evaluation(EvaluationDraft):
    id: str
    answer_id: str
    session_id: str
    question_id: str
    created_at: datetime


class Attempt(_Model):
    """An answer and, once it has been scored, its evaluation (and, if spoken, how)."""

    answer: Answer
    evaluation: Evaluation | None = None
    delivery: DeliveryMetrics | None = None


# --- summaries ------------------------------------------------------------------------


class SummaryDraft(_Model):
    average_score: float | None = None
    questions_total: int = 0
    questions_answered: int = 0
    dimension_averages: dict[RubricDimension, float] = Field(default_factory=dict)
    strongest: list[RubricDimension] = Field(default_factory=list)
    weakest: list[RubricDimension] = Field(default_factory=list)
    highlights: list[str] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    attribution: Attribution | None = None


class SessionSummary(SummaryDraft):
    id: str
    session_id: str
    created_at: datetime


# --- chat -----------------------------------------------------------------------------


class ChatRole(StrEnum):
    USER = "user"
    COACH = "coach"


class ChatTurn(_Model):
    """One message of a conversation as an agent sees it: who spoke and what."""

    role: ChatRole
    content: str


class ChatMessage(ChatTurn):
    id: str
    session_id: str
    position: int
    created_at: datetime
    attribution: Attribution | None = None


class ChatSummaryDraft(_Model):
    """A conversation boiled down to what the candidate keeps and what they do next."""

    takeaways: list[str] = Field(default_factory=list)
    action_items: list[str] = Field(default_factory=list)
    attribution: Attribution | None = None


class ChatSummary(ChatSummaryDraft):
    id: str
    session_id: str
    created_at: datetime


class FollowUp(_Model):
    """A probing follow-up the primary coach asks after an answer."""

    question: QuestionDraft
    attribution: Attribution | None = None


# --- voice ----------------------------------------------------------------------------


class Speaker(StrEnum):
    CANDIDATE = "candidate"
    COACH = "coach"


class DeliveryMetrics(_Model):
    """How an answer was spoken: pace, fillers, pauses. Absent for typed answers.

    ``words_per_minute`` and filler figures need words (a transcript); speaking time
    and pauses come from the audio alone, so they are known even offline.
    """

    speaking_seconds: float = Field(ge=0)
    words: int | None = None
    words_per_minute: float | None = None
    filler_count: int | None = None
    fillers_per_minute: float | None = None
    fillers: dict[str, int] = Field(default_factory=dict)
    longest_pause_seconds: float | None = None
    long_pauses: int | None = Field(default=None, description="Pauses over 3 seconds.")
    guidance: list[str] = Field(default_factory=list, description="Plain-language advice.")


class TranscriptSegment(_Model):
    speaker: Speaker
    text: str
    start_seconds: float | None = None
    end_seconds: float | None = None


class VoiceSettings(_Model):
    """What a voice interview ran with, kept beside its transcript."""

    voice: str = "alloy"
    model: str = "gpt-realtime-mini"
    turn_detection: str = "semantic_vad"
    eagerness: str | None = "low"


class TranscriptDraft(_Model):
    question_id: str | None = None
    segments: list[TranscriptSegment] = Field(default_factory=list)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)

    @property
    def candidate_text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.speaker is Speaker.CANDIDATE)


class Transcript(TranscriptDraft):
    id: str
    session_id: str
    created_at: datetime
