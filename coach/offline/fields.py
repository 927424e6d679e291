"""Practice by field and level, with no job posting (as Interview Warmup does).

The fields, levels and a few extra questions are data (``data/fields.yaml``); the
questions come from the question bank through its ``questions_for``, in a mix of types,
so a candidate with no posting (and perhaps no resume) still gets real interview
questions for the kind of job they want.
"""

from __future__ import annotations

import random
from functools import cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict

from coach.domain import QuestionDraft, QuestionSource, QuestionType
from coach.offline.profiles import FIELDS, Seniority
from coach.offline.question_bank import questions_for


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PracticeField(_Data):
    id: str
    label: str
    roles: str
    related: tuple[str, ...] = ()


class PracticeLevel(_Data):
    id: Seniority
    label: str


class ExtraQuestion(_Data):
    field: str
    level: Seniority
    type: QuestionType
    competency: str
    text: str


class FieldCatalog(_Data):
    """Everything ``fields.yaml`` holds, checked against the bank's fields."""

    levels: tuple[PracticeLevel, ...]
    fields: tuple[PracticeField, ...]
    extra_questions: tuple[ExtraQuestion, ...] = ()

    def model_post_init(self, _context: object) -> None:
        known = set(FIELDS)
        unknown = {f.id for f in self.fields} - known
        unknown |= {q.field for q in self.extra_questions} - known
        unknown |= {r for f in self.fields for r in f.related} - known
        if unknown:
            raise ValueError(f"fields.yaml names fields the bank does not know: {sorted(unknown)}")

    def field(self, field_id: str) -> PracticeField:
        for field in self.fields:
            if field.id == field_id:
                return field
        raise KeyError(field_id)

    def related(self, one: str, other: str) -> bool:
        """The same field, or two close enough that moving between them is no career change."""
        if one == other:
            return True
        return any(
            (f.id == one and other in f.related) or (f.id == other and one in f.related)
            for f in self.fields
        )

    def level(self, level_id: str) -> PracticeLevel:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)


@cache
def field_catalog() -> FieldCatalog:
    """The catalog shipped with the package (read once; it is immutable)."""
    text = files("coach.offline").joinpath("data/fields.yaml").read_text(encoding="utf-8")
    return FieldCatalog.model_validate(yaml.safe_load(text))


def field_questions(
    field_id: str,
    level_id: str,
    count: int,
    *,
    existing: list[str] = (),  # type: ignore[assignment]
    seed: str = "",
) -> list[QuestionDraft]:
    """``count`` questions for this field and level, types taking turns, none repeated.

    Field-specific questions come first in each type, then general ones; the order
    within each group is shuffled by ``seed`` so two sessions differ.
    """
    catalog = field_catalog()
    field, level = catalog.field(field_id), catalog.level(level_id)
    rng = random.Random(f"{field.id}|{level.id}|{seed}")
    taken = {" ".join(text.lower().split()) for text in existing}
    rationale = f"From the question bank for {field.label.lower()} roles, {level.label.lower()}."
    by_type: dict[QuestionType, list[QuestionDraft]] = {t: [] for t in QuestionType}
    extras = [
        QuestionDraft(
            text=q.text,
            type=q.type,
            competency=q.competency,
            source=QuestionSource.BANK,
            rationale=rationale,
        )
        for q in catalog.extra_questions
        if q.field == field.id and q.level is level.id
    ]
    bank = questions_for(field.id, level.id)
    specific = [q for q in bank if q.fields]
    general = [q for q in bank if not q.fields]
    rng.shuffle(specific)
    rng.shuffle(general)
    for question in [*extras, *specific, *general]:
        if " ".join(question.text.lower().split()) in taken:
            continue
        taken.add(" ".join(question.text.lower().split()))
        draft = (
            question
            if isinstance(question, QuestionDraft)
            else QuestionDraft(
                text=question.text,
                type=question.type,
                competency=question.competency,
                source=QuestionSource.BANK,
                rationale=rationale,
            )
        )
        by_type[draft.type].append(draft)
    chosen: list[QuestionDraft] = []
    order = [
        QuestionType.BEHAVIOURAL,
        QuestionType.ROLE_SPECIFIC,
        QuestionType.TECHNICAL,
        QuestionType.SITUATIONAL,
    ]
    while len(chosen) < count and any(by_type.values()):
        for question_type in order:
            if by_type[question_type] and len(chosen) < count:
                chosen.append(by_type[question_type].pop(0))
    return chosen
