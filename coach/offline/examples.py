"""Example answers in STAR form, built from the candidate's own resume.

Why from the resume: a model answer about someone else's achievements teaches the
shape but not the content, and a candidate cannot say it in an interview. Built from
their own bullet (employer, action, figure) it is a draft they can actually use.

Honesty rule: the example never invents a fact. Whatever the resume does not say
(the stakes, the steps, a missing figure) is left as a visible ``[placeholder]``, and
when the resume has no usable claim at all the example says it is a template.
"""

from __future__ import annotations

import logging
import re

from coach.domain import QuestionDraft, QuestionType
from coach.offline.profiles import JobProfile, ResumeClaim, ResumeProfile

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


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    for suffix in ("ations", "ation", "ments", "ment", "ing", "ies", "ied", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w[:6]


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD_RE.findall(text) if w.lower() not in _STOPWORDS and len(w) > 2}


def _usable(claim: ResumeClaim) -> bool:
    return len(_WORD_RE.findall(claim.text)) >= 3


def _pick_claim(question: QuestionDraft, resume: ResumeProfile, answer: str) -> ResumeClaim | None:
    """The claim that best fits the question (and the candidate's own attempt).

    Word overlap first; with no overlap at all, a claim with a figure, because a
    measurable result is what a STAR answer most often lacks.
    """
    claims = [c for c in resume.claims if _usable(c)]
    if not claims:
        return None
    question_stems = _stems(f"{question.text} {question.competency}")
    answer_stems = _stems(answer)

    def fit(claim: ResumeClaim) -> float:
        claim_stems = _stems(claim.text)
        return 2.0 * len(claim_stems & question_stems) + len(claim_stems & answer_stems)

    best = max(claims, key=lambda c: (fit(c), c.metric is not None))
    if fit(best) > 0:
        return best
    return next((c for c in claims if c.metric), claims[0])


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


def _from_claim(
    claim: ResumeClaim, resume: ResumeProfile, job: JobProfile, tool: str | None
) -> str:
    employer = claim.employer or (resume.employers[0] if resume.employers else "[employer]")
    action, goal, method = _split_claim(claim)
    gerund = _gerund(action)
    role = f" for the {job.title} role" if job.title else ""
    tool_clause = _tool_clause(tool, job)
    if gerund and goal:
        task = f"Task: I was responsible for {gerund} {goal}, and the outcome was mine to own."
    else:
        task = "Task: I was responsible for [your goal], and the outcome was mine to own."
    if method:
        action_text = (
            f"Action: My approach was {method}{tool_clause}. I [first step], then "
            "[second step], and [one decision you made yourself and why]."
        )
    else:
        action_text = (
            f"Action: I [first step], then [second step]{tool_clause}, and [one decision you "
            "made yourself and why]."
        )
    text = claim.text.strip().rstrip(".")
    first, _, rest = text.partition(" ")
    if _is_past_tense(first):
        outcome = f"In the end I {first.lower()} {rest}."
    else:
        outcome = f"The outcome: {text}."
    if claim.metric:
        if claim.metric not in text:
            outcome = f"{outcome[:-1]}: {claim.metric}."
        follow_up = f"[Who benefited, and how you measured the {claim.metric}.]"
    elif _DIGIT_RE.search(text):
        follow_up = "[Who benefited, and how you measured it.]"
    else:
        follow_up = "[By how much: time, money or errors saved, and for whom.]"
    paragraphs = [
        f"Example built from your resume at {employer}{role}; replace the [brackets] with "
        "your own details.",
        f"Situation: At {employer}, [where things stood before: the team, the product, and "
        "what was at stake].",
        task,
        action_text,
        f"Result: {outcome} {follow_up}",
    ]
    return "\n\n".join(paragraphs)


def _template(question: QuestionDraft, job: JobProfile, tool: str | None) -> str:
    topic = question.competency if question.competency != "general" else "the question's topic"
    tool_clause = _tool_clause(tool, job)
    paragraphs = [
        "Template: your resume has no concrete achievement to build on, so this is a "
        "frame to fill in with a real example of your own.",
        "Situation: At [employer or project], [the context: the team, the product, what was "
        "at stake].",
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
    claim = _pick_claim(question, resume, answer)
    context = f"{claim.text if claim else ''} {answer}"
    tool = _pick_tool(question, resume, job, context)
    if claim is None:
        logger.debug("example answer from template", extra={"coach.claims": 0})
        return _template(question, job, tool)
    return _from_claim(claim, resume, job, tool)
