"""PDF text in reading order with its word gaps, warnings for documents too thin to coach
on, and the parsing budget that refuses zip bombs and huge PDFs fast (issues 17 and 12).

Every PDF and DOCX here is built by the test; the shared real resumes are read in place
through the ``realdata`` fixture."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from coach.documents import extract_upload, from_pasted_text
from coach.domain import DocumentKind
from coach.errors import DocumentError
from coach.settings import MiB, UploadSettings
from tests.fixtures import (
    MARKDOWN_POSTING,
    encrypt,
    flate_bomb_pdf,
    many_page_pdf,
    resume_pdf,
    zip_bomb_docx,
)

LIMITS = UploadSettings()
RESUME = DocumentKind.RESUME
GLUED = re.compile(r"[A-Za-z]{20,}")  # no English resume word is this long; glued ones are

LEFT = [f"Skill {n}: Python, SQL and dbt for analytics" for n in range(12)]
RIGHT = [f"Role {n}: led a team of four data engineers" for n in range(12)]


def glued_words(text: str) -> list[str]:
    return GLUED.findall(text)


def two_column_pdf(*, line_by_line: bool) -> bytes:
    """A header across the page, then two columns, drawn a column at a time or across."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(40, 810, "Jordan Rivera, Data Engineer, Austin TX")
    pdf.setFont("Helvetica", 10)
    rows = range(len(LEFT))
    if line_by_line:
        for n in rows:
            pdf.drawString(40, 780 - 14 * n, LEFT[n])
            pdf.drawString(310, 780 - 14 * n, RIGHT[n])
    else:
        for n in rows:
            pdf.drawString(40, 780 - 14 * n, LEFT[n])
        for n in rows:
            pdf.drawString(310, 780 - 14 * n, RIGHT[n])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


KERNED_LINES = [
    "Seasoned engineer proven in scaling infrastructure teams as lead engineer",
    "Delivered technical advisory and consulting for fintech startups",
]


