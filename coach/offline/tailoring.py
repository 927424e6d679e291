"""Interview questions tailored to one candidate and one role, without a model.

Tailored questions name what an interviewer would pick up from the two documents: a
measured claim, an employer, a project, a tool the role uses (and whether the resume
shows it), a duty quoted from the posting, the level of the role. The bank fills the
rest. Every choice is seeded from a hash of the inputs, so the same request gives the
same questions, and a request that lists earlier questions as ``existing`` gets new ones.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from coach.domain import QuestionDraft, QuestionSource, QuestionType
from coach.offline.profiles import (
    JobProfile,
    ResumeProfile,
    Seniority,
    find_skills,
    find_tools,
    skill_category,
    tool_category,
)
from coach.offline.question_bank import COMPETENCIES, BankQuestion, questions_for
from coach.tasks import GenerateQuestions
from coach.text import PROMPT_WORDS, STOPWORDS

logger = logging.getLogger(__name__)

_QUOTE_WORDS = 12
_TAILORED_SHARE = 0.6
_TECHNICAL_FIELDS = {"software", "data", "devops", "design"}
_RELATED_FIELDS: dict[str, tuple[str, ...]] = {
    "devops": ("software",),
    "software": ("devops",),
    "data": ("software",),
    "product": ("design", "data"),
    "design": ("product",),
}
_LEVEL_WORDS = {
    Seniority.INTERN: "internship",
    Seniority.JUNIOR: "junior",
    Seniority.MID: "mid-level",
    Seniority.SENIOR: "senior",
    Seniority.LEAD: "lead-level",
    Seniority.EXECUTIVE: "executive",
    Seniority.UNKNOWN: "",
}
_CERTIFICATIONS = {"BLS", "ACLS", "PALS", "CPR", "TNCC", "NRP", "NIHSS"}
# A quote never ends on a function word or a list's tail ("... and", "including").
_QUOTE_TAIL_WORDS = STOPWORDS | {"etc", "including"}
# A hint's topic words: the coach's one stopword list, prompt words too ("questions on").
_HINT_STOPWORDS = STOPWORDS | PROMPT_WORDS
_HINT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "leadership": ("leadership", "lead", "leader", "leading", "direction", "mentoring"),
    "lead": ("leadership", "lead", "leader", "leading"),
    "conflict": ("conflict", "disagree", "disagreed"),
    "communication": ("communication", "explain", "communicate"),
    "teamwork": ("teamwork", "team", "collaboration"),
    "collaboration": ("collaboration", "teamwork", "together"),
    "failure": ("failure", "failed", "mistake", "wrong"),
    "prioritisation": ("prioritisation", "prioritise", "priorities", "priority"),
    "prioritization": ("prioritisation", "prioritise", "priorities", "priority"),
    "stakeholders": ("stakeholder management", "stakeholder"),
    "stakeholder": ("stakeholder management", "stakeholder"),
    "mentoring": ("mentoring", "mentor", "coach", "coaching"),
    "coaching": ("mentoring", "mentor", "coach", "coaching"),
    "ethics": ("ethics", "wrong", "integrity"),
    "ambiguity": ("ambiguity", "unclear", "vague"),
    "debugging": ("debugging", "debug", "bug"),
    "design": ("system design", "design"),
    "data": ("data analysis", "data"),
    "customer": ("customer focus", "customer"),
    "safety": ("patient safety", "safety"),
    "classroom": ("classroom management", "classroom"),
}
# Skill categories (profiles' vocabulary) as bank competencies.
_SKILL_TO_COMPETENCY = {
    "finance": "financial analysis",
    "operations": "process improvement",
    "classroom management": "classroom management",
}


@dataclass(frozen=True)
class _Candidate:
    """A question that could be asked, with what it names and how good a pick it is."""

    text: str
    type: QuestionType
    competency: str
    source: QuestionSource
    rationale: str
    kind: str
    subjects: frozenset[str] = field(default_factory=frozenset)
    rank: float = 0.0

    def draft(self) -> QuestionDraft:
        return QuestionDraft(
            text=_ABBREVIATION_THEN_STOP.sub(".", self.text),
            type=self.type,
            competency=self.competency,
            source=self.source,
            rationale=self.rationale,
        )


# --- text helpers ---------------------------------------------------------------------

# "at Dunamu Inc.." : an employer that ends in an abbreviation, then the sentence's stop.
_ABBREVIATION_THEN_STOP = re.compile(r"(?<=\w)\.\.(?=\s|$)")


def _normalise(text: str) -> str:
    """Case, whitespace and punctuation-insensitive key for 'is this the same question'."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _seed(task: GenerateQuestions) -> int:
    parts = [
        task.resume,
        task.job_description,
        task.hint.strip().lower(),
        ",".join(sorted(t.value for t in task.types)),
        str(task.count),
        *sorted(_normalise(text) for text in task.existing),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _trim_end(words: list[str]) -> str:
    while words and words[-1].lower().strip(",.;:") in _QUOTE_TAIL_WORDS:
        words = words[:-1]
    return " ".join(words).strip().rstrip(",.;:—–-").strip()


def _short_quote(text: str, must: str | None = None, limit: int = _QUOTE_WORDS) -> str:
    """At most ~``limit`` words of text, cut at a clause boundary and keeping ``must``.

    'Developed and optimized CI/CD pipelines, reducing deployment time by 40% and
    enhancing release cycle efficiency' becomes '... pipelines, reducing deployment
    time by 40%': the claim and its figure, without the tail.
    """
    text = " ".join(text.replace("“", "").replace("”", "").replace('"', "").split())
    text = re.sub(r"\s*\([^)]*\)?", "", text).strip().rstrip(".;:,")
    words = text.split()
    if len(words) <= limit:
        return _trim_end(words)
    pieces = re.split(
        r"(,\s+|;\s+|\s+[–—-]\s+|\s+and\s+(?=[a-z]+(?:ing|ed)\b|(?:ensure|make|keep|help|"
        r"build|lead|own|drive|deliver|support|maintain|develop|manage)\b)|\s+to\s+(?=[a-z]+\b))",
        text,
    )
    built = ""
    best = ""
    for index in range(0, len(pieces), 2):
        candidate = built + pieces[index]
        size = len(candidate.split())
        if size > limit + 2:
            break
        if (not must or must in candidate) and size >= 4:
            best = candidate
            if must:
                break
        built = candidate + (pieces[index + 1] if index + 1 < len(pieces) else "")
    if best:
        return _trim_end(best.split())
    if must:
        for index in range(0, len(pieces), 2):
            clause = pieces[index]
            if must in clause and 4 <= len(clause.split()) <= limit + 2:
                return _trim_end(clause.split())
        index = next((i for i, word in enumerate(words) if must.split()[0] in word), 0)
        if index >= limit - 2:
            start = max(0, index - (limit - 4))
            return _trim_end(words[start : start + limit]) + "…"
    return _trim_end(words[:limit]) + "…"


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


# Past participles that describe the candidate rather than an action they took:
# "you involved in features" does not read, so these are quoted instead.
_NOT_AGENTIVE = {
    "involved", "tasked", "recognized", "recognised", "honored", "honoured", "awarded",
    "selected", "chosen", "featured", "based", "seasoned", "certified", "skilled",
    "experienced", "motivated", "dedicated", "detail-oriented", "required", "exposed",
    "assigned", "promoted", "hired", "trained", "interested", "qualified", "licensed",
}  # fmt: skip


def _past_tense(verb: str | None) -> bool:
    if not verb or verb in _NOT_AGENTIVE:
        return False
    irregular = {"led", "built", "ran", "won", "grew", "wrote", "made", "drove", "taught", "cut"}
    return verb in irregular or verb.endswith("ed") or verb in {"set", "sold", "spent", "kept"}


def _squashed(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{25,}", text))


_DUTY_VERBS = re.compile(
    r"^(?:lead|build|own|develop|design|manage|drive|work|partner|create|deliver|support|"
    r"write|maintain|collaborate|implement|define|analy[sz]e|ensure|conduct|coordinate|"
    r"mentor|teach|plan|provide|review|monitor|identify|establish|run|oversee|prepare|"
    r"assess|evaluate|participate|communicate|report|train|perform|serve|influence|"
    r"contribute|practi[cs]e|take|help|set|improve|optimi[sz]e|investigate|utili[sz]e|"
    r"assist|edit|check|verify|consult|interact|apply|respond|inform|update|promote|"
    r"inspire|capture|explain|guide|map|keep|adapt|formulate|hold|demonstrate|make|meet|"
    r"stay|speak|energi[sz]e|use|coach|seek|extend|mine|cleanse|visuali[sz]e|deploy|"
    r"operate|test|ship|launch|research|facilitate|document|negotiate|sell|close|"
    r"prospect|teach|instruct|grade|care|administer|educate|schedule|organi[sz]e|"
    r"produce|present|track|handle|resolve|design|architect|scale|automate|migrate|"
    r"conceive|recommend|bring|continue|establish)\b",
    re.IGNORECASE,
)
_NOT_THIRD_PERSON = {"sales", "always", "news", "analytics", "status", "series", "business"}


def _base_form_duty(text: str) -> tuple[str, bool]:
    """'Provides orientation ...' -> ('provide orientation ...', True); says if verb-led."""
    words = text.split()
    if not words:
        return text, False
    lead = 1 if words[0].lower().endswith("ly") and len(words) > 1 else 0
    verb = words[lead]
    lowered = verb.lower()
    if lowered.endswith("s") and not lowered.endswith("ss") and lowered not in _NOT_THIRD_PERSON:
        if lowered.endswith("ies"):
            candidate = verb[:-3] + "y"
        elif re.search(r"(?:ch|sh|ss|x)es$", lowered):
            candidate = verb[:-2]
        else:
            candidate = verb[:-1]
        if _DUTY_VERBS.match(candidate):
            words[lead] = candidate
    is_verb = bool(_DUTY_VERBS.match(words[lead]))
    if is_verb:
        words[0] = _lower_first(words[0])
    return " ".join(words), is_verb


# --- candidates from the documents ----------------------------------------------------


@dataclass
class _Context:
    """Everything the templates need, computed once per call."""

    resume: ResumeProfile
    job: JobProfile
    rng: random.Random
    has_resume: bool
    resume_tools: set[str]
    title: str
    company: str | None

    @property
    def role_phrase(self) -> str:
        """'Data Scientist role at KnowBe4', or just 'role' when the posting is vague."""
        role = f"{self.title} role" if self.title else "role"
        return f"{role} at {self.company}" if self.company else role

    @property
    def technical(self) -> bool:
        return self.job.field in _TECHNICAL_FIELDS


def _tailored(
    text: str,
    type: QuestionType,
    competency: str,
    rationale: str,
    kind: str,
    subjects: Iterable[str],
    rank: float,
) -> _Candidate:
    return _Candidate(
        text=text,
        type=type,
        competency=competency,
        source=QuestionSource.TAILORED,
        rationale=rationale,
        kind=kind,
        subjects=frozenset(s.lower() for s in subjects if s),
        rank=rank,
    )


def _claim_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    claims = sorted(
        ctx.resume.claims,
        key=lambda c: (c.employer is None, not _past_tense(c.action), _squashed(c.text)),
    )
    for order, claim in enumerate(claims[:10]):
        rank = order * 0.3
        subject = f"claim:{claim.text[:40]}"
        mentioned = claim.employer and claim.employer.lower() in claim.text.lower()
        at = f" at {claim.employer}" if claim.employer and not mentioned else ""
        rationale = "Names a measurable claim from your resume: interviewers probe numbers."
        if _squashed(claim.text):
            if not claim.metric or not claim.employer:
                continue
            found.append(
                _tailored(
                    f"At {claim.employer}, your resume credits you with a result of "
                    f"{claim.metric}. What was the starting point, what exactly did you "
                    "change, and how did you measure it?",
                    QuestionType.BEHAVIOURAL,
                    "impact",
                    rationale,
                    "claim",
                    [subject, claim.employer],
                    rank,
                )
            )
            continue
        quote = _short_quote(claim.text, claim.metric)
        first_word = claim.text.split()[0].lower() if claim.text.split() else ""
        if _past_tense(claim.action) and quote.lower().startswith(first_word):
            said = f"you {_lower_first(quote)}{at}"
            found.append(
                _tailored(
                    f"Your resume says {said}. Walk me through how you did it and what "
                    "you'd do differently.",
                    QuestionType.BEHAVIOURAL,
                    "impact",
                    rationale,
                    "claim",
                    [subject],
                    rank,
                )
            )
            second_type = QuestionType.TECHNICAL if ctx.technical else QuestionType.SITUATIONAL
            if second_type is QuestionType.TECHNICAL:
                second = (
                    f"You {_lower_first(quote)}{at}. Take me under the hood: what did you "
                    "change technically, and what nearly went wrong?"
                )
                competency = "problem solving"
            else:
                second = (
                    f"You {_lower_first(quote)}{at}. If we asked you for a result like "
                    "that here in your first six months, what would you do first?"
                )
                competency = "strategy"
            found.append(
                _tailored(second, second_type, competency, rationale, "claim", [subject], rank + 1)
            )
        else:
            found.append(
                _tailored(
                    f'Your resume mentions "{quote}"{at}. What was your personal part, '
                    f"and {_metric_probe(claim.metric)}",
                    QuestionType.BEHAVIOURAL,
                    "ownership",
                    rationale,
                    "claim",
                    [subject],
                    rank + 0.2,
                )
            )
    return found


def _metric_probe(metric: str | None) -> str:
    """The follow-up that fits the kind of figure: a measured change, a scale, an outcome."""
    if metric and re.search(r"[%$€£]|\d\s?[xX]\b|million|billion", metric):
        return f"how was the {metric} measured?"
    if metric and re.match(r"(?i)from\b|zero\b", metric):
        return "what did it take to get there?"
    return "what did working at that scale demand of you?"


# Verbs that open an achievement worth probing ("Led", "Built"), not a routine duty.
_ACHIEVEMENT_VERBS = {
    "led", "built", "designed", "created", "launched", "shipped", "implemented",
    "developed", "introduced", "migrated", "established", "founded", "architected",
    "rebuilt", "redesigned", "automated", "delivered", "spearheaded", "initiated",
    "transformed", "overhauled", "wrote", "engineered", "orchestrated", "provisioned",
    "deployed", "organized", "organised", "standardized", "standardised", "won",
}  # fmt: skip


def _highlight_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    usable = [
        h
        for h in ctx.resume.highlights
        if h.employer and h.action in _ACHIEVEMENT_VERBS and not _squashed(h.text)
    ]
    for order, highlight in enumerate(usable[:6]):
        quote = _lower_first(_short_quote(highlight.text)).rstrip("…")
        if len(quote.split()) < 4:
            continue
        subject = f"claim:{highlight.text[:40]}"
        rank = 2 + order * 0.3
        rationale = f"Picks up work your resume describes at {highlight.employer}."
        found.append(
            _tailored(
                f"At {highlight.employer} you {quote}. What was the hardest decision you "
                "made along the way, and who disagreed with it?",
                QuestionType.BEHAVIOURAL,
                "decision making",
                rationale,
                "highlight",
                [subject],
                rank,
            )
        )
        if ctx.technical:
            found.append(
                _tailored(
                    f"At {highlight.employer} you {quote}. How did it work under the hood, "
                    "and what would you change if you built it again?",
                    QuestionType.TECHNICAL,
                    "system design",
                    rationale,
                    "highlight",
                    [subject],
                    rank + 0.5,
                )
            )
    return found


def _role_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    seen: set[str] = set()
    roles = [r for r in ctx.resume.roles if r.employer and r.employer not in seen]
    for order, role in enumerate(roles[:3]):
        assert role.employer is not None
        seen.add(role.employer)
        rank = 2.5 + order * 0.4
        rationale = f"Asks about your time at {role.employer}, as interviewers do."
        as_title = f"{_article(role.title)} {role.title} at " if role.title else "at "
        found.append(
            _tailored(
                f"You worked as {as_title}{role.employer}. Tell me about a decision you made "
                "there that you'd still defend today, and one you wouldn't.",
                QuestionType.BEHAVIOURAL,
                "decision making",
                rationale,
                "employer",
                [f"employer:{role.employer}"],
                rank,
            )
        )
        found.append(
            _tailored(
                f"What did your time at {role.employer} teach you that you'd bring to this "
                f"{ctx.role_phrase}?",
                QuestionType.ROLE_SPECIFIC,
                "motivation",
                rationale,
                "employer",
                [f"employer:{role.employer}"],
                rank + 0.8,
            )
        )
    return found


def _project_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    for order, project in enumerate(ctx.resume.projects[:4]):
        question_type = QuestionType.TECHNICAL if ctx.technical else QuestionType.BEHAVIOURAL
        found.append(
            _tailored(
                f"Your resume lists {project}. What problem did it solve, which part did you "
                "build yourself, and what would you change now?",
                question_type,
                "ownership",
                "Names a project from your resume.",
                "project",
                [f"project:{project}"],
                2.5 + order * 0.4,
            )
        )
    return found


_TOOL_CORE: dict[str, tuple[str, str, QuestionType]] = {
    "cloud": (
        "Tell me about the hardest production issue you've debugged involving {tool}: how "
        "did you find the cause?",
        "debugging",
        QuestionType.TECHNICAL,
    ),
    "devops": (
        "Tell me about the hardest production issue you've debugged involving {tool}: how "
        "did you find the cause?",
        "debugging",
        QuestionType.TECHNICAL,
    ),
    "language": (
        "Tell me about {tool} code you're proud of, and a piece you'd rewrite today. Why?",
        "coding",
        QuestionType.TECHNICAL,
    ),
    "framework": (
        "Describe the most complex thing you've built with {tool}, and a limitation you had "
        "to work around.",
        "system design",
        QuestionType.TECHNICAL,
    ),
    "database": (
        "Describe the most complex data model or query you've built with {tool}, and how you "
        "made it fast.",
        "system design",
        QuestionType.TECHNICAL,
    ),
    "data": (
        "Walk me through an analysis or pipeline you built with {tool}, and how you checked "
        "the output was right.",
        "data analysis",
        QuestionType.TECHNICAL,
    ),
    "bi": (
        "Tell me about a {tool} dashboard you built that changed a decision, and what you "
        "deliberately left off it.",
        "data visualisation",
        QuestionType.TECHNICAL,
    ),
    "office": (
        "Walk me through the most complex {tool} work you've built, and how you checked it "
        "for errors.",
        "quality",
        QuestionType.TECHNICAL,
    ),
    "collaboration": (
        "How do you keep a {tool} tracker honest, so that it shows what's really happening "
        "rather than what people hope?",
        "communication",
        QuestionType.ROLE_SPECIFIC,
    ),
    "crm": (
        "How do you use what's in {tool} to decide where to spend your week?",
        "sales",
        QuestionType.ROLE_SPECIFIC,
    ),
    "design": (
        "Walk me through how you organise work in {tool} so that engineers can build from it "
        "without guessing.",
        "design craft",
        QuestionType.TECHNICAL,
    ),
    "clinical": (
        "How do you keep your {tool} charting accurate and timely on a heavy shift?",
        "patient safety",
        QuestionType.TECHNICAL,
    ),
    "teaching": (
        "How have you used {tool} to give learners faster feedback, and where did it get in "
        "the way?",
        "instruction",
        QuestionType.TECHNICAL,
    ),
}
_VCS_CORE = (
    "How do you use {tool} to keep a team's changes small, reviewed and safe to ship?",
    "quality",
    QuestionType.TECHNICAL,
)
_VCS_TOOLS = {"Git", "GitHub", "GitLab", "Bitbucket"}
_TOOL_GENERIC = (
    "Tell me about the most demanding thing you've done with {tool}, and what you learned "
    "about its limits.",
    "expertise",
    QuestionType.TECHNICAL,
)
_CERT_CORE = (
    "Tell me about the last time you had to use that training in a real emergency: what "
    "did you do, in order?",
    "clinical judgement",
    QuestionType.TECHNICAL,
)


def _tool_question(tool: str, lead_in: str) -> tuple[str, str, QuestionType]:
    if tool in _CERTIFICATIONS:
        core, competency, question_type = _CERT_CORE
    elif tool in _VCS_TOOLS:
        core, competency, question_type = _VCS_CORE
    else:
        core, competency, question_type = _TOOL_CORE.get(tool_category(tool), _TOOL_GENERIC)
    return f"{lead_in} {core.format(tool=tool)}", competency, question_type


_MINOR_TOOLS = {"Git", "GitHub", "GitLab", "Bitbucket", "Microsoft Office", "Outlook"}


def _minor_tool_penalty(tool: str) -> float:
    """Everyday tools (Git, Slack, Office) make weaker gap questions than core ones."""
    return 1.5 if tool in _MINOR_TOOLS or tool_category(tool) == "collaboration" else 0.0


def _tool_candidates(ctx: _Context, hint_tools: list[str]) -> list[_Candidate]:
    found: list[_Candidate] = []
    job_tools = ctx.job.tools[:12]
    for order, tool in enumerate(job_tools):
        shared = tool.lower() in ctx.resume_tools
        if shared or not ctx.has_resume:
            lead_in = (
                f"The posting requires {tool}."
                if tool in _CERTIFICATIONS
                else f"The role uses {tool} daily."
            )
            text, competency, question_type = _tool_question(tool, lead_in)
            rationale = (
                f"Names {tool}, which the posting asks for and your resume lists."
                if shared
                else f"Names {tool}, which the posting asks for."
            )
            found.append(
                _tailored(
                    text,
                    question_type,
                    competency,
                    rationale,
                    "tool",
                    [f"tool:{tool}"],
                    1 + order * 0.25 + _minor_tool_penalty(tool),
                )
            )
        else:
            if tool in _CERTIFICATIONS:
                text = (
                    f"The posting requires {tool}, which isn't on your resume. Do you hold it, "
                    "and how do you keep those skills current?"
                )
                question_type, competency = QuestionType.ROLE_SPECIFIC, "patient safety"
            else:
                text = (
                    f"The posting asks for {tool}, which isn't on your resume. How would you "
                    "get productive with it quickly, and what have you used that's closest?"
                )
                question_type, competency = QuestionType.SITUATIONAL, "learning"
            found.append(
                _tailored(
                    text,
                    question_type,
                    competency,
                    f"A gap between the posting and your resume ({tool}): expect it to be probed.",
                    "gap",
                    [f"tool:{tool}"],
                    1.5 + order * 0.3 + _minor_tool_penalty(tool),
                )
            )
    for tool in hint_tools:
        if tool in job_tools:
            continue
        text, competency, question_type = _tool_question(tool, f"You asked to focus on {tool}.")
        found.append(
            _tailored(
                text,
                question_type,
                competency,
                f"Practises {tool}, the focus you asked for.",
                "tool",
                [f"tool:{tool}"],
                0.5,
            )
        )
    return found


_FIELD_ONLY_COMPETENCIES = {"classroom management": "teaching", "patient safety": "nursing"}


def _competency_for(text: str, default: str, field_name: str) -> str:
    """The competency a duty exercises, judged by the skills it names."""
    for skill in find_skills(text):
        category = skill_category(skill)
        competency = _SKILL_TO_COMPETENCY.get(category, category)
        owner = _FIELD_ONLY_COMPETENCIES.get(competency)
        if competency in COMPETENCIES and owner in (None, field_name):
            return competency
    return default


def _duty_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    duties = ctx.job.responsibilities[:10]
    for order, duty in enumerate(duties):
        phrase, verb_led = _base_form_duty(duty)
        quote = _short_quote(phrase)
        if len(quote.split()) < 3:
            continue
        subject = f"duty:{duty[:40]}"
        rank = 1.5 + order * 0.35
        rationale = "Quotes a responsibility from the posting."
        if verb_led:
            opener = f"This role will '{quote}'."
            behavioural = (
                f"The posting says you'll '{quote}'. Tell me about a time you did something "
                "similar, and what came of it."
            )
        else:
            opener = f"The posting lists '{quote}' as part of the job."
            behavioural = (
                f"The posting lists '{quote}' as part of the job. Tell me about a time you "
                "handled something similar, and what came of it."
            )
        found.append(
            _tailored(
                f"{opener} How would you approach your first 90 days of it?",
                QuestionType.SITUATIONAL,
                _competency_for(duty, "strategy", ctx.job.field),
                rationale,
                "duty",
                [subject, "first-90"],
                rank,
            )
        )
        found.append(
            _tailored(
                behavioural,
                QuestionType.BEHAVIOURAL,
                _competency_for(duty, "impact", ctx.job.field),
                rationale,
                "duty",
                [subject],
                rank + 0.6,
            )
        )
        found.append(
            _tailored(
                f"{opener} Which part of that do you expect to be hardest for you here, and why?",
                QuestionType.ROLE_SPECIFIC,
                "self-awareness",
                rationale,
                "duty",
                [subject],
                rank + 1.5,
            )
        )
    return found


def _level_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    level = ctx.job.seniority
    title = ctx.title
    if level in (Seniority.SENIOR, Seniority.LEAD, Seniority.EXECUTIVE):
        word = _LEVEL_WORDS[level]
        role = f"{word} {title} role" if title else f"{word} role"
        found.append(
            _tailored(
                f"This is {_article(role)} {role}, so people will learn from you. "
                "Tell me about someone you've helped grow: what did you do, and what "
                "changed for them?",
                QuestionType.BEHAVIOURAL,
                "mentoring",
                f"The posting is pitched at {word.removesuffix('-level')} level, where "
                "mentoring is expected.",
                "level",
                ["level:mentoring"],
                2,
            )
        )
        found.append(
            _tailored(
                f"{f'As {_article(title)} {title}' if title else 'In this role'}, you'd often "
                "set direction for people who don't report to you. How would you get a "
                "sceptical team behind a decision in your first months?",
                QuestionType.SITUATIONAL,
                "leadership",
                f"The posting is pitched at {word.removesuffix('-level')} level, where "
                "leadership is expected.",
                "level",
                ["level:leadership"],
                2.2,
            )
        )
    elif level in (Seniority.JUNIOR, Seniority.INTERN):
        found.append(
            _tailored(
                f"This {(title + ' ') if title else ''}role is early-career, so how fast you "
                "learn matters most. Tell "
                "me about something you taught yourself recently: how did you go about it, and "
                "how did you know you'd got it?",
                QuestionType.BEHAVIOURAL,
                "learning",
                "Early-career roles hire for learning speed.",
                "level",
                ["level:learning"],
                2,
            )
        )
    years = ctx.resume.years_experience
    wanted = ctx.job.years_required
    if ctx.has_resume and years is not None and wanted and years < wanted:
        found.append(
            _tailored(
                f"The posting asks for {wanted}+ years of experience and your resume shows "
                f"about {years}. What in your track record shows you can already work at "
                "this level?",
                QuestionType.ROLE_SPECIFIC,
                "self-awareness",
                "Your experience looks short of what the posting asks: prepare for this.",
                "level",
                ["level:years"],
                1.8,
            )
        )
    return found


def _company_candidates(ctx: _Context) -> list[_Candidate]:
    if not ctx.company:
        return []
    return [
        _tailored(
            f"Why {ctx.company}, and why this {(ctx.title + ' ') if ctx.title else ''}role now?",
            QuestionType.ROLE_SPECIFIC,
            "motivation",
            f"Names {ctx.company}: every interviewer asks why you want to work there.",
            "company",
            ["company:why", "bank:rol-why-role"],
            3,
        ),
        _tailored(
            f"Imagine it's a year from now. What would you want to have achieved "
            f"{('as ' + ctx.title) if ctx.title else 'in this role'} at {ctx.company}?",
            QuestionType.ROLE_SPECIFIC,
            "strategy",
            f"Asks how you'd make a difference at {ctx.company}.",
            "company",
            ["company:year", "first-90"],
            3.4,
        ),
    ]


# Skills that read naturally as "your <skill>" in a question.
_PERSONAL_SKILLS = {
    "communication", "leadership", "teamwork", "collaboration", "stakeholder management",
    "customer service", "problem solving", "critical thinking", "attention to detail",
    "time management", "coaching", "mentoring", "negotiation", "empathy",
    "accountability", "integrity", "adaptability", "decision making",
    "relationship building", "presentation skills", "active listening", "multitasking",
    "prioritization", "people management", "change management", "strategic thinking",
}  # fmt: skip


def _skill_candidates(ctx: _Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    skills = [s for s in ctx.job.skills if s in _PERSONAL_SKILLS]
    for order, skill in enumerate(skills[:3]):
        category = skill_category(skill)
        found.append(
            _tailored(
                f"The posting puts weight on {skill}. Tell me about a time your {skill} "
                "changed the outcome of something that mattered.",
                QuestionType.BEHAVIOURAL,
                category,
                f"The posting stresses {skill}.",
                "skill",
                [f"skill:{category}"],
                3 + order * 0.4,
            )
        )
    return found


# --- bank candidates ------------------------------------------------------------------


def _bank_rationale(question: BankQuestion, job: JobProfile) -> str:
    level = _LEVEL_WORDS.get(job.seniority, "")
    field_word = job.field if job.field != "general" else ""
    scope = " ".join(word for word in (level, field_word) if word)
    audience = f"for {scope} roles" if scope else "in most interviews"
    return f"Common {question.type.label} question {audience}; it tests {question.competency}."


def _bank_candidates(
    job: JobProfile, types: list[QuestionType], rng: random.Random
) -> list[_Candidate]:
    found: list[_Candidate] = []
    seen: set[str] = set()
    fields = (job.field, *_RELATED_FIELDS.get(job.field, ()))
    for position, field_name in enumerate(fields):
        for question in questions_for(field_name, job.seniority, types):
            if question.id in seen:
                continue
            seen.add(question.id)
            specific = 0.0 if question.fields else 1.0
            levelled = -0.4 if question.seniority else 0.0
            rank = 4 + specific + position * 1.5 + levelled + rng.random() * 1.6
            subjects = {f"bank:{question.id}"}
            if question.id == "rol-first-90":
                subjects.add("first-90")
            found.append(
                _Candidate(
                    text=question.text,
                    type=question.type,
                    competency=question.competency,
                    source=QuestionSource.BANK,
                    rationale=_bank_rationale(question, job),
                    kind="bank",
                    subjects=frozenset(subjects),
                    rank=rank,
                )
            )
    return found


# --- hint -----------------------------------------------------------------------------


def _hint_terms(hint: str) -> list[str]:
    terms: list[str] = []
    for word in re.findall(r"[a-z][a-z+#./-]*", hint.lower()):
        if word in _HINT_STOPWORDS or len(word) < 2:
            continue
        terms.extend(_HINT_SYNONYMS.get(word, (word,)))
    phrase = " ".join(hint.lower().split())
    if phrase and len(phrase.split()) > 1:
        terms.append(phrase)
    return list(dict.fromkeys(terms))


def _hint_strength(candidate: _Candidate, terms: list[str], exact: list[str]) -> int:
    """2 when the competency or subject matches the hint, 1 for a word in the text."""
    if not terms:
        return 0
    labels = f"{candidate.competency} {' '.join(candidate.subjects)}".lower()
    if any(re.search(r"(?<![a-z])" + re.escape(term), labels) for term in terms):
        return 2
    text = candidate.text.lower()
    return int(any(re.search(rf"(?<![a-z]){re.escape(term)}(?![a-z])", text) for term in exact))


def _hint_competency(hint: str) -> str:
    key = " ".join(hint.lower().split())
    if key in COMPETENCIES:
        return key
    for synonym in _HINT_SYNONYMS.get(key, ()):
        if synonym in COMPETENCIES:
            return synonym
    return key or "general"


def _hint_candidates(ctx: _Context, hint: str) -> list[_Candidate]:
    """Questions that join the candidate's own focus to their documents."""
    focus = " ".join(hint.split()).strip(" .")
    if not focus or len(focus) > 40 or find_tools(focus):
        return []
    competency = _hint_competency(focus)
    found: list[_Candidate] = []
    employers = list(dict.fromkeys(r.employer for r in ctx.resume.roles if r.employer))
    for order, employer in enumerate(employers[:3]):
        found.append(
            _tailored(
                f"Thinking of your time at {employer}, tell me about a moment that shows your "
                f"{focus}: what was at stake, what did you do, and what changed?",
                QuestionType.BEHAVIOURAL,
                competency,
                f"Joins the focus you asked for ({focus}) to your time at {employer}.",
                "hint",
                [f"hint:{employer}", f"employer:{employer}"],
                order * 0.5,
            )
        )
    for order, duty in enumerate(ctx.job.responsibilities[:3]):
        phrase, verb_led = _base_form_duty(duty)
        quote = _short_quote(phrase)
        opener = f"This role will '{quote}'." if verb_led else f"The posting lists '{quote}'."
        found.append(
            _tailored(
                f"{opener} Where would your {focus} matter most in doing that well, and how "
                "would you show it in your first months?",
                QuestionType.SITUATIONAL,
                competency,
                f"Joins the focus you asked for ({focus}) to a duty from the posting.",
                "hint",
                [f"hint:{duty[:40]}", f"duty:{duty[:40]}"],
                0.3 + order * 0.5,
            )
        )
    return found


# --- selection ------------------------------------------------------------------------


def _type_plan(count: int, types: list[QuestionType], rng: random.Random) -> list[QuestionType]:
    """A balanced sequence of types, the starting type varied by the seed."""
    start = rng.randrange(len(types))
    return [types[(start + index) % len(types)] for index in range(count)]


def _existing_subjects(existing: list[str], candidates: list[_Candidate]) -> set[str]:
    """Subjects already asked about, so 'generate more' moves on to new ones."""
    keys = {_normalise(text) for text in existing}
    used: set[str] = set()
    for candidate in candidates:
        if _normalise(candidate.text) in keys:
            used |= candidate.subjects
    return used


def _pick(
    pool: list[_Candidate],
    wanted_type: QuestionType | None,
    taken_texts: set[str],
    taken_subjects: set[str],
    kinds: Counter[str],
) -> _Candidate | None:
    best: _Candidate | None = None
    best_rank = math.inf
    for candidate in pool:
        if wanted_type is not None and candidate.type is not wanted_type:
            continue
        if _normalise(candidate.text) in taken_texts:
            continue
        if candidate.subjects & taken_subjects:
            continue
        rank = candidate.rank + 1.5 * kinds[candidate.kind] * (candidate.kind != "bank")
        if rank < best_rank:
            best, best_rank = candidate, rank
    return best


def tailor_questions(
    task: GenerateQuestions, resume: ResumeProfile, job: JobProfile
) -> list[QuestionDraft]:
    """``task.count`` new questions for this candidate and role, at least half of them
    naming specifics from the documents when the documents allow it."""
    rng = random.Random(_seed(task))
    types = list(dict.fromkeys(task.types)) or list(QuestionType)
    has_resume = bool(resume.claims or resume.employers or resume.skills or resume.highlights)
    ctx = _Context(
        resume=resume,
        job=job,
        rng=rng,
        has_resume=has_resume,
        resume_tools={skill.lower() for skill in resume.skills},
        title=re.sub(r"\s*\([^)]*\)", "", job.title or "").strip(),
        company=job.company,
    )
    hint_tools = find_tools(task.hint) if task.hint else []
    tailored = [
        *_claim_candidates(ctx),
        *_tool_candidates(ctx, hint_tools),
        *_duty_candidates(ctx),
        *_highlight_candidates(ctx),
        *_level_candidates(ctx),
        *_role_candidates(ctx),
        *_project_candidates(ctx),
        *_skill_candidates(ctx),
        *_company_candidates(ctx),
        *_hint_candidates(ctx, task.hint),
    ]
    tailored = [_jitter(c, rng) for c in tailored if c.type in types]
    bank = _bank_candidates(job, types, rng)
    used_subjects = _existing_subjects(task.existing, tailored + bank)
    terms = _hint_terms(task.hint)
    exact = [
        w for w in re.findall(r"[a-z][a-z+#./-]*", task.hint.lower()) if w not in _HINT_STOPWORDS
    ]
    strength: dict[str, int] = {}

    def adjust(candidate: _Candidate) -> _Candidate:
        rank = candidate.rank
        if candidate.subjects & used_subjects:
            rank += 4
        level = _hint_strength(candidate, terms, exact)
        strength[candidate.text] = level
        return _replace_rank(candidate, rank - 5 * level)

    tailored = [adjust(c) for c in tailored]
    bank = [adjust(c) for c in bank]
    hinted = [c for c in tailored + bank if strength[c.text]]

    taken_texts = {_normalise(text) for text in task.existing}
    taken_subjects: set[str] = set()
    kinds: Counter[str] = Counter()
    target = math.ceil(task.count * _TAILORED_SHARE)
    picked: list[_Candidate] = []
    for slot_type in _type_plan(task.count, types, rng):
        want_tailored = sum(c.source is QuestionSource.TAILORED for c in picked) < target
        first, second = (tailored, bank) if want_tailored else (bank, tailored)
        choice = (
            _pick(hinted, slot_type, taken_texts, taken_subjects, kinds)
            or _pick(first, slot_type, taken_texts, taken_subjects, kinds)
            or _pick(second, slot_type, taken_texts, taken_subjects, kinds)
            or _pick(first + second, None, taken_texts, taken_subjects, kinds)
            or _pick(first + second, None, taken_texts, set(), kinds)
        )
        if choice is None:
            break
        picked.append(choice)
        taken_texts.add(_normalise(choice.text))
        taken_subjects |= choice.subjects
        kinds[choice.kind] += 1
    logger.debug(
        "tailored questions",
        extra={
            "requested": task.count,
            "returned": len(picked),
            "tailored": sum(c.source is QuestionSource.TAILORED for c in picked),
            "field": job.field,
        },
    )
    return [candidate.draft() for candidate in picked]


def _replace_rank(candidate: _Candidate, rank: float) -> _Candidate:
    return _Candidate(
        text=candidate.text,
        type=candidate.type,
        competency=candidate.competency,
        source=candidate.source,
        rationale=candidate.rationale,
        kind=candidate.kind,
        subjects=candidate.subjects,
        rank=rank,
    )


def _jitter(candidate: _Candidate, rng: random.Random) -> _Candidate:
    """A little seeded noise, so ties between equally good questions vary by request."""
    return _replace_rank(candidate, candidate.rank + rng.random() * 0.6)
