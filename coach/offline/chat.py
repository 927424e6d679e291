"""The offline coach's general chat: a rule-based interview coach, and its summaries.

Why rules: with no model and no network the coach still has to be useful, so it does
what a good mentor does with a familiar question: recognise the topic and give the
advice that works, concretely (numbers, a mini-template, one next step). The advice is
drawn from the same question bank and rubric that score answers on the Practice page,
so what the chat recommends is what the scorer rewards.

Each topic is a ``_Topic``: a precompiled pattern that recognises it, a builder that
writes the reply (personalised from the resume and job profiles when they exist), and
the takeaways and action items a summary keeps from it. Replies vary by how often the
topic came up before, so asking twice gets a second angle rather than the same text;
the same history always gives the same reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import (
    ChatRole,
    ChatSummaryDraft,
    ChatTurn,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.offline.datafiles import data_file, read_yaml
from coach.offline.profiles import JobProfile, ResumeClaim, ResumeProfile, find_tools
from coach.offline.question_bank import (
    COMPETENCIES,
    bank_question,
    find_bank_question,
    questions_for,
)
from coach.offline.scoring import DIMENSION_WEIGHTS, score_answer
from coach.offline.tailoring import tailor_questions
from coach.tasks import ChatReply, EvaluateAnswer, GenerateQuestions, SummarizeChat

logger = logging.getLogger(__name__)

__all__ = ["ChatTexts", "chat_reply", "detect_topic", "summarize_chat"]

_HEADER = "*Offline coach* — {title}"
_ANSWER_MIN_WORDS = 25
_PASTED_MIN_WORDS = 5
# Room for the score lines so the whole reply, with the note and next step, stays short.
_FEEDBACK_MAX_WORDS = 110
_MAX_TAKEAWAYS = 5
_MAX_ACTIONS = 5
_MIN_TAKEAWAYS = 3
_MIN_ACTIONS = 2

_WORD_RE = re.compile(r"\S+")
_PRACTICE_MARK_RE = re.compile(
    r"\*\*Practice question · (?P<type>[\w-]+) · (?P<competency>[^*\n]+)\*\*\s*\n+"
    r"> (?P<text>[^\n]+)"
)
_PASTED_QA_RE = re.compile(
    r"^\s*(?:q|question)\s*[:\-]\s*(?P<question>.+?)\s*\n+\s*(?:a|answer|my answer)\s*[:\-]\s*"
    r"(?P<answer>.+)",
    re.IGNORECASE | re.DOTALL,
)
_SCORE_LINE_RE = re.compile(r"\*\*Score: (?P<score>[\d.]+)/10\*\*")
_WEAKEST_LINE_RE = re.compile(r"\*\*Weakest:\*\* (?P<label>[^(\n]+) \((?P<score>\d+)/10\)")
_TITLE_COMPANY_RE = re.compile(r"\s+[—–|-]\s+.*$")
_HEAD_SENTENCE_RE = re.compile(r"[^\n.!?:]*[.!?:]+\s*|[^\n]*\n")
_TAIL_SENTENCE_RE = re.compile(r"(?<=[.!?\n])[^.!?\n]+[.!?]*\s*$")

_TYPE_WORDS: tuple[tuple[re.Pattern[str], QuestionType], ...] = (
    (re.compile(r"\bbehaviou?ral\b", re.I), QuestionType.BEHAVIOURAL),
    (re.compile(r"\btechnical\b|\bcoding\b|system[- ]design", re.I), QuestionType.TECHNICAL),
    (re.compile(r"\bsituational\b|\bhypothetical\b|\bscenario", re.I), QuestionType.SITUATIONAL),
    (re.compile(r"\brole[- ]specific\b|\bmotivation", re.I), QuestionType.ROLE_SPECIFIC),
)
_COMPETENCY_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (competency, re.compile(rf"\b{re.escape(competency)}\b", re.IGNORECASE))
    for competency in COMPETENCIES
)

# --- context and replies --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What a topic builder may read: the message, the conversation and the documents."""

    message: str
    index: int
    history: tuple[ChatTurn, ...]
    resume: ResumeProfile
    job: JobProfile
    task: ChatReply
    variant: int

    @property
    def lowered(self) -> str:
        return self.message.lower()


@dataclass(frozen=True, slots=True)
class _Reply:
    title: str
    body: str
    next_steps: tuple[str, ...]

    def render(self, variant: int) -> str:
        step = self.next_steps[variant % len(self.next_steps)]
        header = _HEADER.format(title=self.title)
        return f"{header}\n\n{self.body.strip()}\n\n**Next step:** {step}"


