"""Synthetic but realistic long documents, sized by pages (~3,000 characters a page)."""

from __future__ import annotations

_EMPLOYERS = [
    "Acme Analytics",
    "Globex Corporation",
    "Initech",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Logistics",
]
_BULLETS = [
    "Cut nightly ETL runtime by {n}% by rewriting Spark jobs and partitioning S3 data",
    "Led a team of {n} engineers to migrate Airflow DAGs to Kubernetes",
    "Reduced dashboard load time from {n} seconds to 4 seconds with dbt models",
    "Built a data-quality framework in Python that caught {n}% of schema breaks",
    "Mentored {n} junior analysts in SQL, testing and code review",
    "Saved ${n}K a year by right-sizing Snowflake warehouses and scheduling",
    "Designed a Kafka streaming pipeline handling {n} million events per day",
    "Improved on-call incident response time by {n}% with runbooks and alerts",
]
_RESPONSIBILITIES = [
    "Design, build and operate batch and streaming pipelines in Python and SQL",
    "Own the reliability of our Airflow and Kafka infrastructure",
    "Partner with analysts and product managers to define data contracts",
    "Mentor engineers and lead technical design reviews",
    "Drive cost and performance improvements across the warehouse",
    "Write clear design documents and communicate trade-offs to stakeholders",
]


def long_resume(pages: int = 3) -> str:
    lines = ["Jordan Rivera", "Senior Data Engineer · jordan@example.com", "", "EXPERIENCE"]
    number = 0
    while sum(len(line) + 1 for line in lines) < pages * 3000:
        employer = _EMPLOYERS[number % len(_EMPLOYERS)]
        start = 2023 - 2 * (number + 1)
        lines += ["", f"Data Engineer, {employer} — Austin, TX    {start} – {start + 2}"]
        for offset in range(6):
            bullet = _BULLETS[(number + offset) % len(_BULLETS)]
            lines.append("- " + bullet.format(n=10 + 7 * offset + number))
        number += 1
    lines += ["", "SKILLS", "Python, SQL, Spark, Airflow, Kubernetes, dbt, Snowflake, Kafka"]
    return "\n".join(lines)


def long_job_description(pages: int = 2) -> str:
    lines = [
        "Senior Data Engineer — Initech",
        "",
        "About the role",
        "Initech is hiring a Senior Data Engineer to own our analytics platform.",
        "",
        "Responsibilities",
    ]
    while sum(len(line) + 1 for line in lines) < pages * 3000:
        lines += [f"- {r}" for r in _RESPONSIBILITIES]
        lines += [
            "",
            "Requirements",
            "- 5+ years of experience in data engineering",
            "- Strong Python and SQL; Spark, Kafka, Airflow, Terraform, Tableau",
            "",
        ]
    return "\n".join(lines)
