"""A curated bank of real interview questions, each with a probing follow-up and a
rubric hint that says what a strong answer shows.

The bank is the offline coach's memory of how seasoned interviewers ask: tailoring
draws from it when the documents run out of specifics, the scorer reads the rubric
hint of the question it is scoring, and the example writer aims at the same hint.
It is immutable data; ``questions_for`` and ``find_bank_question`` are the ways in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from coach.domain import QuestionType
from coach.offline.profiles import Seniority

B = QuestionType.BEHAVIOURAL
T = QuestionType.TECHNICAL
S = QuestionType.SITUATIONAL
R = QuestionType.ROLE_SPECIFIC

_EARLY = (Seniority.INTERN, Seniority.JUNIOR)
_EXPERIENCED = (Seniority.MID, Seniority.SENIOR, Seniority.LEAD, Seniority.EXECUTIVE)
_SENIOR = (Seniority.SENIOR, Seniority.LEAD, Seniority.EXECUTIVE)
_LEADS = (Seniority.LEAD, Seniority.EXECUTIVE)


class BankQuestion(BaseModel):
    """One curated question; empty ``fields``/``seniority`` mean it suits any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str
    type: QuestionType
    competency: str
    fields: tuple[str, ...] = ()
    seniority: tuple[Seniority, ...] = ()
    follow_up: str
    rubric_hint: str

    def suits(self, field: str, seniority: Seniority) -> bool:
        """True when the question fits a role in this field at this level."""
        field_ok = not self.fields or field in self.fields
        level = Seniority.MID if seniority is Seniority.UNKNOWN else seniority
        return field_ok and (not self.seniority or level in self.seniority)


def _q(
    id: str,
    type: QuestionType,
    competency: str,
    text: str,
    follow_up: str,
    rubric_hint: str,
    fields: tuple[str, ...] = (),
    seniority: tuple[Seniority, ...] = (),
) -> BankQuestion:
    return BankQuestion(
        id=id,
        text=text,
        type=type,
        competency=competency,
        fields=fields,
        seniority=seniority,
        follow_up=follow_up,
        rubric_hint=rubric_hint,
    )


