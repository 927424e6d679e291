"""What the offline coach reads out of a resume and a job description.

Only the models live here at first; extraction functions (``profile_resume``,
``profile_job``) sit beside them and are pure functions of the text.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Seniority(StrEnum):
    INTERN = "intern"
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"
    EXECUTIVE = "executive"
    UNKNOWN = "unknown"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResumeClaim(_Model):
    """One concrete claim from a resume, usually a bullet with a number in it."""

    text: str = Field(description="The bullet or sentence, cleaned up.")
    employer: str | None = Field(default=None, description="Where it happened, if known.")
    metric: str | None = Field(default=None, description="The figure, e.g. '40%' or '$2M'.")
    action: str | None = Field(default=None, description="Its leading verb, e.g. 'cut'.")


class ResumeProfile(_Model):
    name: str | None = None
    employers: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    claims: list[ResumeClaim] = Field(default_factory=list)
    years_experience: int | None = None


class JobProfile(_Model):
    title: str | None = None
    company: str | None = None
    seniority: Seniority = Seniority.UNKNOWN
    field: str = Field(default="general", description="e.g. software, data, product, nursing.")
    skills: list[str] = Field(default_factory=list, description="Soft and domain skills.")
    tools: list[str] = Field(default_factory=list, description="Named tools and technologies.")
    responsibilities: list[str] = Field(default_factory=list)
