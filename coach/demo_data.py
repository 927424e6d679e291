"""Demo candidates for ``coach seed-demo``: small, realistic resume and job pairs, each
with a few true stories the answer templates retell well, half-well or badly.

Why stories and not canned answers: the offline coach scores what it reads, so an
answer built from the resume's own numbers scores like a real strong answer, and the
same story told vaguely scores like a real vague one. The spread of scores in the demo
data is then the coach's verdict, not something we typed in.
"""

from __future__ import annotations

import random
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Story(_Frozen):
    """One thing the candidate did, in STAR parts, with the number that proves it."""

    situation: str
    task: str
    actions: tuple[str, ...]
    result: str
    lesson: str


class DemoCandidate(_Frozen):
    name: str
    role: str
    company: str
    resume: str
    job_description: str
    stories: tuple[Story, ...]
    hint: str = ""


class AnswerQuality(StrEnum):
    """How well a demo answer is told; the weights below make a believable mix."""

    STRONG = "strong"
    PARTIAL = "partial"
    VAGUE = "vague"
    RAMBLING = "rambling"
    NON_ANSWER = "non_answer"


QUALITY_WEIGHTS: dict[AnswerQuality, float] = {
    AnswerQuality.STRONG: 0.3,
    AnswerQuality.PARTIAL: 0.25,
    AnswerQuality.VAGUE: 0.2,
    AnswerQuality.RAMBLING: 0.15,
    AnswerQuality.NON_ANSWER: 0.1,
}

_NON_ANSWERS = (
    "I don't know, sorry.",
    "Pass.",
    "I'm not sure, I haven't really done that.",
    "Can we skip this one?",
)

_VAGUE_OPENERS = (
    "I think I'm a really hard worker and a team player.",
    "Generally I try to do my best and communicate well with everyone.",
    "In my experience it's all about collaboration and being proactive.",
)

_CHAT_OPENERS = (
    "How do I structure an answer with STAR?",
    "I get nervous in interviews. Any tips?",
    "What questions should I ask at the end of an interview?",
    "How should I answer 'tell me about yourself'?",
    "How do I handle a salary question?",
)


def answer_text(quality: AnswerQuality, story: Story, rng: random.Random) -> str:
    """An answer to any question, told at ``quality`` from one of the candidate's stories."""
    actions = list(story.actions)
    if quality is AnswerQuality.STRONG:
        return " ".join(
            [
                f"{story.situation}",
                f"My task was to {story.task}.",
                *(f"I {action}." for action in actions),
                f"As a result, {story.result}.",
                f"What I learned: {story.lesson}.",
            ]
        )
    if quality is AnswerQuality.PARTIAL:
        return " ".join(
            [
                story.situation,
                f"We needed to {story.task}.",
                f"We {actions[0]}.",
                "It went well in the end and the team was happy with it.",
            ]
        )
    if quality is AnswerQuality.VAGUE:
        return (
            f"{rng.choice(_VAGUE_OPENERS)} There was a project where things were hard, and "
            "we worked on it together and it got better over time. I always try to learn "
            "from these situations and keep a positive attitude."
        )
    if quality is AnswerQuality.RAMBLING:
        return (
            f"Um, so, like, {story.situation[0].lower()}{story.situation[1:]} And, you know, "
            f"basically we had to {story.task}, um, and I kind of {actions[0]}, and then "
            f"there was, like, a lot going on, so, um, I guess {story.result}, more or less."
        )
    return rng.choice(_NON_ANSWERS)


def chat_openers(rng: random.Random, count: int) -> list[str]:
    return rng.sample(list(_CHAT_OPENERS), k=min(count, len(_CHAT_OPENERS)))