_BEHAVIOURAL: tuple[BankQuestion, ...] = (
    _q(
        "beh-leadership-no-authority",
        B,
        "leadership",
        "Tell me about a time you led a group toward a goal when you had no formal "
        "authority over them.",
        "What did you do when someone in the group disagreed with the direction?",
        "Names the goal and the people; shows how they earned buy-in (listening, framing "
        "the why, sharing credit) rather than ordering; a concrete outcome; what they "
        "would repeat.",
    ),
    _q(
        "beh-leadership-hard-people-decision",
        B,
        "leadership",
        "Describe the hardest people decision you've made as a leader: a reorganisation, "
        "a performance exit, or turning down someone you liked.",
        "How did you communicate it, and how did the rest of the team react?",
        "Shows the options weighed, fairness and evidence behind the call, care in how it "
        "was communicated, ownership of the consequences, and reflection on timing.",
        seniority=_LEADS,
    ),
    _q(
        "beh-leadership-direction",
        B,
        "leadership",
        "Tell me about a time you set the direction for a team that was pulling in "
        "different directions.",
        "How did you know the team had really committed, rather than just gone quiet?",
        "Diagnoses why the team was split; creates a shared goal or decision rule; "
        "involves people in it; follows through with a visible result and checks buy-in.",
        seniority=_SENIOR,
    ),
    _q(
        "beh-leadership-stepped-up",
        B,
        "leadership",
        "Tell me about a time you stepped up to lead something nobody had asked you to lead.",
        "What would have happened if you hadn't stepped in?",
        "A real gap they spotted, initiative without being asked, how they brought others "
        "along, a measurable result, and awareness of whose toes they might step on.",
    ),
    _q(
        "beh-conflict-colleague",
        B,
        "conflict",
        "Tell me about a time you strongly disagreed with a colleague. How did you resolve it?",
        "Looking back, what in their position did you underestimate?",
        "States both positions fairly; looks for data or a shared goal; keeps the "
        "relationship intact; clear resolution and lesson; no villain story.",
    ),
    _q(
        "beh-conflict-different-style",
        B,
        "conflict",
        "Describe a time you had to work closely with someone whose working style was "
        "very different from yours.",
        "What did you change about your own approach?",
        "Describes the difference without judgement; adapts their own behaviour; finds a "
        "working agreement; the joint work got done; shows self-awareness.",
    ),
    _q(
        "beh-conflict-manager",
        B,
        "conflict",
        "Tell me about a time you disagreed with your manager's decision. What did you do?",
        "Did you disagree and commit, or escalate? Why that choice?",
        "Raises the disagreement privately with evidence; understands the manager's "
        "constraints; either persuades or commits fully; no passive resistance.",
    ),
    _q(
        "beh-teamwork-team-win",
        B,
        "teamwork",
        "Tell me about a project that succeeded because of how the team worked together, "
        "not because of one person.",
        "What was your specific contribution to how the team worked?",
        "Describes the team's practices (hand-offs, rituals, trust), their own part in "
        "making them work, and a result; uses 'we' and 'I' precisely.",
    ),
    _q(
        "beh-teamwork-underperformer",
        B,
        "teamwork",
        "Describe a time a teammate was not pulling their weight. How did you handle it?",
        "What did you learn about why they were struggling?",
        "Talks to the person first and seeks the cause; offers help; escalates only with "
        "care; protects the deliverable; stays respectful.",
    ),
    _q(
        "beh-teamwork-cross-functional",
        B,
        "collaboration",
        "Describe a time you worked with another team or discipline to deliver something "
        "neither could have done alone.",
        "Where did the hand-off between the two groups nearly break, and how did you fix it?",
        "Shows understanding of the other discipline's goals and language, a shared plan, "
        "active bridging of gaps, and a joint outcome with numbers.",
    ),
    _q(
        "beh-ownership-not-mine",
        B,
        "ownership",
        "Tell me about a time you took ownership of a problem that wasn't formally yours.",
        "How did the people who did own it react?",
        "Spots the problem, acts without waiting, coordinates with the rightful owner, "
        "sees it through to a fix and a prevention step.",
    ),
    _q(
        "beh-ownership-early-warning",
        B,
        "ownership",
        "Describe a time you noticed something going wrong before anyone else did. What "
        "did you do?",
        "How did you convince others it was real?",
        "The signal they noticed and why, how they verified it, who they told and when, "
        "the action taken, and the harm avoided.",
    ),
    _q(
        "beh-failure-general",
        B,
        "failure",
        "Tell me about a time you failed. What happened and what did you learn?",
        "When did you next use that lesson, and what happened?",
        "A real failure with consequences; owns their part without blaming; a concrete "
        "lesson; evidence the lesson changed later behaviour.",
    ),
    _q(
        "beh-failure-wrong-decision",
        B,
        "failure",
        "Tell me about a decision you made that turned out to be wrong. How did you find "
        "out, and what did you do next?",
        "What would have told you sooner that it was the wrong call?",
        "Explains the reasoning at the time, the signal that showed it was wrong, a fast "
        "correction, honest communication, and a changed decision habit.",
    ),
    _q(
        "beh-failure-missed-deadline",
        B,
        "failure",
        "Describe a deadline you missed. What would you do differently?",
        "When did you first know you would miss it, and who did you tell?",
        "Owns the miss; shows when they raised the risk; mitigates the impact; names a "
        "specific change in how they plan or communicate now.",
    ),
    _q(
        "beh-prioritisation-too-much",
        B,
        "prioritisation",
        "Tell me about a time you had more work than you could possibly finish. How did "
        "you decide what to drop?",
        "Who did you disappoint, and how did you handle that conversation?",
        "Uses explicit criteria (impact, urgency, dependencies); negotiates scope with "
        "stakeholders; communicates trade-offs; delivers what mattered most.",
    ),
    _q(
        "beh-prioritisation-say-no",
        B,
        "prioritisation",
        "Describe a time you had to say no to a request from someone senior.",
        "What did you offer instead?",
        "Explains the reasoning with data, offers an alternative or a timeline, keeps the "
        "relationship, and the outcome vindicated (or taught) them.",
    ),
    _q(
        "beh-communication-complex",
        B,
        "communication",
        "Tell me about a time you had to explain something complex to someone without your "
        "background.",
        "How did you check that they had really understood?",
        "Adapts to the audience (analogy, picture, plain words), checks understanding, and "
        "the listener could act on it; no jargon dump.",
    ),
    _q(
        "beh-communication-bad-news",
        B,
        "communication",
        "Describe a time you had to deliver bad news to a customer, a manager or your team.",
        "What did you do to rebuild trust afterwards?",
        "Delivers early and directly, owns their part, gives facts and a plan, handles the "
        "emotional reaction, and follows up.",
    ),
    _q(
        "beh-communication-misunderstanding",
        B,
        "communication",
        "Tell me about a time a misunderstanding caused a real problem. How did you fix it, "
        "and how did you stop it happening again?",
        "What did you change in how you communicate as a result?",
        "Identifies the root cause of the misunderstanding, repairs the damage, and puts "
        "in a lasting fix such as written agreements or check-backs.",
    ),
    _q(
        "beh-customer-beyond",
        B,
        "customer focus",
        "Tell me about a time you went well beyond what was expected for a customer, a "
        "patient or a student.",
        "How did you balance that effort against your other work?",
        "Understands the person's real need, takes a specific extra step, shows the "
        "difference it made, and stays sustainable and within policy.",
    ),
    _q(
        "beh-customer-need-vs-ask",
        B,
        "customer focus",
        "Describe a time what a customer asked for was different from what they actually needed.",
        "How did you raise the difference without sounding like you knew better?",
        "Asks questions to uncover the underlying need, proposes a better option with "
        "respect, and the customer ends up better served.",
    ),
    _q(
        "beh-ambiguity-moving-target",
        B,
        "ambiguity",
        "Tell me about a time you had to deliver something when the requirements were "
        "unclear or kept changing.",
        "What did you lock down first, and why that?",
        "Reduces ambiguity actively (questions, prototypes, assumptions written down), "
        "ships in increments, and adjusts without chaos.",
    ),
    _q(
        "beh-ambiguity-incomplete-info",
        B,
        "ambiguity",
        "Describe a decision you had to make without all the information you wanted.",
        "What would have made you reverse it?",
        "Separates what was known from what was assumed, sizes the risk, decides with a "
        "reversible step where possible, and monitors the outcome.",
    ),
    _q(
        "beh-problem-solving-hardest",
        B,
        "problem solving",
        "Walk me through the most difficult problem you've solved in the last two years.",
        "What did you try first that didn't work?",
        "Frames the problem clearly, shows structured hypotheses and tests, names dead "
        "ends, explains their own reasoning, and quantifies the result.",
    ),
    _q(
        "beh-stakeholders-competing",
        B,
        "stakeholder management",
        "Tell me about a time you had to get buy-in from stakeholders with competing priorities.",
        "Whose support was hardest to win, and what finally changed their mind?",
        "Maps stakeholders and their interests, finds common ground, uses data and "
        "one-to-one conversations, and secures a decision that stuck.",
    ),
    _q(
        "beh-stakeholders-changing-mind",
        B,
        "stakeholder management",
        "Describe a time a stakeholder kept changing their mind. How did you keep the work moving?",
        "What did you put in writing, and when?",
        "Understands why they kept changing, creates decision points and written "
        "agreements, protects the team, and keeps delivering.",
    ),
    _q(
        "beh-mentoring-someone",
        B,
        "mentoring",
        "Tell me about someone you mentored or coached. What changed for them because of you?",
        "How did you adapt your approach to that person?",
        "Describes the person's starting point and goal, specific coaching actions, "
        "patience with setbacks, and a visible change in the person.",
        seniority=_EXPERIENCED,
    ),
    _q(
        "beh-mentoring-difficult-feedback",
        B,
        "feedback",
        "Describe a time you gave difficult feedback to a peer or someone you managed.",
        "How did they take it, and what happened over the next month?",
        "Specific, behaviour-based feedback given privately and promptly; listens to "
        "their side; agrees next steps; follows up.",
    ),
    _q(
        "beh-ethics-asked-wrong",
        B,
        "ethics",
        "Tell me about a time you were asked to do something you felt was wrong, or to cut "
        "a corner you weren't comfortable with.",
        "What did it cost you to push back?",
        "Names the concern clearly, raises it through the right channel, proposes a "
        "compliant alternative, and holds the line under pressure.",
    ),
    _q(
        "beh-ethics-own-mistake",
        B,
        "ethics",
        "Describe a mistake you made that nobody else had noticed. What did you do?",
        "Would you do the same thing again? Why?",
        "Discloses the mistake proactively, fixes the impact, and prevents a repeat; "
        "integrity over self-protection.",
    ),
    _q(
        "beh-adaptability-priorities-changed",
        B,
        "adaptability",
        "Tell me about a time your priorities changed suddenly. How did you adapt?",
        "What did you have to let go of, and how did you close it out?",
        "Accepts the change quickly, re-plans, communicates impacts to others, tidies up "
        "abandoned work, and still delivers.",
    ),
    _q(
        "beh-learning-fast",
        B,
        "learning",
        "Tell me about a time you had to learn a new skill or tool quickly to get a job done.",
        "How did you know you'd learned it well enough?",
        "A deliberate learning approach (docs, experts, small experiments), fast progress, "
        "and applied the skill to a real deliverable.",
    ),
    _q(
        "beh-learning-feedback",
        B,
        "learning",
        "What's the most useful piece of feedback you've received, and what did you change "
        "because of it?",
        "How did you feel when you first heard it?",
        "Names specific feedback, shows openness rather than defensiveness, and a concrete, "
        "lasting change in behaviour.",
    ),
    _q(
        "beh-motivation-proudest",
        B,
        "motivation",
        "Tell me about the piece of work you're proudest of. Why that one?",
        "What would you do differently if you did it again?",
        "Clear personal contribution, real difficulty, measurable impact, and values that "
        "match the role.",
    ),
    _q(
        "beh-influence-data",
        B,
        "influence",
        "Tell me about a time you changed someone's mind using data or evidence.",
        "What did you do when the data alone didn't convince them?",
        "Understands the other person's view, gathers relevant evidence, presents it in "
        "their terms, and the decision changed.",
    ),
    _q(
        "beh-impact-process",
        B,
        "process improvement",
        "Tell me about a time you improved a process everyone else had accepted as 'just "
        "how it's done'.",
        "How did you get people to adopt the new way?",
        "Measures the pain first, designs the change, wins adoption, and quantifies the "
        "before and after.",
    ),
    _q(
        "beh-resilience-pressure",
        B,
        "resilience",
        "Describe a period when you were under sustained pressure. How did you keep the "
        "quality of your work up?",
        "What would you do differently to avoid getting there again?",
        "Concrete coping and prioritising strategies, honest about limits, quality "
        "safeguards, and lessons for sustainability.",
    ),
    _q(
        "beh-decision-speed-quality",
        B,
        "decision making",
        "Tell me about a time you had to choose between speed and quality. What did you "
        "choose, and why?",
        "What did you do about the quality you gave up?",
        "Makes the trade-off explicit, ties it to the stakes, communicates it, and comes "
        "back to pay down the shortcut.",
    ),
    _q(
        "beh-delegation-went-wrong",
        B,
        "delegation",
        "Tell me about a time you delegated something important and it didn't go as planned.",
        "What do you do differently when you delegate now?",
        "Explains how they delegated (context, outcome, check-ins), owns their part in "
        "the miss, supports recovery, and improves their delegation.",
        seniority=_SENIOR,
    ),
    _q(
        "beh-teamwork-early-career",
        B,
        "teamwork",
        "Tell me about a group project or internship where you had to deliver with people "
        "you didn't choose.",
        "What role did you end up playing in the group, and was it the one you wanted?",
        "Concrete example, their own role and actions, handling of uneven effort, and "
        "what the group delivered.",
        seniority=_EARLY,
    ),
    _q(
        "beh-nursing-spoke-up",
        B,
        "patient safety",
        "Tell me about a time you spoke up about a patient safety concern.",
        "What happened to the patient, and did anything change on the unit afterwards?",
        "Recognises the risk early, escalates through the chain of command using SBAR, "
        "documents it, protects the patient, and follows up on system changes.",
        fields=("nursing",),
    ),
    _q(
        "beh-nursing-difficult-family",
        B,
        "communication",
        "Describe a time you cared for a patient whose family was angry or distrustful.",
        "How did you look after yourself after that shift?",
        "Listens and acknowledges emotion, explains within confidentiality rules, involves "
        "the team, keeps care on track, and reflects on self-care.",
        fields=("nursing",),
    ),
    _q(
        "beh-teaching-lesson-rescue",
        B,
        "classroom management",
        "Tell me about a time a lesson was going badly. What did you change in the moment?",
        "How did you plan the next lesson differently?",
        "Reads the room (confusion, disengagement), adjusts pace or activity on the spot, "
        "checks understanding, and reflects in later planning.",
        fields=("teaching",),
    ),
    _q(
        "beh-teaching-struggling-student",
        B,
        "instruction",
        "Describe a student you helped turn around. What did you do, and how did you know "
        "it was working?",
        "Who else did you involve: family, colleagues, support staff?",
        "Diagnoses the barrier, tailors support, involves family or specialists, tracks "
        "progress with evidence, and celebrates growth.",
        fields=("teaching",),
    ),
    _q(
        "beh-sales-lost-deal",
        B,
        "failure",
        "Tell me about a deal you lost that you thought you would win. What happened?",
        "What do you do differently in discovery now?",
        "Honest post-mortem (qualification gaps, champion, competition), owns their part, "
        "and a concrete change in their sales process.",
        fields=("sales",),
    ),
    _q(
        "beh-finance-error-found",
        B,
        "ethics",
        "Tell me about a time you found an error in financial figures that others had "
        "already signed off.",
        "How did you raise it, and how did people react?",
        "Verifies the error, quantifies the impact, escalates promptly and factually, "
        "corrects the record, and improves controls.",
        fields=("finance",),
    ),
)

