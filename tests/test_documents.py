"""Uploads and pastes become checked text, or an error that names the file and says
what to do. Every fixture is built here, in memory; real files are read only by the
``realdata`` tests, in place."""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from coach.documents import SUPPORTED_EXTENSIONS, extract_upload, from_pasted_text
from coach.domain import DocumentKind
from coach.errors import DocumentError
from coach.settings import MiB, UploadSettings
from tests.conftest import REALDATA
from tests.fixtures import blank_pdf, encrypt, junk_bytes, make_pdf, resume_docx, resume_pdf

RESUME = DocumentKind.RESUME
JOB = DocumentKind.JOB_DESCRIPTION
LIMITS = UploadSettings()
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def rejection(data: bytes, filename: str, kind: DocumentKind = RESUME, **limits: int) -> str:
    """The message a candidate would read for this upload."""
    with pytest.raises(DocumentError) as caught:
        extract_upload(data, filename, kind, UploadSettings(**limits))
    return str(caught.value)


def says(message: str, *phrases: str) -> bool:
    return all(phrase.lower() in message.lower() for phrase in phrases)


# --- PDFs -----------------------------------------------------------------------------


def test_one_page_pdf_gives_its_text_and_page_count() -> None:
    document = extract_upload(resume_pdf(1), "jane.pdf", RESUME, LIMITS)

    assert document.pages == 1
    assert document.media_type == "application/pdf"
    assert document.filename == "jane.pdf"
    assert document.kind is RESUME
    assert "Built dashboards that cut reporting time by 40 percent" in document.text