# --- the reply texts (data/chat_replies.yaml) -----------------------------------------


class _Texts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReplyText(_Texts):
    """One reply: a title, a Markdown body and rotating next steps, as format strings."""

    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    next_steps: tuple[str, ...] = Field(min_length=1)

    def fill(self, values: dict[str, object]) -> _Reply:
        return _Reply(
            self.title.format(**values),
            self.body.format(**values),
            tuple(step.format(**values) for step in self.next_steps),
        )


class TopicTexts(_Texts):
    """A topic's replies by name, the phrases its builder fills them with, and what a
    chat summary keeps when the topic came up."""

    replies: dict[str, ReplyText] = Field(min_length=1)
    fragments: dict[str, str] = Field(default_factory=dict)
    takeaways: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()

    def reply(self, name: str, **values: object) -> _Reply:
        return self.replies[name].fill(values)

    def fragment(self, name: str, **values: object) -> str:
        return self.fragments[name].format(**values)


class SummaryTexts(_Texts):
    takeaways: tuple[str, ...] = Field(min_length=1)
    actions: tuple[str, ...] = Field(min_length=1)


class ChatTexts(_Texts):
    """Everything the chat coach says, read from data/chat_replies.yaml."""

    can_help: str
    fallback_examples: tuple[str, ...] = Field(min_length=1)
    general_takeaways: tuple[str, ...]
    general_actions: tuple[str, ...]
    nothing_yet: SummaryTexts
    type_hints: dict[QuestionType, str]
    practice_length: dict[QuestionType, str]
    topics: dict[str, TopicTexts]

    def topic(self, key: str) -> TopicTexts:
        return self.topics[key]


@cache
def _texts() -> ChatTexts:
    """The reply texts, read and schema-checked once per process."""
    return ChatTexts.model_validate(read_yaml(data_file("chat_replies.yaml")))


@dataclass(frozen=True, slots=True)
class _Topic:
    """One thing a candidate asks about: how to spot it and how to answer (its texts,
    and what a summary keeps of it, are in the data file under the same key)."""

    key: str
    pattern: re.Pattern[str]
    build: Callable[[_Context], _Reply]


# --- small helpers --------------------------------------------------------------------


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _pick(options: Sequence[str], variant: int) -> str:
    return options[variant % len(options)]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _proof(resume: ResumeProfile) -> ResumeClaim | None:
    """The resume's strongest proof point: a measured claim, else an achievement."""
    return next(iter(resume.claims), None) or next(iter(resume.highlights), None)


def _role(job: JobProfile) -> str:
    title = job.title or ""
    if job.company and job.company in title:
        title = _TITLE_COMPANY_RE.sub("", title)
    title = title.strip()
    if title and job.company:
        return f"the {title} role at {job.company}"
    return f"the {title} role" if title else "this role"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hint(bank_id: str) -> str:
    question = bank_question(bank_id)
    return question.rubric_hint.rstrip(".") if question else ""


def _percent(question_type: QuestionType, dimension: RubricDimension) -> int:
    return round(DIMENSION_WEIGHTS[question_type][dimension] * 100)


# --- topic builders -------------------------------------------------------------------


def _tell_me_about_yourself(ctx: _Context) -> _Reply:
    texts = _texts().topic("tell_me_about_yourself")
    claim = _proof(ctx.resume)
    proof = _lower_first(claim.text) if claim else texts.fragment("no_proof")
    if ctx.variant % 2 == 0:
        return texts.reply(
            "pitch",
            title=ctx.resume.titles[0] if ctx.resume.titles else texts.fragment("no_title"),
            employer=ctx.resume.employers[0]
            if ctx.resume.employers
            else texts.fragment("no_employer"),
            proof=proof,
            role=_capitalised(_role(ctx.job)),
        )
    duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
    duty_text = texts.fragment("duty_text", duty=_lower_first(duty)) if duty else ""
    return texts.reply("checks", proof=proof, duty_text=duty_text)


def _star(ctx: _Context) -> _Reply:
    texts = _texts().topic("star")
    b = QuestionType.BEHAVIOURAL
    claim = _proof(ctx.resume)
    bullet = f'"{claim.text}"' if claim else texts.fragment("no_bullet")
    ranked = sorted(DIMENSION_WEIGHTS[b], key=lambda d: -DIMENSION_WEIGHTS[b][d])
    weights = _join([f"{d.label.lower()} {_percent(b, d)}%" for d in ranked if _percent(b, d)])
    return texts.reply(
        "method" if ctx.variant % 2 == 0 else "mistakes", weights=weights, bullet=bullet
    )