CANDIDATES: tuple[DemoCandidate, ...] = (
    DemoCandidate(
        name="Priya Nair",
        role="Senior Data Engineer",
        company="Northwind Logistics",
        resume="""\
Priya Nair
Senior Data Engineer · priya.nair@example.com · Leeds, UK

EXPERIENCE
Data Engineer, Acme Freight — Leeds                           2020 – Present
- Cut the nightly warehouse load from 6 hours to 2 by partitioning and incremental dbt models
- Moved 80 Airflow DAGs to Kubernetes with zero missed SLAs
- Introduced data contracts with 4 product teams; schema incidents fell by 70%

Analyst Engineer, Bluebird Retail — Manchester                2017 – 2020
- Built the sales dashboard used daily by 300 store managers (Looker, BigQuery)

SKILLS
Python, SQL, dbt, Airflow, Kafka, Spark, BigQuery, Terraform
""",
        job_description="""\
Senior Data Engineer — Northwind Logistics

We move 2 million parcels a week and need reliable data to plan routes.
Responsibilities
- Design and run batch and streaming pipelines (Python, SQL, Kafka, Airflow)
- Own data quality and data contracts with product teams
- Mentor two data engineers
Requirements
- 5+ years in data engineering; dbt and Airflow in production
- Clear communication with non-technical stakeholders
""",
        stories=(
            Story(
                situation=(
                    "At Acme Freight the nightly warehouse load took six hours and often "
                    "missed the 7am planning meeting."
                ),
                task="get the load under three hours without new hardware",
                actions=(
                    "profiled the slowest dbt models and found full refreshes of two fact tables",
                    "rewrote them as incremental models partitioned by day",
                    "added row-count checks so a bad file stopped the run early",
                ),
                result="the load dropped from 6 hours to 2 and we never missed the meeting again",
                lesson="measure first, then change the biggest cost",
            ),
            Story(
                situation=(
                    "Product teams kept renaming columns and breaking our pipelines, about "
                    "ten incidents a month."
                ),
                task="stop schema breaks reaching production",
                actions=(
                    "wrote a one-page data contract template with the four product leads",
                    "added contract tests to their CI so a breaking change failed the build",
                ),
                result="schema incidents fell by 70% within a quarter",
                lesson="agreements stick when a machine checks them",
            ),
        ),
    ),
    DemoCandidate(
        name="Marcus Webb",
        role="Product Manager",
        company="Lumen Health",
        resume="""\
Marcus Webb
Product Manager · marcus.webb@example.com · Denver, CO

EXPERIENCE
Product Manager, CareCloud — Denver                          2019 – Present
- Launched appointment reminders; no-shows fell 18% across 120 clinics
- Ran 14 A/B tests on onboarding; activation rose from 41% to 55%
- Led a squad of 6 engineers and a designer through a rewrite of scheduling

Associate PM, FitTrack — Boulder                              2016 – 2019
- Owned the Android app roadmap (1.2M monthly users)

SKILLS
Discovery interviews, experimentation, SQL, roadmapping, stakeholder management
""",
        job_description="""\
Senior Product Manager, Patient Experience — Lumen Health

Own the patient app used by 400,000 people to book and manage care.
Responsibilities
- Discover patient problems and turn them into a roadmap
- Run experiments and define success metrics with data science
- Align clinicians, engineering and compliance on trade-offs
Requirements
- 4+ years of product management on consumer or health products
- Comfort with SQL and A/B testing; healthcare experience a plus
""",
        stories=(
            Story(
                situation=(
                    "At CareCloud about one in five patients missed appointments, which cost "
                    "clinics money and hurt care."
                ),
                task="reduce no-shows without adding work for front-desk staff",
                actions=(
                    "interviewed 20 clinic managers and 30 patients about why visits were missed",
                    "shipped SMS reminders with one-tap rescheduling to a pilot of 10 clinics",
                    "rolled it out to all 120 clinics after a four-week test",
                ),
                result="no-shows fell by 18% and clinics recovered about $2M a year",
                lesson="the fix was rescheduling, not reminding, which only interviews showed",
            ),
            Story(
                situation="New users signed up but only 41% finished onboarding.",
                task="raise activation before the next funding review",
                actions=(
                    "ran 14 A/B tests on the onboarding flow with our data scientist",
                    "cut the form from nine steps to four based on the funnel data",
                ),
                result="activation rose from 41% to 55% in two quarters",
                lesson="small tests in a row beat one big redesign",
            ),
        ),
    ),
    DemoCandidate(
        name="Elena Rossi",
        role="Frontend Engineer",
        company="Atlas Travel",
        resume="""\
Elena Rossi
Frontend Engineer · elena.rossi@example.com · Milan, Italy

EXPERIENCE
Frontend Engineer, Viaggio — Milan                           2021 – Present
- Cut checkout page load from 4.1s to 1.6s (code splitting, image CDN); conversion +9%
- Built the React design system used by 5 teams (40 components, Storybook)
- Made booking flow WCAG 2.1 AA compliant

Web Developer, Studio Nove — Turin                            2018 – 2021
- Delivered 25 client sites in Vue and TypeScript

SKILLS
TypeScript, React, Next.js, accessibility, performance, testing (Playwright)
""",
        job_description="""\
Frontend Engineer — Atlas Travel

Help millions of travellers book trips on our web app.
Responsibilities
- Build fast, accessible React and TypeScript interfaces
- Improve Core Web Vitals across search and checkout
- Contribute to our shared component library
Requirements
- 3+ years with React and TypeScript
- Experience with web performance and accessibility
""",
        stories=(
            Story(
                situation=(
                    "At Viaggio our checkout page took over four seconds to load on mobile "
                    "and many users dropped off."
                ),
                task="bring load time under two seconds before the summer peak",
                actions=(
                    "measured the bundle and split the payment widgets into lazy chunks",
                    "moved images to a CDN with responsive sizes",
                    "added a performance budget to CI so regressions failed the build",
                ),
                result="load time fell from 4.1 to 1.6 seconds and conversion rose 9%",
                lesson="a budget in CI keeps performance from sliding back",
            ),
            Story(
                situation=(
                    "Five teams each built their own buttons and forms, all slightly different."
                ),
                task="give them one accessible component library",
                actions=(
                    "built 40 React components with Storybook docs and accessibility tests",
                    "paired with each team for a week to migrate their busiest screens",
                ),
                result="all five teams adopted it and UI bugs reported fell by a third",
                lesson="adoption comes from pairing, not from announcements",
            ),
        ),
    ),
    DemoCandidate(
        name="Daniel Okafor",
        role="Customer Success Manager",
        company="Brightdesk",
        resume="""\
Daniel Okafor
Customer Success Manager · daniel.okafor@example.com · Lagos / remote

EXPERIENCE
Customer Success Manager, Helpwise — remote                  2020 – Present
- Managed 45 mid-market accounts worth $3.2M ARR; net retention 112%
- Saved a $400k account at risk by rebuilding its onboarding plan
- Created the QBR template now used by the whole CS team

Support Lead, PayLink — Lagos                                2017 – 2020
- Led 8 support agents; first-response time down from 9 to 2 hours

SKILLS
Account planning, onboarding, renewals, Salesforce, Gainsight, coaching
""",
        job_description="""\
Customer Success Manager — Brightdesk

Own a book of mid-market customers using our help-desk software.
Responsibilities
- Onboard new customers and drive adoption
- Run quarterly business reviews and renewals
- Spot churn risk early and act on it
Requirements
- 3+ years in customer success or account management for SaaS
- Strong written and verbal communication
""",
        stories=(
            Story(
                situation=(
                    "A $400k customer at Helpwise told us they would not renew because their "
                    "agents never adopted the product."
                ),
                task="win the renewal within 60 days",
                actions=(
                    "met their support director to map where agents got stuck",
                    "rebuilt their onboarding plan with weekly training for 30 agents",
                    "shared a usage dashboard with their VP every Friday",
                ),
                result="active usage doubled and they renewed for two years",
                lesson="churn risk is usually an adoption problem you can see early",
            ),
            Story(
                situation="At PayLink customers waited nine hours for a first reply.",
                task="get first-response time under three hours",
                actions=(
                    "introduced a triage rota and macros for the ten most common issues",
                    "coached my eight agents weekly on the slowest tickets",
                ),
                result="first-response time fell from 9 hours to 2",
                lesson="a rota and good macros beat heroics",
            ),
        ),
    ),
    DemoCandidate(
        name="Sofia Lindqvist",
        role="Machine Learning Engineer",
        company="Verdant Energy",
        resume="""\
Sofia Lindqvist
Machine Learning Engineer · sofia.lindqvist@example.com · Stockholm, Sweden

EXPERIENCE
ML Engineer, Nordgrid — Stockholm                            2020 – Present
- Built a demand-forecasting model for 2,000 substations; error (MAPE) down from 12% to 7%
- Put models into production with MLflow and Kubernetes; weekly retraining
- Cut inference cost by 60% by moving batch scoring to Spark

Data Scientist, Klarhet — Uppsala                            2018 – 2020
- Churn model for 500k customers used by the retention team

SKILLS
Python, PyTorch, scikit-learn, Spark, MLflow, Kubernetes, time series, SQL
""",
        job_description="""\
Machine Learning Engineer — Verdant Energy

Forecast solar and wind output for our trading desk.
Responsibilities
- Build and deploy time-series forecasting models
- Own ML pipelines from training to monitoring
- Work with traders to turn forecasts into decisions
Requirements
- 3+ years of ML in production; strong Python
- Time-series forecasting experience; MLOps tooling
""",
        stories=(
            Story(
                situation=(
                    "At Nordgrid our substation demand forecasts were off by 12%, so the "
                    "grid team over-bought reserve power."
                ),
                task="cut forecast error enough to change purchasing",
                actions=(
                    "added weather and holiday features and a gradient-boosted baseline",
                    "backtested on three winters before changing anything in production",
                    "set up weekly retraining with drift alerts in MLflow",
                ),
                result="error fell from 12% to 7% and reserve purchases dropped by 15%",
                lesson="a strong baseline and honest backtests matter more than a fancy model",
            ),
            Story(
                situation="Our batch scoring ran on always-on GPU machines and cost a lot.",
                task="halve the inference bill without slowing the daily run",
                actions=(
                    "moved batch scoring to Spark on spot instances",
                    "cached features shared by several models",
                ),
                result="inference cost fell by 60% and the run finished 20 minutes sooner",
                lesson="check whether you need real-time before paying for it",
            ),
        ),
    ),
)
