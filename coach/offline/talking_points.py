"""Talking points after an answer, as Interview Warmup shows them: the job-related terms
the candidate used, and the posting's terms they could have used.

The terms are the offline coach's tool and skill vocabularies, so "used" means the same
thing here as it does to the scorer; terms the resume also names come first among the
missed ones, because the candidate can honestly claim them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from coach.offline.profiles import find_skills, find_tools, profile_job

MAX_SUGGESTIONS = 6


class TalkingPoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    used: list[str] = Field(default_factory=list, description="Job-related terms in the answer.")
    used_from_posting: list[str] = Field(
        default_factory=list, description="Those of them the posting names too."
    )
    could_use: list[str] = Field(
        default_factory=list, description="Posting terms the answer left out; resume's first."
    )
    on_resume: list[str] = Field(
        default_factory=list, description="Those of the missed terms the resume names."
    )

    @property
    def is_empty(self) -> bool:
        return not (self.used or self.could_use)


def talking_points(answer: str, job_text: str = "", resume_text: str = "") -> TalkingPoints:
    used = _terms(answer)
    job = profile_job(job_text) if job_text.strip() else None
    posting = _unique([*job.tools, *job.skills]) if job else []
    used_keys = {term.lower() for term in used}
    resume_keys = {term.lower() for term in _terms(resume_text)}
    missed = [term for term in posting if term.lower() not in used_keys]
    missed.sort(key=lambda term: term.lower() not in resume_keys)  # stable: posting order
    could_use = missed[:MAX_SUGGESTIONS]
    return TalkingPoints(
        used=used,
        used_from_posting=[t for t in posting if t.lower() in used_keys],
        could_use=could_use,
        on_resume=[t for t in could_use if t.lower() in resume_keys],
    )


def _terms(text: str) -> list[str]:
    return _unique([*find_tools(text), *find_skills(text)]) if text.strip() else []


def _unique(terms: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for term in terms:
        if term.lower() not in seen:
            seen.add(term.lower())
            kept.append(term)
    return kept
