"""A curated bank of real interview questions, each with a probing follow-up and a
rubric hint that says what a strong answer shows.

The bank is the offline coach's memory of how seasoned interviewers ask: tailoring
draws from it when the documents run out of specifics, the scorer reads the rubric
hint of the question it is scoring, and the example writer aims at the same hint.
It is immutable data, kept in ``coach/offline/data/questions/*.yaml`` (one file per
question type; a new file there joins the bank), read once and checked against
``BankQuestion``; ``questions_for`` and ``find_bank_question`` are the ways in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, TypeAdapter

from coach.domain import QuestionType
from coach.offline.datafiles import data_files, read_yaml
from coach.offline.profiles import Seniority


class BankQuestion(BaseModel):
    """One curated question; empty ``fields``/``seniority`` mean it suits any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str
    type: QuestionType
    competency: str
    fields: tuple[str, ...] = ()
    seniority: tuple[Seniority, ...] = ()
    follow_up: str
    rubric_hint: str

    def suits(self, field: str, seniority: Seniority) -> bool:
        """True when the question fits a role in this field at this level."""
        field_ok = not self.fields or field in self.fields
        level = Seniority.MID if seniority is Seniority.UNKNOWN else seniority
        return field_ok and (not self.seniority or level in self.seniority)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_QUESTIONS = TypeAdapter(list[BankQuestion])


def load_bank() -> tuple[BankQuestion, ...]:
    """Every question in the data files, file by file in name order, schema-checked."""
    questions: list[BankQuestion] = []
    for file in data_files("questions"):
        questions.extend(_QUESTIONS.validate_python(read_yaml(file) or []))
    return tuple(questions)


@dataclass(frozen=True)
class _Index:
    by_id: MappingProxyType[str, BankQuestion]
    by_text: MappingProxyType[str, BankQuestion]


@cache
def _index() -> _Index:
    return _Index(
        by_id=MappingProxyType({q.id: q for q in BANK}),
        by_text=MappingProxyType({_normalise(q.text): q for q in BANK}),
    )


BANK: tuple[BankQuestion, ...] = load_bank()

COMPETENCIES: tuple[str, ...] = tuple(sorted({question.competency for question in BANK}))


def rubric_for_competency(competency: str) -> str:
    """A rubric hint for a question that is not in the bank (a tailored one), taken from
    the first bank question that tests the same competency; empty when none does."""
    wanted = competency.strip().lower()
    return next((q.rubric_hint for q in BANK if q.competency == wanted), "")


def questions_for(
    field: str, seniority: Seniority, types: Iterable[QuestionType] = ()
) -> list[BankQuestion]:
    """Bank questions that suit a role's field and level, in bank order.

    Questions tagged with other fields are left out; an empty ``types`` means all types.
    """
    wanted = set(types) or set(QuestionType)
    return [q for q in BANK if q.type in wanted and q.suits(field, seniority)]


def bank_question(question_id: str) -> BankQuestion | None:
    """The bank question with this id, if there is one."""
    return _index().by_id.get(question_id)


@lru_cache(maxsize=1024)
def find_bank_question(text: str) -> BankQuestion | None:
    """The bank question this text is, allowing for small edits; None for other text.

    The scorer calls this to find the rubric hint for a question it is scoring, so a
    question lightly reworded by a model or a persona still finds its hint.
    """
    key = _normalise(text)
    if not key:
        return None
    by_text = _index().by_text
    if key in by_text:
        return by_text[key]
    for bank_text, question in by_text.items():
        if len(bank_text) > 30 and bank_text in key:
            return question
    best: BankQuestion | None = None
    best_ratio = 0.0
    for bank_text, question in by_text.items():
        # The length bound real_quick_ratio() checks, without building a matcher (which
        # indexes the bank text: 175 of those per call cost ~40 ms).
        if 2 * min(len(key), len(bank_text)) < 0.85 * (len(key) + len(bank_text)):
            continue
        matcher = difflib.SequenceMatcher(None, key, bank_text, autojunk=False)
        if matcher.real_quick_ratio() < 0.85 or matcher.quick_ratio() < 0.85:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = question, ratio
    return best if best_ratio >= 0.85 else None
