"""A coach that notices fit: a career-change question when resume and posting are far
apart, a question about a gap, and the posting's requirements the resume lacks, named."""

from __future__ import annotations

from datetime import date

from coach.domain import QuestionType
from coach.offline.coach import OfflineCoach
from coach.offline.fit import assess_fit, fit_questions
from coach.offline.profiles import profile_job, profile_resume
from coach.tasks import GenerateQuestions
from tests.fixtures import JOB_DESCRIPTION, RESUME

TODAY = date(2026, 12, 6)

NURSE_EDUCATOR = """\
Specialty Nurse Educator - Acute Care
HCA Healthcare

Responsibilities
- Plan and deliver clinical education for nurses on acute care units
- Lead onboarding for new graduate nurses and track competencies
- Promote evidence-based practice and patient safety on every shift

Requirements
- Current RN license and BLS certification
- 2+ years of clinical education experience
- Experience in acute care nursing
"""

GAP_RESUME = """\
Sam Lee
Software Engineer

EXPERIENCE
Software Engineer, Initech — Austin, TX            Mar 2016 – Jan 2019
- Built Python services for billing
Senior Software Engineer, Globex — Remote           Jun 2021 – Feb 2024
- Led a team of 4 engineers on the payments API in Python and SQL

SKILLS
Python, SQL, AWS, Kubernetes
"""


def fit_of(resume: str, job: str):  # type: ignore[no-untyped-def]
    return assess_fit(resume, job, profile_resume(resume), profile_job(job), today=TODAY)


def test_a_software_engineer_for_a_nurse_educator_post_is_a_career_change() -> None:
    fit = fit_of(RESUME, NURSE_EDUCATOR)

    assert (fit.resume_field, fit.job_field) == ("data", "nursing")
    assert fit.career_change and fit.overlap == 0
    missing = {term for m in fit.missing for term in m.terms}
    assert {"BLS", "clinical education", "acute care"} <= missing
    first = fit_questions(fit, profile_job(NURSE_EDUCATOR))[0]
    assert first.type is QuestionType.BEHAVIOURAL
    assert "background is in data" in first.text and "nursing role" in first.text


def test_a_matching_resume_is_no_career_change_and_names_only_what_it_lacks() -> None:
    fit = fit_of(RESUME, JOB_DESCRIPTION)

    assert not fit.career_change and fit.overlap > 0.5
    assert fit.gaps == []
    lacking = {term for m in fit.missing for term in m.terms}
    assert "Terraform" in lacking and "Python" not in lacking


def test_related_fields_are_no_career_change() -> None:
    devops_posting = JOB_DESCRIPTION.replace("Data Engineer", "DevOps Engineer")
    fit = fit_of(RESUME, devops_posting)

    assert not fit.career_change


def test_gaps_between_jobs_and_since_the_last_are_found_and_asked_about() -> None:
    fit = fit_of(GAP_RESUME, JOB_DESCRIPTION)

    between, since = fit.gaps
    assert (between.after, between.start, between.end) == (
        "Initech",
        date(2019, 1, 1),
        date(2021, 6, 1),
    )
    assert (since.after, since.start, since.end) == ("Globex", date(2024, 2, 1), None)
    texts = [q.text for q in fit_questions(fit, profile_job(JOB_DESCRIPTION))]
    assert any("no role since Feb 2024 after Globex" in t for t in texts), texts


def test_the_offline_coach_asks_the_career_change_question_first_and_only_once() -> None:
    coach = OfflineCoach()
    task = GenerateQuestions(resume=RESUME, job_description=NURSE_EDUCATOR, count=5)

    first = coach.generate_questions(task).questions
    more = coach.generate_questions(
        task.model_copy(update={"existing": [q.text for q in first]})
    ).questions

    assert len(first) == 5
    assert "What draws you to the change" in first[0].text
    assert not any("What draws you to the change" in q.text for q in more)


def test_an_employer_ending_in_an_abbreviation_gets_one_full_stop() -> None:
    resume = RESUME.replace("Acme Analytics", "Acme Analytics Inc.")
    task = GenerateQuestions(resume=resume, job_description=JOB_DESCRIPTION, count=10)

    texts = [q.text for q in OfflineCoach().generate_questions(task).questions]

    assert any("Acme Analytics Inc." in t for t in texts), texts
    assert not any("Inc.." in t for t in texts)
