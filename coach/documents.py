"""Text out of uploads (PDF, DOCX, TXT, MD) and pasted text, with limits and clear errors.

Everything a candidate can get wrong with a file (wrong type, empty, too big, damaged,
password-protected, scanned, too long) becomes a :class:`~coach.errors.DocumentError`
whose message names the file and says what to do next, so a page only has to show it.

Cheap checks (extension, size, magic bytes) run before any parser sees the bytes, and
page counts are checked before any text is extracted, so a hostile upload costs little.
Extracted text is normalised lightly but keeps its line structure: downstream code
reads bullets line by line.
"""

from __future__ import annotations

import codecs
import io
import logging
import math
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from coach.domain import DocumentKind, ExtractedDocument
from coach.errors import DocumentError
from coach.pdf_text import (
    PdfDamaged,
    PdfEncryptionUnsupported,
    PdfPasswordRequired,
    PdfTooManyPages,
    PdfUnpacksTooBig,
    read_pdf,
)
from coach.settings import MiB, UploadSettings

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md")

PASTED_TEXT_NAME = "pasted text"

_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
_TEXT_EXTENSIONS = (".txt", ".md")

_WORD_PROCESSOR_EXTENSIONS = frozenset({".doc", ".rtf", ".odt", ".pages", ".wpd", ".wps"})
_IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".heif"}
)

# A page of real text has hundreds of letters; a scan may still carry a few stray
# ones (axis labels, a stamp), so "no text layer" means fewer than this per page.
_MIN_LETTERS_PER_PAGE = 20


# Text files: how much of the decoded text we inspect for binary junk, and how much
# of it may be control or undecodable characters before we call it binary.
_SNIFF_CHARS = 100_000
_MAX_JUNK_RATIO = 0.02
_MIN_ASCII_RATIO_FOR_CP1252 = 0.7

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


# --- public API -----------------------------------------------------------------------


def extract_upload(
    data: bytes, filename: str, kind: DocumentKind, limits: UploadSettings
) -> ExtractedDocument:
    """Turn an uploaded file into checked, normalised text, or raise DocumentError.

    The extension decides the parser; the content is sanity-checked against it so a
    renamed or damaged file gets a message about *that* problem.
    """
    started = time.perf_counter()
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise _reject("unsupported_type", _unsupported_message(filename, extension, kind))
    if not data.strip():
        raise _reject("empty", _empty_message(filename, kind))
    if len(data) > limits.max_bytes:
        raise _reject("too_big", _too_big_message(filename, kind, len(data), limits.max_bytes))

    pages: int | None = None
    warnings: list[str] = []
    if extension == ".pdf":
        text, pages, warnings = _extract_pdf(data, filename, kind, limits)
    elif extension == ".docx":
        text = _extract_docx(data, filename, kind, limits)
    else:
        text = _plain_markdown(_decode_text(data, filename, kind))

    text = _normalise(text, soft_hyphen_is_visible=extension == ".pdf")
    if extension != ".pdf" and not _has_words(text):
        raise _reject("no_text", _no_text_message(filename, kind))
    _check_length(text, filename, kind, limits)
    warnings.extend(_too_little_text(text, filename, kind, limits))

    document = ExtractedDocument(
        kind=kind,
        filename=filename,
        media_type=_MEDIA_TYPES[extension],
        text=text,
        pages=pages,
        warnings=warnings,
    )
    logger.info(
        "document extracted",
        extra={
            "upload_name": filename,
            "document_kind": kind.value,
            "pages": pages,
            "chars": document.char_count,
            "seconds": round(time.perf_counter() - started, 4),
        },
    )
    return document


def from_pasted_text(text: str, kind: DocumentKind, limits: UploadSettings) -> ExtractedDocument:
    """Check and normalise text the candidate pasted, the same way as an upload."""
    text = _normalise(_plain_markdown(text))
    if not _has_words(text):
        raise _reject(
            "empty",
            f"The pasted text is empty. Paste the text of your {kind.label} into the box, "
            "or upload a file instead.",
        )
    if len(text) > limits.max_chars:
        raise _reject(
            "too_long",
            f"The pasted text has {len(text):,} characters, more than the "
            f"{limits.max_chars:,} we can use for your {kind.label}. Paste a shorter "
            "version with the most relevant parts.",
        )
    return ExtractedDocument(
        kind=kind,
        filename=PASTED_TEXT_NAME,
        media_type="text/plain",
        text=text,
        warnings=_too_little_text(text, PASTED_TEXT_NAME, kind, limits),
    )