_TECHNICAL: tuple[BankQuestion, ...] = (
    _q(
        "tec-any-walkthrough",
        T,
        "problem solving",
        "Walk me through a complex piece of work from your field, step by step, as if I "
        "were the colleague who had to take it over tomorrow.",
        "Which step would a newcomer most likely get wrong?",
        "Clear structure, correct domain detail, the reasoning behind each step, the risks "
        "and checks, and the ability to pitch it at the listener's level.",
    ),
    _q(
        "tec-any-deep-tool",
        T,
        "expertise",
        "Which tool or method in your work do you know more deeply than most people, and "
        "how did you get there?",
        "What's a common mistake people make with it?",
        "Genuine depth (limits, edge cases, trade-offs), a deliberate learning path, and "
        "an example where that depth changed an outcome.",
    ),
    _q(
        "tec-any-check-work",
        T,
        "quality",
        "How do you check your own work for errors before anyone else sees it?",
        "Tell me about an error that got past your checks. What did you change?",
        "A concrete, repeatable checking routine suited to the work (tests, reconciliations, "
        "second reader, checklists) and learning from misses.",
    ),
    _q(
        "tec-any-hardest-problem",
        T,
        "problem solving",
        "Describe the most technically demanding problem you've solved at work. What made "
        "it hard, and how did you approach it?",
        "If you had to solve it again with half the time, what would you skip?",
        "Explains the difficulty precisely, shows a structured approach, alternatives "
        "considered, their own contribution, and the result.",
    ),
    _q(
        "tec-sd-url-shortener",
        T,
        "system design",
        "How would you design a URL shortener that handles 10,000 writes per second? Walk me "
        "through the data model, the API and how it scales.",
        "What breaks first as traffic grows tenfold, and what would you change?",
        "Clarifies requirements, estimates load and storage, proposes a key-generation "
        "scheme, caching and partitioning, and discusses trade-offs and failure modes.",
        fields=("software",),
        seniority=_EXPERIENCED,
    ),
    _q(
        "tec-sd-notifications",
        T,
        "system design",
        "Design a notification service that sends email, push and SMS to millions of users "
        "without sending duplicates.",
        "How would you guarantee a user never gets the same message twice after a retry?",
        "Queue-based architecture, idempotency keys, retries with back-off, per-channel "
        "providers, user preferences and rate limits, and observability.",
        fields=("software", "devops"),
        seniority=_EXPERIENCED,
    ),
    _q(
        "tec-sd-rate-limiter",
        T,
        "system design",
        "How would you design a rate limiter for a public API?",
        "How does your design behave when it runs on twenty servers instead of one?",
        "Compares token bucket, sliding window and fixed window; discusses distributed "
        "state, accuracy versus cost, client feedback (429, headers) and failure modes.",
        fields=("software", "devops"),
    ),
    _q(
        "tec-debug-p99",
        T,
        "debugging",
        "An API endpoint's p99 latency tripled after a deploy while the average looks "
        "normal. How would you debug it?",
        "What would you do if rolling back didn't fix it?",
        "Checks what changed, segments by endpoint, host and customer, uses traces and "
        "profiles, forms and tests hypotheses (GC, locks, slow queries, a cold cache), "
        "mitigates first.",
        fields=("software", "devops"),
    ),
    _q(
        "tec-debug-hardest-bug",
        T,
        "debugging",
        "Tell me about the hardest bug you've tracked down. How did you find the root cause?",
        "What did you change so that class of bug couldn't happen again?",
        "Systematic narrowing (reproduce, bisect, instrument), clear reasoning about "
        "evidence, the root cause explained simply, and a preventive fix or test.",
        fields=("software", "devops", "data"),
    ),
    _q(
        "tec-testing-levels",
        T,
        "testing",
        "How do you decide what to test, and at which level: unit, integration or end-to-end?",
        "Tell me about a bug your tests missed. Why did they miss it?",
        "Risk-based thinking, the test pyramid and its trade-offs, fast feedback, "
        "avoiding brittle tests, and an example from their own work.",
        fields=("software",),
    ),
    _q(
        "tec-code-maintainable",
        T,
        "coding",
        "What makes code maintainable? Give me an example of code you changed to make it "
        "easier to work with.",
        "How did you make sure the refactor didn't change behaviour?",
        "Concrete principles (naming, small units, clear boundaries, tests), a real "
        "before and after, and safe refactoring practice.",
        fields=("software",),
    ),
    _q(
        "tec-db-choice",
        T,
        "system design",
        "When would you choose a relational database over a document store, and when not?",
        "Tell me about a time the data model you chose caused pain later.",
        "Reasons from access patterns, consistency needs, schema evolution and scale; "
        "avoids dogma; gives a concrete example.",
        fields=("software", "data"),
    ),
    _q(
        "tec-sd-monolith",
        T,
        "system design",
        "How would you break a monolith into services, or decide not to?",
        "Which piece would you extract first, and why that one?",
        "Starts from the pain the split should fix, uses domain boundaries, migrates "
        "incrementally (strangler pattern), and weighs operational cost.",
        fields=("software",),
        seniority=_SENIOR,
    ),
    _q(
        "tec-security-web",
        T,
        "security",
        "How do you protect a web application against injection attacks and broken authentication?",
        "How would you find out whether an existing application is vulnerable?",
        "Parameterised queries, output encoding, least privilege, secure session and "
        "password handling, MFA, dependency updates, and testing (SAST, DAST, review).",
        fields=("software",),
    ),
    _q(
        "tec-zero-downtime-migration",
        T,
        "reliability",
        "How would you run a zero-downtime schema migration on a large, busy table?",
        "How would you roll back halfway through?",
        "Expand-and-contract steps, backfills in batches, dual writes or reads, feature "
        "flags, lock awareness, and a tested rollback path.",
        fields=("software", "devops", "data"),
        seniority=_EXPERIENCED,
    ),
    _q(
        "tec-concurrency",
        T,
        "coding",
        "Explain the difference between concurrency and parallelism, and describe a bug "
        "caused by shared mutable state.",
        "How would you have caught that bug before production?",
        "Clear definitions, a concrete race or deadlock example, and fixes (immutability, "
        "locks, queues, ownership) with testing approaches.",
        fields=("software",),
    ),
    _q(
        "tec-web-performance",
        T,
        "performance",
        "A page takes eight seconds to load. How would you find out why and make it fast?",
        "Which improvement would you ship first, and how would you prove it worked?",
        "Measures first (network waterfall, server timing, real-user data), separates "
        "back end from front end, prioritises by impact, and verifies with metrics.",
        fields=("software",),
    ),
    _q(
        "tec-api-design",
        T,
        "system design",
        "How do you design an API that other teams will depend on for years?",
        "How would you make a breaking change to it?",
        "Consumer-first design, consistent resources and errors, pagination, versioning "
        "and deprecation policy, documentation, and contract tests.",
        fields=("software",),
    ),
    _q(
        "tec-monitoring-alerting",
        T,
        "reliability",
        "How would you design monitoring and alerting for a new service so that on-call is "
        "woken only for things that matter?",
        "Which alert would you delete first on a noisy rotation?",
        "Alerts on symptoms and SLOs rather than causes, uses dashboards for diagnosis, "
        "runbooks, severity levels, and reviews alert noise regularly.",
        fields=("devops", "software"),
    ),
    _q(
        "tec-k8s-crashloop",
        T,
        "debugging",
        "A Kubernetes pod is stuck in CrashLoopBackOff. Walk me through how you'd diagnose it.",
        "What if the logs are empty?",
        "Describe and events, previous container logs, exit codes, probes, resource "
        "limits (OOMKilled), config and secrets, image and entrypoint; a methodical order.",
        fields=("devops",),
    ),
    _q(
        "tec-iac-structure",
        T,
        "system design",
        "How do you structure infrastructure as code for many environments and teams?",
        "How do you stop one team's change breaking another team's environment?",
        "Modules, environment separation, remote state with locking, code review and plan "
        "output in CI, policy checks, and drift detection.",
        fields=("devops",),
    ),
    _q(
        "tec-cicd-pipeline",
        T,
        "continuous delivery",
        "Design a CI/CD pipeline for a service that deploys several times a day. What gates "
        "would you put in it?",
        "What would you do if the pipeline became too slow for the team?",
        "Build once, fast tests early, security scans, progressive delivery (canary, "
        "blue-green), automated rollback, and pipeline speed as a tracked metric.",
        fields=("devops", "software"),
    ),
    _q(
        "tec-secrets",
        T,
        "security",
        "How do you manage secrets across environments and rotate them safely?",
        "What would you do on discovering a leaked credential?",
        "A secrets manager, no secrets in code or images, least privilege, short-lived "
        "credentials, automated rotation, and audit logging.",
        fields=("devops", "software"),
    ),
    _q(
        "tec-sql-second-order",
        T,
        "data analysis",
        "Describe how you'd write a SQL query to find each customer's second most recent "
        "order. What edge cases would you check?",
        "How would you make it fast on a billion-row table?",
        "Window functions (ROW_NUMBER or RANK with partitions), handling ties, customers "
        "with one order and nulls; indexes and partitioning for speed.",
        fields=("data", "software"),
    ),
    _q(
        "tec-data-feature-impact",
        T,
        "data analysis",
        "How would you measure whether a new feature actually improved retention?",
        "What would you do if you couldn't run an A/B test?",
        "Defines the metric and baseline, prefers a controlled experiment, considers "
        "novelty and seasonality, and offers quasi-experimental fallbacks.",
        fields=("data", "product"),
    ),
    _q(
        "tec-stats-ab-test",
        T,
        "experimentation",
        "Explain a p-value to a product manager, and tell me when an A/B test result "
        "shouldn't be trusted.",
        "How do you decide how long a test should run?",
        "Correct, plain-language explanation; power and sample size; peeking, multiple "
        "comparisons, sample ratio mismatch, novelty effects.",
        fields=("data", "product"),
    ),
    _q(
        "tec-ml-model-choice",
        T,
        "machine learning",
        "How do you choose between a simple model and a complex one, and how do you know a "
        "model is good enough to ship?",
        "How would you monitor it after launch?",
        "Baselines first, metrics tied to the business decision, validation strategy, "
        "interpretability and cost trade-offs, and monitoring for drift.",
        fields=("data",),
    ),
    _q(
        "tec-data-metric-drop",
        T,
        "data analysis",
        "A key dashboard metric dropped 20% overnight. How do you work out whether it's "
        "real or a data problem?",
        "Who would you tell, and when, before you were sure?",
        "Checks pipelines and definitions first, segments the drop, compares against "
        "independent sources, communicates uncertainty early.",
        fields=("data",),
    ),
    _q(
        "tec-etl-rerun",
        T,
        "data engineering",
        "How would you design a daily ETL pipeline so that a failed run can be rerun safely?",
        "How would you detect bad data before it reached a dashboard?",
        "Idempotent, partitioned loads, staging and atomic swaps, retries, data quality "
        "checks, lineage and alerting.",
        fields=("data", "software"),
    ),
    _q(
        "tec-ml-imbalanced",
        T,
        "machine learning",
        "How would you handle a heavily imbalanced classification problem, say 1% fraud?",
        "Which metric would you report to the business, and why?",
        "Appropriate metrics (precision/recall, PR-AUC, cost-weighted), resampling or "
        "class weights, threshold tuning against business cost, careful validation.",
        fields=("data",),
    ),
    _q(
        "tec-data-viz",
        T,
        "data visualisation",
        "How do you choose the right chart, and how do you keep a dashboard from "
        "misleading people?",
        "Show me, in words, a chart you redesigned and why.",
        "Chart chosen for the question being asked, honest axes and baselines, context and "
        "annotations, fewer metrics, and testing with users.",
        fields=("data",),
    ),
    _q(
        "tec-product-metrics",
        T,
        "product sense",
        "Which metrics would you use to judge the success of a feature you launched, and "
        "which would you watch to catch harm?",
        "What would you do if the success metric rose but the guardrail fell?",
        "Links metrics to the user problem, separates success, guardrail and diagnostic "
        "metrics, sets targets before launch, and considers trade-offs.",
        fields=("product",),
    ),
    _q(
        "tec-finance-three-statements",
        T,
        "financial analysis",
        "Walk me through how the three financial statements connect.",
        "If depreciation rises by $10, what happens to each statement?",
        "Net income flows to retained earnings and the cash flow statement, non-cash "
        "adjustments, working capital, and the balance sheet balancing; works the example.",
        fields=("finance",),
    ),
    _q(
        "tec-finance-cash-forecast",
        T,
        "financial analysis",
        "How would you build a 13-week cash-flow forecast, and how would you know it's reliable?",
        "What do you do when actuals start drifting from the forecast?",
        "Direct method by receipts and disbursements, sources for each line, assumptions "
        "documented, variance tracking, and rolling updates.",
        fields=("finance",),
    ),
    _q(
        "tec-finance-accrual",
        T,
        "accounting",
        "Explain accrual versus cash accounting, and give an example where the difference "
        "changes a decision.",
        "How does revenue recognition affect this for a subscription business?",
        "Accurate definitions, matching principle, a concrete example (a prepaid contract, "
        "a large receivable), and the decision impact.",
        fields=("finance",),
    ),
    _q(
        "tec-finance-reconciliation",
        T,
        "accounting",
        "How do you reconcile an account that doesn't balance at month-end?",
        "What control would you add so it doesn't happen again?",
        "Systematic approach: timing differences, duplicates, cut-off, sub-ledger versus "
        "GL, documentation, escalation thresholds, and root-cause controls.",
        fields=("finance",),
    ),
    _q(
        "tec-nursing-deteriorating",
        T,
        "clinical judgement",
        "A post-operative patient's blood pressure is falling and their heart rate is "
        "rising. What do you assess, and what do you do first?",
        "How would you hand this over to the rapid response team?",
        "ABCDE assessment, suspects bleeding or sepsis or hypovolaemia, escalates early, "
        "starts safe interventions within scope, and communicates with SBAR.",
        fields=("nursing",),
    ),
    _q(
        "tec-nursing-medication-safety",
        T,
        "patient safety",
        "Walk me through how you administer medication safely: your checks, and what you do "
        "when something doesn't match.",
        "Tell me about a near miss you caught.",
        "The rights of medication administration, two identifiers, allergy and dose "
        "checks, barcode scanning, stopping on any mismatch, and reporting near misses.",
        fields=("nursing",),
    ),
    _q(
        "tec-nursing-sepsis",
        T,
        "clinical judgement",
        "How do you recognise the early signs of sepsis, and what is your escalation pathway?",
        "Which sign is most often missed, in your experience?",
        "Knows screening criteria (qSOFA or local tools), subtle early signs, bundle "
        "timings, prompt escalation, and documentation.",
        fields=("nursing",),
    ),
    _q(
        "tec-nursing-infection-control",
        T,
        "patient safety",
        "How do you prevent hospital-acquired infections in your daily practice?",
        "What do you do when a colleague skips a step?",
        "Hand hygiene, aseptic technique, line and catheter care bundles, isolation "
        "precautions, early removal of devices, and speaking up.",
        fields=("nursing",),
    ),
    _q(
        "tec-teaching-differentiation",
        T,
        "instruction",
        "How do you plan a lesson so that students working at very different levels all "
        "learn something?",
        "Give me an example from a lesson you've actually taught.",
        "Clear learning objective, pre-assessment, tiered tasks or scaffolds, flexible "
        "grouping, extension for advanced learners, and checking every student's progress.",
        fields=("teaching",),
    ),
    _q(
        "tec-teaching-formative",
        T,
        "assessment",
        "How do you use formative assessment to adjust your teaching during a unit?",
        "What did you change the last time the evidence surprised you?",
        "Frequent low-stakes checks (exit tickets, questioning, mini-whiteboards), acting "
        "on the evidence, reteaching and regrouping, and feedback to students.",
        fields=("teaching",),
    ),
    _q(
        "tec-design-process",
        T,
        "design craft",
        "Walk me through your design process for a feature, from brief to handoff.",
        "Where in that process do you most often cut corners, and what does it cost?",
        "Problem framing, research, divergent exploration, testing with users, iteration, "
        "and a clear handoff with engineering.",
        fields=("design",),
    ),
    _q(
        "tec-accessibility",
        T,
        "accessibility",
        "How do you make sure a design or interface is accessible?",
        "Tell me about an accessibility problem you found late. How did you fix it?",
        "WCAG principles, colour contrast, keyboard and screen-reader support, semantic "
        "structure, testing with assistive technology and real users.",
        fields=("design", "software"),
    ),
    _q(
        "tec-sales-qualify",
        T,
        "sales",
        "Walk me through how you qualify a lead. What makes you walk away?",
        "Tell me about a deal you disqualified that later came back.",
        "A named framework (BANT, MEDDICC or similar) used with judgement, discovery "
        "questions, clear exit criteria, and time spent where it converts.",
        fields=("sales",),
    ),
    _q(
        "tec-ops-process-map",
        T,
        "process improvement",
        "How would you map and improve a process that is slow and error-prone?",
        "How would you make the improvement stick after you moved on?",
        "Maps the current state with the people who do it, measures cycle time and "
        "errors, finds root causes, pilots a change, and standardises with metrics.",
        fields=("operations",),
    ),
    _q(
        "tec-ops-kpis",
        T,
        "data analysis",
        "Which metrics would you use to run an operation day to day, and what would make "
        "you intervene?",
        "Which metric is easiest to game, and how would you guard against that?",
        "A balanced set (throughput, quality, cost, safety, customer), thresholds and "
        "trends, leading versus lagging indicators, and action plans.",
        fields=("operations",),
    ),
)