def _behavioural(ctx: _Context) -> _Reply:
    pool = questions_for(ctx.job.field, ctx.job.seniority, [QuestionType.BEHAVIOURAL])
    competencies = list(dict.fromkeys(q.competency for q in pool))[:6]
    example = pool[(ctx.variant * 7) % len(pool)]
    return (
        _texts()
        .topic("behavioural")
        .reply(
            "stories",
            competencies=_join(competencies),
            question=example.text,
            hint=example.rubric_hint,
            competency=example.competency,
        )
    )


def _weakness_or_strength(ctx: _Context) -> _Reply:
    texts = _texts().topic("weakness")
    strengths_only = "strength" in ctx.lowered and "weakness" not in ctx.lowered
    if strengths_only:
        wanted = (ctx.job.skills + ctx.job.tools)[:3]
        proofs = [*ctx.resume.claims, *ctx.resume.highlights]
        claim = proofs[ctx.variant % len(proofs)] if proofs else None
        return texts.reply(
            "strengths",
            posting=texts.fragment("posting", skills=_join(wanted)) if wanted else "",
            employer=claim.employer if claim and claim.employer else texts.fragment("no_employer"),
            proof=_lower_first(claim.text) if claim else texts.fragment("no_proof"),
            hint=_hint("rol-unique"),
        )
    if ctx.variant % 2 == 0:
        return texts.reply("weakness", hint=_hint("rol-weakness"))
    core = ctx.job.tools[0] if ctx.job.tools else texts.fragment("no_core")
    return texts.reply("judged", core=core)


def _salary(ctx: _Context) -> _Reply:
    texts = _texts().topic("salary")
    if ctx.variant % 2 == 0:
        return texts.reply("research")
    claim = next((c for c in ctx.resume.claims if c.metric), None)
    record = (
        texts.fragment("record_with_claim", claim=_lower_first(claim.text))
        if claim
        else texts.fragment("record")
    )
    return texts.reply("counter", role=_role(ctx.job), record=record)


def _nerves(ctx: _Context) -> _Reply:
    return _texts().topic("nerves").reply("habits" if ctx.variant % 2 == 0 else "checklist")


def _questions_to_ask(ctx: _Context) -> _Reply:
    texts = _texts().topic("questions_to_ask")
    duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
    tailored = (
        texts.fragment("tailored_duty", duty=_lower_first(duty))
        if duty
        else texts.fragment("tailored_generic")
    )
    return texts.reply(
        "showing_interest" if ctx.variant % 2 == 0 else "seniority",
        tailored=tailored,
        company=ctx.job.company or "the company",
    )


def _thank_you_note(ctx: _Context) -> _Reply:
    texts = _texts().topic("thank_you_note")
    return texts.reply("thank_you" if ctx.variant % 2 == 0 else "check_in", role=_role(ctx.job))


def _technical(ctx: _Context) -> _Reply:
    texts = _texts().topic("technical")
    tools = ctx.job.tools[:4]
    stack = texts.fragment("stack", tools=_join(tools)) if tools else ""
    if ctx.variant % 2 == 0:
        return texts.reply("reasoning", stack=stack)
    pool = questions_for(ctx.job.field, ctx.job.seniority, [QuestionType.TECHNICAL])
    example = pool[(ctx.variant * 5) % len(pool)]
    return texts.reply("prompt", stack=stack, question=example.text, hint=example.rubric_hint)


def _resume_tips(ctx: _Context) -> _Reply:
    texts = _texts().topic("resume")
    resume, job = ctx.resume, ctx.job
    measured = len(resume.claims)
    total = measured + len(resume.highlights)
    missing = [t for t in job.tools if t.lower() not in {s.lower() for s in resume.skills}][:3]
    notes = []
    if total:
        notes.append(texts.fragment("measured", measured=measured, total=total))
    if missing:
        notes.append(texts.fragment("missing", tools=_join(missing)))
    personal = ("\n\n" + " ".join(notes)) if notes else ""
    claim = _proof(resume)
    example = claim.text if claim else texts.fragment("no_example")
    return texts.reply(
        "bullets" if ctx.variant % 2 == 0 else "checks", example=example, personal=personal
    )


_CHANGE_RE = re.compile(r"chang|switch|pivot|transition|new field|new industry", re.I)


