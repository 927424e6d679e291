"""How a resume fits a posting, the way a good coach reads both before the first question.

Three things a seasoned coach notices and asks about: a career change (the resume's
field is far from the posting's and they share few terms), a gap in employment (more
than a year between jobs, or none since a while), and the posting's requirements the
resume never mentions, by name. The offline coach turns each into a question; the
Practice page lists the missing requirements so the candidate can prepare.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import QuestionDraft, QuestionSource, QuestionType
from coach.offline.fields import field_catalog
from coach.offline.profiles import (
    JobProfile,
    ResumeProfile,
    find_skills,
    find_tools,
    profile_job,
)

# A career change: different fields and at most this share of the posting's terms.
CAREER_CHANGE_MAX_OVERLAP = 0.25
GAP_MONTHS = 12  # between two jobs
IDLE_MONTHS = 6  # since the last job ended
MAX_MISSING = 5

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_MONTH_YEAR = re.compile(
    r"(?:(?P<month>[A-Za-z]{3,9})\.?\s+|(?P<num>\d{1,2})/)?(?P<year>(?:19|20)\d{2})"
)
_ONGOING = re.compile(r"\b(present|current|now|today)\b", re.IGNORECASE)


class MissingRequirement(BaseModel):
    model_config = ConfigDict(frozen=True)

    requirement: str
    terms: list[str] = Field(description="The requirement's tools and skills the resume lacks.")


class EmploymentGap(BaseModel):
    model_config = ConfigDict(frozen=True)

    after: str | None = Field(description="The employer the gap follows, if known.")
    start: date
    end: date | None = Field(description="None: the gap lasts until today.")

    @property
    def months(self) -> int:
        end = self.end or date.today()
        return (end.year - self.start.year) * 12 + end.month - self.start.month


class Fit(BaseModel):
    """What the resume and the posting have in common, and where they part."""

    model_config = ConfigDict(frozen=True)

    resume_field: str = "general"
    job_field: str = "general"
    shared_terms: list[str] = Field(default_factory=list)
    posting_terms: list[str] = Field(default_factory=list)
    missing: list[MissingRequirement] = Field(default_factory=list)
    gaps: list[EmploymentGap] = Field(default_factory=list)
    years_required: int | None = None
    years_shown: int | None = None

    @property
    def overlap(self) -> float:
        return len(self.shared_terms) / len(self.posting_terms) if self.posting_terms else 1.0

    @property
    def career_change(self) -> bool:
        known = "general" not in (self.resume_field, self.job_field)
        return (
            known
            and not field_catalog().related(self.resume_field, self.job_field)
            and self.overlap <= CAREER_CHANGE_MAX_OVERLAP
        )


def assess_fit(
    resume_text: str,
    job_text: str,
    resume: ResumeProfile,
    job: JobProfile,
    *,
    today: date | None = None,
) -> Fit:
    """Compare a resume with a posting; empty text on either side gives an empty fit."""
    if not resume_text.strip() or not job_text.strip():
        return Fit(job_field=job.field)
    resume_terms = {t.lower() for t in [*_terms(resume_text), *resume.skills]}
    posting_terms = _unique([*job.tools, *job.skills])
    missing = []
    for requirement in job.requirements:
        terms = _terms(requirement)
        lacking = [t for t in terms if t.lower() not in resume_terms]
        if terms and len(lacking) == len(terms):
            missing.append(MissingRequirement(requirement=requirement, terms=lacking))
    return Fit(
        resume_field=profile_job(resume_text).field,
        job_field=job.field,
        shared_terms=[t for t in posting_terms if t.lower() in resume_terms],
        posting_terms=posting_terms,
        missing=missing[:MAX_MISSING],
        gaps=_gaps(resume, today or date.today()),
        years_required=job.years_required,
        years_shown=resume.years_experience,
    )


def fit_questions(fit: Fit, job: JobProfile) -> list[QuestionDraft]:
    """The questions a coach would ask about this fit, most telling first."""
    role = job.title or "this role"
    questions = []
    if fit.career_change:
        questions.append(
            QuestionDraft(
                text=(
                    f"Your background is in {fit.resume_field} and {role} is a "
                    f"{fit.job_field} role. What draws you to the change, and which of your "
                    "experience carries straight over?"
                ),
                type=QuestionType.BEHAVIOURAL,
                competency="motivation",
                source=QuestionSource.TAILORED,
                rationale=(
                    "Your resume and the posting share few terms: interviewers ask a career "
                    "changer why, and what transfers."
                ),
            )
        )
    if fit.gaps:
        gap = fit.gaps[-1]
        after = f" after {gap.after.rstrip('.')}" if gap.after else ""
        when = (
            f"since {gap.start:%b %Y}"
            if gap.end is None
            else (f"between {gap.start:%b %Y} and {gap.end:%b %Y}")
        )
        questions.append(
            QuestionDraft(
                text=(
                    f"Your resume shows no role {when}{after}. How did you spend that time, "
                    f"and why is now the right moment for {role}?"
                ),
                type=QuestionType.BEHAVIOURAL,
                competency="motivation",
                source=QuestionSource.TAILORED,
                rationale=f"A {gap.months}-month gap: expect to be asked, and answer it calmly.",
            )
        )
    if fit.missing:
        first = fit.missing[0]
        terms = " and ".join(first.terms[:2])
        questions.append(
            QuestionDraft(
                text=(
                    f"The posting asks for “{first.requirement.rstrip('.')}”, and your resume "
                    f"doesn't mention {terms}. Where have you done something close, and how "
                    "would you get up to speed?"
                ),
                type=QuestionType.SITUATIONAL,
                competency="learning",
                source=QuestionSource.TAILORED,
                rationale="A requirement your resume doesn't show: prepare an honest bridge.",
            )
        )
    return questions


def _gaps(resume: ResumeProfile, today: date) -> list[EmploymentGap]:
    spans = []
    for role in resume.roles:
        span = _span(role.period or "", today)
        if span:
            spans.append((span[0], span[1], role.employer))
    spans.sort()
    gaps = []
    latest_end: date | None = None
    latest_employer: str | None = None
    for start, end, employer in spans:
        if latest_end is not None and _months(latest_end, start) > GAP_MONTHS:
            gaps.append(EmploymentGap(after=latest_employer, start=latest_end, end=start))
        if latest_end is None or end >= latest_end:
            latest_end, latest_employer = end, employer
    if latest_end is not None and _months(latest_end, today) > IDLE_MONTHS:
        gaps.append(EmploymentGap(after=latest_employer, start=latest_end, end=None))
    return gaps


def _span(period: str, today: date) -> tuple[date, date] | None:
    """The start and end of a period as resumes write it ("Mar. 2021 - Present")."""
    points = []
    for match in _MONTH_YEAR.finditer(period):
        month = 1
        if match.group("month"):
            word = match.group("month").lower()
            month = _MONTHS.get(word[:3]) or _SEASONS.get(word, 1)
        elif match.group("num"):
            month = min(max(int(match.group("num")), 1), 12)
        points.append(date(int(match.group("year")), month, 1))
    if not points:
        return None
    end = today if _ONGOING.search(period) else points[-1]
    return points[0], max(end, points[0])


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _terms(text: str) -> list[str]:
    return _unique([*find_tools(text), *find_skills(text)])


def _unique(terms: list[str]) -> list[str]:
    seen: set[str] = set()
    return [t for t in terms if not (t.lower() in seen or seen.add(t.lower()))]