def latex_style_pdf() -> bytes:
    """Words placed by position with no space characters, as TeX does: every word is its
    own string, and one line is a TJ array whose kerning makes the word gaps."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800.0
    for line in KERNED_LINES:
        x = 50.0
        for word in line.split():
            pdf.setFont("Times-Roman", 10)
            pdf.drawString(x, y, word)
            x += stringWidth(word, "Times-Roman", 10) + 2.6
        y -= 14
    text = pdf.beginText(50, y)
    text.setFont("Times-Roman", 10)
    text._code.append("[(Optimised)-333(cloud)-333(native)-333(architectures)-333(for)]TJ")
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- reading order and word gaps --------------------------------------------------------


@pytest.mark.parametrize("line_by_line", [False, True], ids=["column-at-a-time", "across"])
def test_two_column_pdf_reads_each_column_top_to_bottom(line_by_line: bool) -> None:
    document = extract_upload(two_column_pdf(line_by_line=line_by_line), "cv.pdf", RESUME, LIMITS)

    lines = document.text.splitlines()
    assert lines[0] == "Jordan Rivera, Data Engineer, Austin TX"
    order = [lines.index(line) for line in [*LEFT, *RIGHT]]
    assert order == sorted(order), "a column is interleaved with the other"


def test_latex_style_pdf_keeps_its_word_gaps_and_lines() -> None:
    document = extract_upload(latex_style_pdf(), "latex.pdf", RESUME, LIMITS)

    lines = document.text.splitlines()
    assert lines[:2] == KERNED_LINES
    assert lines[2] == "Optimised cloud native architectures for"
    assert glued_words(document.text) == []


def test_one_column_resume_with_dates_on_the_right_keeps_its_lines() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800
    for job in range(4):
        pdf.drawString(40, y, f"Senior Engineer, Company {job}")
        pdf.drawRightString(550, y, f"201{job} - 201{job + 1}")
        pdf.drawString(50, y - 14, "- Cut the nightly batch from nine hours to five hours")
        y -= 42
    pdf.showPage()
    pdf.save()

    text = extract_upload(buffer.getvalue(), "cv.pdf", RESUME, LIMITS).text

    assert "Senior Engineer, Company 0 2010 - 2011" in text.splitlines()
    assert text.index("Company 0") < text.index("Company 1") < text.index("Company 3")


def test_real_pdf_resumes_have_no_glued_words(realdata: Path) -> None:
    counts = {}
    for path in sorted((realdata / "resumes").glob("*.pdf")):
        text = extract_upload(path.read_bytes(), path.name, RESUME, LIMITS).text
        counts[path.name] = glued_words(text)
    assert counts, "no real PDF resumes found"
    assert {name: words for name, words in counts.items() if words} == {}


def test_real_two_column_resume_keeps_its_columns(realdata: Path) -> None:
    path = realdata / "resumes" / "deedy_resume-openfont.pdf"
    if not path.exists():
        pytest.skip("the two-column deedy resume is not in realdata")

    text = extract_upload(path.read_bytes(), path.name, RESUME, LIMITS).text

    # Left column (education, links, coursework, skills), then the right (experience).
    assert text.index("EDUCATION") < text.index("COURSEWORK") < text.index("EXPERIENCE")
    assert "Advanced Machine Learning" in text.splitlines()


def test_real_latex_resume_joins_words_hyphenated_at_line_ends(realdata: Path) -> None:
    path = realdata / "resumes" / "awesome-cv_resume.pdf"
    if not path.exists():
        pytest.skip("the awesome-cv resume is not in realdata")

    text = extract_upload(path.read_bytes(), path.name, RESUME, LIMITS).text

    assert "\ufffe" not in text
    assert "Consul" in text
    assert "infrastructure operations, and security engineering" in text


# --- too little to coach on -------------------------------------------------------------


def test_pdf_locked_with_an_owner_password_is_read_with_a_warning() -> None:
    locked = encrypt(resume_pdf(), user_password="", owner_password="owner-secret")

    document = extract_upload(locked, "restricted.pdf", RESUME, LIMITS)

    assert "Senior Data Analyst" in document.text
    assert any("locked against copying" in warning for warning in document.warnings)


def test_near_empty_upload_gets_a_warning_with_its_size() -> None:
    document = extract_upload(b"Jane Doe\nNurse\n", "short.txt", RESUME, LIMITS)

    (warning,) = document.warnings
    assert "short.txt" in warning
    assert "only 14 characters" in warning
    assert "too little to tailor questions to your resume" in warning


def test_near_empty_paste_gets_a_warning_and_a_full_one_none() -> None:
    short = from_pasted_text("Data engineer at Initech.", DocumentKind.JOB_DESCRIPTION, LIMITS)
    full = from_pasted_text("Responsibilities: " + "build pipelines; " * 30, RESUME, LIMITS)

    assert "The pasted text has only 25 characters" in short.warnings[0]
    assert full.warnings == []


def test_a_normal_resume_has_no_warnings() -> None:
    document = extract_upload(resume_pdf(3), "jane.pdf", RESUME, LIMITS)

    assert document.warnings == []


# --- the parsing budget (issue 12, part 6) ----------------------------------------------

_MEASURE = """
import json, sys, time
from coach.documents import extract_upload
from coach.domain import DocumentKind
from coach.errors import DocumentError
from coach.settings import UploadSettings


def kib(field):
    status = open("/proc/self/status").read().splitlines()
    return int(next(line for line in status if line.startswith(field + ":")).split()[1])


data = open(sys.argv[1], "rb").read()
# This process's own peak (VmHWM; ru_maxrss would carry the parent's peak over exec),
# reset to the resident size now, so peak minus now is what parsing added.
try:
    open("/proc/self/clear_refs", "w").write("5")
except OSError:
    pass
before = kib("VmRSS")
started = time.perf_counter()
try:
    extract_upload(data, sys.argv[2], DocumentKind.RESUME, UploadSettings())
    message = None
except DocumentError as error:
    message = str(error)