_SITUATIONAL: tuple[BankQuestion, ...] = (
    _q(
        "sit-two-managers",
        S,
        "prioritisation",
        "Two managers each give you an urgent task due tomorrow, and you can only finish "
        "one. What do you do?",
        "What if neither manager will budge?",
        "Clarifies impact and deadlines, brings the conflict to both managers openly "
        "rather than choosing silently, proposes options, and communicates the outcome.",
    ),
    _q(
        "sit-teammates-feud",
        S,
        "conflict",
        "Two of your teammates have stopped speaking to each other and it's slowing the "
        "team down. What do you do?",
        "When would you bring in their manager or HR?",
        "Talks to each privately, finds the underlying issue, facilitates a conversation "
        "around shared goals, agrees working norms, and follows up.",
        seniority=_EXPERIENCED,
    ),
    _q(
        "sit-inflated-numbers",
        S,
        "ethics",
        "You discover a colleague has been reporting numbers that look better than reality. "
        "What do you do?",
        "What if the colleague is also your friend?",
        "Verifies the facts, raises it with the colleague or the right channel, does not "
        "cover it up, considers who relies on the numbers, and documents it.",
    ),
    _q(
        "sit-mistake-before-deadline",
        S,
        "ownership",
        "An hour before a deadline, you realise your work contains a mistake that will "
        "affect other people. What do you do?",
        "How would you decide between delivering late and delivering with the flaw?",
        "Assesses impact quickly, tells affected people immediately, proposes options "
        "(fix, partial delivery, delay), and owns the follow-up.",
    ),
    _q(
        "sit-vague-project",
        S,
        "ambiguity",
        "On your first day, your manager hands you a project with a vague goal and no "
        "documentation. How do you spend your first week?",
        "What would you have in writing by Friday?",
        "Interviews stakeholders, defines the problem and success criteria, writes down "
        "assumptions, finds quick wins, and confirms the plan with the manager.",
    ),
    _q(
        "sit-customer-harmful-feature",
        S,
        "customer focus",
        "An important customer demands a feature that would help them but make the "
        "product worse for most other users. How do you respond?",
        "What if they threaten to leave?",
        "Understands the underlying need, explores alternatives, weighs business impact "
        "transparently, involves decision makers, and keeps the relationship.",
    ),
    _q(
        "sit-impossible-date",
        S,
        "stakeholder management",
        "A senior stakeholder wants a launch date your team thinks is impossible. How do you "
        "handle the conversation?",
        "What would you be willing to cut to hit the date?",
        "Understands why the date matters, presents evidence and options (scope, "
        "resources, phased launch), and agrees a realistic plan.",
    ),
    _q(
        "sit-delay-client",
        S,
        "communication",
        "You need to tell a client about a serious delay, and they've already been let down "
        "twice. What do you say?",
        "How would you rebuild their trust over the following month?",
        "Delivers the news early and honestly, takes responsibility, explains cause and "
        "plan, offers mitigation, and commits to visible follow-up.",
    ),
    _q(
        "sit-prod-down-expert-away",
        S,
        "incident response",
        "Production is down, the usual expert is on holiday, and customers are complaining. "
        "Walk me through your first 30 minutes.",
        "When would you call the expert anyway?",
        "Declares an incident, assembles help, communicates status, mitigates before "
        "root-causing (rollback, failover), keeps a timeline, and plans a postmortem.",
        fields=("software", "devops"),
    ),
    _q(
        "sit-new-hire-struggling",
        S,
        "mentoring",
        "A new hire on your team is struggling but hasn't asked for help. What do you do?",
        "How would you tell the difference between a skills gap and a motivation problem?",
        "Checks in privately and kindly, finds the cause, sets clear expectations and "
        "support (pairing, goals), and tracks progress.",
        seniority=_SENIOR,
    ),
    _q(
        "sit-low-morale-team",
        S,
        "leadership",
        "You inherit a team with low morale after a failed project. What do you do in your "
        "first month?",
        "What would tell you it was working?",
        "Listens one-to-one, acknowledges the failure honestly, secures early wins, "
        "clarifies goals and roles, and removes obstacles.",
        seniority=_LEADS,
    ),
    _q(
        "sit-approach-wont-work",
        S,
        "failure",
        "Halfway through a project, you realise the approach won't work. What do you do?",
        "How do you decide between pivoting and pushing on?",
        "Validates the concern quickly, raises it early with evidence, proposes "
        "alternatives with costs, and salvages what's reusable.",
    ),
    _q(
        "sit-team-member-ignores-plan",
        S,
        "teamwork",
        "The team agrees a plan in a meeting, but afterwards one person keeps doing it their "
        "own way. How do you handle it?",
        "What if their way turns out to be better?",
        "Talks to them directly and curiously, restates the agreement, listens for a "
        "better idea, and escalates only if needed.",
    ),
    _q(
        "sit-data-vs-intuition",
        S,
        "decision making",
        "Your data points one way and an experienced colleague's intuition points the "
        "other. How do you decide?",
        "Tell me about a time intuition turned out to be right.",
        "Respects both, probes the data's limits and the intuition's basis, looks for a "
        "cheap test, and decides transparently.",
    ),
    _q(
        "sit-backlog-all-high",
        S,
        "prioritisation",
        "You join a team and find twenty open issues, all labelled 'high priority'. What do "
        "you do?",
        "Who would you involve in re-ranking them?",
        "Gathers impact and effort, agrees criteria with stakeholders, ranks explicitly, "
        "communicates what won't be done, and revisits regularly.",
    ),
    _q(
        "sit-nursing-wrong-order",
        S,
        "patient safety",
        "You notice a medication order that looks wrong for the patient's weight, and the "
        "prescriber can't be reached. What do you do?",
        "What if the patient is due the dose now?",
        "Does not administer, checks references and the pharmacist, escalates up the chain, "
        "documents, keeps the patient safe, and reports through incident systems.",
        fields=("nursing",),
    ),
    _q(
        "sit-nursing-deterioration-prioritise",
        S,
        "clinical judgement",
        "You're caring for five patients when one deteriorates suddenly and another's family "
        "is demanding your attention. How do you prioritise?",
        "How do you delegate safely in that moment?",
        "Prioritises airway, breathing and circulation, calls for help, delegates within "
        "scope, communicates briefly with the family, and documents.",
        fields=("nursing",),
    ),
    _q(
        "sit-nursing-refuses-treatment",
        S,
        "ethics",
        "A patient refuses a treatment the team believes they need. How do you handle it?",
        "How do you assess whether the patient has capacity to refuse?",
        "Respects autonomy, explores the reasons, educates, assesses capacity, involves "
        "the provider and family as appropriate, and documents.",
        fields=("nursing",),
    ),
    _q(
        "sit-nursing-hand-hygiene",
        S,
        "patient safety",
        "A colleague you respect skips a hand-hygiene step during a sterile procedure. What "
        "do you do?",
        "How would you raise it if they were senior to you?",
        "Speaks up in the moment to protect the patient, respectfully, follows up "
        "privately, and uses reporting or education channels if it recurs.",
        fields=("nursing",),
    ),
    _q(
        "sit-teaching-disruptive-student",
        S,
        "classroom management",
        "A student keeps disrupting your class and ignores the usual warnings. What do you "
        "do that day, and over the following weeks?",
        "When would you involve parents or the school's leadership?",
        "Calm, consistent consequences, private conversation to find the cause, positive "
        "reinforcement, family contact, and a support plan with colleagues.",
        fields=("teaching",),
    ),
    _q(
        "sit-teaching-angry-parent",
        S,
        "communication",
        "A parent emails you, angry about their child's grade. How do you respond?",
        "What if the parent copies in the head teacher?",
        "Responds promptly and calmly, offers a meeting, explains the evidence and "
        "criteria, listens, and agrees a plan focused on the student.",
        fields=("teaching",),
    ),
    _q(
        "sit-teaching-test-results",
        S,
        "assessment",
        "Half the class did poorly on a test covering material you thought you'd taught "
        "well. What do you do next?",
        "How would you check whether the test itself was the problem?",
        "Analyses errors by item and student, reflects on instruction and the assessment, "
        "reteaches differently, and reassesses.",
        fields=("teaching",),
    ),
    _q(
        "sit-data-confirm-decision",
        S,
        "ethics",
        "A stakeholder asks you to 'just pull the numbers' that support a decision they've "
        "already made. What do you do?",
        "What if the numbers don't support it?",
        "Clarifies the real question, analyses honestly, presents findings with caveats "
        "regardless of the outcome, and keeps the relationship.",
        fields=("data",),
    ),
    _q(
        "sit-data-messy-deadline",
        S,
        "data analysis",
        "You're asked to deliver an analysis by Friday, but the data is incomplete and "
        "messy. What do you do?",
        "What would you put in the caveats section?",
        "Scopes what can be answered, communicates early, documents cleaning and "
        "assumptions, delivers a directional answer with confidence levels, plans a follow-up.",
        fields=("data",),
    ),
    _q(
        "sit-product-eng-vs-sales",
        S,
        "stakeholder management",
        "Engineering says a feature will take three months; sales says a big customer will "
        "leave without it in one. What do you do?",
        "What would a good outcome look like for each side?",
        "Digs into the customer's actual need, explores a smaller scope or workaround, "
        "quantifies the revenue at risk, and drives a transparent decision.",
        fields=("product",),
    ),
    _q(
        "sit-product-low-usage",
        S,
        "product sense",
        "Usage of a feature you launched is far below forecast. How do you work out what to do?",
        "When would you remove the feature?",
        "Checks instrumentation, analyses the funnel, talks to users, forms hypotheses, "
        "runs fixes or kills the feature deliberately.",
        fields=("product",),
    ),
    _q(
        "sit-finance-variance",
        S,
        "financial analysis",
        "During month-end close you find an unexplained $50,000 variance the day before "
        "reporting is due. What do you do?",
        "At what point do you escalate instead of investigating further?",
        "Time-boxed investigation of likely causes, early escalation with facts, "
        "documented judgement, and a control to prevent recurrence.",
        fields=("finance",),
    ),
    _q(
        "sit-sales-price-objection",
        S,
        "sales",
        "A prospect tells you your price is 30% higher than a competitor's. How do you respond?",
        "When would you offer a discount, and when not?",
        "Explores what they're comparing, reframes on value and total cost, uses proof, "
        "negotiates on terms rather than only price, and knows when to walk away.",
        fields=("sales",),
    ),
    _q(
        "sit-sales-behind-quota",
        S,
        "sales",
        "You're at 60% of quota with three weeks left in the quarter. What do you do?",
        "What would you refuse to do to close the gap?",
        "Inspects the pipeline honestly, focuses on deals that can really close, "
        "accelerates with leadership help, and avoids damaging discounts.",
        fields=("sales",),
    ),
    _q(
        "sit-ops-supplier-late",
        S,
        "operations",
        "A key supplier tells you a shipment will be two weeks late. What do you do?",
        "How would you reduce the risk of this happening again?",
        "Assesses impact, looks for alternative sources or reallocations, informs "
        "customers early, and diversifies supply afterwards.",
        fields=("operations",),
    ),
    _q(
        "sit-design-stakeholder-override",
        S,
        "stakeholder management",
        "A stakeholder insists on a design change that user research says will hurt "
        "usability. How do you handle it?",
        "What if you can't run more research before launch?",
        "Understands the stakeholder's goal, shares evidence, proposes a test or an "
        "alternative, and agrees how success will be measured.",
        fields=("design",),
    ),
    _q(
        "sit-devops-unknown-page",
        S,
        "incident response",
        "You're paged at 3 a.m. for an alert you've never seen, and there's no runbook. "
        "What do you do?",
        "What would you change the next morning?",
        "Assesses customer impact, checks dashboards and recent changes, mitigates safely, "
        "escalates if needed, and writes the missing runbook afterwards.",
        fields=("devops", "software"),
    ),
    _q(
        "sit-leaked-key",
        S,
        "security",
        "You find an API key committed to a public repository. What do you do, in order?",
        "How would you stop it from happening again?",
        "Revokes and rotates immediately, checks logs for misuse, removes it from history, "
        "informs security, and adds pre-commit or CI secret scanning.",
        fields=("software", "devops"),
    ),
    _q(
        "sit-code-review-design",
        S,
        "code review",
        "A teammate's pull request works, but you think its design will cause problems "
        "later. How do you review it?",
        "What if they're more senior than you?",
        "Explains the concern concretely with examples, distinguishes blocking from "
        "optional, offers alternatives, and talks rather than writing a wall of comments.",
        fields=("software",),
    ),
    _q(
        "sit-junior-new-task",
        S,
        "learning",
        "You're given a task you've never done before, and everyone around you seems busy. "
        "What do you do?",
        "How long would you struggle alone before asking?",
        "Breaks down the task, uses documentation and examples, time-boxes being stuck, "
        "asks specific questions, and shares progress.",
        seniority=_EARLY,
    ),
    _q(
        "sit-remote-decisions-lost",
        S,
        "communication",
        "Your team is spread across time zones and decisions keep getting lost. What would "
        "you change?",
        "How would you know the change had worked?",
        "Written decision records, clear owners, asynchronous updates, overlapping hours "
        "used well, and checks that the practice sticks.",
    ),
    _q(
        "sit-scope-creep",
        S,
        "stakeholder management",
        "Midway through a project, a stakeholder adds 'one small thing' for the third time. "
        "What do you do?",
        "How do you say no without damaging the relationship?",
        "Makes the cost of each change visible, ties it to the agreed goal, offers "
        "trade-offs or a later phase, and documents decisions.",
    ),
    _q(
        "sit-credit-taken",
        S,
        "conflict",
        "In a meeting with leadership, a colleague presents your work as their own. What "
        "do you do?",
        "Would you do anything differently if it happened a second time?",
        "Stays professional in the moment, talks to the colleague privately and directly, "
        "makes contributions visible in future, and escalates only if it repeats.",
    ),
)

