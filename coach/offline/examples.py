"""Example answers in STAR form, built from the candidate's own resume.

Why from the resume: a model answer about someone else's achievements teaches the
shape but not the content, and a candidate cannot say it in an interview. Built from
their own bullet (employer, action, figure) it is a draft they can actually use.

Honesty rule: the example never invents a fact. What the resume says is written out
in full (no brackets where the facts exist); what it does not say (a missing figure,
the candidate's view) is a visible ``[placeholder]``. A story is only built from a
resume line about the question's subject, from a job's bullet: an award or a course
line is never spliced in as someone's "result". The shape follows what the question
asks: a STAR story, a pitch (now, before, next), or a view backed by evidence.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from coach.domain import QuestionDraft, QuestionType
from coach.offline.profiles import JobProfile, ResumeClaim, ResumeProfile
from coach.offline.question_kinds import AnswerKind, detect_kind
from coach.offline.related import expand
from coach.text import STOPWORDS, content_stems, stem, words

logger = logging.getLogger(__name__)


def _word_set(text: str) -> frozenset[str]:
    """Whitespace-separated words as a set: long word lists stay readable in source."""
    return frozenset(text.split())


__all__ = ["STAR_LABELS", "example_answer"]

#: The four labelled paragraphs every example has, in this order.
STAR_LABELS = ("Situation", "Task", "Action", "Result")

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")
_DIGIT_RE = re.compile(r"\d")
_STOPWORDS = _word_set("""
    a about after all also an and any are as at be been by can could did do does for
    from had has have how i if in into is it its me my of on or our so than that the
    their them then there they this to up was we were what when where which who why
    will with would you your tell describe give example time walk talk share explain
    situation question answer please think
    """)
_IRREGULAR_GERUNDS = {
    "cut": "cutting",
    "led": "leading",
    "lead": "leading",
    "built": "building",
    "build": "building",
    "grew": "growing",
    "grow": "growing",
    "ran": "running",
    "run": "running",
    "won": "winning",
    "win": "winning",
    "drove": "driving",
    "wrote": "writing",
    "made": "making",
    "brought": "bringing",
    "taught": "teaching",
    "sold": "selling",
    "set": "setting",
    "put": "putting",
    "began": "beginning",
    "spoke": "speaking",
    "took": "taking",
    "rewrote": "rewriting",
    "split": "splitting",
    "shipped": "shipping",
    "ship": "shipping",
}
# Where a resume bullet's "what" ends and its "how much" or "how" begins.
_GOAL_END_RE = re.compile(r"\s+(?:by|from|through|via|using|resulting in)\b|[,;:(]")
_METHOD_RE = re.compile(r"\b(?:by|through|via|using)\s+([a-z][\w'-]*ing(?:\s+[^\s,;.]+){0,7})")
_PAST_IRREGULAR = _word_set(
    "cut led built grew ran won drove wrote made brought taught sold set put began spoke took "
    "rewrote split"
)


def _stems(text: str) -> set[str]:
    return {stem for stem in content_stems(text) if len(stem) > 2}


@lru_cache(maxsize=1024)
def _claim_stems(text: str) -> frozenset[str]:
    """A resume line's stems: every word but function words ("time" counts here)."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2)


def _usable(claim: ResumeClaim) -> bool:
    return len(_WORD_RE.findall(claim.text)) >= 3


def _pick_claim(
    question: QuestionDraft, resume: ResumeProfile, answer: str, *, need_overlap: bool
) -> ResumeClaim | None:
    """The claim that best fits the question (and the candidate's own attempt).

    Word overlap first. With no overlap, a story gets no claim at all (splicing an
    unrelated line in as its result misleads); a pitch or a view takes the strongest
    line from a job (one with an employer and, preferably, a figure).
    """
    claims = [c for c in resume.claims if _usable(c)]
    if not claims:
        return None
    question_stems = expand(_stems(f"{question.text} {question.competency}"))
    answer_stems = _stems(answer)

    def fit(claim: ResumeClaim) -> float:
        claim_stems = _claim_stems(claim.text)
        return 2.0 * len(claim_stems & question_stems) + len(claim_stems & answer_stems)

    best = max(claims, key=lambda c: (fit(c), c.employer is not None, c.metric is not None))
    if fit(best) > 0 and (best.employer is not None or fit(best) >= 4):
        return best
    if need_overlap:
        return None
    from_jobs = [c for c in claims if c.employer]
    return next((c for c in from_jobs if c.metric), from_jobs[0] if from_jobs else None)


