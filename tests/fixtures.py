"""Documents the tests write themselves: a realistic resume and job description, and
uploads built in memory (text PDFs, encrypted and blank PDFs, DOCX, binary junk)."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
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


# --- over the parsing budget (issue 12, part 6) ----------------------------------------

_PARAGRAPH = (
    b"<w:p><w:r><w:t>Led a team of four analysts and cut reporting time by forty percent"
    b"</w:t></w:r></w:p>"
)


def zip_bomb_docx(unpacked_bytes: int) -> bytes:
    """A real DOCX whose document.xml unpacks to ``unpacked_bytes`` of valid paragraphs."""
    template = zipfile.ZipFile(io.BytesIO(resume_docx()))
    document_xml = template.read("word/document.xml")
    head, _, tail = document_xml.partition(b"<w:body>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in template.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, template.read(member))
        with bomb.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(head + b"<w:body>")
            chunk = _PARAGRAPH * 1000
            written = 0
            while written < unpacked_bytes:
                xml.write(chunk)
                written += len(chunk)
            xml.write(tail)
    return out.getvalue()


def many_page_pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(pages):
        pdf.drawString(50, 800, f"Page {number + 1}: led a team of four analysts")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def flate_bomb_pdf(unpacked_bytes: int) -> bytes:
    """A one-page PDF, written by hand, whose content stream unpacks to ``unpacked_bytes``."""
    block = b"BT /F1 12 Tf 50 800 Td (Led a team of four analysts) Tj ET\n" * 10_000
    packer = zlib.compressobj(9)
    packed = [packer.compress(block) for _ in range(unpacked_bytes // len(block) + 1)]
    stream = b"".join([*packed, packer.flush()])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