_ROLE_SPECIFIC: tuple[BankQuestion, ...] = (
    _q(
        "rol-why-role",
        R,
        "motivation",
        "Why do you want this role, and why now?",
        "What would make you turn the offer down?",
        "Specific reasons tied to the role's work and the organisation, a coherent career "
        "story, and genuine motivation rather than generic praise.",
    ),
    _q(
        "rol-know-us",
        R,
        "motivation",
        "What do you know about our organisation, and what would you want to build or change here?",
        "Where did you learn that, and what surprised you?",
        "Evidence of research, an informed view of challenges, and a realistic, humble "
        "idea of where they'd contribute.",
    ),
    _q(
        "rol-unique",
        R,
        "self-awareness",
        "What will you bring to this role that other candidates won't?",
        "What's the evidence?",
        "A specific, evidenced strength mapped to the role's needs, not a list of adjectives.",
    ),
    _q(
        "rol-first-90",
        R,
        "strategy",
        "What would you aim to achieve in your first 90 days in this role?",
        "How would you know you were on track at day 30?",
        "Learning before changing, relationships, a few measurable early wins, and "
        "alignment with the manager's priorities.",
    ),
    _q(
        "rol-hardest-part",
        R,
        "self-awareness",
        "Which part of this role do you expect to find hardest, and how will you handle it?",
        "What have you already done to prepare for it?",
        "Honest, relevant weakness or gap, a concrete plan to address it, and evidence of "
        "having closed gaps before.",
    ),
    _q(
        "rol-growth",
        R,
        "motivation",
        "Where do you want to grow over the next two or three years, and how does this role help?",
        "What would you need from your manager to get there?",
        "A realistic growth goal aligned with the role, ownership of their development, "
        "and clear expectations.",
    ),
    _q(
        "rol-weakness",
        R,
        "self-awareness",
        "What's a professional weakness you're actively working on?",
        "How would your last manager describe it?",
        "A real weakness (not a disguised strength), its impact, concrete steps taken, "
        "and measurable progress.",
    ),
    _q(
        "rol-sw-quality-fast",
        R,
        "quality",
        "How do you keep code quality high on a team that ships several times a day?",
        "Which practice would you drop first if the team had to move even faster?",
        "Automated tests and CI, small reviewable changes, feature flags, observability, "
        "shared standards, and a pragmatic view of trade-offs.",
        fields=("software",),
    ),
    _q(
        "rol-sw-decision-regret",
        R,
        "decision making",
        "Tell me about a technical decision you made that you'd make differently today.",
        "What would have told you sooner?",
        "Explains the context and constraints at the time, the consequences, honest "
        "reflection, and how their decision-making changed.",
        fields=("software", "devops", "data"),
    ),
    _q(
        "rol-sw-tech-debt",
        R,
        "prioritisation",
        "How do you balance paying down technical debt against shipping features?",
        "How do you make the case for debt work to a non-technical stakeholder?",
        "Quantifies the cost of debt, ties it to delivery speed or incidents, uses "
        "incremental paydown, and makes the trade-off visible to stakeholders.",
        fields=("software", "devops"),
        seniority=_EXPERIENCED,
    ),
    _q(
        "rol-sw-review-teaches",
        R,
        "mentoring",
        "How do you run code reviews so that they teach rather than gatekeep?",
        "Tell me about a review comment that changed how someone worked.",
        "Explains the why, asks questions, separates nits from blockers, praises good "
        "work, pairs when needed, and reviews promptly.",
        fields=("software",),
        seniority=_SENIOR,
    ),
    _q(
        "rol-sw-open-source",
        R,
        "collaboration",
        "How do you work in the open: public code, public issues, contributions from "
        "people outside your team?",
        "Tell me about a contribution you made, or reviewed, from outside your team.",
        "Clear documentation, welcoming review, security hygiene in public repositories, "
        "and respect for community norms.",
        fields=("software",),
    ),
    _q(
        "rol-devops-slo",
        R,
        "reliability",
        "How do you set SLOs for a service, and what do you do when the error budget runs out?",
        "How do you get product managers to take the error budget seriously?",
        "SLIs from the user's perspective, targets agreed with stakeholders, burn-rate "
        "alerts, and an agreed policy that shifts work to reliability.",
        fields=("devops",),
    ),
    _q(
        "rol-devops-toil",
        R,
        "process improvement",
        "How do you reduce toil for an operations team?",
        "How do you decide what's worth automating?",
        "Measures toil, prioritises by frequency and pain, automates safely, gives "
        "self-service to developers, and tracks time saved.",
        fields=("devops",),
    ),
    _q(
        "rol-devops-cost",
        R,
        "ownership",
        "How do you keep cloud costs under control without slowing engineers down?",
        "Tell me about the biggest saving you've found.",
        "Visibility and tagging, budgets and alerts, right-sizing and commitments, "
        "architectural choices, and shared ownership with teams.",
        fields=("devops",),
    ),
    _q(
        "rol-data-adoption",
        R,
        "communication",
        "How do you make sure decision-makers actually use the analysis you produce?",
        "Tell me about an analysis that was ignored. Why was it?",
        "Starts from the decision, involves stakeholders early, leads with the answer, "
        "states uncertainty plainly, and follows up on the action taken.",
        fields=("data",),
    ),
    _q(
        "rol-data-changed-decision",
        R,
        "impact",
        "Tell me about an analysis that changed a business decision.",
        "What would have happened without it?",
        "A clear question, a sound method, a decision that changed, and measured impact.",
        fields=("data",),
    ),
    _q(
        "rol-data-trust",
        R,
        "data quality",
        "How do you document and validate a dataset so that other people can trust it?",
        "How do you handle a request to change a metric's definition?",
        "Data dictionaries, tests and checks, lineage, ownership, versioned metric "
        "definitions, and communication of changes.",
        fields=("data",),
    ),
    _q(
        "rol-product-shipped",
        R,
        "product sense",
        "Tell me about a product you shipped: how did you decide what to build, and how "
        "did you know it worked?",
        "What did you decide not to build, and why?",
        "Evidence-based problem selection, clear success metrics, trade-offs made, and "
        "honest results including what didn't work.",
        fields=("product",),
    ),
    _q(
        "rol-product-scope-disagree",
        R,
        "collaboration",
        "How do you work with engineers and designers when you disagree about scope?",
        "Tell me about a time the engineers were right and you were wrong.",
        "Shares context and goals, listens to constraints, explores options together, "
        "decides with the team, and respects expertise.",
        fields=("product",),
    ),
    _q(
        "rol-product-love",
        R,
        "product sense",
        "What's a product you love, and what would you change about it?",
        "How would you measure whether your change worked?",
        "Clear user insight, a thoughtful improvement grounded in a user problem, and a "
        "measurable hypothesis.",
        fields=("product", "design"),
    ),
    _q(
        "rol-product-coach-partners",
        R,
        "mentoring",
        "How would you coach a partner team with no product experience to own their "
        "product after you leave?",
        "What would you hand over on your last day?",
        "Builds their capability rather than dependency, models practices, pairs on real "
        "decisions, and leaves artefacts and habits that outlast the engagement.",
        fields=("product",),
        seniority=_SENIOR,
    ),
    _q(
        "rol-nursing-why",
        R,
        "motivation",
        "Why did you choose nursing, and why this specialty?",
        "What keeps you going on the hardest shifts?",
        "Authentic motivation, a connection to this specialty's patients and work, and resilience.",
        fields=("nursing",),
    ),
    _q(
        "rol-nursing-discharge-teaching",
        R,
        "patient education",
        "How do you teach a patient and their family before discharge so that the teaching sticks?",
        "How do you adapt for low health literacy or a language barrier?",
        "Assesses readiness and literacy, uses plain language and teach-back, involves "
        "family, provides written materials and interpreters, and documents.",
        fields=("nursing",),
    ),
    _q(
        "rol-nursing-ebp",
        R,
        "evidence-based practice",
        "How do you stay current with evidence-based practice? Tell me about a practice you "
        "changed because of new evidence.",
        "How did you persuade colleagues to change too?",
        "Reads guidelines and journals, appraises evidence, pilots change with the team, "
        "and measures outcomes.",
        fields=("nursing",),
    ),
    _q(
        "rol-nursing-competency",
        R,
        "clinical education",
        "How would you assess whether a newly hired nurse is competent to practise independently?",
        "What do you do when a nurse's preceptor says they're ready but you're not convinced?",
        "Clear competency criteria, direct observation and simulation, the novice-to-expert "
        "continuum, preceptor input, documented plans, and patient-safety thresholds.",
        fields=("nursing",),
        seniority=_EXPERIENCED,
    ),
    _q(
        "rol-teaching-good-day",
        R,
        "classroom management",
        "What does your classroom look like on a good day? Describe your routines.",
        "How do you set those routines up in the first week?",
        "Clear routines and expectations, positive relationships, students doing the "
        "thinking, and purposeful use of time.",
        fields=("teaching",),
    ),
    _q(
        "rol-teaching-far-behind",
        R,
        "instruction",
        "How do you support students who are far behind grade level without holding back "
        "the rest of the class?",
        "How do you track whether the support is working?",
        "Diagnostic assessment, targeted small-group or individual support, scaffolds, "
        "collaboration with specialists, and progress monitoring.",
        fields=("teaching",),
    ),
    _q(
        "rol-teaching-families",
        R,
        "communication",
        "How do you build relationships with families?",
        "Tell me about a family that was hard to reach. What did you try?",
        "Early positive contact, regular two-way communication, cultural responsiveness, "
        "and persistence with hard-to-reach families.",
        fields=("teaching",),
    ),
    _q(
        "rol-teaching-technology",
        R,
        "instruction",
        "How do you use technology in your teaching, and when do you deliberately avoid it?",
        "Tell me about a digital tool that didn't work as you hoped.",
        "Technology chosen for learning goals, not novelty; examples of effective use; "
        "awareness of access, distraction and screen time.",
        fields=("teaching",),
    ),
    _q(
        "rol-teaching-curriculum-quality",
        R,
        "quality",
        "How do you review a lesson or course materials for quality before students see them?",
        "What's the most common problem you find?",
        "Checks alignment to objectives, accuracy, clarity for the audience, accessibility "
        "and consistency, using a checklist and a second reader.",
        fields=("teaching",),
    ),
    _q(
        "rol-finance-accuracy",
        R,
        "quality",
        "How do you make sure your numbers are right before they go to leadership?",
        "Tell me about an error that got through anyway.",
        "Reconciliations, reasonableness and trend checks, peer review, documented "
        "assumptions, and owning corrections.",
        fields=("finance",),
    ),
    _q(
        "rol-finance-changed-budget",
        R,
        "impact",
        "Tell me about a time your analysis changed a budget or investment decision.",
        "How did you present it to people who disagreed?",
        "A clear question, a sound model, a persuasive presentation, and a decision that "
        "changed with quantified impact.",
        fields=("finance",),
    ),
    _q(
        "rol-sales-deal-walkthrough",
        R,
        "sales",
        "Walk me through a deal you closed, from first contact to signature.",
        "Where did it nearly fall apart?",
        "Structured process, multi-threading stakeholders, handling objections, a clear "
        "value case, and specific numbers.",
        fields=("sales",),
    ),
    _q(
        "rol-sales-pipeline",
        R,
        "sales",
        "How do you build and manage your pipeline week to week?",
        "How do you decide which deals to drop?",
        "Consistent prospecting habits, honest stage definitions, CRM hygiene, coverage "
        "ratios, and disciplined qualification.",
        fields=("sales",),
    ),
    _q(
        "rol-ops-redesign",
        R,
        "process improvement",
        "Tell me about a process you redesigned, and the result.",
        "Who resisted the change, and how did you bring them along?",
        "Baseline metrics, a clear redesign rationale, change management, and measured results.",
        fields=("operations",),
    ),
    _q(
        "rol-design-portfolio",
        R,
        "design craft",
        "Walk me through a portfolio piece: the problem, your role and the outcome.",
        "What would you change if you designed it again?",
        "Clear problem, their specific contribution, process and trade-offs, measurable "
        "outcome, and honest reflection.",
        fields=("design",),
    ),
    _q(
        "rol-design-research",
        R,
        "user research",
        "How do you use research to decide between design options?",
        "What do you do when research contradicts your instinct?",
        "Chooses methods suited to the question, tests with representative users, "
        "synthesises insights, and lets evidence drive decisions.",
        fields=("design", "product"),
    ),
    _q(
        "rol-lead-team",
        R,
        "leadership",
        "How do you build and grow a high-performing team? What would your past reports say "
        "about you?",
        "Tell me about someone you hired who didn't work out.",
        "Hiring bar, clear expectations, coaching and feedback, psychological safety, "
        "growth of individuals, and evidence from former reports.",
        seniority=_SENIOR,
    ),
    _q(
        "rol-exec-strategy",
        R,
        "strategy",
        "How would you set the strategy for a function you've just inherited?",
        "What would you stop doing first?",
        "Diagnoses before prescribing, engages stakeholders, makes clear choices and "
        "trade-offs, and sets measurable goals.",
        seniority=_LEADS,
    ),
    _q(
        "rol-lead-influence-org",
        R,
        "influence",
        "How do you drive change across an organisation you don't control?",
        "Tell me about a change that didn't stick. Why?",
        "Builds coalitions, shows early evidence, adapts the message to each audience, "
        "and sustains change through process and ownership.",
        seniority=_LEADS,
    ),
    _q(
        "rol-junior-learning",
        R,
        "learning",
        "What have you learned in the last six months, and how did you go about learning it?",
        "What do you want to learn in your first year here?",
        "A specific, relevant skill, a deliberate learning method, evidence it was "
        "applied, and curiosity about the role.",
        seniority=_EARLY,
    ),
    _q(
        "rol-junior-why-field",
        R,
        "motivation",
        "What first drew you to this field, and what have you done to test that it's "
        "right for you?",
        "What surprised you once you started?",
        "Authentic motivation, concrete steps taken (projects, courses, placements), and "
        "realistic expectations of the work.",
        seniority=_EARLY,
    ),
)