def _career_change_or_gap(ctx: _Context) -> _Reply:
    texts = _texts().topic("career")
    if _CHANGE_RE.search(ctx.message):
        field = ctx.job.field if ctx.job.field != "general" else texts.fragment("no_field")
        return texts.reply("change", field=field)
    return texts.reply("gap")


def _remote(ctx: _Context) -> _Reply:
    return _texts().topic("remote").reply("setup" if ctx.variant % 2 == 0 else "recorded")


_FUTURE_RE = re.compile(r"five years|5 years|ten years|long[- ]term|see yourself", re.I)


def _motivation(ctx: _Context) -> _Reply:
    texts = _texts().topic("motivation")
    company = ctx.job.company or texts.fragment("no_company")
    if _FUTURE_RE.search(ctx.message):
        return texts.reply("five_years", company=company, hint=_hint("rol-growth"))
    duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
    claim = _proof(ctx.resume)
    return texts.reply(
        "why_company",
        company=company,
        duty_text=texts.fragment("duty_text", duty=_lower_first(duty)) if duty else "",
        proof=texts.fragment("proof", claim=claim.text) if claim else "",
        hint=_hint("rol-why-role"),
    )


def _requested_types(message: str) -> list[QuestionType]:
    return [kind for pattern, kind in _TYPE_WORDS if pattern.search(message)]


def _practice_hint(message: str) -> str:
    found = [competency for competency, pattern in _COMPETENCY_RES if pattern.search(message)]
    return ", ".join(found + find_tools(message)[:2])


def _asked_questions(history: Sequence[ChatTurn]) -> list[str]:
    return [
        match.group("text").strip()
        for turn in history
        if turn.role is ChatRole.COACH
        for match in _PRACTICE_MARK_RE.finditer(turn.content)
    ]


def _rubric_hint(question: QuestionDraft) -> str:
    """The bank's hint for a bank question, as the Practice page's scorer uses it; none
    for a tailored one, whose competency hint may describe a different question."""
    bank = find_bank_question(question.text)
    return bank.rubric_hint if bank else ""


def _practice_question(ctx: _Context) -> QuestionDraft:
    asked = _asked_questions(ctx.history[: ctx.index])
    task = GenerateQuestions(
        resume=ctx.task.resume,
        job_description=ctx.task.job_description,
        count=1,
        hint=_practice_hint(ctx.message),
        types=_requested_types(ctx.message),
        existing=asked,
    )
    drafts = tailor_questions(task, ctx.resume, ctx.job)
    if drafts:
        return drafts[0]
    pool = questions_for(ctx.job.field, ctx.job.seniority, task.types)
    fresh = [q for q in pool if q.text not in asked] or pool
    bank = fresh[ctx.variant % len(fresh)]
    return QuestionDraft(text=bank.text, type=bank.type, competency=bank.competency)


def _practice(ctx: _Context) -> _Reply:
    texts = _texts()
    topic = texts.topic("practice")
    question = _practice_question(ctx)
    hint = _rubric_hint(question) or texts.type_hints[question.type]
    return topic.reply(
        "question",
        type=question.type.label,
        competency=question.competency,
        question=question.text,
        why=topic.fragment("why", rationale=question.rationale) if question.rationale else "",
        strong=topic.fragment("strong", hint=hint) if hint else "",
        length=texts.practice_length[question.type],
    )


# --- feedback on a pasted answer ------------------------------------------------------

_GENERAL_QUESTION = QuestionDraft(
    text="Tell me about a time you made a real difference at work.",
    type=QuestionType.BEHAVIOURAL,
    competency="impact",
)


def _strip_feedback_request(message: str) -> str:
    """The message without its short 'how did I do?' opening or closing sentence, i.e.
    the answer itself, otherwise untouched so its figures survive."""
    text = message.strip()
    head = _HEAD_SENTENCE_RE.match(text)
    if head and _FEEDBACK_RE.search(head.group()) and _words(head.group()) <= 15:
        text = text[head.end() :].strip()
    tail = _TAIL_SENTENCE_RE.search(text)
    if tail and _FEEDBACK_RE.search(tail.group()) and _words(tail.group()) <= 15:
        text = text[: tail.start()].strip()
    return text


def _question_before(history: Sequence[ChatTurn], index: int) -> QuestionDraft | None:
    """The last practice question the coach asked before turn ``index``."""
    for turn in reversed(history[:index]):
        if turn.role is ChatRole.COACH and (match := _PRACTICE_MARK_RE.search(turn.content)):
            label = match.group("type").replace("-", "_")
            kind = next((t for t in QuestionType if t.value == label), QuestionType.BEHAVIOURAL)
            return QuestionDraft(
                text=match.group("text").strip(),
                type=kind,
                competency=match.group("competency").strip(),
            )
    return None