def test_multi_page_pdf_keeps_pages_in_order_and_one_line_per_line() -> None:
    document = extract_upload(resume_pdf(3), "jane.pdf", RESUME, LIMITS)

    assert document.pages == 3
    positions = [document.text.index(f"Page {n} Jane Doe") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert "Led a team of four analysts across two regions" in document.text.splitlines()


def test_upper_case_extension_is_accepted() -> None:
    assert extract_upload(resume_pdf(), "JANE.PDF", RESUME, LIMITS).pages == 1


def test_pdf_with_empty_user_password_opens_like_any_other() -> None:
    locked = encrypt(resume_pdf(), user_password="", owner_password="owner-secret")
    assert PdfReader(io.BytesIO(locked)).is_encrypted

    document = extract_upload(locked, "restricted.pdf", RESUME, LIMITS)

    assert "Senior Data Analyst" in document.text


def test_pdf_with_a_password_asks_to_remove_it() -> None:
    locked = encrypt(resume_pdf(), user_password="secret", owner_password="owner-secret")

    message = rejection(locked, "locked.pdf")

    assert says(message, "locked.pdf", "your resume", "password", "remove the password")
    assert says(message, "paste the text")


def test_pdf_encryption_we_cannot_open_asks_to_remove_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unsupported_scheme(*args: object, **kwargs: object) -> None:
        raise pdfium.PdfiumError("Unsupported security scheme", pdfium_c.FPDF_ERR_SECURITY)

    monkeypatch.setattr(pdfium, "PdfDocument", unsupported_scheme)
    locked = encrypt(resume_pdf(), user_password="", owner_password="owner-secret")

    message = rejection(locked, "aes.pdf")

    assert says(message, "aes.pdf", "encryption we can't open", "remove the password")


def test_pdf_page_that_breaks_the_parser_is_called_damaged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise pdfium.PdfiumError("Failed to load text page")

    monkeypatch.setattr(pdfium.PdfPage, "get_textpage", broken)

    message = rejection(resume_pdf(), "odd.pdf")

    assert says(message, "odd.pdf", "damaged pdf", "export it again as pdf", "paste the text")


def test_pdf_without_text_layer_is_called_scanned() -> None:
    message = rejection(blank_pdf(), "scan.pdf")

    assert says(message, "scan.pdf", "your resume", "looks scanned", "no text layer")
    assert says(message, "upload the original", "paste the text")


def test_bytes_that_are_not_a_pdf_are_called_damaged() -> None:
    message = rejection(b"This is a plain note, not a PDF at all.\n" * 20, "cv.pdf")

    assert says(message, "cv.pdf", "your resume", "damaged", "not really a pdf")
    assert says(message, "export it again as pdf", "paste the text")


def test_image_named_pdf_says_what_it_looks_like() -> None:
    png = b"\x89PNG\r\n\x1a\n" + junk_bytes(500)

    message = rejection(png, "photo.pdf")

    assert says(message, "photo.pdf", "not really a pdf", "looks like an image")


def test_pdf_with_broken_body_is_called_damaged() -> None:
    garbage = b"%PDF-1.7\n" + junk_bytes(2000) + b"\n%%EOF\n"

    message = rejection(garbage, "broken.pdf")

    assert says(message, "broken.pdf", "your resume", "damaged", "export it again as pdf")


def test_truncated_pdf_is_called_damaged_and_incomplete() -> None:
    whole = resume_pdf(2)

    message = rejection(whole[: len(whole) // 2], "half.pdf")

    assert says(message, "half.pdf", "your resume", "damaged", "incomplete")
    assert says(message, "upload the new file", "paste the text")


def test_too_many_pages_is_refused_before_any_text_is_extracted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*args: object, **kwargs: object) -> str:
        raise AssertionError("text extracted before the page count was checked")

    monkeypatch.setattr(pdfium.PdfDocument, "get_page", never)

    message = rejection(resume_pdf(3), "long.pdf", max_pages=2)

    assert says(message, "long.pdf", "3 pages", "more than the 2", "your resume", "shorter")


def test_pdf_with_a_wrong_xref_offset_still_reads_without_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    original = resume_pdf()
    # A wrong startxref offset, as some generators write: the reader recovers quietly.
    skewed = re.sub(
        rb"startxref\n(\d+)",
        lambda match: b"startxref\n" + str(int(match.group(1)) + 7).encode(),
        original,
    )
    assert skewed != original
    caplog.set_level(logging.DEBUG)

    document = extract_upload(skewed, "skewed.pdf", RESUME, LIMITS)

    assert "Senior Data Analyst" in document.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_five_page_pdf_extracts_well_under_a_second() -> None:
    lines = [f"Line {n}: delivered measurable results for stakeholders" for n in range(45)]
    pdf = make_pdf([lines] * 5)

    started = time.perf_counter()
    document = extract_upload(pdf, "five.pdf", RESUME, LIMITS)
    elapsed = time.perf_counter() - started

    assert document.pages == 5
    assert elapsed < 0.5


# --- DOCX -----------------------------------------------------------------------------


def test_docx_gives_paragraphs_bullets_and_table_cells_in_order() -> None:
    document = extract_upload(resume_docx(), "jane.docx", RESUME, LIMITS)
    lines = document.text.splitlines()

    assert document.media_type == DOCX_MEDIA_TYPE
    assert document.pages is None
    assert "• Built dashboards that cut reporting time" in lines
    assert "Python | 5 years" in lines
    assert "SQL | 7 years" in lines
    order = ["Jane Doe", "Senior Data Analyst", "Python | 5 years", "References on request"]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)


def test_docx_keeps_contact_details_from_the_page_header() -> None:
    document = extract_upload(resume_docx(), "jane.docx", RESUME, LIMITS)

    assert "jane.doe@example.com · +44 20 7946 0000" in document.text.splitlines()


@pytest.mark.parametrize(
    "data",
    [junk_bytes(), b"PK\x03\x04" + junk_bytes(), resume_docx()[:1500]],
    ids=["random-bytes", "broken-zip", "cut-short"],
)
def test_corrupt_docx_is_called_damaged(data: bytes) -> None:
    message = rejection(data, "cv.docx")

    assert says(message, "cv.docx", "your resume", "damaged word file")
    assert says(message, "save it again as .docx or pdf", "paste the text")


def test_zip_that_is_not_a_word_document_is_called_damaged() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    message = rejection(buffer.getvalue(), "sheet.docx")

    assert says(message, "sheet.docx", "damaged word file")


def test_password_protected_docx_asks_to_remove_the_password() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le")

    message = rejection(ole2, "locked.docx")

    assert says(message, "locked.docx", "your resume", "password", "remove the password")


def test_old_word_file_renamed_docx_says_save_as_docx() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)

    message = rejection(ole2, "old.docx")

    assert says(message, "old.docx", ".doc", "save it as .docx or pdf")