def _too_little_text(
    text: str, filename: str, kind: DocumentKind, limits: UploadSettings
) -> list[str]:
    """A warning when there is too little to tailor questions to (a locked PDF that
    shows only its title, a stray file): the session would start, but coach blind."""
    if len(text) >= limits.min_chars:
        return []
    source = "The pasted text" if filename == PASTED_TEXT_NAME else f"“{filename}”"
    return [
        f"{source} has only {len(text):,} characters of text, too little to tailor "
        f"questions to your {kind.label} (we look for at least {limits.min_chars:,}). "
        "Check it is the right file, or paste the full text."
    ]


# --- errors ---------------------------------------------------------------------------


def _reject(reason: str, message: str) -> DocumentError:
    """Log why an upload was refused (for support) and build the user's error."""
    logger.info("document rejected", extra={"reason": reason, "user_message": message})
    return DocumentError(message)


def _unsupported_message(filename: str, extension: str, kind: DocumentKind) -> str:
    if not extension:
        problem = "it has no file extension, so we can't tell what kind of file it is"
        advice = f"Upload your {kind.label} as a PDF, DOCX, TXT or MD file"
    elif extension in _WORD_PROCESSOR_EXTENSIONS:
        problem = f"{extension} files aren't supported"
        advice = "Open it in your word processor, save or export it as PDF or DOCX and upload that"
    elif extension in _IMAGE_EXTENSIONS:
        problem = "it is an image, and we can only read text from PDF, DOCX, TXT or MD files"
        advice = f"Upload the original document of your {kind.label} (PDF or DOCX)"
    else:
        problem = f"{extension} files aren't supported"
        advice = f"Upload your {kind.label} as a PDF, DOCX, TXT or MD file"
    return f"We can't read “{filename}”: {problem}. {advice}, or paste the text instead."


def _empty_message(filename: str, kind: DocumentKind) -> str:
    return (
        f"“{filename}” is empty: there is nothing in it to read. Check that you picked "
        f"the file with your {kind.label} and upload it again, or paste the text instead."
    )


def _no_text_message(filename: str, kind: DocumentKind) -> str:
    return (
        f"“{filename}” has no text we can read as your {kind.label}. Check that you "
        "picked the right file, or export it again as PDF and upload that, or paste "
        "the text instead."
    )


def _too_big_message(filename: str, kind: DocumentKind, size: int, limit: int) -> str:
    return (
        f"“{filename}” is {_megabytes(size, round_up=True)}, over the "
        f"{_megabytes(limit)} upload limit. Upload a smaller file with your "
        f"{kind.label} (export it again as PDF without large images), or paste the "
        "text instead."
    )


def _damaged_pdf_message(filename: str, kind: DocumentKind) -> str:
    return (
        f"“{filename}” is a damaged PDF, so we can't read your {kind.label} from it. Open "
        "the original and export it again as PDF, or paste the text instead."
    )


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """Sizes in MB for people; a file just over the limit must not print as equal to it."""
    value = size / MiB
    if value >= 0.1:
        value = math.ceil(value * 10) / 10 if round_up else round(value, 1)
        return f"{value:.1f}".removesuffix(".0") + " MB"
    return f"{value:.2g} MB"


def _check_length(text: str, filename: str, kind: DocumentKind, limits: UploadSettings) -> None:
    if len(text) > limits.max_chars:
        raise _reject(
            "too_long",
            f"“{filename}” has {len(text):,} characters of text, more than the "
            f"{limits.max_chars:,} we can use for your {kind.label}. Shorten it and upload "
            "it again, or paste the most relevant part of the text instead.",
        )