def _answer_to_score(ctx: _Context) -> tuple[QuestionDraft | None, str, int]:
    """(question, answer, index of the turn holding it); an empty answer when none."""
    if pasted := _PASTED_QA_RE.search(ctx.message):
        question = QuestionDraft(text=pasted.group("question"), type=QuestionType.BEHAVIOURAL)
        bank = find_bank_question(question.text)
        if bank:
            question = QuestionDraft(text=bank.text, type=bank.type, competency=bank.competency)
        return question, pasted.group("answer").strip(), ctx.index
    answer = _strip_feedback_request(ctx.message)
    if _words(answer) >= _PASTED_MIN_WORDS:
        return _question_before(ctx.history, ctx.index), answer, ctx.index
    for index in range(ctx.index - 1, -1, -1):
        turn = ctx.history[index]
        if turn.role is ChatRole.USER and _words(turn.content) >= _ANSWER_MIN_WORDS:
            return _question_before(ctx.history, index), turn.content.strip(), index
    return None, "", ctx.index


def _dimension_extremes(
    evaluation: EvaluationDraft,
) -> tuple[tuple[RubricDimension, int], tuple[RubricDimension, int]]:
    scores = [(d.dimension, d.score) for d in evaluation.dimensions]
    best = max(scores, key=lambda item: item[1])
    worst = min(scores, key=lambda item: item[1])
    return best, worst


def _feedback(ctx: _Context) -> _Reply:
    question, answer, where = _answer_to_score(ctx)
    texts = _texts().topic("feedback")
    if not answer:
        return texts.reply("ask_for_answer")
    scored_question = question or _GENERAL_QUESTION
    evaluation = score_answer(
        EvaluateAnswer(
            question=scored_question,
            answer=answer,
            coaching_level=ctx.task.coaching_level,
        ),
        ctx.resume,
        ctx.job,
        rubric_hint=_rubric_hint(scored_question),
    )
    (best, best_score), (worst, worst_score) = _dimension_extremes(evaluation)
    lines = [
        f"**Score: {evaluation.overall:g}/10**: {evaluation.headline}",
        "",
        f"- **Strongest:** {best.label} ({best_score}/10)",
        f"- **Weakest:** {worst.label} ({worst_score}/10)",
    ]
    if evaluation.improvements:
        lines.append(f"- **Top improvement:** {evaluation.improvements[0]}")
    keep = f"- **Keep:** {evaluation.strengths[0]}" if evaluation.strengths else ""
    if keep and _words("\n".join(lines)) + _words(keep) <= _FEEDBACK_MAX_WORDS:
        lines.append(keep)
    lines.append("")
    if question is None:
        lines.append(texts.fragment("general_question"))
    else:
        lines.append(texts.fragment("scored_as", question=question.text))
    repeated = any(
        turn.role is ChatRole.USER and turn.content.strip() == answer
        for turn in ctx.history[:where]
    )
    if repeated:
        lines.append(texts.fragment("repeated"))
    return texts.reply("scored", lines="\n".join(lines))


# --- small talk and the fallback ------------------------------------------------------


def _welcome(ctx: _Context) -> _Reply:
    texts = _texts()
    return texts.topic("welcome").reply(
        "hello" if ctx.variant % 2 == 0 else "again", can_help=texts.can_help
    )


def _thanks(ctx: _Context) -> _Reply:
    return _texts().topic("thanks").reply("habits" if ctx.variant % 2 == 0 else "stories")


def _fallback(ctx: _Context) -> _Reply:
    texts = _texts()
    snippet = " ".join(ctx.message.split()[:8])
    if len(ctx.message.split()) > 8:
        snippet += " …"
    return texts.topic("fallback").reply(
        "unknown",
        snippet=snippet,
        can_help=texts.can_help,
        example=_pick(texts.fallback_examples, ctx.variant),
    )