def _pick_tool(
    question: QuestionDraft, resume: ResumeProfile, job: JobProfile, context: str
) -> str | None:
    """A tool or skill the role wants that this story can honestly mention.

    Only one that shares a word with the question, the claim or the answer; for
    technical and role questions also one the resume lists. Weaving in a tool that has
    nothing to do with the story, or that the candidate never used, would be invention.
    """
    wanted = [t for t in (*job.tools, *job.skills) if t.strip()]
    story = _stems(f"{question.text} {question.competency} {context}")
    for tool in wanted:
        if _stems(tool) & story:
            return tool
    if question.type in (QuestionType.TECHNICAL, QuestionType.ROLE_SPECIFIC):
        owned = {s.lower() for s in resume.skills}
        return next((t for t in job.tools if t.lower() in owned), None)
    return None


def _tool_clause(tool: str | None, job: JobProfile) -> str:
    if not tool:
        return ""
    if tool in job.tools:
        return f", using {tool}"
    return f", which is where my {tool} came in"


def _gerund(verb: str) -> str | None:
    word = verb.lower()
    if word in _IRREGULAR_GERUNDS:
        return _IRREGULAR_GERUNDS[word]
    if not word.isalpha() or len(word) < 3:
        return None
    if word.endswith("ing"):
        return word
    if word.endswith("ied"):
        return word[:-3] + "ying"
    if word.endswith("ed"):
        return word[:-2] + "ing"
    if word.endswith("e"):
        return word[:-1] + "ing"
    return word + "ing"


def _split_claim(claim: ResumeClaim) -> tuple[str, str, str]:
    """(action verb, goal, method) of a bullet such as "Cut CI build time by 70% by
    parallelising tests" -> ("Cut", "CI build time", "parallelising tests")."""
    text = claim.text.strip().rstrip(".")
    words = text.split()
    action = claim.action or words[0]
    rest = text[len(words[0]) :].strip() if words[0].lower() == action.lower() else text
    metric_at = rest.find(claim.metric) if claim.metric else -1
    rest_goal = rest[:metric_at] if metric_at >= 0 else rest
    end = _GOAL_END_RE.search(rest_goal)
    goal = (rest_goal[: end.start()] if end else rest_goal).strip(" ,;:-")
    method_match = _METHOD_RE.search(rest)
    method = method_match.group(1).strip() if method_match else ""
    return action, goal, method


def _is_past_tense(verb: str) -> bool:
    word = verb.lower()
    return word in _PAST_IRREGULAR or (word.endswith("ed") and len(word) > 3)


def _title_at(resume: ResumeProfile, employer: str | None) -> str | None:
    return next((r.title for r in resume.roles if r.employer == employer and r.title), None)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _from_claim(
    claim: ResumeClaim, resume: ResumeProfile, job: JobProfile, tool: str | None
) -> str:
    employer = claim.employer or (resume.employers[0] if resume.employers else "[employer]")
    title = _title_at(resume, claim.employer)
    action, goal, method = _split_claim(claim)
    gerund = _gerund(action)
    role = f" for the {job.title} role" if job.title else ""
    tool_clause = _tool_clause(tool, job)
    where = f"At {employer}, as {_article(title)} {title}," if title else f"At {employer},"
    if goal:
        situation = f"Situation: {where} {goal} was part of my remit."
    else:
        situation = f"Situation: {where} [where things stood before, and what was at stake]."
    if gerund and goal:
        task = f"Task: I was responsible for {gerund} {goal}, and the outcome was mine to own."
    else:
        task = "Task: I was responsible for [your goal], and the outcome was mine to own."
    if method:
        action_text = f"Action: I did it by {method}{tool_clause}."
    elif goal:
        action_text = f"Action: I {action.lower()} {goal} myself{tool_clause}."
    else:
        action_text = f"Action: I [first step], then [second step]{tool_clause}."
    text = claim.text.strip().rstrip(".")
    first, _, rest = text.partition(" ")
    if _is_past_tense(first):
        outcome = f"In the end I {first.lower()} {rest}."
    else:
        outcome = f"The outcome: {text}."
    if claim.metric and claim.metric not in text:
        outcome = f"{outcome[:-1]}: {claim.metric}."
    follow_up = (
        ""
        if claim.metric or _DIGIT_RE.search(text)
        else " [By how much: time, money or errors saved, and for whom.]"
    )
    paragraphs = [
        situation,
        task,
        action_text,
        f"Result: {outcome}{follow_up}",
    ]
    header = f"Example built from your resume at {employer}{role}"
    body = "\n\n".join(paragraphs)
    header += "; replace the [brackets] with your own details." if "[" in body else "."
    return f"{header}\n\n{body}"