def _sniff(data: bytes) -> str:
    """What the bytes really are, as a hint for a file whose name says otherwise."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "a PDF"
    if head.startswith(_ZIP_MAGIC):
        return "a Word (.docx) or other zip file"
    if head.startswith(_OLE2_MAGIC):
        return "an old-style Word (.doc) or other Office file"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "an image"
    if head.startswith(b"{\\rtf"):
        return "an RTF file"
    return ""


def _looks_like(data: bytes) -> str:
    what = _sniff(data)
    return f" (it looks like {what})" if what else ""


# --- PDF ------------------------------------------------------------------------------


def _extract_pdf(
    data: bytes, filename: str, kind: DocumentKind, limits: UploadSettings
) -> tuple[str, int, list[str]]:
    """Text of every page, after the password, damage and page-count checks."""
    if b"%PDF-" not in data[:1024]:
        raise _reject(
            "not_a_pdf",
            f"“{filename}” is damaged or is not really a PDF{_looks_like(data)}, so we can't "
            f"read your {kind.label} from it. Open the original and export it again as PDF, "
            "or paste the text instead.",
        )
    if b"%%EOF" not in data:
        raise _reject(
            "truncated_pdf",
            f"“{filename}” is damaged: the PDF is incomplete (its end is missing, as "
            "happens when an upload or download is interrupted). Download or export your "
            f"{kind.label} again and upload the new file, or paste the text instead.",
        )
    try:
        pdf = read_pdf(
            data, max_pages=limits.max_pages, max_unpacked_bytes=limits.max_pdf_unpacked_bytes
        )
    except PdfUnpacksTooBig:
        raise _reject(
            "pdf_unpacks_too_big",
            f"“{filename}” unpacks to more than the "
            f"{_megabytes(limits.max_pdf_unpacked_bytes)} of page content we read for your "
            f"{kind.label} (a resume or job posting needs a small fraction of that). Export "
            "your document again as PDF, or paste the text instead.",
        ) from None
    except PdfTooManyPages as error:
        raise _reject(
            "too_many_pages",
            f"“{filename}” has {error.page_count:,} pages, more than the {limits.max_pages} "
            f"we read for your {kind.label}. Upload a shorter version, or paste the most "
            "relevant part of the text instead.",
        ) from None
    except PdfPasswordRequired:
        raise _reject(
            "password",
            f"“{filename}” is protected with a password, so we can't read your "
            f"{kind.label}. Remove the password (open it and save or print it as a new PDF "
            "without one) and upload it again, or paste the text instead.",
        ) from None
    except PdfEncryptionUnsupported:
        raise _reject(
            "unsupported_encryption",
            f"“{filename}” is protected with a kind of PDF encryption we can't open. "
            "Remove the password (save or print it as a new PDF without one) and upload "
            "it again, or paste the text instead.",
        ) from None
    except PdfDamaged as error:
        logger.debug("pdf unreadable: %s", error)
        raise _reject("damaged_pdf", _damaged_pdf_message(filename, kind)) from None

    text = "\n".join(pdf.pages)
    letters = sum(1 for char in text if char.isalpha())
    if letters < _MIN_LETTERS_PER_PAGE * pdf.page_count:
        raise _reject(
            "no_text_layer",
            f"“{filename}” looks scanned: it has no text layer (only images, or blank "
            f"pages), so there is no text of your {kind.label} for us to read. Upload the "
            "original PDF or DOCX from your editor, or paste the text instead.",
        )
    warnings: list[str] = []
    if pdf.restricted:
        warnings.append(
            f"“{filename}” is locked against copying or printing by its author. We read "
            "its text anyway; if the questions miss what is in it, upload a copy saved "
            "without restrictions, or paste the text."
        )
    return text, pdf.page_count, warnings


# --- DOCX -----------------------------------------------------------------------------

_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# Word writes each text box twice (DrawingML, and a VML copy under mc:Fallback).
_TEXT_BOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]", namespaces=_NAMESPACES)
_TEXT_BOX_PARAGRAPHS = etree.XPath("./w:p", namespaces=_NAMESPACES)
# A paragraph's text is in its runs, directly or inside hyperlinks (as python-docx reads
# it); one compiled XPath walks them in C, many times faster on a long document.
_RUN_CONTENT = etree.XPath("./w:r/* | ./w:hyperlink/w:r/*", namespaces=_NAMESPACES)
_W = "{" + _NAMESPACES["w"] + "}"
_RUN_TEXT = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-",
}
_PAGE_NUMBER = re.compile(r"(page )?\d+( (of|/) \d+)?", re.IGNORECASE)


def _extract_docx(data: bytes, filename: str, kind: DocumentKind, limits: UploadSettings) -> str:
    """Header, body paragraphs, text boxes and table cells, in document order."""
    damaged = (
        f"“{filename}” is a damaged Word file (it isn't a valid .docx){_looks_like(data)}, "
        f"so we can't read your {kind.label} from it. Open it in Word or LibreOffice and "
        "save it again as .docx or PDF, or paste the text instead."
    )
    if data.startswith(_OLE2_MAGIC):
        # Office wraps a password-protected .docx in an OLE2 container.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _reject(
                "password",
                f"“{filename}” is protected with a password, so we can't read your "
                f"{kind.label}. Open it in Word, remove the password and save it, then "
                "upload it again, or paste the text instead.",
            )
        raise _reject(
            "old_word_format",
            f"“{filename}” is an old-style Word (.doc) file with a .docx name, so we can't "
            f"read your {kind.label} from it. Open it in Word and save it as .docx or PDF, "
            "then upload that, or paste the text instead.",
        )
    if not data.startswith(_ZIP_MAGIC):
        raise _reject("damaged_docx", damaged)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        if not any(member.filename == "word/document.xml" for member in members):
            raise _reject("damaged_docx", damaged)
        _check_docx_budget(members, filename, kind, limits)
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_lines(document))
    except DocumentError:
        raise
    except Exception as error:  # BadZipFile, XMLSyntaxError, KeyError, python-docx errors
        logger.debug("docx unreadable: %r", error)
        raise _reject("damaged_docx", damaged) from error


def _check_docx_budget(
    members: list[zipfile.ZipInfo], filename: str, kind: DocumentKind, limits: UploadSettings
) -> None:
    """Refuse, from the zip's directory alone, a DOCX that unpacks to more than we parse.

    A 339 KB zip bomb whose document.xml unpacks to 95 MiB once kept the server parsing
    for minutes at 840 MB. The sizes come from the zip's directory; a member that lies
    about its size is cut off at the size it claims and fails its checksum (damaged).
    """
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    total = sum(member.file_size for member in members)
    if xml > limits.max_xml_bytes:
        raise _reject(
            "docx_too_much_xml",
            f"“{filename}” holds {_megabytes(xml, round_up=True)} of document text and "
            f"markup once unpacked, more than the {_megabytes(limits.max_xml_bytes)} we read "
            f"for your {kind.label} (a resume or job posting needs a small fraction of "
            "that). Save a shorter version, or as PDF, or paste the text instead.",
        )
    if total > limits.max_unpacked_bytes:
        raise _reject(
            "docx_unpacks_too_big",
            f"“{filename}” is {_megabytes(total, round_up=True)} once unpacked (it holds "
            f"very large images or data), more than the {_megabytes(limits.max_unpacked_bytes)}"
            f" we accept. Save your {kind.label} again without them, or as PDF, or paste the "
            "text instead.",
        )


def _docx_lines(document: DocxDocument) -> Iterator[str]:
    """The body, after any page-header lines it does not already contain.

    Templates often put the name and contact details in the page header; the header
    also repeats the name and a "Page 2 of 3" field, which add nothing.
    """
    lists = _ListStyles(document)
    body = list(_block_lines(document, lists))
    known = {line.strip() for line in body}
    for section in document.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.insert(0, section.first_page_header)
        for header in headers:
            # A linked header has no part of its own; reading it would create one.
            if header.is_linked_to_previous:
                continue
            for line in _block_lines(header, lists):
                line = line.strip()
                if line and line not in known and not _PAGE_NUMBER.fullmatch(line):
                    known.add(line)
                    yield line
    yield from body


def _block_lines(container: Any, lists: _ListStyles) -> Iterator[str]:
    """Paragraphs and tables of a body, header or table cell, in reading order."""
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield from _text_box_lines(block)
            text = _paragraph_text(block._p)
            yield f"• {text}" if text.strip() and lists.is_list_item(block) else text
        elif isinstance(block, Table):
            yield from _table_lines(block, lists)


class _ListStyles:
    """Which paragraph styles number their paragraphs, looked up once per style.

    Word draws list bullets from numbering definitions, not text; we write one, so a
    DOCX bullet reads like a PDF bullet downstream. python-docx's ``paragraph.style``
    scans every style per call, which made a 3 MB document take half a minute.
    """

    def __init__(self, document: DocxDocument) -> None:
        self._styles = document.styles
        self._numbered: dict[str | None, bool] = {}

    def is_list_item(self, paragraph: Paragraph) -> bool:
        properties = paragraph._p.pPr
        numbered = _numbering(properties)
        if numbered is not None:
            return numbered
        style_id = properties.style if properties is not None else None
        if style_id not in self._numbered:
            self._numbered[style_id] = bool(_numbering(self._style_properties(style_id)))
        return self._numbered[style_id]

    def _style_properties(self, style_id: str | None) -> Any:
        try:
            style = self._styles.element.get_by_id(style_id) if style_id else None
            if style is None:
                style = self._styles.element.default_for(WD_STYLE_TYPE.PARAGRAPH)
        except Exception:  # an odd styles part: no style, no numbering
            return None
        return style.pPr if style is not None else None


def _numbering(properties: Any) -> bool | None:
    """True or False when these properties number the paragraph or switch it off."""
    numbering = properties.numPr if properties is not None else None
    if numbering is not None and numbering.numId is not None:
        return numbering.numId.val != 0  # numId 0 switches numbering off
    return None


def _paragraph_text(paragraph: Any) -> str:
    """The text of a ``w:p`` element: what python-docx's ``Paragraph.text`` gives."""
    parts: list[str] = []
    for element in _RUN_CONTENT(paragraph):
        tag = element.tag
        if tag == f"{_W}t":
            parts.append(element.text or "")
        elif tag == f"{_W}br":
            # Only a text-wrapping break is a line break; page and column breaks are not.
            if element.get(f"{_W}type", "textWrapping") == "textWrapping":
                parts.append("\n")
        else:
            parts.append(_RUN_TEXT.get(tag, ""))
    return "".join(parts)