# --- topics ---------------------------------------------------------------------------


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_FEEDBACK_RE = _re(
    r"\bhow did i do\b|\bhow (?:was|is) (?:that|this|my answer|it)\b|\b(?:rate|score|grade|"
    r"evaluate|review|assess|critique|mark) (?:my|this)\b|\bfeedback on (?:my|this)\b|"
    r"\bhere(?:'s| is) my answer\b|\bmy answer (?:is|was|would be)\b|\bis this (?:a )?good"
    r"(?: answer)?\b|\bwhat do you think of (?:my|this)\b|^\s*(?:q|question)\s*:"
)
_PRACTICE_RE = _re(
    r"\bask me (?:a|an|another|one|some|something|questions?)\b|\bquiz me\b|\btest me\b|"
    r"\binterview me\b|\bgrill me\b|\bmock interview\b|"
    r"\bpracti[cs]e (?:question|interview|with me|an? |one)|\bgive me (?:a|an|another|one "
    r"more) (?:\w+ )?(?:\w+ )?question|\banother (?:\w+ )?question\b|\bnext question\b|"
    r"\blet'?s practi[cs]e\b|\bcan (?:we|i) practi[cs]e\b|\bpractice round\b"
)
_QUESTIONS_TO_ASK_RE = _re(
    r"\bquestions? (?:should|can|could|do|to|might|would|shall) (?:i )?ask\b|"
    r"\b(?:what|which) (?:should|can|could) i ask\b|"
    r"\bask (?:the|my|an?) (?:interviewer|hiring manager|recruiter|panel|employer)s?\b|"
    r"\bquestions? for (?:the|my|them|an?) (?:interviewer|hiring manager|panel|employer)s?\b|"
    r"\bany questions for (?:us|me)\b|\breverse (?:interview|questions?)\b"
)
_THANK_YOU_NOTE_RE = _re(
    r"\bthank[- ]you (?:note|email|e-mail|letter|message|card)s?\b|\bfollow[- ]up "
    r"(?:email|e-mail|note|message|after|with)\b|\bafter (?:the|my|an) interview\b|"
    r"\bhaven'?t heard back\b|\bno (?:response|reply|news)\b|\bsend (?:a )?(?:thank|follow)"
)
_TELL_ME_RE = _re(
    r"\btell (?:me|you|them|us) about (?:yourself|myself)\b|\babout yourself\b|"
    r"\bintroduc(?:e|ing) myself\b|\bself[- ]introduction\b|\belevator pitch\b|"
    r"\bwalk (?:me|you|them) through (?:your|my) (?:resume|cv|background)\b|\bpersonal pitch\b"
)
_STAR_RE = _re(r"\bstar\b|\bsituation,? task\b|\bs\.t\.a\.r\b")
_BEHAVIOURAL_RE = _re(
    r"\bbehaviou?ral\b|\btell me about a time\b|\bdescribe a time\b|\ba time (?:when )?you\b|"
    r"\bcompetency[- ]based\b|\bsituational (?:question|interview)s?\b"
)
_WEAKNESS_RE = _re(
    r"\bweakness\w*|\bstrengths?\b|\bgreatest (?:flaw|failure)\b|\bareas? (?:for|of) "
    r"(?:improvement|development)\b"
)
_SALARY_RE = _re(
    r"\bsalar\w*|\bpay\b|\bcompensation\b|\bnegotiat\w*|\boffer\b|\bexpected (?:salary|pay|"
    r"rate)\b|\bhow much (?:should|to|do) i ask\b|\bequity\b|\braise\b|\bcounter[- ]?offer\b|"
    r"\bwages?\b|\bbonus\b"
)
_NERVES_RE = _re(
    r"\bnerv\w*|\banxi\w*|\bstress\w*|\bpanic\w*|\bscared\b|\bafraid\b|\bfear\w*|\bfreez\w*|"
    r"\bgo(?:es)? blank\b|\bmind blank|\bconfiden\w*|\bcalm\w*|\bshak\w*|\bsweat\w*|\bimpost[eo]r"
)
_TECHNICAL_RE = _re(
    r"\btechnical (?:interview|round|question|screen|test|assessment)s?\b|\bsystem[- ]design\b|"
    r"\bcoding (?:interview|challenge|test|round|question|exercise)s?\b|\bleetcode\b|"
    r"\balgorithm\w*|\bdata structures?\b|\bwhiteboard\w*|\btake[- ]home\b|\blive coding\b|"
    r"\bpair programming\b|\bbig[- ]o\b"
)
_RESUME_RE = _re(
    r"\bresume\b|\brésumé\b|\bcv\b|\bcurriculum vitae\b|\bbullet points?\b|"
    r"\bcover letter\b|\blinkedin\b"
)
_CAREER_RE = _re(
    r"\bcareer (?:change|switch|pivot|changer|gap|break)\w*|\bchang(?:e|ing) (?:careers?|"
    r"industr\w*|fields?)\b|\bswitch(?:ing)? (?:careers?|industr\w*|fields?)\b|\bgaps?\b|"
    r"\blaid off\b|\blayoffs?\b|\bfired\b|\blet go\b|\bunemploy\w*|\bsabbatical\b|"
    r"\btime off\b|\bwhy did (?:you|i) leave\b|\bjob[- ]hopp\w*|"
    r"\boverqualified\b|\bnew (?:field|industry)\b"
)
_REMOTE_RE = _re(
    r"\bvideo (?:interview|call)s?\b|\bzoom\b|\bteams (?:call|meeting|interview)\b|"
    r"\bgoogle meet\b|\bwebcam\b|\bcamera\b|\bremote(?:ly)?\b|\bvirtual (?:interview|onsite)\b|"
    r"\bonline interview\b|\bphone (?:screen|interview|call)\b|\bskype\b|\bhirevue\b|"
    r"\bone[- ]way (?:video|interview)\b|\brecorded (?:interview|video|answer)s?\b"
)
_MOTIVATION_RE = _re(
    r"\bwhy (?:do (?:you|i)|would (?:you|i)|should (?:you|i)) (?:want to )?(?:work|join)\b|"
    r"\bwhy (?:this|our|the|that) (?:company|role|job|position|team)\b|\bwhy (?:us|them)\b|"
    r"\bwhy should (?:we|they|i) (?:hire|be hired)\b|\bwhy (?:are you|am i) interested\b|"
    r"\bwhat (?:attracts|interests|excites) you\b|\bsee (?:yourself|myself) in\b|"
    r"\b(?:five|5) years\b|\bwhy do you want\b"
)
_WELCOME_RE = _re(
    r"^\W*(?:hi|hello|hey|hiya|howdy|greetings|yo|good (?:morning|afternoon|evening))\b|"
    r"\bwhat can you (?:do|help)\b|\bhow can you help\b|^\W*help\W*$|\bwho are you\b"
)
_THANKS_RE = _re(
    r"\bthanks?\b|\bthank you\b|\bthx\b|\bcheers\b|\bmuch appreciated\b|\bthat helps\b|"
    r"\bthat was helpful\b|\bappreciate it\b"
)


