"""The offline coach's follow-up: one probing question after an answer.

A real interviewer's second question goes where the first answer was thin: the
missing number, the "we" that hides the candidate's own part, the story with no
ending, the failure with no lesson. The rules below look for those gaps in order of
how much they cost on the rubric, and quote a few of the candidate's own words so the
probe is plainly about *their* answer. Only when nothing is missing does the bank's
own follow-up (or a generic depth probe) take over. A non-answer gets a gentler,
simpler re-ask instead of a probe into nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from coach.domain import FollowUp, QuestionDraft, QuestionSource, QuestionType
from coach.offline.profiles import ResumeProfile
from coach.offline.question_bank import find_bank_question
from coach.offline.question_kinds import AnswerKind, detect_kind
from coach.offline.scoring import NonAnswerReason, detect_non_answer
from coach.tasks import AskFollowUp

logger = logging.getLogger(__name__)

__all__ = ["ask_follow_up"]

_QUOTE_WORDS = 7
_MODALS = frozenset({"would", "could", "might", "will", "should"})
_WE_HEAVY_MIN = 3

_CLAUSE_END_RE = re.compile(
    r"[.!?;:,()\"\n—–]|\s-\s|\s(?:and|but|so|because|which|while|then|what|who|when|where|"
    r"how|if|before|after|until|by|using|via)\s",
    re.IGNORECASE,
)


def _word_set(text: str) -> frozenset[str]:
    """Whitespace-separated words as a set: word lists stay readable in source."""
    return frozenset(text.split())


_WEAK_END = _word_set(
    "a an the to of for in on at by with from and or but so that which as it is was our "
    "my their his her its this these those very really"
)
_NUMBER_RE = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|dozen|half|double|"
    r"doubled|tripled|halved|percent)\b",
    re.IGNORECASE,
)
_RESULT_RE = re.compile(
    r"\b(?:as a result|in the end|result(?:ed|s)?|outcome|ended up|eventually|finally|"
    r"so that|which meant|which led|reduc\w*|increas\w*|sav(?:ed|ing)|cut|improv\w*|grew|"
    r"shipp\w*|launch\w*|deliver\w*|achiev\w*|won|doubl\w*|halv\w*|prevent\w*|fix(?:ed)?|"
    r"solv\w*|resolv\w*|worked|succeed\w*|success\w*|lost|failed|finish\w*|complet\w*|"
    r"passed|approved|promoted|agreed|accepted)\b",
    re.IGNORECASE,
)
_OUTCOME_CLAUSE_RE = re.compile(
    r"\b(?:(?P<subject>I|we)\s+(?:\w+ly\s+)?)?"
    r"(?P<phrase>(?:improv|reduc|increas|cut|sav|sped|speed|boost|grew|grow|lower|optimi[sz]|"
    r"streamlin|automat|accelerat|simplif|shorten|enhanc|made\s+(?:it|the|our)\b)\w*\b[^.!?\n]*)",
    re.IGNORECASE,
)
_WE_CLAUSE_RE = re.compile(r"\bwe\s+(?P<phrase>(?!were\b|are\b|had\b|have\b)\w+[^.!?\n,;]*)", re.I)
_I_ACTION_RE = re.compile(
    r"\b[Ii]\s+(?P<phrase>(?!was\b|am\b|think\b|guess\b|mean\b)\w+[^.!?\n,;]*)"
)
_I_RE = re.compile(r"\b(?:I|my|me|myself|mine)\b|\bI['’](?:m|ve|d|ll)\b", re.IGNORECASE)
_WE_RE = re.compile(r"\b(?:we|our|us|ours|ourselves)\b|\bwe['’](?:re|ve|d|ll)\b", re.I)
_LEARNING_RE = re.compile(
    r"\b(?:learn(?:ed|t)|lesson|taught me|realis\w*|realiz\w*|since then|now i|i now|"
    r"next time|going forward|differently|i changed|i make sure|i always|from then on|"
    r"these days|nowadays)\b",
    re.IGNORECASE,
)
_FAILURE_QUESTION_RE = re.compile(
    r"\b(?:fail\w*|mistake\w*|wrong|setback\w*|regret\w*|missed|went badly|didn'?t go|"
    r"weakness\w*|lost|error)\b",
    re.IGNORECASE,
)
_FAILURE_CLAUSE_RE = re.compile(
    r"\b(?:(?P<subject>I|we)\s+(?:\w+ly\s+)?)?"
    r"(?P<phrase>(?:fail\w*|mistake\w*|missed|mess(?:ed)? up|got it wrong|wrong|lost|"
    r"broke|forgot|underestimat\w*|overlook\w*|didn'?t|wasn'?t)\b[^.!?\n]*)",
    re.IGNORECASE,
)
_HYPOTHETICAL_RE = re.compile(r"\b(?:would|I'd|I’d|we'd|could|might|should)\b", re.I)
_PAST_RE = re.compile(
    r"\b(?:was|were|had|did|\w+ed|led|built|wrote|ran|made|took|told|gave|found|got|went)\b",
    re.I,
)
_TRADE_OFF_RE = re.compile(
    r"\b(?:trade-?offs?|instead|rather than|whereas|downside|cost of|at the expense|"
    r"alternative\w*|versus|vs\.?|on the other hand|pros?|cons?|depends|unless|because)\b",
    re.IGNORECASE,
)
_MEASURE_RE = re.compile(
    r"\b(?:measur\w*|metric\w*|track\w*|kpi|target|success looks|know (?:it|that) (?:had )?"
    r"work\w*|check\w* (?:that|whether|if)|monitor\w*|by (?:the end of|week|day|month))\b|\d",
    re.IGNORECASE,
)
_EVIDENCE_RE = re.compile(r"\d|\b(?:for example|for instance|when I|at [A-Z]\w+|last year)\b")
_A_TIME_RE = re.compile(r"\ba time (?:when )?(?P<topic>[^.?!]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Probe:
    text: str
    rationale: str
    source: QuestionSource = QuestionSource.TAILORED


def _trim(phrase: str, max_words: int = _QUOTE_WORDS) -> str:
    """A short, clean quote: cut at the clause boundary, drop dangling small words."""
    clause = _CLAUSE_END_RE.split(phrase, maxsplit=1)[0]
    words = clause.split()[:max_words]
    while words and words[-1].lower().strip("'’") in _WEAK_END:
        words.pop()
    return " ".join(words).strip(" '’\"")


def _quoted(match: re.Match[str] | None) -> str:
    return _trim(match.group("phrase")) if match else ""


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def _said(subject: str | None, phrase: str) -> str:
    """'You said you 'cut costs'' for an I-story, 'You said 'we cut costs'' for a we-story."""
    if subject and subject.lower() == "we":
        return f"You said 'we {phrase}'"
    if subject:
        modal, _, rest = phrase.partition(" ")
        if modal.lower() in _MODALS and rest:
            return f"You said you {modal.lower()} '{rest}'"
        return f"You said you '{phrase}'"
    return f"You mentioned '{phrase}'"


def _first_quote(answer: str) -> tuple[str | None, str]:
    """A phrase that stands for the whole answer, with its subject: the first thing the
    candidate says they did, else the first clause."""
    for pattern, subject in ((_I_ACTION_RE, "I"), (_WE_CLAUSE_RE, "we")):
        phrase = _quoted(pattern.search(answer))
        if len(phrase.split()) >= 2:
            return subject, phrase
    return None, _trim(answer)


def _is_hypothetical(answer: str) -> bool:
    return len(_HYPOTHETICAL_RE.findall(answer)) >= 2 and len(_PAST_RE.findall(answer)) <= 1


# --- the gaps, each a probe or None ----------------------------------------------------


def _missing_real_example(answer: str) -> _Probe | None:
    if not _is_hypothetical(answer):
        return None
    return _Probe(
        "That's what you would do. Tell me about a time you actually did it: where were you, "
        "and what happened?",
        "Probes for a real example: the answer said what you would do, not what you did.",
    )


def _missing_lesson(question: str, answer: str) -> _Probe | None:
    if not _FAILURE_QUESTION_RE.search(question) or _LEARNING_RE.search(answer):
        return None
    match = _FAILURE_CLAUSE_RE.search(answer)
    phrase = _quoted(match)
    lead = (
        _said(match.group("subject"), phrase) + ". " if match and len(phrase.split()) >= 2 else ""
    )
    return _Probe(
        f"{lead}What do you do differently now because of it, and when did that change "
        "last make a difference?",
        "Probes the lesson you left out: a failure story is judged on what changed afterwards.",
    )


def _missing_result(answer: str) -> _Probe | None:
    if _RESULT_RE.search(answer):
        return None
    match = _last(_I_ACTION_RE, answer) or _last(_WE_CLAUSE_RE, answer)
    phrase = _quoted(match)
    if len(phrase.split()) >= 2:
        subject = "we" if match is not None and match.group(0).lower().startswith("we") else "I"
        lead = _said(subject, phrase) + ". "
    else:
        lead = ""
    return _Probe(
        f"{lead}How did it end? What changed as a result, and how did you know it had worked?",
        "Probes the result you left out: the story stops before the outcome.",
    )


def _missing_ownership(answer: str) -> _Probe | None:
    we, me = len(_WE_RE.findall(answer)), len(_I_RE.findall(answer))
    if we < _WE_HEAVY_MIN or we <= 2 * me:
        return None
    phrase = _quoted(_WE_CLAUSE_RE.search(answer))
    lead = f"You said 'we {phrase}'. " if len(phrase.split()) >= 1 else ""
    return _Probe(
        f"{lead}What was your own part in that, and which decision was yours?",
        f"Probes your own part: the answer says 'we' {we} times and 'I' {me} times.",
    )


def _missing_number(answer: str) -> _Probe | None:
    if _NUMBER_RE.search(answer):
        return None
    match = _OUTCOME_CLAUSE_RE.search(answer)
    phrase = _trim(match.group("phrase")) if match else ""
    if match and len(phrase.split()) >= 2:
        lead = _said(match.group("subject"), phrase)
    else:
        subject, phrase = _first_quote(answer)
        lead = _said(subject, phrase)
    return _Probe(
        f"{lead}: by how much, and how did you measure it?",
        "Probes the number your result lacked: impact without a figure is hard to believe.",
    )


def _missing_trade_off(answer: str) -> _Probe | None:
    if _TRADE_OFF_RE.search(answer):
        return None
    subject, phrase = _first_quote(answer)
    return _Probe(
        f"{_said(subject, phrase)}: what did you trade off by doing it that way, and when "
        "would you choose differently?",
        "Probes the trade-off: technical answers are judged on why, not only what.",
    )


def _missing_measure(answer: str) -> _Probe | None:
    if _MEASURE_RE.search(answer):
        return None
    subject, phrase = _first_quote(answer)
    return _Probe(
        f"{_said(subject, phrase)}: how would you know it had worked, and by when?",
        "Probes how you'd measure success: a plan without a check is a hope.",
    )


def _missing_evidence(answer: str) -> _Probe | None:
    if _EVIDENCE_RE.search(answer):
        return None
    subject, phrase = _first_quote(answer)
    return _Probe(
        f"{_said(subject, phrase)}: can you give me one concrete example that shows it?",
        "Probes the evidence behind a claim: an example makes it believable.",
    )


def _gaps(question: QuestionDraft, answer: str) -> list[_Probe | None]:
    """The probes that apply, most costly gap first, for this kind of question."""
    text = question.text
    if question.type is QuestionType.TECHNICAL:
        return [_missing_trade_off(answer)]
    if question.type is QuestionType.SITUATIONAL:
        return [_missing_measure(answer), _missing_ownership(answer)]
    if question.type is QuestionType.ROLE_SPECIFIC:
        return [_missing_lesson(text, answer), _missing_evidence(answer)]
    return [
        _missing_real_example(answer),
        _missing_lesson(text, answer),
        _missing_result(answer),
        _missing_ownership(answer),
        _missing_number(answer),
    ]


# --- when nothing is missing ----------------------------------------------------------

_GENERIC: dict[QuestionType, tuple[str, str]] = {
    QuestionType.BEHAVIOURAL: (
        "what was the hardest moment in that, and what would you do differently next time?",
        "Probes depth: what was hard and what you would change.",
    ),
    QuestionType.TECHNICAL: (
        "how would that change at ten times the scale, and what would break first?",
        "Probes depth: whether the approach holds under more load.",
    ),
    QuestionType.SITUATIONAL: (
        "what would you do if your first step didn't work?",
        "Probes a plan B: interviewers test how you adapt when the first idea fails.",
    ),
    QuestionType.ROLE_SPECIFIC: (
        "what would your last manager say is the strongest evidence for that?",
        "Probes evidence: what someone else saw, not only what you say.",
    ),
}


def _generic(question: QuestionDraft, answer: str) -> _Probe:
    subject, phrase = _first_quote(answer)
    probe, rationale = _GENERIC[question.type]
    return _Probe(f"{_said(subject, phrase)}: {probe}", rationale)


# --- non-answers ----------------------------------------------------------------------

_TOPIC_WORDS = 12


def _topic(question: QuestionDraft) -> str:
    """What the question is about, in words that stand alone in a new question."""
    if match := _A_TIME_RE.search(question.text):
        topic = " ".join(match.group("topic").split()[:_TOPIC_WORDS]).rstrip(",;")
        return "a time " + topic
    text = " ".join(question.text.split()).rstrip("?.! ")
    if len(text.split()) <= 16:
        return f'"{text}"'
    if question.competency not in ("general", "custom", "follow-up"):
        return question.competency
    return f'"{" ".join(text.split()[:16])}…"'


def _re_ask(question: QuestionDraft, answer: str, reason: NonAnswerReason, place: str) -> _Probe:
    """A simpler way into the same question, never a scolding, and complete in itself:
    it becomes a practice question of its own, read without the one before it."""
    kind = detect_kind(question.text, question.type)
    topic = _topic(question)
    if kind is AnswerKind.KNOWLEDGE:
        body = (
            f"Take {topic} one step at a time: what is the first thing you would check or "
            "try, and why? Think out loud; a partial answer beats none."
        )
    elif kind is AnswerKind.PLAN:
        body = (
            f"Imagine it is your first week and you face {topic}. What would you do in the "
            "first hour, and who would you talk to?"
        )
    elif kind in (AnswerKind.PITCH, AnswerKind.OPINION):
        body = (
            f"In two or three sentences, what is one thing from your own experience{place} "
            f"that answers {topic}?"
        )
    else:
        body = (
            f"Think of one real moment{place} that comes closest to {topic}. Where were you, "
            "what did you do first, and how did it end? Rough notes are fine."
        )
    if reason is NonAnswerReason.ONE_LINER and (phrase := _trim(answer, 10)):
        body = f"Starting from '{phrase}': {body[0].lower()}{body[1:]}"
    return _Probe(body, "Re-asks more simply: the first reply was not an answer yet.")


def _place(resume: ResumeProfile) -> str:
    if resume.employers:
        return f" at {resume.employers[0]} or elsewhere"
    return " at work, in a project or at school"


# --- the public function --------------------------------------------------------------


def ask_follow_up(task: AskFollowUp, resume: ResumeProfile) -> FollowUp:
    """One probing follow-up to ``task.answer``, aimed at what the answer lacked.

    Order: a gentle re-ask for a non-answer; else the costliest gap, quoting the
    candidate's words; else the bank's follow-up for a bank question; else a generic
    depth probe. The result has no attribution: the agent layer adds it.
    """
    question, answer = task.question, task.answer.strip()
    reason = detect_non_answer(answer, question.text)
    if reason is not None:
        probe = _re_ask(question, answer, reason, _place(resume))
        kind = "re-ask"
    elif gap := next((p for p in _gaps(question, answer) if p is not None), None):
        probe, kind = gap, "gap"
    elif bank := find_bank_question(question.text):
        probe = _Probe(
            bank.follow_up,
            f"The follow-up interviewers ask here; it tests {bank.competency} further.",
            QuestionSource.BANK,
        )
        kind = "bank"
    else:
        probe, kind = _generic(question, answer), "generic"
    logger.debug("follow-up", extra={"coach.follow_up": kind, "coach.type": question.type})
    return FollowUp(
        question=QuestionDraft(
            text=probe.text,
            type=question.type,
            competency=question.competency,
            source=probe.source,
            rationale=probe.rationale,
        )
    )
