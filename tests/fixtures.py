"""Documents the tests write themselves: a realistic resume and job description, and
uploads built in memory (text PDFs, encrypted and blank PDFs, DOCX, binary junk)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import docx
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

RESUME = """\
Jordan Rivera
Data Engineer · jordan.rivera@example.com · Austin, TX

EXPERIENCE
Senior Data Engineer, Acme Analytics — Austin, TX            2021 – Present
- Cut nightly ETL runtime by 40% by rewriting Spark jobs and partitioning S3 data
- Led a team of 4 engineers to migrate 120 Airflow DAGs to Kubernetes
- Built a data-quality framework in Python that caught 95% of schema breaks before release

Data Engineer, Globex Corporation — Dallas, TX                2018 – 2021
- Reduced dashboard load time from 30 seconds to 4 seconds with dbt models in Snowflake
- Mentored 3 junior analysts in SQL and code review

PROJECTS
- Open-source Kafka connector for DuckDB, 300 GitHub stars

SKILLS
Python, SQL, Spark, Airflow, Kubernetes, dbt, Snowflake, AWS, Kafka
"""

JOB_DESCRIPTION = """\
Senior Data Engineer — Initech

About the role
Initech is hiring a Senior Data Engineer to build and own our analytics platform.

Responsibilities
- Design, build and operate batch and streaming pipelines in Python and SQL
- Own the reliability of our Airflow and Kafka infrastructure
- Partner with analysts and product managers to define data contracts
- Mentor engineers and lead technical design reviews

Requirements
- 5+ years of experience in data engineering
- Strong Python and SQL; experience with Spark, Kafka and Airflow
- Experience with Terraform and Tableau is a plus
- Clear written and verbal communication
"""

# A posting copied from a job board as markdown: a linked title, emphasis, an image.
MARKDOWN_POSTING = """\
# [Snowflake Data Engineer](https://jobs.example.com/snowflake-data-engineer?ref=(board))

**Acme Analytics** · Remote ![logo](http://tracker.example.com/t.png?leak=1)

## Responsibilities
- Build and own [dbt](https://www.getdbt.com) models in Snowflake
- Partner with analysts on data contracts, see [our handbook][handbook]

## Requirements
- 5+ years of SQL and Python
- Experience with Airflow <https://airflow.apache.org>

[handbook]: https://acme.example.com/handbook
"""

STRONG_ANSWER = """\
At Acme Analytics our nightly ETL took nine hours and regularly missed the 7am deadline
for the finance dashboards. I owned the pipeline, so my task was to bring it under five
hours without adding hardware. I profiled the Spark jobs, found that two joins shuffled
the whole orders table, and rewrote them as broadcast joins. I also partitioned the S3
data by day and added a data-quality check in Python so bad files failed fast. I rolled
the change out behind a flag over two weeks and reviewed every run with the analysts.
As a result the runtime dropped by 40%, to just over five hours, we never missed the
deadline again that quarter, and the finance team stopped their manual workaround.
"""


# --- uploads built in memory -----------------------------------------------------------


def make_pdf(pages: list[list[str]]) -> bytes:
    """A text PDF: one list of lines per page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        y = 800
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def resume_pdf(page_count: int = 1) -> bytes:
    return make_pdf(
        [
            [
                f"Page {number} Jane Doe, Senior Data Analyst",
                "Built dashboards that cut reporting time by 40 percent",
                "Led a team of four analysts across two regions",
            ]
            for number in range(1, page_count + 1)
        ]
    )


def encrypt(pdf: bytes, user_password: str, owner_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """What a scan looks like to a text extractor: a page with a drawing, no text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def resume_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "jane.doe@example.com · +44 20 7946 0000"
    document.add_heading("Jane Doe", level=1)
    document.add_paragraph("Senior Data Analyst")
    document.add_paragraph("Experience")
    document.add_paragraph("Built dashboards that cut reporting time", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Python"
    table.cell(0, 1).text = "5 years"
    table.cell(1, 0).text = "SQL"
    table.cell(1, 1).text = "7 years"
    document.add_paragraph("References on request")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def junk_bytes(size: int = 4096, *, with_nul: bool = True) -> bytes:
    data = random.Random(7).randbytes(size)
    return data if with_nul else data.replace(b"\x00", b"\x01")


def read_real_document(path: Path) -> str:
    """Plain text of a file in ../shared/realdata, read directly with pypdf / python-docx
    (not through coach.documents), so profile tests don't depend on the upload reader."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    return path.read_text(encoding="utf-8")
