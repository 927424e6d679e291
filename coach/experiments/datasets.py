"""The items a persona experiment runs on: questions with a candidate's answer.

Every variant of an experiment is run on the same items, so a dataset is an immutable,
ordered tuple of :class:`DatasetItem` with ids that stay stable while it is loaded. Items
come from three places:

- :func:`sample_dataset`: ``data/sample_items.jsonl``, shipped with the package. It holds
  16 interview questions (behavioural, technical, situational and role-fit; software,
  data, product, operations and sales), each answered three times: a strong answer
  (STAR, specific, owned, with a measurable result; reference 8-9), a middling one (some
  structure, vague on result or ownership; 5-6) and a weak one (short, generic or off the
  point; 2-3). The reference scores are the authors' own ratings against the
  workbench's rubric (``coach.domain.RubricDimension``), written so the three bands are
  clearly apart; they are not from a study with independent human raters. Use them to
  see whether a variant ranks strong above weak, not as ground truth to the decimal.
- :func:`dataset_from_sessions`: the candidate's own answered questions.
- :func:`dataset_from_file`: an uploaded CSV, JSONL or JSON file. Bad input raises
  :class:`~coach.errors.DatasetError` whose message names the rows and says what to fix.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coach.domain import Answer, DocumentKind, QuestionType, SessionKind
from coach.errors import DatasetError, SessionNotFound
from coach.store.base import SessionStore
from coach.users import Actor

logger = logging.getLogger(__name__)

MAX_ITEMS = 5_000
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_QUESTION_CHARS = 2_000
MAX_ANSWER_CHARS = 20_000
MAX_DOCUMENT_CHARS = 50_000
MAX_ID_CHARS = 200
ACCEPTED_EXTENSIONS = (".csv", ".jsonl", ".json")

_SAMPLE_RESOURCE = "data/sample_items.jsonl"
_SHOWN_PROBLEMS = 5
_SESSION_PAGE = 100

# Column or key names as people write them (after lower-casing, trimming and turning
# spaces and hyphens into underscores), mapped to the field they fill.
_ALIASES: dict[str, str] = {
    "id": "id",
    "question": "question",
    "answer": "answer",
    "response": "answer",
    "resume": "resume",
    "job_description": "job_description",
    "job": "job_description",
    "jd": "job_description",
    "reference_score": "reference_score",
    "score": "reference_score",
    "human_score": "reference_score",
    "rating": "reference_score",
}
_REQUIRED = ("question", "answer")
_OPTIONAL = ("id", "resume", "job_description", "reference_score")
_TEXT_LIMITS = {
    "question": MAX_QUESTION_CHARS,
    "answer": MAX_ANSWER_CHARS,
    "resume": MAX_DOCUMENT_CHARS,
    "job_description": MAX_DOCUMENT_CHARS,
}


class DatasetItem(BaseModel):
    """One question and answer every variant is run on; the unit results are joined by."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)
    resume: str = Field(default="", max_length=MAX_DOCUMENT_CHARS)
    job_description: str = Field(default="", max_length=MAX_DOCUMENT_CHARS)
    reference_score: float | None = Field(default=None, ge=0, le=10, allow_inf_nan=False)

    def content_hash(self) -> str:
        """SHA-256 (hex) of what a coach sees, so cached results survive renumbering.

        The id and the reference score are left out: neither changes what a variant
        would say about the answer.
        """
        payload = json.dumps(
            [self.question, self.answer, self.resume, self.job_description],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Dataset(BaseModel):
    """A named, ordered set of items; immutable so every variant sees the same thing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    source: Literal["sample", "sessions", "file"]
    items: tuple[DatasetItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Dataset:
        """Results are joined back to items by id, so two items may not share one."""
        repeated = _repeated([item.id for item in self.items])
        if repeated:
            raise ValueError(f"item ids must be unique; repeated: {', '.join(repeated)}")
        return self

    @property
    def has_references(self) -> bool:
        """Whether agreement with human ratings can be reported at all."""
        return any(item.reference_score is not None for item in self.items)


# --- the bundled sample ---------------------------------------------------------------


@functools.cache
def sample_dataset() -> Dataset:
    """The 48 bundled items (see the module docstring for how they were scored).

    Cached because the result is immutable and the file never changes while running.
    """
    data = resources.files("coach.experiments").joinpath(_SAMPLE_RESOURCE).read_bytes()
    items = _parse_file("sample_items.jsonl", ".jsonl", data)
    return Dataset(name=f"Sample ({_count(len(items), 'item')})", source="sample", items=items)


# --- uploaded files -------------------------------------------------------------------


def dataset_from_file(file_name: str, data: bytes) -> Dataset:
    """Reads an uploaded ``.csv``, ``.jsonl`` or ``.json`` (a list of objects) file.

    Raises ``DatasetError`` with a message that says what to fix, never a traceback.
    """
    name = file_name.strip() or "the file"
    extension = _extension(name)
    if extension not in ACCEPTED_EXTENSIONS:
        raise DatasetError(
            f"{name} is not a file type experiments can read: upload a .csv, .jsonl or "
            ".json file (a spreadsheet saved as CSV works)."
        )
    items = _parse_file(name, extension, data)
    return Dataset(name=name, source="file", items=items)


@dataclass(frozen=True)
class _Record:
    """One row of a file before validation: where it is and what it holds."""

    label: str  # "row 3", "line 4", "item 2": how the message points at it
    fields: Mapping[str, object] | None  # None when the row itself is unreadable
    problem: str = ""  # why ``fields`` is None
    names: Mapping[str, str] | None = None  # field -> the name the file used for it


def _parse_file(name: str, extension: str, data: bytes) -> tuple[DatasetItem, ...]:
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files, or drop "
            "columns the experiment does not need."
        )
    text = _decode(name, data)
    if extension == ".csv":
        records, numbering = _csv_records(name, text), "rows count from 1 after the header"
    elif extension == ".jsonl":
        records, numbering = _jsonl_records(name, text), "line numbers are the file's lines"
    else:
        records, numbering = _json_records(name, text), "items count from 1"
    if not records:
        raise DatasetError(f"The file has no items: {name} {_expected(extension)}")
    if len(records) > MAX_ITEMS:
        raise DatasetError(
            f"{name} has {len(records):,} items; the limit is {MAX_ITEMS:,}. "
            "Split it into smaller files."
        )
    return _validate(name, records, numbering)


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DatasetError(
            f"{name} is saved as UTF-16, not UTF-8: save it again as UTF-8 (in Excel, "
            "'CSV UTF-8') and upload it again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DatasetError(
            f"{name} is not UTF-8 text (line {line} has a byte that is not valid UTF-8, "
            "so it was probably saved in another encoding such as Windows-1252): save it "
            "as UTF-8 (in Excel, 'CSV UTF-8') and upload it again."
        ) from None


def _csv_records(name: str, text: str) -> list[_Record]:
    text = re.sub(r"\A(?:[ \t]*\r?\n)+", "", text)  # blank lines above the header
    if not text.strip():
        return []
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = reader.fieldnames or []
    except csv.Error as error:
        raise DatasetError(f"{name} could not be read as CSV in its header: {error}.") from None
    columns: dict[str, str] = {}  # field -> header as written
    for header in headers:
        field = _ALIASES.get(_normalise(header))
        if field is None:
            continue
        if field in columns:
            raise DatasetError(
                f"{name} has both a {columns[field].strip()!r} and a {header.strip()!r} "
                f"column, which both mean {field!r}: keep one and upload the file again."
            )
        columns[field] = header
    missing = [field for field in _REQUIRED if field not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in headers if h.strip()) or "none"
        raise DatasetError(
            f"{name} is missing the {_listed(repr(field) for field in missing)} column"
            f"{'s' if len(missing) > 1 else ''} (found: {found}). The file "
            f"{_expected('.csv', with_aliases=True)}"
        )
    names = {field: header.strip() for field, header in columns.items()}
    records: list[_Record] = []
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if all(_blank(value) for value in row.values()):
                continue  # ",,," rows a spreadsheet leaves at the end
            fields = {field: row.get(header) for field, header in columns.items()}
            records.append(_Record(label=f"row {number}", fields=fields, names=names))
    except csv.Error as error:
        raise DatasetError(
            f"{name} could not be read as CSV at row {number + 1} (rows count from 1 after "
            f'the header): {error}. Check that row for a quote (") that is never closed.'
        ) from None
    return records


def _jsonl_records(name: str, text: str) -> list[_Record]:
    records: list[_Record] = []
    # split("\n") rather than splitlines(): JSON strings may hold U+2028 and friends.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problem = f"{label} is not a JSON object: {error.msg} (column {error.colno})"
            records.append(_Record(label=label, fields=None, problem=problem))
            continue
        records.append(_object_record(label, value))
    return records


def _json_records(name: str, text: str) -> list[_Record]:
    if not text.strip():
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DatasetError(
            f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column "
            f"{error.colno}. The file {_expected('.json')}"
        ) from None
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        value = value["items"]
    if not isinstance(value, list):
        raise DatasetError(
            f"{name} holds {_json_kind(value)}, not a list of items: the file {_expected('.json')}"
        )
    return [_object_record(f"item {n}", entry) for n, entry in enumerate(value, start=1)]


def _object_record(label: str, value: object) -> _Record:
    """A JSON value that should be one item: an object, with keys mapped to fields."""
    if not isinstance(value, dict):
        problem = f"{label} is not a JSON object: it is {_json_kind(value)}"
        return _Record(label=label, fields=None, problem=problem)
    fields: dict[str, object] = {}
    names: dict[str, str] = {}
    for key, entry in value.items():
        field = _ALIASES.get(_normalise(key))
        if field is None:
            continue
        if field in fields:
            problem = (
                f"{label} has both {names[field]!r} and {key.strip()!r}, which both mean "
                f"{field!r}: keep one"
            )
            return _Record(label=label, fields=None, problem=problem)
        fields[field], names[field] = entry, key.strip()
    found = ", ".join(repr(key) for key in value) or "none"
    for field in _REQUIRED:
        if field not in fields:
            problem = f"{label}: {field!r} is missing (keys found: {found})"
            return _Record(label=label, fields=None, problem=problem)
    return _Record(label=label, fields=fields, names=names)


def _validate(name: str, records: list[_Record], numbering: str) -> tuple[DatasetItem, ...]:
    """Checks every record, so one upload shows every bad row rather than the first."""
    items: list[DatasetItem] = []
    labels: list[str] = []
    bad: list[str] = []
    for position, record in enumerate(records, start=1):
        if record.fields is None:
            bad.append(record.problem)
            continue
        item, problems = _item(record, position)
        if problems or item is None:
            bad.append(f"{record.label}: {', '.join(problems)}")
        else:
            items.append(item)
            labels.append(record.label)
    if bad:
        shown = "; ".join(bad[:_SHOWN_PROBLEMS])
        more = f"; and {len(bad) - _SHOWN_PROBLEMS} more" if len(bad) > _SHOWN_PROBLEMS else ""
        raise DatasetError(
            f"{_count(len(bad), 'row')} of {name} cannot be used ({numbering}): "
            f"{shown}{more}. Fix {'it' if len(bad) == 1 else 'them'} and upload the file again."
        )
    where: dict[str, list[str]] = {}
    for item, label in zip(items, labels, strict=True):
        where.setdefault(item.id, []).append(label)
    repeated = [f"{item_id!r} ({_listed(at)})" for item_id, at in where.items() if len(at) > 1]
    if repeated:
        shown = "; ".join(repeated[:_SHOWN_PROBLEMS])
        more = (
            f"; and {len(repeated) - _SHOWN_PROBLEMS} more"
            if len(repeated) > _SHOWN_PROBLEMS
            else ""
        )
        raise DatasetError(
            f"Each item in {name} needs its own id, but these ids appear more than once: "
            f"{shown}{more}. Make them unique, or leave the ids out to number the items "
            "automatically."
        )
    return tuple(items)


def _item(record: _Record, position: int) -> tuple[DatasetItem | None, list[str]]:
    """The item a record describes, or the problems with it in words for the uploader."""
    assert record.fields is not None
    fields, names = record.fields, record.names or {}
    problems: list[str] = []
    values: dict[str, object] = {}
    for field, limit in _TEXT_LIMITS.items():
        shown = repr(names.get(field, field))
        raw = fields.get(field)
        if raw is None:
            text = ""
        elif isinstance(raw, str):
            text = raw.strip()
        else:
            problems.append(f"{shown} must be text (got {_shown(raw)})")
            continue
        if field in _REQUIRED and not text:
            problems.append(f"{shown} is empty")
        elif len(text) > limit:
            problems.append(f"{shown} is too long ({len(text):,} characters; at most {limit:,})")
        values[field] = text
    item_id = _id(fields.get("id"), position)
    if item_id is None:
        problems.append(f"{names.get('id', 'id')!r} must be text or a whole number")
    elif len(item_id) > MAX_ID_CHARS:
        problems.append(f"{names.get('id', 'id')!r} is longer than {MAX_ID_CHARS} characters")
    values["id"] = item_id
    score, ok = _score(fields.get("reference_score"))
    if not ok:
        problems.append(
            f"{names.get('reference_score', 'reference_score')!r} must be a number from 0 to "
            f"10 (got {_shown(fields.get('reference_score'))})"
        )
    values["reference_score"] = score
    if problems:
        return None, problems
    try:
        return DatasetItem.model_validate(values), []
    except ValidationError as error:  # only if the checks above drift from the model
        return None, [e["msg"] for e in error.errors()]


def _id(raw: object, position: int) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"item-{position}"
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


def _score(raw: object) -> tuple[float | None, bool]:
    """The reference score and whether it was acceptable (absent is acceptable)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, True
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:  # a JSON integer too big for a float
            return None, False
    elif isinstance(raw, str):
        text = raw.strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # "7,5" from a spreadsheet in a comma locale
        try:
            value = float(text)
        except ValueError:
            return None, False
    else:
        return None, False
    if not math.isfinite(value) or not 0 <= value <= 10:
        return None, False
    return value, True


# --- stored sessions ------------------------------------------------------------------


def dataset_from_sessions(store: SessionStore, actor: Actor, *, limit: int = 500) -> Dataset:
    """The candidate's own latest answers, newest first, at most ``limit`` of them.

    One item per answered question (its latest attempt), with the session's most recent
    resume and job description; chat sessions and unanswered questions are skipped.
    Documents longer than the item limit are cut to it; a question or answer too long for
    an item is left out. Item ids are the answer ids, stable between loads.
    """
    if not 1 <= limit <= MAX_ITEMS:
        raise ValueError(f"limit must be from 1 to {MAX_ITEMS}, not {limit}")
    found: list[tuple[datetime, str, DatasetItem]] = []
    seen: set[str] = set()
    offset = 0
    while True:
        page = store.list_sessions(actor, limit=_SESSION_PAGE, offset=offset)
        for overview in page:
            if overview.id in seen:  # pages shift when a session is touched meanwhile
                continue
            seen.add(overview.id)
            if overview.kind is SessionKind.CHAT or overview.answered_count == 0:
                continue
            found.extend(_session_items(store, actor, overview.id))
        if len(page) < _SESSION_PAGE:
            break
        offset += _SESSION_PAGE
        if len(found) >= limit:
            found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
            del found[limit:]
            # Storing an answer bumps its session's updated_at and the list is newest
            # activity first, so no later session holds an answer newer than these.
            if page[-1].updated_at < found[-1][0]:
                break
    if not found:
        raise DatasetError(
            "No answered questions in your sessions yet: practise a few questions first, "
            "or use the sample set or a file."
        )
    found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    items = tuple(item for _, _, item in found[:limit])
    return Dataset(
        name=f"Your sessions ({_count(len(items), 'answer')})", source="sessions", items=items
    )


def _session_items(
    store: SessionStore, actor: Actor, session_id: str
) -> list[tuple[datetime, str, DatasetItem]]:
    try:
        questions = {question.id: question for question in store.questions(actor, session_id)}
        latest: dict[str, Answer] = {}
        for answer in store.answers(actor, session_id):  # oldest first: the last one wins
            latest[answer.question_id] = answer
        documents = store.documents(actor, session_id)  # oldest first: the last one wins
    except SessionNotFound:  # deleted while we were reading
        return []
    texts = {document.kind: document.text.strip() for document in documents}
    resume = texts.get(DocumentKind.RESUME, "")[:MAX_DOCUMENT_CHARS]
    job_description = texts.get(DocumentKind.JOB_DESCRIPTION, "")[:MAX_DOCUMENT_CHARS]
    items: list[tuple[datetime, str, DatasetItem]] = []
    for question_id, answer in latest.items():
        question = questions.get(question_id)
        question_text = question.text.strip() if question else ""
        answer_text = answer.text.strip()
        if not question_text or not answer_text:
            continue
        if len(question_text) > MAX_QUESTION_CHARS or len(answer_text) > MAX_ANSWER_CHARS:
            logger.info("answer too long for an experiment item", extra={"answer_id": answer.id})
            continue
        item = DatasetItem(
            id=answer.id,
            question=question_text,
            answer=answer_text,
            resume=resume,
            job_description=job_description,
        )
        items.append((answer.created_at, answer.id, item))
    return items


# --- small helpers --------------------------------------------------------------------


def _normalise(name: object) -> str:
    if not isinstance(name, str):
        return ""  # DictReader's key for cells beyond the header is None
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):  # DictReader collects extra cells in a list
        return all(_blank(v) for v in value)
    return False


