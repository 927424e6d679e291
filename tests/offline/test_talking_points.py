"""Talking points after an answer: job-related terms used, and the posting's terms the
answer could have used (the resume's first)."""

from __future__ import annotations

from coach.offline.talking_points import talking_points
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER


def test_terms_used_and_the_postings_terms_left_out_resume_first() -> None:
    points = talking_points(STRONG_ANSWER, JOB_DESCRIPTION, RESUME)

    assert {"Python", "Apache Spark"} <= set(points.used)
    assert {"Python", "Apache Spark"} <= set(points.used_from_posting)
    assert "Python" not in points.could_use
    # Kafka and Airflow are on the resume and in the posting but not in the answer.
    assert {"Kafka", "Airflow"} <= set(points.on_resume)
    assert points.could_use[: len(points.on_resume)] == points.on_resume
    assert "Tableau" in points.could_use  # in the posting, not on the resume
    assert "Tableau" not in points.on_resume


def test_without_a_posting_only_the_terms_used_are_listed() -> None:
    points = talking_points("I wrote the ETL in Python and SQL.", "", RESUME)

    assert {"Python", "SQL"} <= set(points.used)
    assert points.could_use == []


def test_an_answer_with_no_job_terms_still_gets_the_postings() -> None:
    points = talking_points("I worked hard and it went well.", JOB_DESCRIPTION)

    assert points.used == []
    assert "Kafka" in points.could_use and len(points.could_use) <= 6
