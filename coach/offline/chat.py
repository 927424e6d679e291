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

from coach.domain import (
    ChatRole,
    ChatSummaryDraft,
    ChatTurn,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
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

__all__ = ["chat_reply", "detect_topic", "summarize_chat"]

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

_CAN_HELP = (
    "- **Answers:** tell me about yourself, the STAR method, behavioural questions, "
    "strengths and weaknesses, why this company\n"
    "- **The deal:** salary negotiation, questions to ask the interviewer, thank-you notes\n"
    "- **Preparation:** nerves, technical and system-design rounds, resume tips, career "
    "changes and gaps, video interviews\n"
    "- **Practice:** say *ask me a question*, answer it, and I'll score it out of 10"
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


@dataclass(frozen=True, slots=True)
class _Topic:
    """One thing a candidate asks about: how to spot it, how to answer, what to keep."""

    key: str
    pattern: re.Pattern[str]
    build: Callable[[_Context], _Reply]
    takeaways: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


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
    claim = _proof(ctx.resume)
    title = ctx.resume.titles[0] if ctx.resume.titles else "[your role]"
    employer = ctx.resume.employers[0] if ctx.resume.employers else "[employer]"
    proof = _lower_first(claim.text) if claim else "[one achievement with a number]"
    if ctx.variant % 2 == 0:
        body = (
            "Use **present → past → future** and keep it to 60–90 seconds (150–200 words):\n\n"
            f"1. **Present:** your role and what you are known for: *\"I'm a {title} at "
            f'{employer}; recently I {proof}."*\n'
            "2. **Past:** two experiences that led here, each with a number.\n"
            f'3. **Future:** why this move: *"{_capitalised(_role(ctx.job))} is my next step '
            'because …"*\n\n'
            "Skip childhood, hobbies and the whole CV: the interviewer has it. Ending on the "
            "future steers the next question towards the job."
        )
    else:
        duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
        duty_text = f', e.g. *"{_lower_first(duty)}"*' if duty else ""
        body = (
            "Three checks before you rehearse your pitch:\n\n"
            "- **It opens with now**, not with where you grew up.\n"
            f"- **It has one proof point with a figure**, e.g. *{proof}*. Specificity and "
            "impact count here just as in a STAR answer.\n"
            f"- **It closes with why this role**, naming something from the posting{duty_text}.\n\n"
            "Interviewers use this answer to choose the topics for the next 45 minutes, so "
            "plant the two stories you most want to be asked about."
        )
    return _Reply(
        "Tell me about yourself",
        body,
        (
            "Write your three sentences, read them aloud with a timer, and cut until they fit "
            "in 90 seconds.",
            "Record yourself once, then list the two follow-up questions your pitch invites "
            "and prepare those stories.",
        ),
    )


def _star(ctx: _Context) -> _Reply:
    b = QuestionType.BEHAVIOURAL
    claim = _proof(ctx.resume)
    if ctx.variant % 2 == 0:
        body = (
            "**STAR** = Situation, Task, Action, Result. A good time split is 15 / 10 / 50 / "
            "25 percent.\n\n"
            "- **Situation:** where, when and what was at stake, in one or two sentences.\n"
            "- **Task:** *your* goal, not the team's.\n"
            "- **Action:** two or three steps you took, including one decision and why.\n"
            "- **Result:** what changed, with a number, and what you learned.\n\n"
            "Answers here are scored on six dimensions; for behavioural questions impact and "
            f"relevance weigh most ({_percent(b, RubricDimension.IMPACT)}% each) and "
            f"structure {_percent(b, RubricDimension.STRUCTURE)}%. A result without a figure "
            "rarely gets past 6/10 from a strict interviewer."
        )
    else:
        body = (
            "The three STAR mistakes that cost the most points:\n\n"
            "1. **Too much Situation:** if the context takes over 30 seconds, cut it.\n"
            '2. **"We" instead of "I":** ownership is scored on its own; say what *you* did.\n'
            "3. **No Result:** end on a number, then the lesson (STAR-L for failure "
            "questions).\n\n"
            'Mini-template: *"At [place], [problem and stakes]. I was responsible for [goal]. '
            "I [action], [action], and decided [decision] because [reason]. As a result "
            '[metric], and I learned [lesson]."*'
        )
    bullet = f'"{claim.text}"' if claim else "your proudest resume bullet"
    return _Reply(
        "The STAR method",
        body,
        (
            f"Take {bullet} and write it as four sentences, one per STAR letter.",
            "Fill in the template for your strongest story, then type *ask me a question* to "
            "test it.",
        ),
    )


def _behavioural(ctx: _Context) -> _Reply:
    pool = questions_for(ctx.job.field, ctx.job.seniority, [QuestionType.BEHAVIOURAL])
    competencies = list(dict.fromkeys(q.competency for q in pool))[:6]
    example = pool[(ctx.variant * 7) % len(pool)]
    body = (
        'Behavioural questions (*"Tell me about a time…"*) assume past behaviour predicts '
        f"future behaviour. Most draw on a short list of competencies: {_join(competencies)}. "
        "Prepare **6–8 stories** that each cover two or three of them, and reuse them; tell "
        "each in STAR form in about two minutes (150–300 words).\n\n"
        f'Example: *"{example.text}"*\n\n'
        f"**What scores well:** {example.rubric_hint}"
    )
    return _Reply(
        "Behavioural questions",
        body,
        (
            "Make a story table: one row per story, with the competencies it proves and its "
            "headline number.",
            f"Draft your answer to the example above in STAR form; it tests {example.competency}.",
        ),
    )


def _weakness_or_strength(ctx: _Context) -> _Reply:
    strengths_only = "strength" in ctx.lowered and "weakness" not in ctx.lowered
    if strengths_only:
        wanted = (ctx.job.skills + ctx.job.tools)[:3]
        posting = f" ({_join(wanted)})" if wanted else ""
        proofs = [*ctx.resume.claims, *ctx.resume.highlights]
        claim = proofs[ctx.variant % len(proofs)] if proofs else None
        employer = claim.employer if claim and claim.employer else "[employer]"
        proof = _lower_first(claim.text) if claim else "[achievement with a number]"
        body = (
            "Name **two or three strengths** that match what the posting asks for"
            f"{posting}, and prove each one: *strength → when it mattered → result*.\n\n"
            f'Example: *"One of my strengths is [strength]: at {employer} I {proof}."*\n\n'
            "A strength with no example sounds like a list of adjectives. "
            f"**What scores well:** {_hint('rol-unique')}."
        )
        return _Reply(
            "Strengths",
            body,
            (
                "List three strengths from the posting and write one resume bullet that "
                "proves each.",
                "Turn your top strength into a 90-second STAR story with a number in the result.",
            ),
        )
    if ctx.variant % 2 == 0:
        body = (
            "Pick a **real, non-fatal** weakness that is not core to the job, then show the "
            "fix in motion: *weakness → example → what you're doing → evidence it works*.\n\n"
            'Example: *"I used to take on too much myself. On a release last year that made '
            "me the bottleneck, so now I split work at planning and review it daily; we've "
            'shipped the last three releases on time."*\n\n'
            '"I\'m a perfectionist" sounds like a dodge. '
            f"**What scores well:** {_hint('rol-weakness')}."
        )
    else:
        core = ctx.job.tools[0] if ctx.job.tools else "the main skill in the posting"
        body = (
            "How interviewers judge this answer: self-awareness, honesty and progress.\n\n"
            "- **Good picks:** delegating, estimating, public speaking, saying no, "
            "giving feedback early.\n"
            f"- **Bad picks:** anything core to the role (here: {core}), or a strength in "
            'disguise ("I care too much").\n'
            "- **Evidence of progress:** a number or a date: *\"I've presented at four team "
            'reviews since March; the last one ran to time."*\n\n'
            "Keep it to about a minute, then stop: don't reopen it."
        )
    return _Reply(
        "Weaknesses",
        body,
        (
            "Write your weakness in four sentences using that formula, with one number as "
            "evidence of progress.",
            "Say your weakness answer aloud twice and check it ends on progress, not on the "
            "problem.",
        ),
    )


def _salary(ctx: _Context) -> _Reply:
    claim = next((c for c in ctx.resume.claims if c.metric), None)
    record = f"my record ({_lower_first(claim.text)})" if claim else "my record"
    role = _role(ctx.job)
    if ctx.variant % 2 == 0:
        body = (
            "Research first: the posting's range, a salary site such as Glassdoor or "
            "Levels.fyi, and one person in a similar role. Then:\n\n"
            "- **Early on, defer:** *\"I'd like to understand the role first. What range have "
            'you budgeted?"*\n'
            "- **If pushed, give a range** whose bottom you'd happily accept (target 95k → "
            "say 95–110k).\n"
            "- **After the offer,** thank them, ask for 24–48 hours, and counter once with a "
            "reason.\n\n"
            "Negotiate the package, not just base: bonus, equity, start date, remote days, "
            "learning budget."
        )
    else:
        body = (
            "A counter-offer script that stays warm:\n\n"
            f"*\"Thank you, I'm excited about {role}. Given the scope and {record}, I was "
            'expecting closer to X. Is there flexibility?"*\n\n'
            "Then stop talking: silence works for you. Asking 5–10% above the offer is common "
            "and rarely costs an offer. If base is fixed, ask for a signing bonus or a salary "
            "review at six months, in writing."
        )
    return _Reply(
        "Salary negotiation",
        body,
        (
            "Before the next recruiter call, write down three numbers: your walk-away, your "
            "target and your opening counter.",
            "Say the counter-offer script aloud three times, with your real number in it.",
        ),
    )


def _nerves(ctx: _Context) -> _Reply:
    if ctx.variant % 2 == 0:
        body = (
            "Nerves are normal and mostly invisible to the interviewer. Three things work:\n\n"
            "1. **Prepare stories, not scripts:** six stories you can tell from bullet points "
            "beat memorised paragraphs you can lose mid-sentence.\n"
            "2. **Box breathing:** in for 4, hold 4, out 4, hold 4, for two minutes before "
            "you go in.\n"
            '3. **Buy time openly:** *"Good question, let me think for a moment."* Five '
            "seconds of silence feels long to you and normal to them.\n\n"
            "Calling the adrenaline excitement helps more than trying to calm down."
        )
    else:
        body = (
            "A checklist that takes the surprises out of the day:\n\n"
            "- **The day before:** route or video link tested, clothes ready, three story "
            "prompts on one card.\n"
            "- **Ten minutes before:** water, box breathing, read your card once.\n"
            "- **First minute:** slow down by a third and smile; the first answer sets your "
            "pace.\n"
            '- **If you go blank:** restate the question, then say *"The example that comes '
            'to mind is…"* and start with the situation.\n\n'
            "Interviewers forgive a pause far more readily than a ramble."
        )
    return _Reply(
        "Interview nerves",
        body,
        (
            "Do one timed mock answer out loud today: type *ask me a question* to get one.",
            "Write your three story prompts on a card and practise box breathing once now.",
        ),
    )


def _questions_to_ask(ctx: _Context) -> _Reply:
    company = ctx.job.company or "the company"
    duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
    tailored = (
        f"- *\"The posting mentions '{_lower_first(duty)}'. How does that work today?\"*\n"
        if duty
        else '- *"What would you want the new person to fix first?"*\n'
    )
    if ctx.variant % 2 == 0:
        body = (
            "Ask two or three questions that show you're already thinking about the job:\n\n"
            '- *"What does success look like in the first 90 days?"*\n'
            '- *"What is the hardest problem the team faces this quarter?"*\n'
            f"{tailored}"
            '- *"What do people who do well here have in common?"*\n\n'
            "Avoid salary and holidays in a first round, and anything the website answers."
        )
    else:
        body = (
            "Questions that signal seniority are about how the work really happens:\n\n"
            '- *"How are decisions made when product and engineering disagree?"*\n'
            '- *"What did the last person in this role do that you\'d like to keep?"*\n'
            f"{tailored}"
            '- To close: *"Is there anything in my background that makes you hesitate?"* '
            "It gives you one last chance to answer a doubt.\n\n"
            "Write your questions down: reading from notes here looks prepared, not nervous."
        )
    return _Reply(
        "Questions to ask the interviewer",
        body,
        (
            f"Write five questions tailored to {company} and rank them; you'll have time for "
            "two or three.",
            "Pick the closing question you'll use and practise asking it in one breath.",
        ),
    )


def _thank_you_note(ctx: _Context) -> _Reply:
    role = _role(ctx.job)
    if ctx.variant % 2 == 0:
        body = (
            "Send it within 24 hours, to each interviewer, in four to six sentences: thank "
            "them, name one specific moment, restate one reason you fit, close warmly.\n\n"
            f'*"Hi [Name], thank you for talking with me about {role}. I enjoyed our '
            "discussion of [topic]; it made me more excited about [part of the work]. "
            "[One sentence of proof: what you did that fits.] I'm looking forward to the next "
            'steps. Best, [Name]"*\n\n'
            "Keep it short: a thank-you note is a reminder, not a second interview."
        )
    else:
        body = (
            "If you've heard nothing, wait until the date they gave (or one week), then send "
            "one short check-in:\n\n"
            f"*\"Hi [Name], I hope the process for {role} is going well. I'm still very "
            "interested, and wanted to ask whether there's an update on timing. Happy to "
            'share anything else that helps."*\n\n'
            "One check-in, then one more a week later at most; meanwhile keep other "
            "applications moving, because silence usually means process, not rejection."
        )
    return _Reply(
        "Thank-you and follow-up notes",
        body,
        (
            "Draft your note now with a blank for the specific moment, so it takes five "
            "minutes after the interview.",
            "Put a reminder in your calendar for the day the follow-up is due.",
        ),
    )


def _technical(ctx: _Context) -> _Reply:
    tools = ctx.job.tools[:4]
    stack = (
        f" The posting names {_join(tools)}: expect at least one question on each." if tools else ""
    )
    if ctx.variant % 2 == 0:
        body = (
            "Technical rounds are scored on reasoning you say out loud.\n\n"
            "- **Coding:** clarify inputs and edge cases → state a brute force → improve it "
            "and give the complexity → test with one example by hand.\n"
            "- **System design:** requirements and scale numbers → API and data model → a "
            "simple diagram → deep-dive one bottleneck → trade-offs.\n"
            "- **Back-of-envelope numbers:** 10k writes/s × 1 KB ≈ 860 GB a day.\n\n"
            f"Silence is the costliest habit: narrate even the dead ends.{stack}"
        )
    else:
        pool = questions_for(ctx.job.field, ctx.job.seniority, [QuestionType.TECHNICAL])
        example = pool[(ctx.variant * 5) % len(pool)]
        body = (
            "Practise with a real prompt and check yourself against what interviewers "
            "listen for.\n\n"
            f'*"{example.text}"*\n\n'
            f"**What scores well:** {example.rubric_hint}\n\n"
            "Say the trade-off out loud: naming what you gave up earns more than a perfect "
            f"answer delivered in silence.{stack}"
        )
    return _Reply(
        "Technical and system-design prep",
        body,
        (
            "Practise one system-design prompt end to end in 35 minutes, saying each "
            "trade-off aloud.",
            "Answer the prompt above in writing, then type *ask me a technical question* for "
            "another.",
        ),
    )


def _resume_tips(ctx: _Context) -> _Reply:
    resume, job = ctx.resume, ctx.job
    measured = len(resume.claims)
    total = measured + len(resume.highlights)
    missing = [t for t in job.tools if t.lower() not in {s.lower() for s in resume.skills}][:3]
    notes = []
    if total:
        notes.append(f"Your resume has {measured} measured bullet(s) out of {total} achievements.")
    if missing:
        notes.append(
            f"The posting names {_join(missing)}, which your resume doesn't: add them only "
            "where they're true."
        )
    personal = ("\n\n" + " ".join(notes)) if notes else ""
    claim = _proof(resume)
    example = claim.text if claim else "Cut report run time by 40% by rewriting SQL in dbt"
    if ctx.variant % 2 == 0:
        body = (
            "Write every bullet as **verb + what + how + result with a number**:\n\n"
            f'- Weak: *"Responsible for reporting."*\n- Strong: *"{example}."*\n\n'
            "Lead with impact, not duties; one page per ten years of experience; mirror the "
            f"posting's words where they're true, because screeners search for them.{personal}"
        )
    else:
        body = (
            "Three checks a recruiter makes in the first 30 seconds:\n\n"
            "1. **Title and dates** line up with the role: make the latest title easy to find.\n"
            "2. **Numbers** in the top third: a figure per bullet where you can.\n"
            "3. **Keywords** from the posting, in a plain Skills line that a parser can read "
            f"(no tables or icons).{personal}"
        )
    return _Reply(
        "Resume tips",
        body,
        (
            "Rewrite three bullets so each has a number, then read them against the posting.",
            "Ask a friend to skim your resume for 30 seconds and tell you what they remember.",
        ),
    )


_CHANGE_RE = re.compile(r"chang|switch|pivot|transition|new field|new industry", re.I)


def _career_change_or_gap(ctx: _Context) -> _Reply:
    if _CHANGE_RE.search(ctx.message):
        field = ctx.job.field if ctx.job.field != "general" else "the new field"
        body = (
            "Build a bridge in three parts, in under a minute:\n\n"
            f"1. **Why {field}, why now:** one honest reason, not an escape story.\n"
            "2. **Transferable proof:** two skills you already used, each with a result.\n"
            "3. **Investment:** what you did to test it: a course, a project, volunteering.\n\n"
            '*"After six years in teaching I moved towards data because I kept building the '
            "school's spreadsheets; I finished a SQL course and built a dashboard that cut "
            'report time by half."*'
        )
        title = "Career change"
    else:
        body = (
            "Explain a gap in **one or two calm sentences, then pivot to readiness**:\n\n"
            "*\"I took eight months to care for a family member. Since then I've finished a "
            "cloud certificate and I'm ready to commit full-time.\"*\n\n"
            'For a layoff: *"My role was one of 40 cut in a restructuring."* Don\'t apologise '
            "or over-explain; interviewers take their cue from your tone. Keep skills warm "
            "with one small project you can name."
        )
        title = "Career gaps"
    return _Reply(
        title,
        body,
        (
            "Write your two-sentence explanation and end it on what you've done since.",
            "Say your explanation aloud until it takes under 30 seconds and sounds matter-of-fact.",
        ),
    )


def _remote(ctx: _Context) -> _Reply:
    if ctx.variant % 2 == 0:
        body = (
            "Set up once, then forget it:\n\n"
            "- **Camera** at eye level, light in front of you, a plain background.\n"
            "- **Connection:** test the link 15 minutes early and keep a phone number as "
            "backup.\n"
            "- **Delivery:** look at the camera for key points, keep answers to one or two "
            "minutes, and pause a beat before answering to allow for lag.\n"
            "- **Notes:** three story prompts on a sticky note beside the camera, not on "
            "another screen."
        )
    else:
        body = (
            "For one-way recorded interviews, and for remote-role questions:\n\n"
            "- **Recorded answers:** you usually get 30 seconds to think and 2–3 minutes to "
            "answer; use STAR and finish early rather than be cut off.\n"
            '- **"How do you work remotely?"** Name your rituals and tools: *"A written plan '
            'each Monday, and I post decisions in the channel, not in DMs."*\n'
            "- **Show async skill:** mention a written design doc or a handover that worked "
            "without a meeting."
        )
    return _Reply(
        "Video and remote interviews",
        body,
        (
            "Do a test call with a friend using the same app, room and lighting as the interview.",
            "Record one answer with your webcam and watch it back with the sound off.",
        ),
    )


_FUTURE_RE = re.compile(r"five years|5 years|ten years|long[- ]term|see yourself", re.I)


def _motivation(ctx: _Context) -> _Reply:
    company = ctx.job.company or "[company]"
    duty = ctx.job.responsibilities[0] if ctx.job.responsibilities else ""
    claim = _proof(ctx.resume)
    if _FUTURE_RE.search(ctx.message):
        body = (
            "They want to know you'll stay and grow here, not your life plan. Answer with a "
            "direction, not a title:\n\n"
            f'*"In five years I want to be the person {company} trusts with [a bigger version '
            "of this role's work], having grown [a skill] along the way.\"*\n\n"
            f'**What scores well:** {_hint("rol-growth")}. Avoid "your job" '
            "jokes and plans that clearly lead elsewhere."
        )
        title = "Where do you see yourself in five years?"
        steps: tuple[str, ...] = (
            "Write your five-year answer in two sentences: the direction, and the skill "
            "this role helps you grow.",
            "Check your answer against the posting: does your direction fit what this role "
            "grows into?",
        )
    else:
        duty_text = f', such as *"{_lower_first(duty)}"*' if duty else ""
        proof = f' (*"{claim.text}"*)' if claim else ""
        body = (
            "Answer in three parts, about a minute in all:\n\n"
            f"1. **Them:** something specific about {company}: a product, a customer, a "
            "recent change.\n"
            f"2. **The role:** a part of the work that draws you{duty_text}.\n"
            f"3. **You:** the evidence you'd be good at it{proof}.\n\n"
            f"**What scores well:** {_hint('rol-why-role')}."
        )
        title = "Why this company?"
        steps = (
            f"Write three sentences on why {company}: one about them, one about the role, one "
            "about your proof.",
            "Find one fact about the company from the last six months and work it into your "
            "answer.",
        )
    return _Reply(title, body, steps)


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


_TYPE_HINTS: dict[QuestionType, str] = {
    QuestionType.BEHAVIOURAL: (
        "One real story in STAR order, your own decisions in it, and a result with a number."
    ),
    QuestionType.TECHNICAL: (
        "A direct answer first, the reasoning behind it, one trade-off, and a concrete example."
    ),
    QuestionType.SITUATIONAL: (
        "A first step, the people you'd involve, a decision with its reason, and how you'd "
        "check it worked."
    ),
    QuestionType.ROLE_SPECIFIC: (
        "Specific reasons tied to this role, backed by one example from your own record."
    ),
}


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


_PRACTICE_LENGTH: dict[QuestionType, str] = {
    QuestionType.BEHAVIOURAL: "Aim for 150–300 words in STAR form, with a number in the result.",
    QuestionType.TECHNICAL: "Aim for 80–250 words: what you'd do, why, and one trade-off.",
    QuestionType.SITUATIONAL: (
        "Aim for 120–280 words: what you'd do first, who you'd involve, and how you'd know "
        "it worked."
    ),
    QuestionType.ROLE_SPECIFIC: "Aim for 100–250 words, with one real example as evidence.",
}


def _practice(ctx: _Context) -> _Reply:
    question = _practice_question(ctx)
    hint = _rubric_hint(question) or _TYPE_HINTS[question.type]
    why = f"*Why this question:* {question.rationale}\n\n" if question.rationale else ""
    strong = f"**What scores well:** {hint}\n\n" if hint else ""
    length = _PRACTICE_LENGTH[question.type]
    body = (
        f"**Practice question · {question.type.label} · {question.competency}**\n\n"
        f"> {question.text}\n\n{why}{strong}{length}"
    )
    return _Reply(
        "Practice question",
        body,
        (
            "Type your answer as your next message and I'll score it out of 10.",
            "Answer it in your next message (rough is fine) and I'll score it out of 10.",
        ),
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
    if not answer:
        return _Reply(
            "Feedback on your answer",
            "Paste the answer you'd like scored in your message, ideally as:\n\n"
            "*Q: the interview question*\n*A: your answer*\n\n"
            "I'll score it out of 10 on the same six dimensions as the Practice page "
            "(relevance, STAR structure, specificity, impact, ownership and clarity) and "
            "name the one change that would raise it most.",
            (
                "Paste a question and your answer, or type *ask me a question* to get one.",
                "Type *ask me a question*, answer it, and you'll get a score straight away.",
            ),
        )
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
        lines.append(
            "*Scored as a general behavioural answer; start with 'Q: the question' for a "
            "sharper score.*"
        )
    else:
        lines.append(f'*Scored as an answer to: "{question.text}"*')
    repeated = any(
        turn.role is ChatRole.USER and turn.content.strip() == answer
        for turn in ctx.history[:where]
    )
    if repeated:
        lines.append("\nSame text as before, so the same score: it moves when the answer does.")
    return _Reply(
        "Feedback on your answer",
        "\n".join(lines),
        (
            "Rewrite the answer with that one improvement and paste it again to see the score "
            "move.",
            "Fix the weakest dimension first, then ask for another question with *ask me a "
            "question*.",
        ),
    )


# --- small talk and the fallback ------------------------------------------------------


def _welcome(ctx: _Context) -> _Reply:
    opener = _pick(
        (
            "Hello! I'm a rule-based interview coach, ready when you are. I can help with:",
            "Hi again! Pick any of these and I'll give you concrete advice:",
        ),
        ctx.variant,
    )
    return _Reply(
        "Welcome",
        f"{opener}\n\n{_CAN_HELP}",
        (
            "Type *ask me a question* to start practising, or ask about any topic above.",
            "Try *how do I answer tell me about yourself?* to start with the most common opener.",
        ),
    )


def _thanks(ctx: _Context) -> _Reply:
    body = _pick(
        (
            "You're welcome, and good luck! Three habits move interview scores the most:\n\n"
            "1. **A number in every result.**\n"
            '2. **"I" for your part,** "we" only for the team\'s.\n'
            "3. **Answer first, then the story:** one sentence that answers the question, "
            "then STAR.",
            "Glad it helped. Before your interview, make sure you can tell six stories in "
            "STAR form, each with a measured result, in about two minutes. That covers most "
            "behavioural questions you'll meet, and practising them out loud matters more "
            "than reading more advice.",
        ),
        ctx.variant,
    )
    return _Reply(
        "You're welcome",
        body,
        (
            "Type *ask me a question* for one more practice round before you go.",
            "Ask for a summary of this chat to keep the takeaways and action items.",
        ),
    )


_EXAMPLES = (
    "How do I negotiate salary?",
    "How do I answer tell me about yourself?",
    "What questions should I ask the interviewer?",
)


def _fallback(ctx: _Context) -> _Reply:
    snippet = " ".join(ctx.message.split()[:8])
    if len(ctx.message.split()) > 8:
        snippet += " …"
    body = (
        f"I didn't recognise an interview topic in *\"{snippet}\"*. I'm rule-based: I match "
        "interview topics rather than understand free conversation, so I won't guess. "
        f"I can help with:\n\n{_CAN_HELP}"
    )
    example = _pick(_EXAMPLES, ctx.variant)
    return _Reply(
        "Not something I can help with yet",
        body,
        (f"Rephrase with one of those topics, e.g. *{example}*",),
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


_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "feedback",
        _FEEDBACK_RE,
        _feedback,
        (
            "Every answer is scored on relevance, STAR structure, specificity, impact, "
            "ownership and clarity; fix the weakest first.",
        ),
        ("Rewrite your practice answer with the top improvement and score it again.",),
    ),
    _Topic(
        "practice",
        _PRACTICE_RE,
        _practice,
        (
            "Practise out loud on questions tailored to your resume and the posting, in "
            "150–300 words of STAR.",
        ),
        ("Answer one more practice question here and paste it for a score out of 10.",),
    ),
    _Topic(
        "questions_to_ask",
        _QUESTIONS_TO_ASK_RE,
        _questions_to_ask,
        (
            "Ask two or three questions about the work itself: success in 90 days, the team's "
            "hardest problem.",
        ),
        ("Write five questions for the interviewer, tailored to the company, and rank them.",),
    ),
    _Topic(
        "thank_you_note",
        _THANK_YOU_NOTE_RE,
        _thank_you_note,
        (
            "Send a short, specific thank-you within 24 hours; check in once if the promised "
            "date passes.",
        ),
        (
            "Draft a five-sentence thank-you note now, with a blank for one moment from the "
            "interview.",
        ),
    ),
    _Topic(
        "tell_me_about_yourself",
        _TELL_ME_RE,
        _tell_me_about_yourself,
        (
            "Answer 'tell me about yourself' in 60–90 seconds: present, past, future, with one "
            "figure.",
            "End the pitch on why this role, so the next question is about the job.",
        ),
        (
            "Write a 90-second 'tell me about yourself' using present–past–future.",
            "Record your pitch once and cut it until it fits in 90 seconds.",
        ),
    ),
    _Topic(
        "star",
        _STAR_RE,
        _star,
        (
            "Tell stories in STAR order and spend half the time on your own actions.",
            "End every story with a measured result: without a figure, 6/10 is the ceiling.",
        ),
        ("Rewrite your strongest resume bullet as four STAR sentences, one per letter.",),
    ),
    _Topic(
        "weakness",
        _WEAKNESS_RE,
        _weakness_or_strength,
        (
            "Give a real, non-fatal weakness and show the fix in motion, with evidence of "
            "progress.",
            "Prove each strength with a story and a result, not adjectives.",
        ),
        ("Write your weakness answer as weakness → example → fix → evidence, in four sentences.",),
    ),
    _Topic(
        "salary",
        _SALARY_RE,
        _salary,
        (
            "Research a range first, let them name a number, and counter once after the offer, "
            "with a reason.",
            "Negotiate the whole package: base, bonus, equity, start date, remote days.",
        ),
        (
            "Write down your walk-away number, your target and your opening counter before the "
            "next recruiter call.",
        ),
    ),
    _Topic(
        "nerves",
        _NERVES_RE,
        _nerves,
        ("Prepare stories, not scripts, and pause to think instead of rushing.",),
        (
            "Do one timed mock answer out loud today and two minutes of box breathing before "
            "the interview.",
        ),
    ),
    _Topic(
        "technical",
        _TECHNICAL_RE,
        _technical,
        (
            "In technical rounds think out loud: clarify, brute force, improve, test; start "
            "designs from requirements and numbers.",
        ),
        (
            "Practise one system-design prompt end to end in 35 minutes, saying each trade-off "
            "aloud.",
        ),
    ),
    _Topic(
        "career",
        _CAREER_RE,
        _career_change_or_gap,
        (
            "Explain a gap or a change in one or two calm sentences, then pivot to readiness "
            "and proof.",
        ),
        (
            "Write a two-sentence explanation of your gap or change, ending on what you've "
            "done since.",
        ),
    ),
    _Topic(
        "resume",
        _RESUME_RE,
        _resume_tips,
        ("Write each resume bullet as verb + what + how + measured result.",),
        (
            "Rewrite three resume bullets so each has a number, and add the posting's tools you "
            "really use.",
        ),
    ),
    _Topic(
        "remote",
        _REMOTE_RE,
        _remote,
        (
            "On video: camera at eye level, light in front, link tested 15 minutes early, "
            "shorter answers.",
        ),
        ("Do a test call with a friend using the same app, room and lighting as the interview.",),
    ),
    _Topic(
        "motivation",
        _MOTIVATION_RE,
        _motivation,
        (
            "Answer 'why us' in three parts: something specific about them, the role's work, "
            "your evidence.",
        ),
        (
            "Write three sentences on why this company: one about them, one about the role, "
            "one about your proof.",
        ),
    ),
    _Topic(
        "behavioural",
        _BEHAVIOURAL_RE,
        _behavioural,
        ("Prepare 6–8 stories that each cover two or three competencies, and reuse them.",),
        (
            "Build a story table: one row per story, with the competencies it proves and its "
            "number.",
        ),
    ),
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
    for turn in reversed(history):
        if turn.role is ChatRole.COACH and (score := _SCORE_LINE_RE.search(turn.content)):
            weakest = _WEAKEST_LINE_RE.search(turn.content)
            takeaway = f"Your practice answer scored {score.group('score')}/10"
            action = "Rewrite your practice answer with the top improvement and score it again."
            if weakest:
                label = weakest.group("label").lower()
                takeaway += f"; its weakest dimension was {label} ({weakest.group('score')}/10)"
                action = f"Rewrite your practice answer to raise {label}, then score it again."
            return takeaway + ".", action
    return None


def _nothing_yet() -> ChatSummaryDraft:
    return ChatSummaryDraft(
        takeaways=["Nothing to summarise yet: we haven't discussed an interview topic."],
        action_items=[
            "Ask the coach a question, e.g. 'How do I answer tell me about yourself?' or "
            "'Ask me a question'."
        ],
    )


_GENERAL_TAKEAWAYS = (
    "Answers are scored on relevance, STAR structure, specificity, impact, ownership and clarity.",
    "A number in the result is the quickest way to raise a score.",
)
_GENERAL_ACTIONS = (
    "Type 'ask me a question', answer it in STAR form and get a score out of 10.",
    "Rehearse your two strongest stories out loud, about two minutes each.",
)


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
    takeaway_lists = [list(t.takeaways) for t in topics]
    action_lists = [list(t.actions) for t in topics]
    if "feedback" in keys and (scored := _feedback_takeaway(history)):
        position = [t.key for t in topics].index("feedback")
        takeaway_lists[position].insert(0, scored[0])
        action_lists[position] = [scored[1]]
    takeaways = _round_robin(takeaway_lists, _MAX_TAKEAWAYS)
    actions = _round_robin(action_lists, _MAX_ACTIONS)
    for extra in _GENERAL_TAKEAWAYS:
        if len(takeaways) < _MIN_TAKEAWAYS and extra not in takeaways:
            takeaways.append(extra)
    for extra in _GENERAL_ACTIONS:
        if len(actions) < _MIN_ACTIONS and extra not in actions:
            actions.append(extra)
    logger.debug("chat summary", extra={"coach.topics": ",".join(keys)})
    return ChatSummaryDraft(takeaways=takeaways, action_items=actions)
