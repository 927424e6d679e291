"""Text out of a PDF with PDFium (pypdfium2), in reading order and with word gaps kept.

Why PDFium: on the shared real resumes pypdf glued words together wherever a LaTeX
template spaces words by positioning rather than with space characters (86 and 137
run-together tokens on the two awesome-cv PDFs), while PDFium's text page inserts the
spaces a reader sees, kept the two-column reading order, and was many times faster.

PDFium keeps the order in which the file draws its text. Most generators draw a column
at a time; some draw a two-column page line by line across both columns, which reads
as interleaved nonsense, so a page whose side-by-side columns come interleaved is put
back into column order from the positions of its text runs.

PDFium is not thread-safe and Streamlit serves sessions on several threads, so every
use of it goes through one lock (a PDF of the sizes we accept takes milliseconds).
"""

from __future__ import annotations

import itertools
import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_PDFIUM = threading.Lock()

# A gutter is looked for in the middle of the page only: a narrow strip of dates or
# icons at an edge is not a column of reading text.
_GUTTER_RANGE = (0.2, 0.8)
# Each column must hold at least this share of the text beside it and this many runs.
_MIN_COLUMN_SHARE = 0.2
_MIN_COLUMN_RUNS = 3
# The empty strip between two columns is wider than any gap between words on a line.
_MIN_GUTTER_SHARE = 0.025


class PdfPasswordRequired(Exception):
    """The PDF needs a password to open (a user password)."""


class PdfEncryptionUnsupported(Exception):
    """The PDF is encrypted with a scheme PDFium cannot open."""


class PdfDamaged(Exception):
    """The bytes are not a PDF PDFium can read, or a page breaks its parser."""


class PdfUnpacksTooBig(Exception):
    """The PDF's compressed text and fonts unpack to more than the cap; nothing was parsed."""

    def __init__(self, at_least: int) -> None:
        super().__init__(f"at least {at_least} bytes")
        self.at_least = at_least


class PdfTooManyPages(Exception):
    """The page count is over the cap; no page was read."""

    def __init__(self, page_count: int) -> None:
        super().__init__(f"{page_count} pages")
        self.page_count = page_count


@dataclass(frozen=True)
class PdfText:
    """Each page's text, and whether the file is encrypted (opened without a password:
    an owner password that only restricts printing or copying)."""

    pages: list[str]
    restricted: bool

    @property
    def page_count(self) -> int:
        return len(self.pages)


def read_pdf(data: bytes, *, max_pages: int, max_unpacked_bytes: int) -> PdfText:
    """Every page's text, after the size, password and page-count checks (which read no
    page)."""
    unpacked = unpacked_size(data, max_unpacked_bytes)
    if unpacked > max_unpacked_bytes:
        raise PdfUnpacksTooBig(unpacked)
    with _PDFIUM, _opened(data) as document:
        page_count = len(document)
        if page_count > max_pages:
            raise PdfTooManyPages(page_count)
        restricted = pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1
        return PdfText(
            pages=[_page_text(document, n) for n in range(page_count)], restricted=restricted
        )


_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
# An image XObject (PDFium never decodes images to read text). Its dictionary says so with
# a subtype and a width; a stream merely named "/Image" somewhere is still counted.
_IMAGE = re.compile(rb"/Subtype\s*/Image\b(?=.*?/Width\b)|/Width\b.*?/Subtype\s*/Image\b", re.S)
_CHUNK = 1 << 16


def unpacked_size(data: bytes, cap: int) -> int:
    """How much the file's Flate streams (page content, fonts; not images) unpack to,
    counted in chunks and given up just past ``cap``.

    A 60 KB PDF whose one page's content unpacks to 20 MiB kept PDFium busy for 3 s at
    270 MB; real resumes unpack to under 1.5 MB. Scanning the raw bytes needs no parser,
    so a bomb costs only the ``cap`` worth of decompression, never its memory.
    """
    total = 0
    for match in _STREAM_START.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()]
        if (start := head.rfind(b" obj")) >= 0:
            head = head[start:]
        if b"Flate" not in head or _IMAGE.search(head):
            continue
        inflater = zlib.decompressobj()
        position = match.end()
        try:
            while position < len(data) and not inflater.eof:
                pending = data[position : position + _CHUNK]
                position += _CHUNK
                while pending and not inflater.eof:
                    total += len(inflater.decompress(pending, cap - total + 1))
                    if total > cap:
                        return total
                    pending = inflater.unconsumed_tail
        except zlib.error:
            continue  # encrypted or damaged: PDFium judges it
    return total