# In order: with as many pattern hits, the earlier topic wins.
_TOPICS: tuple[_Topic, ...] = (
    _Topic("feedback", _FEEDBACK_RE, _feedback),
    _Topic("practice", _PRACTICE_RE, _practice),
    _Topic("questions_to_ask", _QUESTIONS_TO_ASK_RE, _questions_to_ask),
    _Topic("thank_you_note", _THANK_YOU_NOTE_RE, _thank_you_note),
    _Topic("tell_me_about_yourself", _TELL_ME_RE, _tell_me_about_yourself),
    _Topic("star", _STAR_RE, _star),
    _Topic("weakness", _WEAKNESS_RE, _weakness_or_strength),
    _Topic("salary", _SALARY_RE, _salary),
    _Topic("nerves", _NERVES_RE, _nerves),
    _Topic("technical", _TECHNICAL_RE, _technical),
    _Topic("career", _CAREER_RE, _career_change_or_gap),
    _Topic("resume", _RESUME_RE, _resume_tips),
    _Topic("remote", _REMOTE_RE, _remote),
    _Topic("motivation", _MOTIVATION_RE, _motivation),
    _Topic("behavioural", _BEHAVIOURAL_RE, _behavioural),
    _Topic("welcome", _WELCOME_RE, _welcome),
    _Topic("thanks", _THANKS_RE, _thanks),
)
_BY_KEY = {topic.key: topic for topic in _TOPICS}
_FALLBACK = _Topic("fallback", re.compile(r"(?!x)x"), _fallback)
_SMALL_TALK = frozenset({"welcome", "thanks", "fallback"})


# --- detection ------------------------------------------------------------------------


def _previous_coach_turn(history: Sequence[ChatTurn], index: int) -> str:
    return next((t.content for t in reversed(history[:index]) if t.role is ChatRole.COACH), "")


def detect_topic(history: Sequence[ChatTurn], index: int) -> str:
    """The topic key of user turn ``index``: the topic with most pattern hits, earlier
    topics winning ties; a long reply to a practice question is an answer to score."""
    message = history[index].content
    previous = _previous_coach_turn(history, index)
    if _PRACTICE_MARK_RE.search(previous) and _words(message) >= _ANSWER_MIN_WORDS:
        return "feedback"
    best, best_hits = _FALLBACK.key, 0
    for topic in _TOPICS:
        hits = sum(1 for _ in topic.pattern.finditer(message))
        if hits > best_hits:
            best, best_hits = topic.key, hits
    return best