# --- plain text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Café résumé – naïve\n".encode(), "Café résumé – naïve"),
        (codecs.BOM_UTF8 + "Café résumé".encode(), "Café résumé"),
        ("Café résumé".encode("utf-16"), "Café résumé"),
        (codecs.BOM_UTF16_BE + "Café résumé".encode("utf-16-be"), "Café résumé"),
        ("Café résumé – naïve".encode("cp1252"), "Café résumé – naïve"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252"],
)
def test_text_files_decode_in_common_encodings(data: bytes, expected: str) -> None:
    document = extract_upload(data, "notes.txt", JOB, LIMITS)

    assert document.text == expected
    assert document.media_type == "text/plain"


def test_markdown_keeps_its_lines() -> None:
    text = "# Data Analyst\n\n- SQL and Python\n- Stakeholder reporting\n"

    document = extract_upload(text.encode(), "job.md", JOB, LIMITS)

    assert document.media_type == "text/markdown"
    assert document.text.splitlines() == [
        "# Data Analyst",
        "",
        "- SQL and Python",
        "- Stakeholder reporting",
    ]


@pytest.mark.parametrize("with_nul", [True, False], ids=["with-nul-bytes", "undecodable"])
def test_binary_junk_named_txt_is_refused(with_nul: bool) -> None:
    message = rejection(junk_bytes(with_nul=with_nul), "resume.txt")

    assert says(message, "resume.txt", "your resume", "doesn't look like a text file")
    assert says(message, "pdf, docx or plain-text", "paste the text")


def test_pdf_renamed_txt_says_it_looks_like_a_pdf() -> None:
    message = rejection(resume_pdf(), "resume.txt")

    assert says(message, "resume.txt", "binary data", "looks like a pdf")


# --- checks before parsing ------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n\t \r\n "], ids=["zero-bytes", "whitespace"])
@pytest.mark.parametrize("filename", ["cv.pdf", "cv.docx", "cv.txt"])
def test_empty_file_is_called_empty(data: bytes, filename: str) -> None:
    message = rejection(data, filename)

    assert says(message, filename, "is empty", "your resume", "upload it again", "paste the text")


def test_oversize_file_is_refused_before_parsing_with_the_limit_in_mb() -> None:
    not_even_a_pdf = b"x" * (MiB + MiB // 2)

    message = rejection(not_even_a_pdf, "huge.pdf", max_bytes=MiB)

    assert says(message, "huge.pdf", "1.5 MB", "over the 1 MB upload limit", "your resume")
    assert "damaged" not in message


def test_default_limit_reads_as_ten_mb() -> None:
    message = rejection(b"x" * (10 * MiB + 1), "huge.pdf")

    assert says(message, "10.1 MB", "over the 10 MB upload limit")


@pytest.mark.parametrize(
    ("filename", "advice"),
    [
        ("cv.doc", "save or export it as pdf or docx"),
        ("cv.rtf", "save or export it as pdf or docx"),
        ("cv.png", "is an image"),
        ("cv.zip", "pdf, docx, txt or md"),
        ("cv", "no file extension"),
    ],
)
def test_unsupported_type_is_refused_with_what_to_upload(filename: str, advice: str) -> None:
    message = rejection(resume_pdf(), filename)

    assert says(message, f"“{filename}”", advice, "paste the text")
    assert says(message, "pdf") and says(message, "docx")


def test_supported_extensions_are_what_the_uploader_offers() -> None:
    assert SUPPORTED_EXTENSIONS == (".pdf", ".docx", ".txt", ".md")


def test_text_over_the_character_limit_is_refused_not_truncated() -> None:
    message = rejection(("word " * 100).encode(), "long.txt", JOB, max_chars=100)

    assert says(message, "long.txt", "your job description", "499 characters", "the 100 we can")
    assert says(message, "shorten it", "paste the most relevant part")


# --- pasted text and normalisation ----------------------------------------------------


def test_pasted_text_becomes_a_document() -> None:
    document = from_pasted_text("  Senior Data Analyst\n- SQL  ", JOB, LIMITS)

    assert document.filename == "pasted text"
    assert document.media_type == "text/plain"
    assert document.kind is JOB
    assert document.pages is None
    assert document.text == "Senior Data Analyst\n- SQL"


@pytest.mark.parametrize("text", ["", "  \n\t  ", "\u200b\ue000"])
def test_empty_paste_is_refused(text: str) -> None:
    with pytest.raises(DocumentError) as caught:
        from_pasted_text(text, RESUME, LIMITS)

    assert says(str(caught.value), "pasted text is empty", "your resume", "upload a file")


def test_too_long_paste_is_refused_with_the_limit() -> None:
    with pytest.raises(DocumentError) as caught:
        from_pasted_text("a" * 150, JOB, UploadSettings(max_chars=100))

    assert says(str(caught.value), "pasted text", "150 characters", "100", "shorter")


def test_normalisation_is_light_and_keeps_lines() -> None:
    raw = (
        "Jane\u00a0\u00a0Doe   \ue0a1\n"
        "• Improved data manage-\nment across teams\n"
        "• Worked with Jean-\nPierre on ﬁnance\n"
        "\n\n\n\n"
        "Skills:\tSQL\r\n"
    )

    text = from_pasted_text(raw, RESUME, LIMITS).text

    assert text.splitlines() == [
        "Jane Doe",
        "• Improved data management across teams",
        "• Worked with Jean-",
        "Pierre on finance",
        "",
        "Skills: SQL",
    ]


# --- real files (../shared/realdata), read in place -----------------------------------

needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(), reason=f"real test data not found at {REALDATA}"
)


