"""The PDF study guide: real sessions through the services, rendered by poppler
(pdftoppm to PNG pages, pdftotext for the words on them)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from coach.domain import DocumentKind
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

LOCAL_USER = Actor.local()

WEAK_ANSWER = "I don't really know, I usually just do what I'm told."
HOSTILE = 'I led it <a href="javascript:alert(1)">here</a> & <img src="http://x/t.png"> too.'


@pytest.fixture
def wb(settings: CoachSettings) -> Iterator[Workbench]:
    workbench = build_workbench(settings)
    yield workbench
    workbench.close()


def practised_session(wb: Workbench) -> str:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = wb.practice.start_session(
        LOCAL_USER, resume, job, question_count=3, name="Initech prep"
    )
    first, second, _ = wb.practice.view(LOCAL_USER, session.id).questions
    wb.practice.answer_and_evaluate(LOCAL_USER, session.id, first.question.id, WEAK_ANSWER)
    wb.practice.answer_and_evaluate(LOCAL_USER, session.id, first.question.id, STRONG_ANSWER)
    wb.practice.answer_and_evaluate(LOCAL_USER, session.id, second.question.id, HOSTILE)
    wb.practice.summarize(LOCAL_USER, session.id)
    return session.id


def rendered(pdf: bytes, folder: Path) -> tuple[list[Path], str]:
    """Every page as a PNG (pdftoppm) and the text on the pages (pdftotext)."""
    assert shutil.which("pdftoppm"), "poppler-utils is missing: ./scripts/bootstrap --test"
    source = folder / "guide.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", source, folder / "page"], check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", source, "-"], check=True, capture_output=True, text=True
    ).stdout
    return sorted(folder.glob("page-*.png")), " ".join(text.split())


def test_study_guide_has_best_answers_scores_feedback_examples_and_a_summary(
    wb: Workbench, tmp_path: Path
) -> None:
    session_id = practised_session(wb)
    view = wb.practice.view(LOCAL_USER, session_id)
    guide = wb.exports.study_guide(LOCAL_USER, session_id)

    assert guide.media_type == "application/pdf"
    assert guide.filename == "initech-prep-study-guide.pdf"
    pages, text = rendered(guide.content, tmp_path)

    assert len(pages) == len(pdfium.PdfDocument(guide.content)) >= 2
    for page in pages:
        image = Image.open(page).convert("L")
        assert image.getextrema()[0] < 100, f"{page.name} is blank"
    assert "Study guide: Initech prep" in text
    assert "Summary" in text and "Average of your best answers" in text
    first, _, third = view.questions
    assert first.question.text.split()[0] in text
    # The best of two attempts is the one in the guide, with its score and feedback.
    best = max(a.evaluation.overall for a in first.attempts if a.evaluation)
    assert f"Your best answer (attempt 2 of 2): {best:.1f} / 10" in text
    assert "nightly ETL took nine hours" in text
    assert "usually just do what" not in text
    assert "Example answer" in text
    assert "What worked" in text or "To improve" in text
    for dimension in first.latest_evaluation.dimensions:
        assert dimension.dimension.label in text
    assert "Not answered yet." in text  # the third question
    assert third.question.text.split()[0] in text


def test_study_guide_prints_markup_in_answers_as_text(wb: Workbench, tmp_path: Path) -> None:
    session_id = practised_session(wb)

    _, text = rendered(wb.exports.study_guide(LOCAL_USER, session_id).content, tmp_path)

    assert '<a href="javascript:alert(1)">here</a> & <img src="http://x/t.png"> too.' in text


def test_a_study_guide_is_made_once_per_version_of_the_session(wb: Workbench) -> None:
    """Pages offer a prepared guide on every rerun: it must not be rendered each time,
    and it must show a new answer as soon as there is one."""
    session_id = practised_session(wb)
    first = wb.exports.study_guide(LOCAL_USER, session_id)
    assert wb.exports.study_guide(LOCAL_USER, session_id) is first

    view = wb.practice.view(LOCAL_USER, session_id)
    question = view.questions[-1].question
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question.id, STRONG_ANSWER)
    assert wb.exports.study_guide(LOCAL_USER, session_id) is not first