def _roles(resume: ResumeProfile) -> list[tuple[str, str | None]]:
    """(employer, title) of each job, most recent first, from the roles or employers."""
    roles = [(r.employer, r.title) for r in resume.roles if r.employer]
    return roles or [(e, None) for e in resume.employers]


def _pitch(resume: ResumeProfile, job: JobProfile, claim: ResumeClaim | None) -> str:
    """Now, before, next: a pitch from the resume's own lines."""
    roles = _roles(resume)
    now_employer, now_title = roles[0] if roles else (None, None)
    if now_employer and now_title:
        now = f"Now: I'm {_article(now_title)} {now_title} at {now_employer}"
    elif now_employer:
        now = f"Now: I work at {now_employer}"
    else:
        now = "Now: I'm [your current role or study]"
    if claim is not None:
        now += f", where I {_lower_first(claim.text.rstrip('.'))}."
    else:
        now += "."
    paragraphs = [now]
    earlier = [r for r in roles[1:] if r[0] != now_employer]
    if earlier:
        employer, title = earlier[0]
        paragraphs.append(
            f"Before: at {employer}" + (f" as {_article(title)} {title}" if title else "") + "."
        )
    target = " at ".join(p for p in (job.title, job.company) if p)
    focus = job.responsibilities[0].rstrip(".") if job.responsibilities else ""
    if target and focus:
        paragraphs.append(
            f"Next: {target}, because it asks me to {_lower_first(focus)}, the work I want "
            "to do more of."
        )
    elif target:
        paragraphs.append(f"Next: {target}, because [what in the role draws you].")
    else:
        paragraphs.append("Next: [the role you want, and why it is your next step].")
    body = "\n\n".join(paragraphs)
    header = "A pitch built from your resume"
    header += "; replace the [brackets] with your own details." if "[" in body else "."
    return f"{header}\n\n{body}"


def _view(kind: AnswerKind, claim: ResumeClaim | None, job: JobProfile, tool: str | None) -> str:
    """A view, a plan or an explanation: the resume cannot say it, but it can back it."""
    opening = {
        AnswerKind.OPINION: "Your view: [your answer in one sentence], because [your reason].",
        AnswerKind.PLAN: "First step: [what you would do first], then [who you would involve].",
        AnswerKind.KNOWLEDGE: "Answer: [the direct answer], because [the reasoning].",
    }.get(kind, "Answer: [your answer in one sentence].")
    if claim is not None:
        where = f"At {claim.employer}" if claim.employer else "In my experience"
        evidence = (
            f"Evidence: {where}, I {_lower_first(claim.text.rstrip('.'))}{_tool_clause(tool, job)}."
        )
    else:
        evidence = "Evidence: [one time you acted on this, and what happened]."
    return "\n\n".join(
        [
            "An outline: the view is yours to give; the evidence comes from your resume.",
            opening,
            evidence,
        ]
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _template(
    question: QuestionDraft, resume: ResumeProfile, job: JobProfile, tool: str | None
) -> str:
    topic = question.competency if question.competency != "general" else "the question's topic"
    tool_clause = _tool_clause(tool, job)
    roles = _roles(resume)
    place = roles[0][0] if roles else "[employer or project]"
    paragraphs = [
        "Template: your resume has no achievement about this, so this is a frame to fill "
        "in with a real example of your own.",
        f"Situation: At {place}, [the context: the team, the product, what was at stake].",
        f"Task: I was responsible for [your goal, tied to {topic}].",
        f"Action: I [first step], then [second step]{tool_clause}, and [one decision you "
        "made yourself and why].",
        "Result: [What changed, by how much], [for whom], and [what you learned].",
    ]
    return "\n\n".join(paragraphs)


def example_answer(
    question: QuestionDraft,
    resume: ResumeProfile,
    job: JobProfile,
    *,
    answer: str = "",
) -> str:
    """A suggested answer to ``question`` in four labelled STAR paragraphs.

    Built from the resume claim most relevant to the question (and to the candidate's
    own ``answer``, so the example tells the story they were reaching for); every
    figure in it comes from the resume, and unknowns are ``[placeholders]``.
    """
    kind = detect_kind(question.text, question.type)
    claim = _pick_claim(question, resume, answer, need_overlap=kind.wants_story)
    context = f"{claim.text if claim else ''} {answer}"
    tool = _pick_tool(question, resume, job, context)
    if kind is AnswerKind.PITCH:
        return _pitch(resume, job, claim)
    if not kind.wants_story:
        return _view(kind, claim, job, tool)
    if claim is None:
        logger.debug("example answer from template", extra={"coach.claims": len(resume.claims)})
        return _template(question, resume, job, tool)
    return _from_claim(claim, resume, job, tool)
