"""Document structure after upload: employers, titles, dates and skills from resumes;
title, company, duties and requirements from postings, whether plain text, markdown or
PDF (issue 17). Read through the real upload path, then the offline coach's profiles."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from coach.documents import extract_upload
from coach.domain import DocumentKind
from coach.offline.profiles import profile_job, profile_resume
from coach.settings import UploadSettings
from tests.fixtures import JOB_DESCRIPTION, MARKDOWN_POSTING, RESUME, make_pdf

LIMITS = UploadSettings()
JOB = DocumentKind.JOB_DESCRIPTION
HEADINGS = {"About the role", "Responsibilities", "Requirements"}


def posting_pdf() -> bytes:
    """The posting as a word processor exports it: bold headings, real bullet glyphs."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800
    for number, line in enumerate(JOB_DESCRIPTION.splitlines()):
        if not line.strip():
            y -= 8
            continue
        bold = number == 0 or line in HEADINGS
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", 11)
        pdf.drawString(50, y, line.replace("- ", "• ", 1))
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (JOB_DESCRIPTION.encode(), "posting.txt"),
        (posting_pdf(), "posting.pdf"),
    ],
    ids=["plain text", "pdf"],
)
def test_posting_gives_title_company_duties_and_requirements(data: bytes, filename: str) -> None:
    job = profile_job(extract_upload(data, filename, JOB, LIMITS).text)

    assert (job.title, job.company) == ("Senior Data Engineer", "Initech")
    assert "Own the reliability of our Airflow and Kafka infrastructure" in job.responsibilities
    assert "5+ years of experience in data engineering" in job.requirements
    assert job.years_required == 5


def test_markdown_posting_gives_its_title_not_its_link() -> None:
    job = profile_job(extract_upload(MARKDOWN_POSTING.encode(), "posting.md", JOB, LIMITS).text)

    assert job.title == "Snowflake Data Engineer"
    assert "5+ years of SQL and Python" in job.requirements
    assert any("dbt models in Snowflake" in duty for duty in job.responsibilities)


def test_resume_pdf_gives_employers_titles_dates_and_skills() -> None:
    text = extract_upload(make_pdf([RESUME.splitlines()]), "cv.pdf", DocumentKind.RESUME, LIMITS)
    resume = profile_resume(text.text)

    assert resume.employers[:2] == ["Acme Analytics", "Globex Corporation"]
    assert [(r.title, r.period) for r in resume.roles[:2]] == [
        ("Senior Data Engineer", "2021 – Present"),
        ("Data Engineer", "2018 – 2021"),
    ]
    assert {"Python", "Kafka", "Snowflake"} <= set(resume.skills)


@pytest.mark.parametrize(
    ("name", "employers"),
    [
        ("deedy_resume-openfont.pdf", ["Facebook", "Coursera", "Google"]),
        ("awesome-cv_resume.pdf", ["Dunamu Inc.", "Danggeun Pay Inc."]),
        ("soupboss_01-Accountant.pdf", ["Gilmore Financial", "Harrison Money Management"]),
        ("soupboss_DevOps-Sample2.pdf", ["Red Hat", "New Relic", "IBM"]),
    ],
)
def test_real_resumes_give_their_employers_with_dates(
    realdata: Path, name: str, employers: list[str]
) -> None:
    path = realdata / "resumes" / name
    if not path.exists():
        pytest.skip(f"{name} is not in realdata")
    text = extract_upload(path.read_bytes(), name, DocumentKind.RESUME, LIMITS).text

    resume = profile_resume(text)

    assert resume.employers[: len(employers)] == employers
    assert all(role.period for role in resume.roles[: len(employers)])
    assert resume.skills