def _text_box_lines(paragraph: Paragraph) -> Iterator[str]:
    """Text boxes anchored in a paragraph; python-docx's ``text`` leaves them out."""
    for box in _TEXT_BOXES(paragraph._p):
        for element in _TEXT_BOX_PARAGRAPHS(box):
            yield _paragraph_text(element)


def _table_lines(table: Table, lists: _ListStyles) -> Iterator[str]:
    """One line per row when its cells are one-liners, else each cell's lines."""
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = "\n".join(line for line in _block_lines(cell, lists) if line.strip())
            if text:
                cells.append(text)
        if all("\n" not in cell for cell in cells):
            yield " | ".join(cells)
        else:
            yield from cells


# --- plain text -----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode_text(data: bytes, filename: str, kind: DocumentKind) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, else cp1252 if it reads as text."""
    binary = (
        f"“{filename}” doesn't look like a text file: it contains binary data"
        f"{_looks_like(data)}. Upload your {kind.label} as a PDF, DOCX or plain-text file, "
        "or paste the text instead."
    )
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if _sniff(data):
        # A PDF or DOCX renamed .txt can decode "successfully" as cp1252.
        raise _reject("binary_text", binary)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise _reject("binary_text", binary) from error
    elif b"\x00" in data:
        raise _reject("binary_text", binary)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            if _ascii_ratio(text) < _MIN_ASCII_RATIO_FOR_CP1252:
                raise _reject("binary_text", binary) from None
    if _junk_ratio(text) > _MAX_JUNK_RATIO:
        raise _reject("binary_text", binary)
    return text