# --- the public functions -------------------------------------------------------------


def _user_indices(history: Sequence[ChatTurn]) -> list[int]:
    return [
        i for i, turn in enumerate(history) if turn.role is ChatRole.USER and turn.content.strip()
    ]


def chat_reply(task: ChatReply, resume: ResumeProfile, job: JobProfile) -> str:
    """Reply to the last user message: the topic's advice in Markdown, once labelled as
    the offline coach's, with one concrete next step.

    The variant is how many earlier user turns had the same topic, so asking again gets
    a second angle; a reply identical to the coach's last one is never sent twice.
    """
    history = tuple(task.history)
    users = _user_indices(history)
    if not users:
        ctx = _Context("", len(history), history, resume, job, task, 0)
        return _welcome(ctx).render(0)
    index = users[-1]
    topics = [detect_topic(history, i) for i in users]
    key = topics[-1]
    variant = topics[:-1].count(key)
    topic = _BY_KEY.get(key, _FALLBACK)
    last_coach = _previous_coach_turn(history, len(history))
    text = ""
    for attempt in range(3):
        ctx = _Context(
            history[index].content.strip(), index, history, resume, job, task, variant + attempt
        )
        text = topic.build(ctx).render(variant + attempt)
        if text != last_coach:
            break
    logger.debug(
        "chat reply",
        extra={"coach.topic": key, "coach.variant": variant, "coach.turns": len(history)},
    )
    return text


def _round_robin(lists: Sequence[Sequence[str]], limit: int) -> list[str]:
    picked: list[str] = []
    depth = max((len(items) for items in lists), default=0)
    for level in range(depth):
        for items in lists:
            if level < len(items) and items[level] not in picked and len(picked) < limit:
                picked.append(items[level])
    return picked


def _feedback_takeaway(history: Sequence[ChatTurn]) -> tuple[str, str] | None:
    """The last score the coach gave, its weakest dimension and the fix, if any."""
    texts = _texts().topic("feedback")
    for turn in reversed(history):
        if turn.role is ChatRole.COACH and (score := _SCORE_LINE_RE.search(turn.content)):
            weakest = _WEAKEST_LINE_RE.search(turn.content)
            takeaway = texts.fragment("summary_takeaway", score=score.group("score"))
            action = texts.fragment("summary_action")
            if weakest:
                label = weakest.group("label").lower()
                takeaway += texts.fragment(
                    "summary_weakest", label=label, score=weakest.group("score")
                )
                action = texts.fragment("summary_action_weakest", label=label)
            return takeaway + ".", action
    return None


def _nothing_yet() -> ChatSummaryDraft:
    nothing = _texts().nothing_yet
    return ChatSummaryDraft(takeaways=list(nothing.takeaways), action_items=list(nothing.actions))


def summarize_chat(task: SummarizeChat) -> ChatSummaryDraft:
    """Takeaways (the advice given, one line each) and action items (imperative, concrete)
    from the topics the conversation covered, in the order they came up."""
    history = tuple(task.history)
    users = _user_indices(history)
    if len(history) <= 1 or not users:
        return _nothing_yet()
    keys = list(dict.fromkeys(detect_topic(history, i) for i in users))
    topics = [_BY_KEY[k] for k in keys if k not in _SMALL_TALK]
    if not topics:
        return _nothing_yet()
    texts = _texts()
    takeaway_lists = [list(texts.topic(t.key).takeaways) for t in topics]
    action_lists = [list(texts.topic(t.key).actions) for t in topics]
    if "feedback" in keys and (scored := _feedback_takeaway(history)):
        position = [t.key for t in topics].index("feedback")
        takeaway_lists[position].insert(0, scored[0])
        action_lists[position] = [scored[1]]
    takeaways = _round_robin(takeaway_lists, _MAX_TAKEAWAYS)
    actions = _round_robin(action_lists, _MAX_ACTIONS)
    for extra in texts.general_takeaways:
        if len(takeaways) < _MIN_TAKEAWAYS and extra not in takeaways:
            takeaways.append(extra)
    for extra in texts.general_actions:
        if len(actions) < _MIN_ACTIONS and extra not in actions:
            actions.append(extra)
    logger.debug("chat summary", extra={"coach.topics": ",".join(keys)})
    return ChatSummaryDraft(takeaways=takeaways, action_items=actions)