seconds = time.perf_counter() - started
extra_kib = kib("VmHWM") - before
print(json.dumps({"message": message, "seconds": seconds, "extra_mib": extra_kib / 1024}))
"""


def refuse_in_a_fresh_process(tmp_path: Path, data: bytes, filename: str) -> dict:
    """Time and peak memory of one upload, measured in a process of its own."""
    path = tmp_path / filename
    path.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), filename],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_zip_bomb_docx_is_refused_fast_and_small(tmp_path: Path) -> None:
    bomb = zip_bomb_docx(95 * MiB)
    assert len(bomb) < 1 * MiB < 95 * MiB, "the bomb must be small on the wire"

    measured = refuse_in_a_fresh_process(tmp_path, bomb, "bomb.docx")

    assert measured["message"] is not None, "the zip bomb was parsed"
    assert "bomb.docx" in measured["message"]
    assert "more than the 2 MB we read" in measured["message"]
    assert measured["seconds"] < 2.0
    assert measured["extra_mib"] < 200


def test_two_thousand_page_pdf_is_refused_fast_and_small(tmp_path: Path) -> None:
    pdf = many_page_pdf(2_000)

    measured = refuse_in_a_fresh_process(tmp_path, pdf, "book.pdf")

    assert measured["message"] is not None
    assert "2,000 pages, more than the 50" in measured["message"]
    assert measured["seconds"] < 2.0
    assert measured["extra_mib"] < 200


def test_pdf_whose_page_content_unpacks_to_95_mib_is_refused_fast_and_small(
    tmp_path: Path,
) -> None:
    bomb = flate_bomb_pdf(95 * MiB)
    assert len(bomb) < 1 * MiB

    measured = refuse_in_a_fresh_process(tmp_path, bomb, "bomb.pdf")

    assert measured["message"] is not None, "the PDF bomb was parsed"
    assert "bomb.pdf" in measured["message"]
    assert "more than the 2 MB of page content we read" in measured["message"]
    assert measured["seconds"] < 2.0
    assert measured["extra_mib"] < 200


def test_pdf_with_a_small_content_stream_is_read() -> None:
    document = extract_upload(flate_bomb_pdf(600_000), "long.pdf", RESUME, LIMITS)

    assert "Led a team of four analysts" in document.text


def test_docx_just_under_the_xml_cap_is_read_within_the_budget() -> None:
    docx_bytes = zip_bomb_docx(1 * MiB)  # with the template's styles, just under 2 MB

    started = time.perf_counter()
    document = extract_upload(docx_bytes, "long.docx", RESUME, UploadSettings(max_chars=10**7))
    elapsed = time.perf_counter() - started

    assert "cut reporting time by forty percent" in document.text
    assert elapsed < 2.0


def test_the_xml_and_page_caps_are_settings() -> None:
    docx_bytes = zip_bomb_docx(512 * 1024)

    assert extract_upload(docx_bytes, "cv.docx", RESUME, UploadSettings(max_chars=10**7)).text
    with pytest.raises(DocumentError, match="more than the 1 MB we read"):
        extract_upload(docx_bytes, "cv.docx", RESUME, UploadSettings(max_xml_bytes=1 * MiB))
    with pytest.raises(DocumentError, match="3 pages, more than the 2 we read"):
        extract_upload(resume_pdf(3), "cv.pdf", RESUME, UploadSettings(max_pages=2))


# --- markdown postings ------------------------------------------------------------------


def test_markdown_posting_keeps_link_text_and_headings_and_drops_targets() -> None:
    document = extract_upload(
        MARKDOWN_POSTING.encode(), "posting.md", DocumentKind.JOB_DESCRIPTION, LIMITS
    )

    lines = document.text.splitlines()
    assert lines[0] == "# Snowflake Data Engineer"
    assert "Acme Analytics · Remote logo" in lines
    assert "- Build and own dbt models in Snowflake" in lines
    assert "- Partner with analysts on data contracts, see our handbook" in lines
    assert "http://tracker.example.com" not in document.text
    assert "handbook]:" not in document.text and "](" not in document.text


def test_pasted_markdown_posting_is_read_the_same_way() -> None:
    pasted = from_pasted_text(MARKDOWN_POSTING, DocumentKind.JOB_DESCRIPTION, LIMITS)
    uploaded = extract_upload(
        MARKDOWN_POSTING.encode(), "posting.md", DocumentKind.JOB_DESCRIPTION, LIMITS
    )

    assert pasted.text == uploaded.text


def test_pdf_just_under_the_unpacked_cap_is_read_within_the_budget() -> None:
    pdf = flate_bomb_pdf(LIMITS.max_pdf_unpacked_bytes - 700_000)

    started = time.perf_counter()
    document = extract_upload(pdf, "dense.pdf", RESUME, LIMITS)

    assert "Led a team of four analysts" in document.text
    assert time.perf_counter() - started < 2.0


def test_a_bomb_cannot_hide_behind_a_long_dictionary_or_the_word_image() -> None:
    bomb = flate_bomb_pdf(20 * MiB)
    padded = bomb.replace(b"<< /Length", b"<< /Note (" + b"x" * 3000 + b") /Alt /Image /Length", 1)

    with pytest.raises(DocumentError, match="of page content"):
        extract_upload(padded, "padded.pdf", RESUME, LIMITS)