@contextmanager
def _opened(data: bytes) -> Iterator[pdfium.PdfDocument]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfPasswordRequired from error
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise PdfEncryptionUnsupported from error
        raise PdfDamaged(str(error)) from error
    try:
        yield document
    finally:
        document.close()


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    try:
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                return _reading_order(textpage, page.get_width())
            finally:
                textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError as error:
        raise PdfDamaged(f"page {index + 1}: {error}") from error


# --- reading order ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """One run of text on a line, as PDFium's text rectangles give it, in drawing order."""

    order: int
    left: float
    bottom: float
    right: float
    top: float

    def overlaps_band(self, bottom: float, top: float) -> bool:
        return self.bottom < top and self.top > bottom


@dataclass(frozen=True)
class _Columns:
    left: list[_Run]
    right: list[_Run]
    bottom: float
    top: float


def _reading_order(textpage: pdfium.PdfTextPage, page_width: float) -> str:
    """The drawing order, unless it interleaves two side-by-side columns."""
    text = textpage.get_text_range()
    runs = [_Run(i, *textpage.get_rect(i)) for i in range(textpage.count_rects())]
    columns = _find_columns(runs, page_width)
    if columns is None or not _interleaved(columns):
        return text
    band = {run.order for run in (*columns.left, *columns.right)}
    above = [r for r in runs if r.order not in band and r.bottom >= columns.top]
    below = [r for r in runs if r.order not in band and r.bottom < columns.top]
    groups = [above, _top_down(columns.left), _top_down(columns.right), below]
    return "\n".join(_lines_of(textpage, group) for group in groups if group)


def _find_columns(runs: list[_Run], page_width: float) -> _Columns | None:
    """The best vertical gutter no run crosses while text sits on both sides of it.

    Vectorised over the runs: a sidebar resume has over a thousand runs and as many
    candidate gutters.
    """
    if len(runs) < 2 * _MIN_COLUMN_RUNS:
        return None
    left_x, bottom_y, right_x, top_y = np.array(
        [(r.left, r.bottom, r.right, r.top) for r in runs], dtype=float
    ).T
    low, high = (page_width * share for share in _GUTTER_RANGE)
    candidates = np.unique(np.round(right_x[(right_x >= low) & (right_x <= high)]) + 0.5)
    best: tuple[float, _Columns] | None = None
    for gutter in candidates:
        left, right = right_x <= gutter, left_x >= gutter
        if left.sum() < _MIN_COLUMN_RUNS or right.sum() < _MIN_COLUMN_RUNS:
            continue
        top = min(top_y[left].max(), top_y[right].max())
        bottom = max(bottom_y[left].min(), bottom_y[right].min())
        if top <= bottom:
            continue
        in_band = (bottom_y < top) & (top_y > bottom)
        if (in_band & ~left & ~right).any():
            continue  # a run crosses the gutter beside the columns: one column of text
        in_left, in_right = left & in_band, right & in_band
        if min(in_left.sum(), in_right.sum()) < _MIN_COLUMN_RUNS:
            continue
        if left_x[in_right].min() - right_x[in_left].max() < _MIN_GUTTER_SHARE * page_width:
            continue
        widths = (
            float((right_x - left_x)[in_left].sum()),
            float((right_x - left_x)[in_right].sum()),
        )
        if min(widths) < _MIN_COLUMN_SHARE * sum(widths):
            continue
        if best is None or min(widths) > best[0]:
            columns = _Columns(
                left=[runs[i] for i in np.flatnonzero(in_left)],
                right=[runs[i] for i in np.flatnonzero(in_right)],
                bottom=bottom,
                top=top,
            )
            best = (min(widths), columns)
    return best[1] if best else None


def _interleaved(columns: _Columns) -> bool:
    """Drawn across the columns line by line, rather than a column at a time."""
    side = {run.order: 0 for run in columns.left} | {run.order: 1 for run in columns.right}
    sequence = [side[order] for order in sorted(side)]
    switches = sum(1 for a, b in itertools.pairwise(sequence) if a != b)
    return switches > 2


def _top_down(runs: list[_Run]) -> list[_Run]:
    return sorted(runs, key=lambda run: (-run.top, run.left))


def _lines_of(textpage: pdfium.PdfTextPage, runs: list[_Run]) -> str:
    """Runs joined by a space on one line and by a line break between lines."""
    parts: list[str] = []
    previous: _Run | None = None
    for run in runs:
        text = textpage.get_text_bounded(run.left, run.bottom, run.right, run.top).strip()
        if not text:
            continue
        if previous is not None:
            same_line = run.overlaps_band(previous.bottom, previous.top)
            parts.append(" " if same_line else "\n")
        parts.append(text)
        previous = run
    return "".join(parts)