BANK: tuple[BankQuestion, ...] = _BEHAVIOURAL + _TECHNICAL + _SITUATIONAL + _ROLE_SPECIFIC

COMPETENCIES: tuple[str, ...] = tuple(sorted({question.competency for question in BANK}))

_BY_ID = {question.id: question for question in BANK}


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_BY_TEXT = {_normalise(question.text): question for question in BANK}


def rubric_for_competency(competency: str) -> str:
    """A rubric hint for a question that is not in the bank (a tailored one), taken from
    the first bank question that tests the same competency; empty when none does."""
    wanted = competency.strip().lower()
    return next((q.rubric_hint for q in BANK if q.competency == wanted), "")


def questions_for(
    field: str, seniority: Seniority, types: Iterable[QuestionType] = ()
) -> list[BankQuestion]:
    """Bank questions that suit a role's field and level, in bank order.

    Questions tagged with other fields are left out; an empty ``types`` means all types.
    """
    wanted = set(types) or set(QuestionType)
    return [q for q in BANK if q.type in wanted and q.suits(field, seniority)]


def bank_question(question_id: str) -> BankQuestion | None:
    """The bank question with this id, if there is one."""
    return _BY_ID.get(question_id)


def find_bank_question(text: str) -> BankQuestion | None:
    """The bank question this text is, allowing for small edits; None for other text.

    The scorer calls this to find the rubric hint for a question it is scoring, so a
    question lightly reworded by a model or a persona still finds its hint.
    """
    key = _normalise(text)
    if not key:
        return None
    if key in _BY_TEXT:
        return _BY_TEXT[key]
    for bank_text, question in _BY_TEXT.items():
        if len(bank_text) > 30 and bank_text in key:
            return question
    best: BankQuestion | None = None
    best_ratio = 0.0
    for bank_text, question in _BY_TEXT.items():
        matcher = difflib.SequenceMatcher(None, key, bank_text, autojunk=False)
        if matcher.real_quick_ratio() < 0.85 or matcher.quick_ratio() < 0.85:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = question, ratio
    return best if best_ratio >= 0.85 else None