def realdata_files(folder: str, *patterns: str) -> list[Path]:
    return sorted(p for pattern in patterns for p in (REALDATA / folder).glob(pattern))


def expected_complaint(name: str) -> str:
    if "encrypted" in name:
        return "password"
    if "scanned" in name or "blank" in name:
        return "no text layer"
    if "corrupt" in name or "truncated" in name:
        return "damaged"
    return ""


@pytest.mark.realdata
@needs_realdata
@pytest.mark.parametrize(
    "path", realdata_files("resumes", "*.pdf", "*.docx"), ids=lambda path: path.name
)
def test_real_resume_extracts_quickly_with_plenty_of_text(path: Path) -> None:
    started = time.perf_counter()
    document = extract_upload(path.read_bytes(), path.name, RESUME, LIMITS)
    elapsed = time.perf_counter() - started

    assert document.char_count > 500
    assert elapsed < 1.0


@pytest.mark.realdata
@needs_realdata
def test_real_accountant_pdf_and_docx_share_most_words() -> None:
    pdf = REALDATA / "resumes" / "soupboss_01-Accountant.pdf"
    docx_file = REALDATA / "resumes" / "soupboss_01-Accountant.docx"
    if not (pdf.exists() and docx_file.exists()):
        pytest.skip("the accountant resume pair is not in realdata")

    def words(path: Path) -> set[str]:
        text = extract_upload(path.read_bytes(), path.name, RESUME, LIMITS).text
        return set(re.findall(r"[a-z0-9]+", text.lower()))

    from_pdf, from_docx = words(pdf), words(docx_file)
    assert len(from_pdf & from_docx) / len(from_pdf | from_docx) > 0.9


@pytest.mark.realdata
@needs_realdata
@pytest.mark.parametrize(
    "path",
    realdata_files("bad_inputs", "*.pdf"),
    ids=lambda path: path.name,
)
def test_real_bad_pdf_is_refused_with_a_fitting_message(path: Path) -> None:
    message = rejection(path.read_bytes(), path.name)

    assert path.name in message
    assert says(message, expected_complaint(path.name), "paste the text")


@pytest.mark.realdata
@needs_realdata
def test_real_pdf_with_an_open_password_asks_for_it_not_a_38_character_resume() -> None:
    # Its open (user) password is set and its owner password empty: pypdf opened it as the
    # owner and gave a 38-character "resume"; a viewer asks for the password, and so do we.
    path = REALDATA / "bad_inputs" / "encrypted_aes256_user_password_pypdf_r6.pdf"
    if not path.exists():
        pytest.skip("the AES-256 sample is not in realdata")

    message = rejection(path.read_bytes(), path.name)

    assert says(message, path.name, "protected with a password", "remove the password")