def _expected(extension: str, *, with_aliases: bool = False) -> str:
    optional = ", ".join(repr(field) for field in _OPTIONAL)
    aliases = (
        " Also accepted: 'response' for 'answer'; 'job' or 'jd' for 'job_description'; "
        "'score', 'human_score' or 'rating' for 'reference_score'."
        if with_aliases
        else ""
    )
    if extension == ".csv":
        shape = "needs a header row with 'question' and 'answer' columns and one row per item"
    elif extension == ".jsonl":
        shape = "needs one JSON object per line, each with 'question' and 'answer'"
    else:
        shape = "needs a list of JSON objects, each with 'question' and 'answer'"
    return f"{shape} (optional: {optional}).{aliases}"


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "an object"


def _shown(value: object) -> str:
    if isinstance(value, str):
        text = value.strip()
        return repr(text if len(text) <= 40 else text[:37] + "...")
    return json.dumps(value) if isinstance(value, bool | int | float | None) else repr(value)


def _listed(words: Iterable[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _repeated(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


_TYPES = (
    (
        re.compile(
            r"\b(tell me about a time|describe a (time|situation)|give me an example)\b", re.I
        ),
        QuestionType.BEHAVIOURAL,
    ),
    (
        re.compile(
            r"\b(what would you do|how would you (handle|approach|respond)|imagine|suppose)\b", re.I
        ),
        QuestionType.SITUATIONAL,
    ),
    (
        re.compile(
            r"\b(design|implement|debug|algorithm|architecture|sql|explain how|complexity)\b", re.I
        ),
        QuestionType.TECHNICAL,
    ),
    (
        re.compile(
            r"\b(why (do you want|this role|us|our)|this role|our company|our team)\b", re.I
        ),
        QuestionType.ROLE_SPECIFIC,
    ),
)


def question_type(text: str) -> QuestionType:
    """A dataset question's type from its wording (behavioural when nothing says else)."""
    for pattern, kind in _TYPES:
        if pattern.search(text):
            return kind
    return QuestionType.BEHAVIOURAL
