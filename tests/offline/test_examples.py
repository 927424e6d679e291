"""Example answers: STAR-shaped, built from the candidate's own resume, never invented."""

from __future__ import annotations

import re

from coach.domain import QuestionDraft, QuestionType
from coach.offline.examples import STAR_LABELS, example_answer
from coach.offline.profiles import JobProfile, ResumeClaim, ResumeProfile, ResumeRole

RESUME = ResumeProfile(
    name="Ana Lima",
    employers=["Acme Corp", "Globex"],
    skills=["Python", "Terraform"],
    claims=[
        ResumeClaim(
            text="Cut CI build time by 70% by parallelising tests",
            employer="Acme Corp",
            metric="70%",
            action="Cut",
        ),
        ResumeClaim(
            text="Mentored 3 junior engineers through their first on-call rotation",
            employer="Globex",
            metric=None,
            action="Mentored",
        ),
        ResumeClaim(
            text="Reduced customer churn 15% by redesigning onboarding emails",
            employer="Globex",
            metric="15%",
            action="Reduced",
        ),
    ],
)
JOB = JobProfile(
    title="Platform Engineer",
    tools=["Kubernetes", "Terraform", "GitHub Actions"],
    skills=["mentoring"],
)
SLOW_PROCESS = QuestionDraft(
    text="Tell me about a time you made a slow build or test process faster.",
    type=QuestionType.BEHAVIOURAL,
)
MENTORING = QuestionDraft(
    text="Describe a time you mentored junior engineers.",
    type=QuestionType.BEHAVIOURAL,
    competency="mentoring",
)
UNRELATED = QuestionDraft(
    text="What motivates you to come to work?",
    type=QuestionType.ROLE_SPECIFIC,
)


def _paragraphs(example: str) -> dict[str, str]:
    found = {}
    for paragraph in example.split("\n\n"):
        label, _, body = paragraph.partition(":")
        if label in STAR_LABELS:
            found[label] = body.strip()
    return found


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def _resume_numbers(resume: ResumeProfile) -> set[str]:
    facts = [c.text for c in resume.claims] + [c.metric or "" for c in resume.claims]
    facts += resume.employers + resume.skills
    return _numbers(" ".join(facts))


def test_an_example_has_the_four_star_parts_in_order() -> None:
    example = example_answer(SLOW_PROCESS, RESUME, JOB)
    parts = _paragraphs(example)
    assert list(parts) == list(STAR_LABELS)
    assert all(len(body) > 10 for body in parts.values())


def test_the_example_uses_the_most_relevant_claims_employer_and_metric() -> None:
    example = example_answer(SLOW_PROCESS, RESUME, JOB)
    assert "Acme Corp" in _paragraphs(example)["Situation"]
    assert "70%" in _paragraphs(example)["Result"]
    mentoring = example_answer(MENTORING, RESUME, JOB)
    assert "Globex" in mentoring
    assert "Mentored 3 junior engineers" in mentoring or "mentored 3 junior engineers" in mentoring


def test_without_overlap_the_claim_with_a_figure_is_used() -> None:
    example = example_answer(UNRELATED, RESUME, JOB)
    assert "70%" in example or "15%" in example


def test_the_candidates_own_answer_steers_the_choice_of_story() -> None:
    answer = (
        "At Globex our customers kept leaving after signup, so I rewrote the onboarding emails."
    )
    example = example_answer(UNRELATED, RESUME, JOB, answer=answer)
    assert "15%" in example
    assert "Globex" in example


def test_only_a_relevant_tool_or_skill_is_woven_in() -> None:
    mentoring = example_answer(MENTORING, RESUME, JOB)
    assert "mentoring came in" in mentoring
    assert "Terraform" not in mentoring
    infrastructure = QuestionDraft(
        text="How do you keep infrastructure changes safe and fast?",
        type=QuestionType.ROLE_SPECIFIC,
    )
    assert "using Terraform" in example_answer(infrastructure, RESUME, JOB)
    without_skills = RESUME.model_copy(update={"skills": []})
    assert "Terraform" not in example_answer(infrastructure, without_skills, JOB)


def test_no_digits_appear_that_are_not_in_the_resume_or_question() -> None:
    allowed = _resume_numbers(RESUME)
    for question in (SLOW_PROCESS, MENTORING, UNRELATED):
        for answer in ("", "We shipped it in 2 weeks and saved 40 hours."):
            example = example_answer(question, RESUME, JOB, answer=answer)
            assert _numbers(example) <= allowed | _numbers(question.text), example


def test_a_claim_without_a_figure_gets_a_placeholder_not_an_invented_number() -> None:
    resume = ResumeProfile(
        employers=["Globex"],
        claims=[
            ResumeClaim(
                text="Sped up the slow test process for the platform team", employer="Globex"
            )
        ],
    )
    example = example_answer(SLOW_PROCESS, resume, JOB)
    assert not re.search(r"\d", example)
    assert "[by how much" in example.lower() or "[By how much" in example
    assert "Globex" in example


def test_without_usable_claims_the_example_is_a_marked_template() -> None:
    for resume in (ResumeProfile(), ResumeProfile(claims=[ResumeClaim(text="Python")])):
        example = example_answer(MENTORING, resume, JOB)
        assert example.startswith("Template")
        assert list(_paragraphs(example)) == list(STAR_LABELS)
        assert "[" in example and "]" in example
        assert not re.search(r"\d", example)


def test_examples_are_deterministic() -> None:
    assert example_answer(MENTORING, RESUME, JOB) == example_answer(MENTORING, RESUME, JOB)


def test_a_story_the_resume_has_the_facts_for_has_no_brackets() -> None:
    example = example_answer(SLOW_PROCESS, RESUME, JOB)

    assert "[" not in example, example
    assert "parallelising tests" in _paragraphs(example)["Action"]


def test_an_unrelated_line_is_never_spliced_in_as_the_result() -> None:
    resume = ResumeProfile(
        employers=["Acme Corp"],
        claims=[
            ResumeClaim(
                text="52 out of 2500 applicants chosen to be a KPCB Fellow 2014", metric="52"
            ),
            ResumeClaim(text="Cut CI build time by 70%", employer="Acme Corp", metric="70%"),
        ],
    )
    leadership = QuestionDraft(
        text="Tell me about a time you resolved a conflict in your team.",
        type=QuestionType.BEHAVIOURAL,
    )

    example = example_answer(leadership, resume, JOB)

    assert "KPCB" not in example and "70%" not in example
    assert example.startswith("Template") and "Acme Corp" in example


def test_a_pitch_is_now_before_next_from_the_resume_and_the_posting() -> None:
    resume = RESUME.model_copy(
        update={
            "roles": [
                ResumeRole(employer="Acme Corp", title="Platform Engineer"),
                ResumeRole(employer="Globex", title="Developer"),
            ]
        }
    )
    job = JOB.model_copy(
        update={"company": "Initech", "responsibilities": ["Own the CI/CD pipeline"]}
    )
    about = QuestionDraft(text="Tell me about yourself.", type=QuestionType.BEHAVIOURAL)

    example = example_answer(about, resume, job)

    assert "[" not in example, example
    assert "Now: I'm a Platform Engineer at Acme Corp" in example
    assert "Before: at Globex as a Developer." in example
    assert "Next: Platform Engineer at Initech, because it asks me to own the CI/CD" in example