def _junk_ratio(text: str) -> float:
    """Share of control, unassigned and replacement characters: high for binary data."""
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return 0.0
    junk = sum(
        1
        for char in sample
        if char == "\ufffd"
        or (char not in "\n\r\t\f" and unicodedata.category(char) in ("Cc", "Cn", "Cs"))
    )
    return junk / len(sample)


def _ascii_ratio(text: str) -> float:
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return 1.0
    return sum(1 for char in sample if char.isascii() and char.isprintable()) / len(sample)


# --- normalisation --------------------------------------------------------------------

# Markdown that only decorates: a posting copied from a job board keeps its words, not
# its link targets or emphasis ("[Snowflake Data Engineer](https://…)" is a title, and an
# image must never become something a page could load).
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\n]|\([^)\n]*\))*\)")
_MD_REFERENCE_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def _plain_markdown(text: str) -> str:
    """Link and image text without their targets, and strong emphasis without markers;
    headings and bullets stay, since downstream readers use them."""
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_REFERENCE_LINK.sub(lambda m: m.group(1), text)
    text = _MD_LINK_DEFINITION.sub("", text)
    text = _MD_AUTOLINK.sub(lambda m: m.group(1), text)
    return _MD_STRONG.sub(lambda m: m.group(2), text)


_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_LIGATURES = {
    0xFB00: "ff",
    0xFB01: "fi",
    0xFB02: "fl",
    0xFB03: "ffi",
    0xFB04: "ffl",
    0xFB05: "st",
    0xFB06: "st",
}
_SPACES = dict.fromkeys([0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " ")
_LINE_BREAKS = dict.fromkeys([0x0B, 0x0C, 0x85, 0x2028, 0x2029], "\n")
_INVISIBLE = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
_CONTROLS = dict.fromkeys(
    [c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A, 0x0B, 0x0C, 0x85)]
)
_TRANSLATION = {**_CONTROLS, **_INVISIBLE, **_SPACES, **_LINE_BREAKS, **_LIGATURES}
_SPACE_RUNS = re.compile(r" {2,}")
# "manage-\nment" -> "management"; a capital or digit after the break is a real hyphen.
_HYPHENATED_BREAK = re.compile(r"(?<=[^\W\d_])-\n(?=([^\W\d_]))")
_BLANK_LINE_RUNS = re.compile(r"\n{3,}")


