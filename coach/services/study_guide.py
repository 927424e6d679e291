"""A session as a PDF study guide: for every question the best answer, its scores and
feedback, an example answer, and a summary up front (made with reportlab).

A candidate prints it or reads it on a phone before the interview, so it holds what to
rehearse, not the whole history (the Markdown export keeps every attempt).
Everything the candidate or a model wrote is escaped before reportlab's paragraph
markup sees it: untrusted text stays text.
"""

from __future__ import annotations

import io
from pathlib import Path
from statistics import mean
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coach.domain import Attempt, Evaluation, RubricDimension
from coach.services.practice import PracticeView, QuestionProgress

# A Unicode font where the system has one (Debian: fonts-dejavu-core), so names and
# quotes in any script print; else the PDF core font, which covers Western European.
_UNICODE_FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


def _fonts() -> tuple[str, str]:
    regular, bold = _UNICODE_FONTS
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "GuideSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("GuideSans", str(regular)))
        pdfmetrics.registerFont(TTFont("GuideSans-Bold", str(bold)))
    return "GuideSans", "GuideSans-Bold"


class _Styles:
    def __init__(self) -> None:
        regular, bold = _fonts()
        base = getSampleStyleSheet()
        self.title = ParagraphStyle("title", base["Title"], fontName=bold, fontSize=18)
        self.heading = ParagraphStyle(
            "heading", base["Heading2"], fontName=bold, fontSize=13, spaceBefore=10
        )
        self.label = ParagraphStyle("label", base["Heading4"], fontName=bold, spaceBefore=6)
        self.body = ParagraphStyle("body", base["BodyText"], fontName=regular, leading=14)
        self.quote = ParagraphStyle(
            "quote", self.body, leftIndent=12, textColor=colors.HexColor("#333333")
        )
        self.small = ParagraphStyle(
            "small", self.body, fontSize=8.5, textColor=colors.HexColor("#555555")
        )
        self.cell = ParagraphStyle("cell", self.body, fontSize=9, leading=11)
        self.bold = bold


def best_attempt(progress: QuestionProgress) -> Attempt | None:
    """The highest-scored attempt (the latest of equals), else the latest answer."""
    scored = [a for a in progress.attempts if a.evaluation is not None]
    if scored:
        return max(reversed(scored), key=lambda a: a.evaluation.overall if a.evaluation else 0.0)
    return progress.latest


def render_study_guide(view: PracticeView) -> bytes:
    """The PDF bytes of a session's study guide."""
    styles = _Styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"Study guide: {view.session.name}",
        author="Coaching Workbench",
    )
    story: list[Flowable] = [
        Paragraph(_text(f"Study guide: {view.session.name}"), styles.title),
        *_summary(view, styles),
    ]
    for number, progress in enumerate(view.questions, start=1):
        story += _question(number, progress, styles)
    document.build(story)
    return buffer.getvalue()


def _summary(view: PracticeView, styles: _Styles) -> list[Flowable]:
    best = [best_attempt(p) for p in view.questions]
    evaluations = [a.evaluation for a in best if a is not None and a.evaluation is not None]
    lines = [
        f"{view.answered_count} of {len(view.questions)} questions answered · coaching "
        f"level {view.session.coaching_level.value} · {view.session.updated_at:%d %b %Y}"
    ]
    flow: list[Flowable] = [Paragraph(_text(lines[0]), styles.small), Spacer(1, 6)]
    flow.append(Paragraph("Summary", styles.heading))
    if not evaluations:
        flow.append(Paragraph("No answer has been scored yet.", styles.body))
        return flow
    average = mean(e.overall for e in evaluations)
    flow.append(Paragraph(_text(f"Average of your best answers: {average:.1f} / 10"), styles.body))
    by_dimension = _dimension_averages(evaluations)
    if by_dimension:
        ranked = sorted(by_dimension.items(), key=lambda item: item[1], reverse=True)
        strongest = ", ".join(d.label for d, _ in ranked[:2])
        weakest = ", ".join(d.label for d, _ in ranked[-2:][::-1])
        flow.append(Paragraph(_text(f"Strongest: {strongest}"), styles.body))
        flow.append(Paragraph(_text(f"Work on: {weakest}"), styles.body))
        flow.append(
            _table(
                [["Dimension", "Average"]] + [[d.label, f"{score:.1f}"] for d, score in ranked],
                styles,
                widths=[8 * cm, 3 * cm],
            )
        )
    if view.summary and view.summary.next_steps:
        flow.append(Paragraph("Next steps", styles.label))
        flow += [Paragraph(_text(f"• {step}"), styles.body) for step in view.summary.next_steps]
    return flow


def _dimension_averages(evaluations: list[Evaluation]) -> dict[RubricDimension, float]:
    averages = {}
    for dimension in RubricDimension:
        scores = [s.score for e in evaluations if (s := e.dimension(dimension)) is not None]
        if scores:
            averages[dimension] = mean(scores)
    return averages


def _question(number: int, progress: QuestionProgress, styles: _Styles) -> list[Flowable]:
    question = progress.question
    head = [
        Paragraph(_text(f"{number}. {question.text}"), styles.heading),
        Paragraph(
            _text(f"{question.type.label.capitalize()} · {question.competency}"), styles.small
        ),
    ]
    attempt = best_attempt(progress)
    if attempt is None:
        return [KeepTogether([*head, Paragraph("Not answered yet.", styles.body)])]
    answer = attempt.answer
    evaluation = attempt.evaluation
    tries = len(progress.attempts)
    which = f"Your best answer (attempt {answer.attempt} of {tries})"
    if evaluation is not None:
        which += f": {evaluation.overall:.1f} / 10"
    flow: list[Flowable] = [
        KeepTogether([*head, Paragraph(_text(which), styles.label)]),
        *_paragraphs(answer.text, styles.quote),
    ]
    if evaluation is None:
        flow.append(Paragraph("Not scored yet.", styles.body))
        return flow
    flow.append(Paragraph(_text(evaluation.headline), styles.body))
    rows = [["Dimension", "Score", "Comment"]] + [
        [d.dimension.label, str(d.score), d.comment] for d in evaluation.dimensions
    ]
    flow.append(_table(rows, styles, widths=[4 * cm, 1.5 * cm, 11.5 * cm]))
    for title, items in (
        ("What worked", evaluation.strengths),
        ("To improve", evaluation.improvements),
    ):
        if items:
            flow.append(Paragraph(title, styles.label))
            flow += [Paragraph(_text(f"• {item}"), styles.body) for item in items]
    if evaluation.example_answer:
        flow.append(Paragraph("Example answer", styles.label))
        flow += _paragraphs(evaluation.example_answer, styles.quote)
    if evaluation.attribution:
        flow.append(Paragraph(_text(f"Feedback by {evaluation.attribution.label}"), styles.small))
    return flow


def _table(rows: list[list[str]], styles: _Styles, widths: list[float]) -> Table:
    cells = [[Paragraph(_text(cell), styles.cell) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b8c4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    return [Paragraph(_text(part), style) for part in text.split("\n") if part.strip()]


def _text(value: str) -> str:
    """Untrusted text for reportlab's paragraph markup: escaped, never interpreted."""
    return escape(value)
