"""Export a session as a Markdown file a candidate can keep or share, or as a PDF
study guide (best answers, scores, feedback, example answers, summary).

Only the session's own content goes in: no settings, no keys, no internal ids
beyond the session's.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coach.domain import (
    AnswerMode,
    DeliveryMetrics,
    DocumentKind,
    Evaluation,
    RubricDimension,
    Speaker,
)
from coach.services.practice import PracticeService, PracticeView
from coach.users import Actor


class ExportFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    media_type: str
    content: str


class BinaryExportFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    media_type: str
    content: bytes


_GUIDES_KEPT = 32  # rendered study guides kept, newest first: a few per active user


class ExportService:
    def __init__(self, practice: PracticeService) -> None:
        self._practice = practice
        # A page that offers a prepared guide renders it on each rerun: the PDF is made
        # once per version of the session (every change moves its ``updated_at``).
        self._guides: OrderedDict[tuple[str, datetime], BinaryExportFile] = OrderedDict()
        self._guides_lock = threading.Lock()

    @staticmethod
    def filename(session_name: str) -> str:
        return f"{_slug(session_name)}.md"

    @staticmethod
    def study_guide_filename(session_name: str) -> str:
        return f"{_slug(session_name)}-study-guide.pdf"

    def study_guide(self, actor: Actor, session_id: str) -> BinaryExportFile:
        """The session as a PDF study guide (made once per version of the session)."""
        view = self._practice.view(actor, session_id)
        key = (view.session.id, view.session.updated_at)
        with self._guides_lock:
            if key in self._guides:
                self._guides.move_to_end(key)
                return self._guides[key]
        guide = BinaryExportFile(
            filename=self.study_guide_filename(view.session.name),
            media_type="application/pdf",
            content=_render_study_guide(view),
        )
        with self._guides_lock:
            self._guides[key] = guide
            while len(self._guides) > _GUIDES_KEPT:
                self._guides.popitem(last=False)
        return guide

    def markdown(self, actor: Actor, session_id: str) -> ExportFile:
        return self.markdown_of(self._practice.view(actor, session_id))

    def markdown_of(self, view: PracticeView) -> ExportFile:
        """The export of a view already read for its reader (no store access)."""
        return ExportFile(
            filename=self.filename(view.session.name),
            media_type="text/markdown",
            content=render_markdown(view),
        )


def render_markdown(view: PracticeView) -> str:
    session = view.session
    lines = [
        f"# {session.name}",
        "",
        f"- Started: {session.created_at:%Y-%m-%d %H:%M} UTC",
        f"- Last activity: {session.updated_at:%Y-%m-%d %H:%M} UTC",
        f"- Coaching level: {session.coaching_level.value}",
        f"- Questions answered: {view.answered_count} of {len(view.questions)}",
    ]
    for kind in DocumentKind:
        document = view.document(kind)
        if document:
            lines.append(f"- {kind.label.capitalize()}: {document.filename}")
    for number, progress in enumerate(view.questions, start=1):
        question = progress.question
        lines += ["", f"## {number}. {question.text}", ""]
        lines.append(f"*{question.type.label} · {question.competency}*")
        if not progress.attempts:
            lines += ["", "_Not answered yet._"]
        for attempt in progress.attempts:
            answer = attempt.answer
            lines += ["", f"### Attempt {answer.attempt} ({answer.created_at:%Y-%m-%d %H:%M})"]
            spoken = " (spoken)" if answer.mode is AnswerMode.VOICE else ""
            lines += ["", f"{_quote(answer.text)}{spoken}"]
            if attempt.delivery:
                lines += _delivery_lines(attempt.delivery)
            if attempt.evaluation:
                lines += _evaluation_lines(attempt.evaluation)
            else:
                lines += ["", "_Not evaluated yet._"]
    lines += _transcript_lines(view)
    if view.summary:
        summary = view.summary
        lines += ["", "## Summary", ""]
        if summary.average_score is not None:
            lines.append(f"Average score: **{summary.average_score:.1f} / 10**")
        if summary.strongest:
            lines.append("Strongest: " + ", ".join(d.label for d in summary.strongest))
        if summary.weakest:
            lines.append("Weakest: " + ", ".join(d.label for d in summary.weakest))
        if summary.next_steps:
            lines += ["", "Next steps:", *[f"- {step}" for step in summary.next_steps]]
    return "\n".join(lines) + "\n"


def _delivery_lines(delivery: DeliveryMetrics) -> list[str]:
    figures = [f"speaking time {delivery.speaking_seconds:.0f} s"]
    if delivery.words_per_minute is not None:
        figures.append(f"{delivery.words_per_minute:.0f} words per minute")
    if delivery.fillers_per_minute is not None:
        figures.append(f"{delivery.fillers_per_minute:.1f} fillers per minute")
    if delivery.longest_pause_seconds is not None:
        figures.append(f"longest pause {delivery.longest_pause_seconds:.1f} s")
    return ["", "Delivery: " + ", ".join(figures) + ".", *[f"- {g}" for g in delivery.guidance]]


def _transcript_lines(view: PracticeView) -> list[str]:
    if not view.transcripts:
        return []
    texts = {p.question.id: p.question.text for p in view.questions}
    lines = ["", "## Voice transcripts"]
    for transcript in view.transcripts:
        about = texts.get(transcript.question_id or "", "a removed question")
        voice = transcript.voice
        lines += [
            "",
            f"### {transcript.created_at:%Y-%m-%d %H:%M} · {about}",
            f"*Voice {voice.voice}, {voice.model}, turn detection {voice.turn_detection}*",
            "",
        ]
        for segment in transcript.segments:
            who = "Coach" if segment.speaker is Speaker.COACH else "You"
            lines.append(f"- **{who}:** {segment.text}")
    return lines


def _evaluation_lines(evaluation: Evaluation) -> list[str]:
    lines = ["", f"**Score: {evaluation.overall:.1f} / 10** — {evaluation.headline}", ""]
    lines += ["| Dimension | Score | Comment |", "|---|---|---|"]
    for dimension in RubricDimension:
        score = evaluation.dimension(dimension)
        if score:
            lines.append(f"| {dimension.label} | {score.score} | {score.comment} |")
    if evaluation.strengths:
        lines += ["", "Strengths:", *[f"- {s}" for s in evaluation.strengths]]
    if evaluation.improvements:
        lines += ["", "Improvements:", *[f"- {s}" for s in evaluation.improvements]]
    if evaluation.example_answer:
        lines += ["", "Example answer:", "", _quote(evaluation.example_answer)]
    if evaluation.attribution:
        lines += ["", f"_Feedback by {evaluation.attribution.label}._"]
    return lines


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug[:60] or "session"


def _render_study_guide(view: PracticeView) -> bytes:
    """reportlab loads with the first study guide, not with the app."""
    from coach.services.study_guide import render_study_guide

    return render_study_guide(view)
