"""The question bank: big enough to keep a candidate practising, no repeats, and every
question carries what a strong answer shows."""

from __future__ import annotations

from collections import Counter

import pytest

from coach.domain import QuestionType
from coach.offline.profiles import FIELDS, Seniority
from coach.offline.question_bank import (
    BANK,
    COMPETENCIES,
    BankQuestion,
    find_bank_question,
    questions_for,
    rubric_for_competency,
)


def test_the_bank_holds_at_least_120_questions_with_20_of_each_type() -> None:
    counts = Counter(question.type for question in BANK)

    assert len(BANK) >= 120
    assert set(counts) == set(QuestionType)
    assert min(counts.values()) >= 20


def test_no_two_questions_share_a_text_or_an_id() -> None:
    texts = [" ".join(question.text.lower().split()) for question in BANK]

    assert len(set(texts)) == len(texts)
    assert len({question.id for question in BANK}) == len(BANK)


def test_every_question_has_a_probing_follow_up_and_a_rubric_hint() -> None:
    for question in BANK:
        assert question.text.endswith(("?", ".")), question.id
        assert question.follow_up.endswith(("?", ".")), question.id
        assert len(question.rubric_hint.split()) >= 8, question.id
        assert question.follow_up != question.text


def test_every_tagged_field_is_a_known_field_and_every_competency_is_listed() -> None:
    for question in BANK:
        assert set(question.fields) <= set(FIELDS), question.id
        assert question.competency in COMPETENCIES


@pytest.mark.parametrize(
    "competency",
    [
        "leadership",
        "conflict",
        "teamwork",
        "ownership",
        "failure",
        "prioritisation",
        "communication",
        "customer focus",
        "ambiguity",
        "problem solving",
        "system design",
        "debugging",
        "data analysis",
        "stakeholder management",
        "mentoring",
        "ethics",
        "patient safety",
        "classroom management",
    ],
)
def test_the_bank_covers_the_competencies_interviewers_ask_about(competency: str) -> None:
    assert any(question.competency == competency for question in BANK)


def test_bank_questions_are_immutable() -> None:
    with pytest.raises(ValueError):
        BANK[0].text = "Something else?"  # type: ignore[misc]


def test_a_nursing_role_gets_nursing_questions_and_never_software_ones() -> None:
    questions = questions_for("nursing", Seniority.MID, [])

    assert any("nursing" in q.fields for q in questions)
    assert all(not q.fields or "nursing" in q.fields for q in questions)
    assert not any("Kubernetes" in q.text for q in questions)


def test_questions_for_filters_by_type() -> None:
    questions = questions_for("software", Seniority.SENIOR, [QuestionType.TECHNICAL])

    assert questions
    assert {q.type for q in questions} == {QuestionType.TECHNICAL}


def test_junior_roles_do_not_get_questions_reserved_for_leaders() -> None:
    junior = questions_for("software", Seniority.JUNIOR, [])
    lead = questions_for("software", Seniority.LEAD, [])

    assert not any(Seniority.JUNIOR not in q.seniority and q.seniority for q in junior)
    assert any(q.competency == "leadership" and q.seniority for q in lead)
    assert any(q.id == "rol-junior-learning" for q in junior)


def test_every_field_and_type_has_something_to_ask() -> None:
    for field in (*FIELDS, "general"):
        for question_type in QuestionType:
            assert questions_for(field, Seniority.MID, [question_type]), (field, question_type)


def test_find_bank_question_matches_exact_text_ignoring_case_and_spacing() -> None:
    question = BANK[5]

    found = find_bank_question("  " + question.text.upper().replace(" ", "   ") + " ")

    assert found == question


def test_find_bank_question_matches_a_lightly_reworded_question() -> None:
    original = next(q for q in BANK if q.id == "beh-failure-general")

    found = find_bank_question(
        "Tell me about a time when you failed - what happened, what did you learn?"
    )

    assert found == original
    assert "owns their part" in found.rubric_hint


def test_find_bank_question_matches_a_question_with_a_prefix() -> None:
    original = next(q for q in BANK if q.id == "sit-leaked-key")

    assert find_bank_question(f"Question 4: {original.text}") == original


def test_find_bank_question_returns_none_for_unrelated_text() -> None:
    assert find_bank_question("What is your favourite colour of bicycle?") is None
    assert find_bank_question("") is None


def test_rubric_for_competency_gives_a_hint_for_tailored_questions() -> None:
    assert "buy-in" in rubric_for_competency("leadership")
    assert rubric_for_competency("juggling") == ""


def test_suits_treats_unknown_seniority_as_mid_level() -> None:
    lead_only = next(q for q in BANK if q.seniority and Seniority.MID not in q.seniority)
    open_question: BankQuestion = next(q for q in BANK if not q.seniority and not q.fields)

    assert not lead_only.suits("general", Seniority.UNKNOWN)
    assert open_question.suits("nursing", Seniority.UNKNOWN)
