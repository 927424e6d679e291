"""Practice without a posting: a field and a level give bank questions, with a resume or
with no document at all; answers are scored as in any session (offline coach)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coach.domain import DocumentKind, QuestionSource, QuestionType
from coach.errors import CoachError
from coach.offline.fields import field_catalog, field_questions
from coach.offline.profiles import FIELDS
from coach.offline.question_bank import find_bank_question
from coach.settings import CoachSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import RESUME

LOCAL_USER = Actor.local()

NURSING_ANSWER = (
    "On a night shift a post-operative patient's blood pressure fell from 120 to 85 within "
    "an hour. I was the nurse on the ward, so I had to act before the surgeon arrived. I "
    "raised the legs, started the fluids on the protocol, paged the registrar and kept "
    "observations every five minutes. The patient stabilised within twenty minutes and "
    "went back to theatre for a small bleed; the surgeon said the early call saved a "
    "transfusion. I now teach new starters the same escalation steps."
)


@pytest.fixture
def wb(settings: CoachSettings) -> Iterator[Workbench]:
    workbench = build_workbench(settings)
    yield workbench
    workbench.close()


def test_the_catalog_names_only_fields_the_bank_knows_and_every_pair_has_questions() -> None:
    catalog = field_catalog()
    assert {f.id for f in catalog.fields} <= set(FIELDS)
    for field in catalog.fields:
        for level in catalog.levels:
            questions = field_questions(field.id, level.id, 8)
            assert len(questions) == 8, (field.id, level.id)
            assert len({q.type for q in questions}) >= 3, "types should take turns"


def test_no_document_at_all_gives_field_questions_that_get_scored(wb: Workbench) -> None:
    session = wb.practice.start_field_session(LOCAL_USER, "nursing", "junior", question_count=4)

    view = wb.practice.view(LOCAL_USER, session.id)
    assert view.documents == []
    assert view.practice_field == ("nursing", "junior")
    assert session.name.startswith("Nursing and healthcare · Entry level")
    assert len(view.questions) == 4
    assert all(p.question.source is QuestionSource.BANK for p in view.questions)
    assert all("nursing" in p.question.rationale for p in view.questions)
    nursing = [
        p
        for p in view.questions
        if (b := find_bank_question(p.question.text)) and "nursing" in b.fields
    ]
    assert nursing, "no nursing-specific question"
    question = view.questions[0].question
    _, evaluation = wb.practice.answer_and_evaluate(
        LOCAL_USER, session.id, question.id, NURSING_ANSWER
    )
    assert 1 <= evaluation.overall <= 10 and evaluation.example_answer


def test_with_a_resume_the_session_keeps_it_and_more_questions_never_repeat(
    wb: Workbench,
) -> None:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    session = wb.practice.start_field_session(
        LOCAL_USER, "data", "senior", resume, question_count=3
    )

    more = wb.practice.generate_questions(
        LOCAL_USER, session.id, count=3, types=[QuestionType.TECHNICAL]
    )

    view = wb.practice.view(LOCAL_USER, session.id)
    assert [d.kind for d in view.documents] == [DocumentKind.RESUME]
    texts = [p.question.text for p in view.questions]
    assert len(texts) == 6 == len(set(texts))
    assert all(q.type is QuestionType.TECHNICAL for q in more)


def test_an_unknown_field_is_refused_and_nothing_is_stored(wb: Workbench) -> None:
    with pytest.raises(CoachError, match="Pick a field and a level"):
        wb.practice.start_field_session(LOCAL_USER, "astrology", "mid")
    assert wb.sessions.list(LOCAL_USER, "").total == 0
