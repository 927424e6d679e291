"""Documents the tests write themselves: a realistic resume and job description."""

from __future__ import annotations

RESUME = """\
Jordan Rivera
Data Engineer · jordan.rivera@example.com · Austin, TX

EXPERIENCE
Senior Data Engineer, Acme Analytics — Austin, TX            2021 – Present
- Cut nightly ETL runtime by 40% by rewriting Spark jobs and partitioning S3 data
- Led a team of 4 engineers to migrate 120 Airflow DAGs to Kubernetes
- Built a data-quality framework in Python that caught 95% of schema breaks before release

Data Engineer, Globex Corporation — Dallas, TX                2018 – 2021
- Reduced dashboard load time from 30 seconds to 4 seconds with dbt models in Snowflake
- Mentored 3 junior analysts in SQL and code review

PROJECTS
- Open-source Kafka connector for DuckDB, 300 GitHub stars

SKILLS
Python, SQL, Spark, Airflow, Kubernetes, dbt, Snowflake, AWS, Kafka
"""

JOB_DESCRIPTION = """\
Senior Data Engineer — Initech

About the role
Initech is hiring a Senior Data Engineer to build and own our analytics platform.

Responsibilities
- Design, build and operate batch and streaming pipelines in Python and SQL
- Own the reliability of our Airflow and Kafka infrastructure
- Partner with analysts and product managers to define data contracts
- Mentor engineers and lead technical design reviews

Requirements
- 5+ years of experience in data engineering
- Strong Python and SQL; experience with Spark, Kafka and Airflow
- Experience with Terraform and Tableau is a plus
- Clear written and verbal communication
"""

STRONG_ANSWER = """\
At Acme Analytics our nightly ETL took nine hours and regularly missed the 7am deadline
for the finance dashboards. I owned the pipeline, so my task was to bring it under five
hours without adding hardware. I profiled the Spark jobs, found that two joins shuffled
the whole orders table, and rewrote them as broadcast joins. I also partitioned the S3
data by day and added a data-quality check in Python so bad files failed fast. I rolled
the change out behind a flag over two weeks and reviewed every run with the analysts.
As a result the runtime dropped by 40%, to just over five hours, we never missed the
deadline again that quarter, and the finance team stopped their manual workaround.
"""