def _normalise(text: str, *, soft_hyphen_is_visible: bool = False) -> str:
    """Light clean-up that keeps one line per source line (bullets stay bullets).

    PDF fonts often map their visible hyphen glyph to U+00AD (soft hyphen), so in PDF
    text it becomes "-"; elsewhere a soft hyphen is invisible and is dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TRANSLATION).replace("\u00ad", "-" if soft_hyphen_is_visible else "")
    text = _join_line_end_hyphens(text)
    text = _strip_private_use(text)
    text = _SPACE_RUNS.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _HYPHENATED_BREAK.sub(_join_hyphenated, text)
    text = _BLANK_LINE_RUNS.sub("\n\n", text)
    return text.strip()


_LINE_END_HYPHEN = re.compile(r"(\w+)\ufffe(\w+)")


def _join_line_end_hyphens(text: str) -> str:
    """PDFium marks a hyphen that ended a line with U+FFFE and joins the two halves.

    TeX hyphenation ("Con-" / "sul") wants the halves joined; a word with a hyphen of its
    own ("multi-account") keeps it when it is written that way elsewhere in the text.
    """
    if "\ufffe" not in text:
        return text

    def join(match: re.Match[str]) -> str:
        hyphenated = f"{match.group(1)}-{match.group(2)}"
        return hyphenated if hyphenated in text else match.group(1) + match.group(2)

    return _LINE_END_HYPHEN.sub(join, text).replace("\ufffe", "-")


def _join_hyphenated(match: re.Match[str]) -> str:
    return "" if match.group(1).islower() else match.group(0)


def _strip_private_use(text: str) -> str:
    """Icon fonts (Font Awesome and friends) draw glyphs from the private use area."""
    return _PRIVATE_USE.sub("", text)


def _has_words(text: str) -> bool:
    return any(char.isalnum() for char in text)
