"""The offline coach's judge: scores one answer on the rubric with plain rules.

Why rules and not a model: the offline coach must work with no network, answer in
milliseconds and give the same verdict twice for the same answer, so a candidate can
trust that a changed score means a changed answer. The rules read what a human
interviewer listens for (a story with a shape, concrete evidence, a measurable result,
the candidate's own role, a clear delivery) and, above all, refuse to flatter: a
non-answer is called a non-answer.

Every strength and most improvements quote the candidate's own words, sliced verbatim
from the answer, so the feedback points at something they can find and change.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import (
    CoachingLevel,
    DimensionScore,
    EvaluationDraft,
    QuestionType,
    RubricDimension,
)
from coach.offline.answer_cues import pitch_topicality
from coach.offline.datafiles import data_file, read_yaml
from coach.offline.examples import example_answer
from coach.offline.profiles import JobProfile, ResumeProfile
from coach.offline.question_kinds import AnswerKind, detect_kind
from coach.offline.related import related_stems
from coach.tasks import EvaluateAnswer
from coach.text import PROMPT_WORDS, STOPWORDS, Filler, content_stems, find_fillers, stem, words

logger = logging.getLogger(__name__)


def _word_set(text: str) -> frozenset[str]:
    """Whitespace-separated words as a set: long word lists stay readable in source."""
    return frozenset(text.split())


__all__ = [
    "DIMENSION_WEIGHTS",
    "NonAnswerReason",
    "RubricScores",
    "RubricWeights",
    "combine",
    "detect_non_answer",
    "rubric_scores",
    "rubric_weights",
    "score_answer",
]


class NonAnswerReason(StrEnum):
    """Why an answer cannot be scored as an answer; each gets its own plain headline."""

    EMPTY = "empty"
    DONT_KNOW = "dont_know"
    GIBBERISH = "gibberish"
    COPY_OF_QUESTION = "copy_of_question"
    ONE_LINER = "one_liner"


# --- weights --------------------------------------------------------------------------

_D = RubricDimension


class RubricWeights(BaseModel):
    """data/rubric_weights.yaml: what each kind of question weighs (hand-set priors)
    and what the evidence supports (weights fitted on human ratings by
    ``python -m coach.offline.calibration``, blended in by ``shrink``, which grouped
    cross-validation chose)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    priors: dict[AnswerKind, dict[RubricDimension, float]]
    fitted: dict[RubricDimension, float]
    fitted_kinds: tuple[AnswerKind, ...] = Field(
        default=(), description="Kinds the fitted data covers; the others keep their priors."
    )
    shrink: float = Field(ge=0.0, le=1.0)

    def for_kind(
        self, kind: AnswerKind, shrink: float | None = None
    ) -> dict[RubricDimension, float]:
        """The blended weights of one kind.

        The evidence says how much each dimension counts overall; the kind's prior says
        how much more or less it counts for this kind than on average (technical answers:
        specificity more, story shape less), so kinds keep their differences however
        far the blend moves towards the evidence. A dimension a prior leaves out stays out.
        """
        s = self.shrink if shrink is None else shrink
        if kind not in self.fitted_kinds:
            s = 0.0
        prior = self.priors[kind]
        raw = {}
        for d in RubricDimension:
            average = sum(p.get(d, 0.0) for p in self.priors.values()) / len(self.priors)
            relative = prior.get(d, 0.0) / average if average else 0.0
            raw[d] = (1 - s) * prior.get(d, 0.0) + s * self.fitted.get(d, 0.0) * relative
        total = sum(raw.values()) or 1.0
        return {d: w / total for d, w in raw.items()}


@cache
def rubric_weights() -> RubricWeights:
    """The shipped weights, read once."""
    return RubricWeights.model_validate(read_yaml(data_file("rubric_weights.yaml")))


@cache
def _kind_weights() -> dict[AnswerKind, dict[RubricDimension, float]]:
    weights = rubric_weights()
    return {kind: weights.for_kind(kind) for kind in AnswerKind}


#: How much each dimension counts towards the overall score, per stored question type
#: (the weights of the kind that type stands for; the chat coach quotes them).
DIMENSION_WEIGHTS: Mapping[QuestionType, Mapping[RubricDimension, float]] = MappingProxyType(
    {
        qtype: MappingProxyType(rubric_weights().for_kind(detect_kind("", qtype)))
        for qtype in QuestionType
    }
)

#: Word-count sweet spots (help, strict) per question type: long enough for a story,
#: short enough that an interviewer is still listening.
_LENGTH_WINDOWS: dict[AnswerKind, tuple[tuple[int, int], tuple[int, int]]] = {
    AnswerKind.STORY: ((120, 350), (150, 300)),
    AnswerKind.PLAN: ((90, 320), (120, 280)),
    AnswerKind.PITCH: ((80, 320), (110, 280)),
    AnswerKind.OPINION: ((60, 260), (80, 220)),
    AnswerKind.KNOWLEDGE: ((60, 300), (80, 260)),
}

#: Strict scoring: without a quantified result no story answer can look better than this.
_STRICT_CAP_WITHOUT_NUMBERS = 6.0
_NON_ANSWER_CAP = 3.0
#: Strict scores at least this far below help on the same answer (never below 1).
_STRICT_MARGIN = 0.5
#: A substantial answer that does not answer the question (a rehearsed story) cannot
#: look better than this, however polished.
_OFF_TOPIC_CAP = 5.0
_OFF_TOPIC_TOPICAL = 0.3
_ONE_LINER_WORDS = 15

# --- vocabulary -----------------------------------------------------------------------

# The most common English words plus everyday work vocabulary: enough to tell prose
# from keyboard mash without shipping a dictionary.
_COMMON_WORDS = _word_set("""
    a about above across act action actually add after again against ago ahead all
    almost alone along already also although always am among an analysis and another
    answer any anyone anything app apps are area around as ask asked at away back bad
    based be became because become been before began begin behind being believe best
    better between big bit both bring brought budget bug bugs build built business busy
    but by call called came can cannot care case cause change changed check class clear
    client close code come company complete could course customer customers data day
    days deal decided decision deliver delivered design did different do does doing
    done down during each early easy else end enough even ever every everyone
    everything example experience fact fail failed fair far fast feel felt few field
    final finally find first fix fixed focus follow for found free from full gave get
    give go goal going good got great group grow had half hand happen happened hard has
    have he help helped her here high him his hold home how however i idea if important
    in instead into is issue issues it its job just keep kind knew know known large
    last late later lead learn learned least leave led left less let level life like
    line little long look lot made main make making manage manager many may me mean
    meeting member might mind minutes month months more most much must my myself need
    needed never new next no not nothing now number of off often old on once one only
    open or order other our out over own part people per person plan point possible
    problem process product project projects put quite rather really reason right role
    run same saw say school see seemed set several she should show side since small so
    software some someone something sometimes soon start started still stop story such
    sure system take talk talked task team teams tell than thank that the their them
    then there these they thing things think this those though thought through time
    times to today together told too took tool tools tried true try trying turn two
    under understand until up us use used user users using very want wanted was way we
    week weeks well went were what when where whether which while who whole why will
    with within without work worked working world would write wrote year years yes yet
    you your
    three four five six seven eight nine ten hundred thousand million percent
    able already because better cost costs deadline deploy deployed feature features
    feedback growth hire hired improve improved increase increased launch launched
    lesson manage managed mentor metric metrics migrate migrated plan planned priority
    quality reduce reduced release released result results revenue review reviewed
    sales save saved scale senior service services ship shipped skill skills solve
    solved stakeholder stakeholders student students support test tested testing
    tests university weakness
    um uh uhm er ah hmm okay ok yeah oh
    """)

# Function words, prompt boilerplate and hesitation sounds carry no topic, so overlap on
# them proves nothing about relevance (one list for the whole coach: coach.text).
_STOPWORDS = STOPWORDS | PROMPT_WORDS

_FAILURE_QUESTION_RE = re.compile(
    r"\b(fail\w*|mistake\w*|wrong|weakness\w*|setback\w*|regret\w*|criticism|"
    r"negative feedback|went badly|didn'?t go)\b",
    re.IGNORECASE,
)

# --- patterns run on the original text (case-insensitive), so spans quote verbatim ----

_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’]*|\d[\d,.]*")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_BOUNDARY_RE = re.compile(r"[.!?](?=\s|$)|[\n;\"]")
_CLAUSE_RE = re.compile(r"[.!?](?=\s|$)|[\n;:,\"()—–]|\s-\s")
_WEAK_END_WORDS = _word_set(
    "and or but so the a an to of with that which for in on at as by from it is was"
)
_WEAK_START_WORDS = _word_set("and or but so which that then result")

_NUMBER_RE = re.compile(
    r"(?:[$€£]\s?)?\b\d[\d,.]*(?:\s?(?:%|percent|x|k|m|bn|ms|s|sec|seconds|minutes|"
    r"mins|hours|hrs|days|weeks|months|years|people|users|customers|engineers))?\b%?",
    re.IGNORECASE,
)
_UNIT_RE = re.compile(r"[%$€£]|percent|\dx$|\d\s?[km]$|bn$", re.IGNORECASE)
_NUMBER_WORD_RE = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|dozen|half|"
    r"double|doubled|tripled|halved)\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    r"\b((?:19|20)\d\d|january|february|march|april|june|july|august|september|"
    r"october|november|december|q[1-4]|last (?:year|summer|winter|spring|fall|autumn|"
    r"quarter|semester|month|week|sprint))\b",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(
    r"\b(stuff|various|etc\.?|and so on|and so forth|"
    r"somehow|something like that|things like that|stuff like that|a lot of things|"
    r"lots of things|some things|many things|different things|whatever)\b",
    re.IGNORECASE,
)
_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,6}s?\b|\b[a-z]+[A-Z][A-Za-z]+\b")
_CAPITALISED_RE = re.compile(r"(?<![.!?]\s)(?<!^)(?<!\n)\b[A-Z][a-z]{2,}\b")

_FIRST_PERSON_ACTION_RE = re.compile(
    r"\bI\s+(?:then\s+|also\s+|first\s+|personally\s+|quickly\s+|immediately\s+|"
    r"eventually\s+|finally\s+|just\s+)?"
    r"(?:\w+ed|led|built|wrote|ran|set up|took|made|drove|met|found|spoke|sent|"
    r"taught|chose|sold|brought|gave|began|won|rewrote|put|cut|split|kept|got|"
    r"would|will|'d|’d|'ll|decided|started)\b",
    re.IGNORECASE,
)
_SITUATION_RE = re.compile(
    r"\b(when I was|while I was|at my (?:last|previous|current|first)|"
    r"in my (?:last|previous|current|first|role|job|internship|team|class)|"
    r"last (?:year|summer|semester|quarter|month|spring|fall)|in (?:19|20)\d\d|"
    r"back (?:in|when)|during my|the (?:situation|context|problem|challenge|issue) was|"
    r"we (?:had|were|faced)|our (?:team|company|product|system)|i was (?:working|a|an|the|on)|"
    r"i worked (?:at|on|as)|(?-i:[Aa]t [A-Z]\w+)|one time|a few (?:months|years) ago|"
    r"there was a)\b",
    re.IGNORECASE,
)
_TASK_RE = re.compile(
    r"\b(my (?:goal|task|job|role|responsibility|aim|mission) was|i was (?:asked|responsible|"
    r"tasked|supposed|assigned|in charge)|i needed to|we needed to|i had to|we had to|"
    r"the goal was|our goal|the objective|the deadline|i wanted to|needed to|"
    r"the task was|my priority was|i was hired to)\b",
    re.IGNORECASE,
)
_RESULT_RE = re.compile(
    r"\b(as a result|the result|resulted|in the end|ultimately|the outcome|which meant|"
    r"which led to|so that|finally|reduced|increased|saved|cut|improved|grew|shipped|"
    r"launched|delivered|achieved|won|dropped|went from|doubled|halved|raised|boosted|"
    r"eliminated|prevented|recovered|generated|learned|learnt|lesson|since then|"
    r"now i|next time|ended up|it worked|successful(?:ly)?)\b",
    re.IGNORECASE,
)
_FLOW_RE = re.compile(
    r"\b(first(?:ly)?|second(?:ly)?|third|then|next|after that|finally|because|so that|"
    r"therefore|trade-?offs?|on the other hand|for example|for instance|e\.g\.|"
    r"in practice|the reason|which means|whereas|instead)\b",
    re.IGNORECASE,
)
_OUTCOME_RE = re.compile(
    r"\b(reduc\w*|increas\w*|sav(?:ed|ing|es)|cut(?:s|ting)?|improv\w*|grew|grow\w*|"
    r"ship(?:ped|ping|s)?|launch\w*|deliver\w*|doubl\w*|halv\w*|rais(?:ed|ing)|boost\w*|"
    r"eliminat\w*|prevent\w*|recover\w*|generat\w*|won|achiev\w*|drop(?:ped)?|"
    r"lower\w*|faster|fewer|speed\w* up|accelerat\w*|exceed\w*|beat|hit|scal(?:ed|ing)|"
    r"fell|rose|shrank|went (?:down|up)|reach\w*|recruit\w*|raised)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|hundred|a hundred|a few|a couple of|several|half)"
)
_AMOUNT = rf"(?:[$€£]\s?\d[\d,.]*\s?[kmb]?|\d[\d,.]*\s?(?:%|percent|k\b|x\b)?|{_NUMBER_WORDS})"
#: A stated result: a before/after ("fell from nine days to five", "from two days to
#: about 20 minutes"), a rate ("by 30%"), time or money saved, a multiple ("doubled",
#: "3x faster"), a count reached ("grew to 400 users").
_STATED_RESULT_RE = re.compile(
    rf"\bfrom\s+(?:about |around |roughly |over |nearly |almost |just )?{_AMOUNT}"
    rf"(?:\s+[a-z]+){{0,2}}\s+(?:down |up |all the way )?to\s+(?:about |around |roughly |"
    rf"under |just |less than |over |nearly |only )?{_AMOUNT}"
    r"|\bby\s+(?:about |around |roughly |over |nearly |almost )?\d[\d,.]*\s?(?:%|percent)"
    r"|\b\d[\d,.]*\s?(?:%|percent)\s+(?:more|fewer|less|faster|cheaper|higher|lower|"
    r"increase|decrease|drop|reduction|improvement|growth|cut)"
    rf"|\b(?:sav(?:ed|ing)|cut|shav(?:ed|ing)|reduc(?:ed|ing)|free[sd]? up)\b[^.!?]{{0,40}}?"
    rf"\b{_AMOUNT}\s+(?:hours?|days?|weeks?|minutes?|months?|dollars|euros|pounds|"
    r"engineer-hours|person-hours)\b"
    r"|\b(?:doubled|tripled|quadrupled|halved|cut in half)\b"
    rf"|\b{_AMOUNT}\s*(?:x|times)\s+(?:faster|more|fewer|less|cheaper|quicker|bigger)\b"
    rf"|\b(?:grew|rose|climbed|increased|reached|raised|went up|went down|fell|dropped|"
    rf"shrank|reduced)\s+(?:\w+\s+){{0,3}}?to\s+(?:about |around |over |nearly |almost )?"
    rf"{_AMOUNT}",
    re.IGNORECASE,
)
_EXAMPLE_RE = re.compile(
    r"\b(for example|for instance|e\.g\.|such as|one time|when I|at (?-i:[A-Z]\w+)|"
    r"in my (?:last|previous|current|first) (?:role|job|internship|team|class|project))\b",
    re.IGNORECASE,
)
_LEARNING_RE = re.compile(
    r"\b(i learned|i learnt|lesson|taught me|i realized|i realised|since then|"
    r"now i|next time|i now|going forward|i changed how|i started to|i make sure|"
    r"to overcome|i(?:'ve| have) (?:been|started|learned)|working on)\b",
    re.IGNORECASE,
)
_I_RE = re.compile(r"\b(I|my|me|myself|I'm|I've|I'd|I’m|I’ve|I’d|mine)\b", re.IGNORECASE)
_WE_RE = re.compile(r"\b(we|our|us|ours|we're|we've|we'd|we’re|we’ve|ourselves)\b", re.IGNORECASE)
_WE_ACTION_RE = re.compile(
    r"\bwe\s+(?:then\s+|also\s+|all\s+|just\s+|finally\s+)?"
    r"(?:\w+ed|built|wrote|ran|set up|took|made|drove|met|found|chose|put|cut|split|"
    r"got|had to|decided|started)\b",
    re.IGNORECASE,
)
_DECISION_RE = re.compile(
    r"\bI\s+(?:then\s+|personally\s+)?(decided|chose|proposed|pushed|took (?:ownership|"
    r"the lead|charge|responsibility)|owned|led|convinced|recommended|insisted|"
    r"volunteered|initiated|stepped up|made the call|negotiated|escalated|"
    r"spearheaded|championed|designed|organi[sz]ed)\b",
    re.IGNORECASE,
)
_BLAME_RE = re.compile(
    r"\b(not my fault|wasn'?t my fault|their fault|his fault|her fault|blame\w*|"
    r"nobody told me|no one told me|they never|they didn'?t (?:do|care|listen)|"
    r"incompetent|lazy|useless|it was (?:his|her|their) (?:job|problem)|"
    r"because of (?:them|him|her|my manager)|wasn'?t pulling (?:their|his|her) weight)\b",
    re.IGNORECASE,
)
#: The candidate says they have no answer, in the middle of talking: "I really don't
#: know how to answer these type of questions, sorry".
_ADMISSION_RE = re.compile(
    r"\b(i\s+(?:really\s+|honestly\s+)?(?:don'?t|do not|dont)\s+know\s+how\s+to\s+answer|"
    r"i'?m\s+(?:rambling|not\s+sure\s+(?:how|what)\s+to\s+(?:answer|say))|"
    r"i\s+(?:lost|forgot)\s+(?:my|the)\s+(?:train\s+of\s+thought|point|question)|"
    r"i\s+(?:don'?t|do not)\s+have\s+(?:a|one|an|any)\s+(?:good\s+|big\s+|specific\s+|real\s+)?"
    r"(?:story|example|answer)|(?:can'?t|cannot)\s+think\s+of\s+(?:a|an|one|any)\s+"
    r"(?:good\s+|specific\s+)?(?:story|example|time))",
    re.IGNORECASE,
)
_ADMISSION_CAP = 4.0
#: A question that asks for a story, answered with generalities and no story at all
#: (no scene, nothing the candidate did, no outcome), has not been answered.
_NO_STORY_CAP = 4.5
_FILLER_VAGUE = frozenset({"kind of", "sort of", "kinda", "sorta"})
_HESITATIONS = frozenset({"um", "uh", "er", "ah", "hmm"})
_STUTTER_RE = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)
#: A word broken off and started again ("I've- I've taken", "in- my feet"): transcripts
#: mark the cut with a hyphen stuck to the word. Raters hear it as a halting delivery.
_BROKEN_OFF_RE = re.compile(r"\b[A-Za-z'’]+-{1,2}(?=\s)")
_DONT_KNOW_RE = re.compile(
    r"\b(i\s+(?:really\s+|honestly\s+)?(?:do\s*n[o']?t|dont|don’t|do not)\s+know|"
    r"no\s+(?:idea|clue|comment)|not\s+sure|pass|n/?a|skip|idk|dunno|no\s+answer|"
    r"i\s+(?:can'?t|cannot|can’t)\s+(?:think|remember|answer|say)|i\s+have\s+nothing|"
    r"never\s+(?:done|had|been)|nothing\s+comes\s+to\s+mind|next\s+question|"
    r"i'?m\s+not\s+sure|none|nothing)\b",
    re.IGNORECASE,
)
_VOWEL_RE = re.compile(r"[aeiouy]")
_CONSONANT_RUN_RE = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_KEYBOARD_RUNS = tuple(
    run[i : i + 4]
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for run in (row, row[::-1])
    for i in range(len(run) - 3)
    if run[i : i + 4] not in {"erty", "ytre", "poiu"}
)
_REPEATED_CHAR_RE = re.compile(r"(\w)\1{2,}")
_MORPHOLOGY_RE = re.compile(
    r"(tion|sion|ment|ness|ing|ed|ly|able|ible|ity|ive|al|er|ers|est|ful|less|ous|ize|"
    r"ise|ized|ised|ship|ance|ence|ist|ism|ure|ant|ent|ical|ology)$"
)

# --- small text helpers ---------------------------------------------------------------


@lru_cache(maxsize=256)
def _phrase_patterns(phrases: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Word-bounded patterns for named tools and skills, compiled once per job."""
    patterns = []
    for phrase in phrases:
        cleaned = phrase.strip()
        if len(cleaned) < 2:
            continue
        patterns.append(
            (cleaned, re.compile(rf"(?<![\w+#.]){re.escape(cleaned)}(?![\w+#])", re.IGNORECASE))
        )
    return tuple(patterns)


def _bounds(text: str, start: int, end: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    left = 0
    for match in pattern.finditer(text, 0, start):
        left = match.end()
    right_match = pattern.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return _bounds(text, start, end, _BOUNDARY_RE)


_MAX_QUOTE_WORDS = 25
# A quote never opens on a filler or a discourse marker: "uh because I've been able to"
# reads as the candidate's stumble, not their point.
_JUNK_START = _word_set(
    "um umm uhm uh uhh er erm ah ahh hmm mm so and but or like well okay ok yeah actually "
    "basically literally kinda sorta then also"
)
_HESITATION_RE = re.compile(r"(?:u+h*m+|u+h+m*|h+m+|m+h*m+|e+r+m*|a+h+)", re.IGNORECASE)


_JUNK_PAIRS = frozenset({"you know", "i mean", "i guess", "kind of", "sort of"})


def _junk_width(text: str, spans: list[tuple[int, int]], index: int) -> int:
    """How many tokens of filler start at ``index``: 0, 1 ("um") or 2 ("you know")."""
    word = text[slice(*spans[index])].lower().replace("’", "'")
    if word in _JUNK_START or _HESITATION_RE.fullmatch(word):
        return 1
    if index + 1 < len(spans):
        pair = f"{word} {text[slice(*spans[index + 1])].lower()}"
        return 2 if pair in _JUNK_PAIRS else 0
    return 0


def _excerpt(text: str, start: int, end: int, *, max_words: int = 10) -> str:
    """A short verbatim slice of ``text`` around ``[start, end)``, within one clause.

    Slicing (never rebuilding) guarantees the quote occurs in the answer exactly; the
    clause, not the sentence, is the unit so a quote reads as a phrase the candidate said.
    """
    left, right = _bounds(text, start, end, _CLAUSE_RE)
    if len(_TOKEN_RE.findall(text, left, right)) < 4 or right < end:
        left, right = _sentence_bounds(text, start, end)
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text, left, right)]
    if not spans:
        return text[start:end].strip()
    inside = [i for i, (s, e) in enumerate(spans) if e > start and s < end]
    first, last = (inside[0], inside[-1]) if inside else (0, 0)
    while first < last and (width := _junk_width(text, spans, first)):
        first = min(last, first + width)
    last = min(last, first + min(max_words, _MAX_QUOTE_WORDS) - 1)
    while last > first + 2 and (text[slice(*spans[last])].lower() in _WEAK_END_WORDS | _JUNK_START):
        last -= 1
    budget = max(0, max_words - (last - first + 1))
    after = min(len(spans) - 1 - last, budget - min(first, budget // 3))
    before = min(first, budget - after)
    lo_index, hi_index = first - before, last + after
    while (
        hi_index > last and text[slice(*spans[hi_index])].lower() in _WEAK_END_WORDS | _JUNK_START
    ):
        hi_index -= 1
    while lo_index < first:
        width = _junk_width(text, spans, lo_index)
        if not width and text[slice(*spans[lo_index])].lower() not in _WEAK_START_WORDS:
            break
        lo_index += max(width, 1)
    stop = spans[hi_index][1]
    while stop < len(text) and text[stop] in "%+":  # keep "40%" whole, not "40"
        stop += 1
    return text[spans[lo_index][0] : stop].strip(" ,;:-—–\t")


def _quote(text: str, match: re.Match[str] | None, *, max_words: int = 10) -> str:
    if match is None:
        return ""
    return _excerpt(text, match.start(), match.end(), max_words=max_words)


def _round_half_up(value: float) -> int:
    return int(value + 0.5)


def _clamp(value: float, low: float = 1.0, high: float = 10.0) -> float:
    return max(low, min(high, value))


# --- features -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What the answer is judged against: the question, the role, the candidate."""

    question: str
    qtype: QuestionType
    kind: AnswerKind
    question_stems: frozenset[str]
    related_stems: frozenset[str]
    hint: str
    hint_stems: frozenset[str]
    job_phrases: tuple[str, ...]
    responsibility_stems: frozenset[str]
    resume_phrases: tuple[str, ...]
    failure_question: bool


@dataclass(frozen=True, slots=True)
class _Features:
    """Everything the rubric reads from the answer, computed once."""

    text: str
    words: tuple[str, ...]
    word_count: int
    sentence_count: int
    stems: frozenset[str]
    numbers: tuple[re.Match[str], ...]
    number_words: int
    dates: int
    vague: tuple[re.Match[str], ...]
    proper_nouns: int
    job_hits: tuple[tuple[str, re.Match[str]], ...]
    resume_hits: int
    situation: re.Match[str] | None
    task_cue: re.Match[str] | None
    actions: tuple[re.Match[str], ...]
    results: tuple[re.Match[str], ...]
    flow: int
    outcomes: tuple[re.Match[str], ...]
    quantified: tuple[re.Match[str], ...]
    examples: int
    learning: tuple[re.Match[str], ...]
    i_count: int
    we_count: int
    we_actions: tuple[re.Match[str], ...]
    decisions: tuple[re.Match[str], ...]
    blame: tuple[re.Match[str], ...]
    fillers: tuple[Filler, ...]
    stutters: int
    admission: re.Match[str] | None


def _build_context(
    task: EvaluateAnswer, resume: ResumeProfile, job: JobProfile, rubric_hint: str
) -> _Context:
    question = task.question.text
    question_stems = content_stems(question) | content_stems(task.question.competency)
    question_stems = question_stems - {"general"}
    related: set[str] = set()
    for question_stem in question_stems:
        related |= related_stems().get(question_stem, frozenset())
    job_phrases = tuple(dict.fromkeys(p for p in (*job.tools, *job.skills) if p.strip()))
    responsibilities = frozenset().union(*(content_stems(r) for r in job.responsibilities))
    resume_phrases = tuple(
        dict.fromkeys(p for p in (*resume.skills, *resume.employers, *resume.projects) if p)
    )
    return _Context(
        question=question,
        qtype=task.question.type,
        kind=detect_kind(question, task.question.type),
        question_stems=frozenset(question_stems),
        related_stems=frozenset(related - question_stems),
        hint=rubric_hint.strip(),
        hint_stems=content_stems(rubric_hint) if rubric_hint.strip() else frozenset(),
        job_phrases=job_phrases,
        responsibility_stems=responsibilities,
        resume_phrases=resume_phrases,
        failure_question=bool(_FAILURE_QUESTION_RE.search(question)),
    )


def _sentences_with(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for piece in _SENTENCE_SPLIT_RE.split(text):
        idx = text.find(piece, start)
        if idx < 0:
            continue
        start = idx + len(piece)
        if pattern.search(piece):
            spans.append((idx, idx + len(piece)))
    return spans


def _with_stated_results(text: str, quantified: list[re.Match[str]]) -> tuple[re.Match[str], ...]:
    """Measured results found by figure-after-outcome, plus stated results in any form."""
    found = {m.start(): m for m in quantified}
    for match in _STATED_RESULT_RE.finditer(text):
        figures = re.findall(r"\d[\d,.]*", match.group())
        if figures and all(re.fullmatch(r"(?:19|20)\d\d", f) for f in figures):
            continue  # "from 2015 to 2018" is a period, not a result
        if not any(abs(match.start() - start) < 12 for start in found):
            found[match.start()] = match
    return tuple(found[k] for k in sorted(found))


def _extract_features(text: str, ctx: _Context) -> _Features:
    answer_words = tuple(words(text))
    sentences = [s for s in _SENTENCE_SPLIT_RE.split(text) if s.strip()]
    numbers = tuple(_NUMBER_RE.finditer(text))
    outcomes = tuple(_OUTCOME_RE.finditer(text))
    # A quantified result is a figure that measures an outcome: after the outcome verb
    # in its sentence ("cut the build from 40 to 12 minutes"), or a rate or unit next to
    # it ("a 30% drop"). A bare count before the verb ("8 shards ... cuts") is not one.
    quantified: list[re.Match[str]] = []
    if numbers and outcomes:
        for lo, hi in _sentences_with(text, _OUTCOME_RE):
            first_outcome = min(m.start() for m in outcomes if lo <= m.start() < hi)
            for match in numbers:
                if not lo <= match.start() < hi or _DATE_RE.fullmatch(match.group().strip()):
                    continue
                if match.start() > first_outcome or _UNIT_RE.search(match.group()):
                    quantified.append(match)
                    break
    lowered = text.lower()
    job_hits = tuple(
        (phrase, m)
        for phrase, pattern in _phrase_patterns(ctx.job_phrases)
        if (m := pattern.search(text))
    )
    resume_hits = sum(
        1 for _, pattern in _phrase_patterns(ctx.resume_phrases) if pattern.search(text)
    )
    proper = sum(
        1
        for m in _CAPITALISED_RE.finditer(text)
        if m.group().lower() not in _COMMON_WORDS and m.group().lower() not in _STOPWORDS
    )
    proper += len(_ACRONYM_RE.findall(text))
    return _Features(
        text=text,
        words=answer_words,
        word_count=len(answer_words),
        sentence_count=max(1, len(sentences)),
        stems=frozenset(stem(w) for w in answer_words if w not in _STOPWORDS and len(w) > 1),
        numbers=numbers,
        number_words=len(_NUMBER_WORD_RE.findall(text)),
        dates=len(_DATE_RE.findall(text)),
        vague=tuple(_VAGUE_RE.finditer(text)),
        proper_nouns=proper,
        job_hits=job_hits,
        resume_hits=resume_hits,
        situation=_SITUATION_RE.search(text),
        task_cue=_TASK_RE.search(text),
        actions=tuple(_FIRST_PERSON_ACTION_RE.finditer(text)),
        results=tuple(_RESULT_RE.finditer(text)),
        flow=len(_FLOW_RE.findall(lowered)),
        outcomes=outcomes,
        quantified=_with_stated_results(text, quantified),
        examples=len(_EXAMPLE_RE.findall(text)),
        learning=tuple(_LEARNING_RE.finditer(text)),
        i_count=len(_I_RE.findall(text)),
        we_count=len(_WE_RE.findall(text)),
        we_actions=tuple(_WE_ACTION_RE.finditer(text)),
        decisions=tuple(_DECISION_RE.finditer(text)),
        blame=tuple(_BLAME_RE.finditer(text)),
        fillers=tuple(find_fillers(text)),
        stutters=len(_STUTTER_RE.findall(text)) + len(_BROKEN_OFF_RE.findall(text)),
        admission=_ADMISSION_RE.search(text),
    )


# --- non-answers ----------------------------------------------------------------------


def _is_wordlike(word: str) -> bool:
    if word in _COMMON_WORDS or word in _STOPWORDS:
        return True
    if len(word) <= 2:
        return word in {"a", "i", "an", "to", "of", "in", "on", "at", "it", "is", "be"}
    return bool(
        _VOWEL_RE.search(word)
        and not _CONSONANT_RUN_RE.search(word)
        and not _REPEATED_CHAR_RE.search(word)
        and not any(run in word for run in _KEYBOARD_RUNS)
    )


def _looks_like_gibberish(words: tuple[str, ...], context_stems: frozenset[str]) -> bool:
    """Keyboard mash and filler text: few common words and many unpronounceable ones.

    Real prose, even terse technical prose, is held together by function words; a
    text with almost none of them, or with many vowel-less or keyboard-row tokens,
    is not an answer.
    """
    if not words:
        return False
    known = sum(1 for w in words if w in _COMMON_WORDS or w in _STOPWORDS)
    topical = sum(1 for w in words if stem(w) in context_stems)
    implausible = sum(1 for w in words if not _is_wordlike(w))
    n = len(words)
    if implausible / n >= 0.4:
        return True
    return (
        n >= 3
        and (known + topical) / n < 0.2
        and not any(_MORPHOLOGY_RE.search(w) and len(w) > 5 for w in words)
    )


def detect_non_answer(answer: str, question: str) -> NonAnswerReason | None:
    """Why ``answer`` is not an answer to ``question``, or None when it is one.

    Public so a service can refuse to spend a model call on a non-answer.
    """
    text = answer.strip()
    answer_words = tuple(words(text))
    if not answer_words:
        return NonAnswerReason.GIBBERISH if re.search(r"\d", text) else NonAnswerReason.EMPTY
    if len(answer_words) < 25 and _DONT_KNOW_RE.search(text) and not re.search(r"\d", text):
        content = [w for w in answer_words if w not in _STOPWORDS]
        if len(content) < 8:
            return NonAnswerReason.DONT_KNOW
    if _looks_like_gibberish(answer_words, content_stems(question)):
        return NonAnswerReason.GIBBERISH
    stems = frozenset(stem(w) for w in answer_words if w not in _STOPWORDS and len(w) > 1)
    if len(answer_words) <= 2 * len(words(question)) + 10:
        ratio = difflib.SequenceMatcher(None, answer_words, words(question), autojunk=False).ratio()
        question_stems = content_stems(question)
        novel = stems - question_stems
        if ratio >= 0.75 or (stems and question_stems and len(novel) <= max(1, len(stems) // 8)):
            return NonAnswerReason.COPY_OF_QUESTION
    if len(answer_words) < _ONE_LINER_WORDS:
        return NonAnswerReason.ONE_LINER
    return None


# --- the rubric -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Judgement:
    score: float
    comment: str


def _topicality(f: _Features, ctx: _Context, strict: bool = False) -> float:
    """0-1: how much of the answer is about what was asked, paraphrase included.

    Three readings, the best counts most: the question's own words (any form, by
    stem), words an on-topic answer uses instead (both ways round: "boss" for
    "manager"), and the words of the bank's rubric hint.
    """
    target = 0.6 if strict else 0.45
    q_cov = (
        len(f.stems & ctx.question_stems) / len(ctx.question_stems) if ctx.question_stems else 0.5
    )
    related = len(f.stems & ctx.related_stems)
    hint_cov = len(f.stems & ctx.hint_stems) / len(ctx.hint_stems) if ctx.hint_stems else 0.0
    signals = [
        min(1.0, q_cov / target),
        min(1.0, related / (4.0 if strict else 3.0)),
        min(1.0, hint_cov / (0.45 if strict else 0.35)),
    ]
    overlap = 0.7 * max(signals) + 0.3 * (sum(signals) / len(signals))
    if ctx.kind is AnswerKind.PITCH:
        # A pitch is about the candidate: what it says about them answers it, whatever
        # words it shares with the question.
        pitch = pitch_topicality(f.text, _subtype(ctx).value, f.i_count > 0)
        if pitch is not None:
            return max(overlap, pitch)
    return overlap


def _is_off_topic(f: _Features, ctx: _Context) -> bool:
    """A substantial answer that is about something else: a prepared story told to the
    wrong question. A pitch is about the candidate, so it is never off-topic this way."""
    if ctx.kind is AnswerKind.PITCH or f.word_count < 40 or not ctx.question_stems:
        return False
    return _topicality(f, ctx) < _OFF_TOPIC_TOPICAL


def _tells_no_story(f: _Features, ctx: _Context) -> bool:
    return (
        ctx.kind.wants_story
        and f.situation is None
        and not f.actions
        and not f.outcomes
        and not f.quantified
    )


def _score_relevance(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    topical = _topicality(f, ctx, strict)
    job_terms = len(ctx.job_phrases) + len(ctx.responsibility_stems)
    job_hits = len(f.job_hits) + 0.5 * min(4, len(f.stems & ctx.responsibility_stems))
    if job_terms:
        job = min(1.0, job_hits / (4.0 if strict else 3.0))
        score = 1 + 6.5 * topical + 2.5 * job
    else:
        job = 0.0
        score = 1 + 9 * topical
    if topical < 0.15 or _is_off_topic(f, ctx):
        score = min(score, 3.0)
    if topical >= 0.8:
        comment = "Answers what was asked"
    elif topical >= 0.4:
        comment = "Partly on the question"
    else:
        comment = "Mostly about something other than the question"
    if job_terms:
        comment += (
            f"; names {len(f.job_hits)} of the role's tools or skills"
            if f.job_hits
            else ("; no link to the role's tools or skills")
        )
    return _Judgement(score, comment + ".")


def _score_structure(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    action_target = 3.0 if strict else 2.0
    action = min(1.0, len(f.actions) / action_target)
    has_s, has_t = f.situation is not None, f.task_cue is not None
    has_r = bool(f.results or f.outcomes)
    positions = [
        m.start() for m in (f.situation, f.actions[0] if f.actions else None) if m is not None
    ]
    if has_r:
        positions.append(max(m.start() for m in (*f.results, *f.outcomes)))
    ordered = positions == sorted(positions) and len(positions) >= (3 if strict else 2)
    star = 1 + 2 * has_s + 1.5 * has_t + 2.5 * action + 2 * has_r + 1.0 * ordered
    if strict and not (has_s and has_r):
        star = min(star, 6.0)
    flow = 2 + min(4.0, f.flow * (0.8 if strict else 1.0)) + 2.0 * action + 2.0 * has_r
    if f.admission is not None:
        star, flow = min(star, 3.0), min(flow, 3.0)
    if ctx.kind.wants_story:
        score = star
    else:
        # Not a story: organised means answering, then reasons, steps and an example.
        score = max(flow + min(1.0, f.examples * 0.5), 0.5 * (star + flow))
    parts = [
        name
        for name, present in (
            ("situation", has_s),
            ("task", has_t),
            ("action", bool(f.actions)),
            ("result", has_r),
        )
        if present
    ]
    missing = [p for p in ("situation", "task", "action", "result") if p not in parts]
    if not ctx.kind.wants_story:
        comment = f"{f.flow} reasoning step(s): sequence, causes, trade-offs, examples."
    elif not missing:
        comment = "All four STAR parts" + (", in order." if ordered else ", but out of order.")
    elif parts:
        comment = f"Has {', '.join(parts)}; missing {', '.join(missing)}."
    else:
        comment = "No recognisable situation, action or result."
    return _Judgement(score, comment)


#: Distinct topic-bearing words at which an answer's range of detail counts in full
#: (help, strict): about what a full spoken answer of 150 words carries.
_DETAIL_RANGE = (40, 50)


def _score_specificity(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    """Hard evidence (figures, names, dates) and the range of detail: how many different
    topic-bearing words the answer uses. Raters of the MIT interviews rank candidates
    who use more unique words higher (Naim et al. 2015), and a spoken answer carries its
    detail in words (a place, an activity, a tool named in lower case) more than in
    figures, so range counts whatever the answer's length."""
    numbers = len(f.numbers) + 0.5 * f.number_words
    # Employers and tools are usually capitalised too: count the larger, not both.
    named = max(min(6, f.proper_nouns), len(f.job_hits) + f.resume_hits)
    hard = numbers + 0.7 * named + 0.7 * f.dates
    detail = len(f.stems)
    range_ = min(1.0, detail / _DETAIL_RANGE[strict])
    vague_penalty = min(3.5, len(f.vague) * (1.0 if strict else 0.7))
    score = (
        1.5
        + 4.5 * range_
        + 3.0 * min(1.0, hard / (4.0 if strict else 3.0))
        + (1.0 if numbers and named else 0.0)
    )
    if not numbers:
        score = min(score, 6.0 if strict else 7.0)
    score -= vague_penalty
    comment = (
        f"{int(numbers)} figure(s), {named} name(s) of tools, places or teams, "
        f"{detail} different topic words"
    ) + (f", {len(f.vague)} vague word(s)." if f.vague else ".")
    return _Judgement(score, comment)


def _score_impact(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    if ctx.kind is AnswerKind.KNOWLEDGE:
        return _score_technical_impact(f, strict)
    if not ctx.kind.wants_story and not ctx.failure_question:
        return _score_evidence(f, strict)
    outcome_credit = min(3.0, len(f.outcomes) * (1.0 if strict else 1.2))
    quantified_credit = (3.5 if f.quantified else 0.0) + (1.0 if len(f.quantified) >= 2 else 0)
    learning_weight = 1.5 if ctx.failure_question else 0.5
    learning_credit = min(3.0 if ctx.failure_question else 1.0, len(f.learning) * learning_weight)
    score = 1 + outcome_credit + quantified_credit + learning_credit
    if not f.quantified:
        cap = (5.0 if strict else 7.0) + (1.0 if ctx.failure_question and f.learning else 0.0)
        score = min(score, cap)
    if f.quantified:
        comment = f"Quantified result ({len(f.quantified)})."
    elif f.outcomes:
        comment = "Names an outcome but puts no number on it."
    elif f.learning:
        comment = "Draws a lesson; no concrete outcome."
    else:
        comment = "No result or outcome stated."
    return _Judgement(score, comment)


def _score_evidence(f: _Features, strict: bool) -> _Judgement:
    """A pitch, an opinion or a plan is not asked for a measured result: its "impact"
    is the evidence behind it (an achievement, an example, a result if there is one)."""
    achievements = min(3.0, len(f.outcomes) * (0.8 if strict else 1.0))
    examples = min(2.5, f.examples * (0.8 if strict else 1.0) + 0.5 * bool(f.situation))
    score = 2.5 + achievements + examples + (2.0 if f.quantified else 0.0)
    if f.quantified:
        comment = "Backs it with a stated result."
    elif f.outcomes or f.examples:
        comment = "Backs it with an example or an achievement."
    else:
        comment = "Says it without evidence: no example or achievement behind it."
    return _Judgement(score, comment)


def _score_technical_impact(f: _Features, strict: bool) -> _Judgement:
    """A technical answer's "impact" is saying what the approach buys and at what cost."""
    effect = min(4.0, len(f.outcomes) * (1.2 if strict else 1.5))
    reasoning = min(2.0, f.flow * 0.5)
    score = 2 + effect + reasoning + (2.0 if f.quantified else 0.0)
    if f.quantified:
        comment = "Says what the approach buys, with a figure."
    elif f.outcomes:
        comment = "Says what the approach improves, without a figure."
    else:
        comment = "Never says what the approach improves."
    return _Judgement(score, comment)


def _score_ownership(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    pronouns = f.i_count + f.we_count
    if pronouns == 0:
        base = 3.5 if ctx.kind.wants_story else 6.0
        return _Judgement(base, "Never says who did the work.")
    ratio = f.i_count / pronouns
    score = 2 + 5 * min(1.0, ratio / (0.7 if strict else 0.6))
    score += min(2.0, len(f.decisions) * 1.0) + (1.0 if len(f.actions) >= 2 else 0.0)
    score -= len(f.blame) * (3.0 if strict else 2.5)
    if not ctx.kind.wants_story:
        score = max(score, 5.0)
    comment = f'"I" {f.i_count}x vs "we" {f.we_count}x'
    if f.decisions:
        comment += f", {len(f.decisions)} decision(s) of your own"
    if f.blame:
        comment += ", blames others"
    return _Judgement(score, comment + ".")


def _score_clarity(f: _Features, ctx: _Context, strict: bool) -> _Judgement:
    help_window, strict_window = _LENGTH_WINDOWS[ctx.kind]
    low, high = strict_window if strict else help_window
    words = f.word_count
    penalty = 0.0
    if words < low:
        penalty += 4.0 * (1 - words / low)
    elif words > high:
        penalty += min(3.0, (words - high) / high * 4)
    average_sentence = words / f.sentence_count
    # Hesitations ("um", "uh") are spoken: an answer with them is a transcript, whose
    # full stops are the transcriber's, not the candidate's, so only a typed answer's
    # run-ons far past a comfortable length cost anything.
    hesitations = sum(1 for filler in f.fillers if filler.name in _HESITATIONS)
    if average_sentence > 35 and not hesitations:
        penalty += min(1.0, (average_sentence - 35) / 15)
    # Hesitations ("um", "uh") cost more than verbal habits ("like", "basically"); the
    # penalty keeps growing past the usual rates instead of stopping at a ceiling.
    filler_rate = 100 * (len(f.fillers) + hesitations) / 2 / max(words, 1)
    penalty += 5.0 * (1 - math.exp(-filler_rate * (0.16 if strict else 0.12)))
    penalty += min(1.5, f.stutters * 0.3 * 100 / max(words, 100))
    # Vague wording ("stuff", "various things") leaves the listener unsure what happened.
    # ("kind of" and "sort of" are fillers already, counted above.)
    vague = sum(1 for m in f.vague if m.group().lower() not in _FILLER_VAGUE)
    penalty += min(2.5, vague * (0.7 if strict else 0.5))
    comment = f"{words} words, ~{average_sentence:.0f} per sentence"
    if f.fillers:
        comment += f", {len(f.fillers)} filler(s)"
    if f.stutters:
        comment += f", {f.stutters} restart(s)"
    return _Judgement(10 - penalty, comment + ".")


_SCORERS = {
    _D.RELEVANCE: _score_relevance,
    _D.STRUCTURE: _score_structure,
    _D.SPECIFICITY: _score_specificity,
    _D.IMPACT: _score_impact,
    _D.OWNERSHIP: _score_ownership,
    _D.CLARITY: _score_clarity,
}


def _rubric(f: _Features, ctx: _Context, level: CoachingLevel) -> dict[RubricDimension, _Judgement]:
    """Score every dimension; strict never scores above help on the same evidence."""
    judgements = {}
    for dimension, scorer in _SCORERS.items():
        lenient = scorer(f, ctx, False)
        if level is CoachingLevel.STRICT:
            harsh = scorer(f, ctx, True)
            judgements[dimension] = _Judgement(min(lenient.score, harsh.score), harsh.comment)
        else:
            judgements[dimension] = lenient
    return judgements


def combine(
    scores: Mapping[RubricDimension, int],
    kind: AnswerKind,
    cap: float = 10.0,
    weights: Mapping[RubricDimension, float] | None = None,
) -> float:
    """The overall score: the kind's weighted mean of the dimensions, under any cap."""
    w = weights if weights is not None else _kind_weights()[kind]
    total = sum(w[d] * scores[d] for d in scores) / (sum(w[d] for d in scores) or 1.0)
    return round(min(_clamp(total), cap), 1)


# --- words for the candidate ----------------------------------------------------------

_PRAISE = {
    _D.RELEVANCE: "a direct answer to the question",
    _D.STRUCTURE: "a clear story arc",
    _D.SPECIFICITY: "concrete detail",
    _D.IMPACT: "a clear result",
    _D.OWNERSHIP: "a clear personal role",
    _D.CLARITY: "a clear, tight delivery",
}
_TECHNICAL_PRAISE = {
    **_PRAISE,
    _D.STRUCTURE: "clear step-by-step reasoning",
    _D.IMPACT: "a clear payoff for the approach",
}
_FIXES = {
    _D.RELEVANCE: "tie it back to what was asked",
    _D.STRUCTURE: "give it a situation-action-result shape",
    _D.SPECIFICITY: "name the tools, numbers and people involved",
    _D.IMPACT: "end with a measurable result",
    _D.OWNERSHIP: "make your own role sharper",
    _D.CLARITY: "cut the filler and tighten it",
}
_TECHNICAL_FIXES = {
    **_FIXES,
    _D.STRUCTURE: "lay out your reasoning in steps",
    _D.IMPACT: "say what the approach buys, with a figure",
    _D.OWNERSHIP: "say what you have done yourself, not only what one could do",
}
_STRICT_FIXES = {
    _D.RELEVANCE: "it drifts away from the question",
    _D.STRUCTURE: "there is no clear situation, action and result",
    _D.SPECIFICITY: "it lacks hard evidence: numbers, names, systems",
    _D.IMPACT: "there is no measurable result",
    _D.OWNERSHIP: "your own role is unclear",
    _D.CLARITY: "the delivery is padded and hard to follow",
}
_STRICT_TECHNICAL_FIXES = {
    **_STRICT_FIXES,
    _D.STRUCTURE: "the reasoning has no clear steps",
    _D.IMPACT: "it never says what the approach buys",
}


_ARGUMENT_PRAISE = {
    **_PRAISE,
    _D.STRUCTURE: "a clear line of argument",
    _D.IMPACT: "evidence behind what you claim",
    _D.OWNERSHIP: "a view of your own",
}
_ARGUMENT_FIXES = {
    **_FIXES,
    _D.STRUCTURE: "answer first, then give your reasons and one example",
    _D.IMPACT: "back it with one example from your own record",
    _D.OWNERSHIP: "say what you think and what you did, in the first person",
}
_STRICT_ARGUMENT_FIXES = {
    **_STRICT_FIXES,
    _D.STRUCTURE: "the point gets lost: no clear answer, reasons and example",
    _D.IMPACT: "nothing backs up the claims",
    _D.OWNERSHIP: "it never says where you stand",
}


def _wording(kind: AnswerKind) -> tuple[dict, dict, dict]:
    """(praise, fixes, strict fixes) in the words that fit what the question asks."""
    if kind is AnswerKind.KNOWLEDGE:
        return _TECHNICAL_PRAISE, _TECHNICAL_FIXES, _STRICT_TECHNICAL_FIXES
    if kind.wants_story:
        return _PRAISE, _FIXES, _STRICT_FIXES
    return _ARGUMENT_PRAISE, _ARGUMENT_FIXES, _STRICT_ARGUMENT_FIXES


def _ranked(scores: dict[RubricDimension, int]) -> list[RubricDimension]:
    order = list(RubricDimension)
    return sorted(scores, key=lambda d: (scores[d], order.index(d)))


def _headline(
    scores: dict[RubricDimension, int], overall: float, level: CoachingLevel, kind: AnswerKind
) -> str:
    ranked = _ranked(scores)
    praise, fixes, strict_fixes = _wording(kind)
    weakest, second = ranked[0], ranked[1]
    best, runner_up = sorted(scores, key=lambda d: (-scores[d], list(RubricDimension).index(d)))[:2]
    if scores[weakest] >= 8:
        if level is CoachingLevel.STRICT:
            return (
                f"Strong answer with {praise[best]} and {praise[runner_up]}; this would "
                "hold up with a demanding interviewer."
            )
        return f"Strong answer with {praise[best]} and {praise[runner_up]}; keep it this tight."
    if level is CoachingLevel.STRICT:
        if overall >= 8:
            return f"Strong answer with {praise[best]}; still, {fixes[weakest]}."
        if overall >= 6.5:
            return f"Acceptable but not memorable: {strict_fixes[weakest]}."
        if overall >= 5:
            return f"Below the bar: {strict_fixes[weakest]}, and {strict_fixes[second]}."
        return f"Weak answer: {strict_fixes[weakest]}, and {strict_fixes[second]}."
    if overall >= 8:
        return f"Strong answer with {praise[best]}; to polish it, {fixes[weakest]}."
    if overall >= 6.5:
        return f"Solid answer with {praise[best]}; {fixes[weakest]}."
    if overall >= 5:
        return f"A good start with {praise[best]}, but {fixes[weakest]}."
    return f"There is something to build on here: {fixes[weakest]} and {fixes[second]}."


_ACTION_PRAISE: dict[AnswerKind, str] = {
    AnswerKind.STORY: "You put yourself in the action",
    AnswerKind.PITCH: "You speak from your own experience",
    AnswerKind.OPINION: "You back the view with what you did",
    AnswerKind.PLAN: "You say what you would do yourself",
    AnswerKind.KNOWLEDGE: "You speak from hands-on work",
}
_LENGTH_PRAISE: dict[AnswerKind, str] = {
    AnswerKind.STORY: "{words} words: room for the whole story without padding.",
    AnswerKind.PITCH: "{words} words, about a minute spoken: the right length for this.",
    AnswerKind.OPINION: "{words} words: a view and its reasons, without padding.",
    AnswerKind.PLAN: "{words} words: a plan an interviewer can follow.",
    AnswerKind.KNOWLEDGE: "{words} words: an explanation that stays on the point.",
}
_REASON_RE = re.compile(r"\b(because|which is why|that's why|so that|the reason)\b", re.I)
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[A-Z]{2,})\b")


def _strengths(
    f: _Features, ctx: _Context, scores: dict[RubricDimension, int], level: CoachingLevel
) -> list[str]:
    """Up to three things done well, each pinned to the candidate's own words, from the
    best-scored dimensions down (one per dimension)."""
    text = f.text
    candidates: dict[RubricDimension, str] = {}
    if f.quantified:
        match = f.quantified[0]
        lo, hi = _sentence_bounds(text, match.start(), match.end())
        outcome = next((m for m in f.outcomes if lo <= m.start() < hi), match)
        start, end = min(outcome.start(), match.start()), max(outcome.end(), match.end())
        candidates[_D.IMPACT] = (
            f'You quantified the result: "{_excerpt(text, start, end, max_words=12)}".'
        )
    elif f.learning and scores[_D.IMPACT] >= 5:
        candidates[_D.IMPACT] = f'You drew a lesson: "{_quote(text, f.learning[0])}".'
    elif f.outcomes and scores[_D.IMPACT] >= 5:
        candidates[_D.IMPACT] = f'You name an outcome: "{_quote(text, f.outcomes[0])}".'
    if f.decisions:
        candidates[_D.OWNERSHIP] = (
            f'You own the decision: "{_quote(text, f.decisions[0], max_words=12)}".'
        )
    elif f.actions and scores[_D.OWNERSHIP] >= 8:
        candidates[_D.OWNERSHIP] = (
            f'{_ACTION_PRAISE[ctx.kind]}: "{_quote(text, f.actions[0], max_words=8)}".'
        )
    if f.job_hits:
        names = ", ".join(f'"{m.group()}"' for _, m in f.job_hits[:3])
        candidates[_D.RELEVANCE] = f"You named what the role uses: {names}."
    if ctx.kind.wants_story and f.situation is not None and scores[_D.STRUCTURE] >= 7:
        candidates[_D.STRUCTURE] = (
            f'You set the scene: "{_quote(text, f.situation, max_words=10)}".'
        )
    elif (
        not ctx.kind.wants_story
        and scores[_D.STRUCTURE] >= 7
        and (reason := _REASON_RE.search(text))
    ):
        candidates[_D.STRUCTURE] = f'You give your reason: "{_quote(text, reason)}".'
    if scores[_D.SPECIFICITY] >= 8:
        name = _NAME_RE.search(text)
        if f.numbers:
            candidates[_D.SPECIFICITY] = f'Figures make it real: "{_quote(text, f.numbers[0])}".'
        elif name and name.group().lower() not in _STOPWORDS:
            candidates[_D.SPECIFICITY] = f'You name names: "{_quote(text, name)}".'
    if scores[_D.CLARITY] >= 9:
        rate = len(f.fillers) / max(f.word_count, 1)
        if not f.fillers:
            candidates[_D.CLARITY] = f"Fluent: {f.word_count} words without a filler."
        elif rate < 0.015:
            candidates[_D.CLARITY] = f"Easy to follow: hardly a filler in {f.word_count} words."
        else:
            candidates[_D.CLARITY] = _LENGTH_PRAISE[ctx.kind].format(words=f.word_count)
    order = sorted(candidates, key=lambda d: (-scores[d], list(RubricDimension).index(d)))
    found = [candidates[d] for d in order]
    return found[:2] if level is CoachingLevel.STRICT else found[:3]


def _improvements(
    f: _Features, ctx: _Context, scores: dict[RubricDimension, int], level: CoachingLevel
) -> list[str]:
    """Up to four concrete changes, weakest dimension first."""
    text = f.text
    strict = level is CoachingLevel.STRICT
    ideas: dict[RubricDimension, str] = {}
    if _is_off_topic(f, ctx):
        ideas[_D.RELEVANCE] = _off_topic_advice(f, ctx)
    if not f.quantified and (ctx.kind.wants_story or ctx.failure_question):
        if f.outcomes:
            ideas[_D.IMPACT] = (
                f'Put a number on "{_quote(text, f.outcomes[0], max_words=8)}": by how much, '
                "for whom, over what period?"
            )
        elif ctx.failure_question and not f.learning:
            ideas[_D.IMPACT] = (
                "Say what you learned and what you do differently now: that is the result "
                "a failure question is after."
            )
        elif ctx.kind.wants_story:
            ideas[_D.IMPACT] = _result_advice(f)
    elif not f.quantified and scores[_D.IMPACT] <= 5 and ctx.kind is not AnswerKind.KNOWLEDGE:
        ideas[_D.IMPACT] = _evidence_advice(f, ctx)
    if f.we_count > f.i_count and f.we_count >= 3:
        we = f.we_actions[0] if f.we_actions else next(_WE_RE.finditer(text), None)
        if we is not None:
            ideas[_D.OWNERSHIP] = (
                f'Say what YOU did: "{_quote(text, we, max_words=6)}" hides your role. '
                "Try 'I proposed…', 'I built…'."
            )
    if f.blame:
        ideas[_D.OWNERSHIP] = (
            f'Drop the blame: "{_quote(text, f.blame[0], max_words=8)}" puts the story on '
            "others; say what you did about it."
        )
    elif _D.OWNERSHIP not in ideas and scores[_D.OWNERSHIP] <= 5:
        ideas[_D.OWNERSHIP] = "Name your own decisions: 'I decided…', 'I chose… because…'."
    if f.vague:
        ideas[_D.SPECIFICITY] = _vague_advice(f)
    elif scores[_D.SPECIFICITY] <= 6:
        ideas[_D.SPECIFICITY] = _detail_advice(f, ctx)
    if scores[_D.STRUCTURE] <= 6 and ctx.kind.wants_story:
        if f.situation is None:
            ideas[_D.STRUCTURE] = (
                "Open with the situation in one sentence: where you were, when, what was at stake."
            )
        elif not f.actions:
            ideas[_D.STRUCTURE] = "Say the two or three steps you took, in order, each with 'I'."
        else:
            ideas[_D.STRUCTURE] = "Finish the story: close with the outcome and what it meant."
    elif scores[_D.STRUCTURE] <= 6:
        ideas[_D.STRUCTURE] = (
            _pitch_shape_advice(f, ctx)
            if ctx.kind is AnswerKind.PITCH
            else _STRUCTURE_ADVICE[ctx.kind]
        )
    if f.fillers and 100 * len(f.fillers) / max(f.word_count, 1) >= 2:
        ideas[_D.CLARITY] = _filler_advice(f)
    elif scores[_D.CLARITY] <= 6:
        low, high = _LENGTH_WINDOWS[ctx.kind][1 if strict else 0]
        if f.word_count < low:
            ideas[_D.CLARITY] = (
                f"Too short ({f.word_count} words): aim for {low}–{high}, enough for context, "
                "actions and result."
            )
        elif f.word_count > high:
            ideas[_D.CLARITY] = (
                f"Too long ({f.word_count} words): aim for {low}–{high}; cut background and "
                "keep one example."
            )
        else:
            ideas[_D.CLARITY] = "Use shorter sentences: one idea each."
    if _D.RELEVANCE in ideas:
        pass
    elif scores[_D.RELEVANCE] <= 6:
        if ctx.hint and not (f.stems & ctx.hint_stems):
            ideas[_D.RELEVANCE] = (
                f"A strong answer here shows {ctx.hint.rstrip('.')}: say so explicitly."
            )
        elif ctx.job_phrases and not f.job_hits:
            tools = ", ".join(ctx.job_phrases[:3])
            ideas[_D.RELEVANCE] = (
                f"Link it to the role: where did you use {tools} or something close to it?"
            )
        else:
            ideas[_D.RELEVANCE] = _HEAD_ON[_subtype(ctx)]
    elif ctx.hint and not (f.stems & ctx.hint_stems) and _D.RELEVANCE not in ideas:
        ideas[_D.RELEVANCE] = (
            f"A strong answer here shows {ctx.hint.rstrip('.')}: say so explicitly."
        )
    weakest = _ranked(scores)[0]
    if not ideas and scores[weakest] < 9:
        # A good answer still gets one concrete next step, aimed at its weakest dimension.
        ideas[weakest] = (
            f"{weakest.label} is your lowest score ({scores[weakest]}/10): " + (_POLISH[weakest])
        )
    ordered = [d for d in _ranked(scores) if d in ideas][:4]
    if _D.RELEVANCE in ideas and _D.RELEVANCE not in ordered:
        # Advice about this question (its rubric hint) is the most specific: keep it.
        ordered[-1] = _D.RELEVANCE
    return [ideas[d] for d in ordered]


_FILLER_GROUPS: tuple[tuple[frozenset[str], str, str], ...] = (
    # (fillers, advice when they are frequent, advice when there are a few)
    (
        _HESITATIONS,
        "Practise the answer aloud until each sentence starts without a filler (every few "
        "words now, {n}x: {quoted}).",
        "Replace {quoted} ({n}x) with a silent pause: silence sounds surer than a filler.",
    ),
    (
        frozenset({"like"}),
        "Keep {quoted} ({n}x) for comparisons and drop it everywhere else.",
        "Drop {quoted} ({n}x) where nothing is being compared.",
    ),
    (
        frozenset({"you know", "i mean", "so yeah"}),
        "Finish the thought instead of {quoted} ({n}x): it asks the listener to fill the gap.",
        "End on the point itself, not on {quoted} ({n}x).",
    ),
    (
        frozenset({"kind of", "sort of"}),
        "Drop the hedges ({n}x: {quoted}): they make the point sound unsure.",
        "Cut {quoted} ({n}x): it softens what you did.",
    ),
    (
        frozenset({"basically", "actually", "literally"}),
        "Drop the intensifiers ({n}x: {quoted}): they weaken the sentence they sit in.",
        "Cut {quoted} ({n}x): it adds nothing.",
    ),
)


_JOIN_WORDS = frozenset({"and", "so", "but", "then", "because", "or", "well", "okay", "ok"})


def _at_joins(text: str, fillers: list[Filler]) -> int:
    """How many fillers sit where one thought joins the next: after a full stop or comma,
    after "and"/"so"/"but", or at the very start."""
    count = 0
    for filler in fillers:
        before = text[: filler.start].rstrip()
        last = re.search(r"([A-Za-z']+)$", before)
        count += (
            not before
            or before[-1] in ".,;:!?—-"
            or bool(last and last.group(1).lower() in _JOIN_WORDS)
        )
    return count


def _filler_advice(f: _Features) -> str:
    """Advice on the fillers the answer leans on most, worded by how often."""
    by_group = [[m for m in f.fillers if m.name in names] for names, _, _ in _FILLER_GROUPS]
    index = max(range(len(by_group)), key=lambda i: len(by_group[i]))
    found = by_group[index]
    _, frequent, few = _FILLER_GROUPS[index]
    quoted = ", ".join(f'"{f.text[m.start : m.end]}"' for m in {m.name: m for m in found}.values())
    rate = len(f.fillers) / max(f.word_count, 1)
    if index == 0:  # hesitations: say where they sit and how thick they are
        opening = sum(1 for m in found if m.start < len(f.text) / 3)
        if len(found) >= 3 and opening * 2 > len(found):
            return (
                f"Open with your first point after a breath: most of the {quoted} "
                f"({len(found)}x) come as you start."
            )
        if rate >= 0.09:
            template = frequent
        elif rate >= 0.05 and _at_joins(f.text, found) * 2 >= len(found):
            template = (
                "Pause silently between sentences instead of {quoted} (about one a sentence, {n}x)."
            )
        elif rate >= 0.05:
            template = (
                "Carry each sentence through to its end: {quoted} ({n}x) mostly break into the "
                "middle of one, where the listener loses the thread."
            )
        else:
            template = few
        return template.format(n=len(found), quoted=quoted)
    return (frequent if rate >= 0.06 else few).format(n=len(found), quoted=quoted)


_STRUCTURE_ADVICE: dict[AnswerKind, str] = {
    AnswerKind.STORY: "Finish the story: close with the outcome and what it meant.",
    AnswerKind.PITCH: (
        "Give it a shape: who you are now, the one or two experiences that led here, and why "
        "this role is the next step."
    ),
    AnswerKind.OPINION: (
        "State your view in the first sentence, then the reason for it and one example that "
        "shows it in practice."
    ),
    AnswerKind.PLAN: (
        "Say what you would do first, who you would involve, and how you would know it worked."
    ),
    AnswerKind.KNOWLEDGE: (
        "Walk through your reasoning in steps: the approach, why, the trade-off, an example."
    ),
}


def _last_clause(text: str) -> re.Match[str] | None:
    """The answer's closing words, to quote where a result would go."""
    clauses = list(re.finditer(r"[^.!?\n]{12,}[.!?]?\s*$|[^.!?\n]{12,}(?=[.!?])", text))
    return clauses[-1] if clauses else None


def _result_advice(f: _Features) -> str:
    """What to add when a story has no result, anchored on how the story now ends."""
    ending = _last_clause(f.text)
    if f.actions and ending is not None:
        quoted = _quote(f.text, ending, max_words=10)
        return (
            f'Finish after "{quoted}": add what changed because of it, a before and after, a '
            "figure, or who noticed."
        )
    if f.actions:
        return (
            f'After "{_quote(f.text, f.actions[-1], max_words=8)}", say what it achieved: '
            "faster, cheaper, fewer errors, happier users, by how much?"
        )
    return "Add the result: what changed because of you, how much, and for whom?"


class _Subtype(StrEnum):
    """What kind of pitch (or other answer) the question asks for, for wording advice."""

    SELF = "self"
    FIT = "fit"
    TRAIT = "trait"
    ASSESS = "assess"
    STORY = "story"
    OPINION = "opinion"
    PLAN = "plan"
    KNOWLEDGE = "knowledge"


_SUBTYPE_RULES = (
    (re.compile(r"weakness|strength|improve about|change one thing", re.I), _Subtype.TRAIT),
    (
        re.compile(
            r"hire|why (?:us|here|this|our|do you want)|fit|bring|interest|"
            r"should (?:get|have|go|be given)|give you",
            re.I,
        ),
        _Subtype.FIT,
    ),
    (
        re.compile(r"(?:you'?re|you are|yourself) (?:a|an) |consider yourself", re.I),
        _Subtype.ASSESS,
    ),
)


def _subtype(ctx: _Context) -> _Subtype:
    if ctx.kind is not AnswerKind.PITCH:
        return _Subtype(ctx.kind.value)
    return next(
        (kind for pattern, kind in _SUBTYPE_RULES if pattern.search(ctx.question)), _Subtype.SELF
    )


_VAGUE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"stuff|things|whatever", re.I),
        "name what it stands for: the task, the tool or the event.",
    ),
    (
        re.compile(r"various|a lot of|lots of|many|different|some", re.I),
        "name the one that mattered most.",
    ),
    (
        re.compile(r"etc|and so on|and so forth|like that", re.I),
        "finish the list or cut it: a trailing 'and so on' sounds unprepared.",
    ),
)


def _vague_advice(f: _Features) -> str:
    match = f.vague[0]
    fix = next(
        (advice for pattern, advice in _VAGUE_KINDS if pattern.search(match.group())),
        _VAGUE_KINDS[0][1],
    )
    return f'Replace "{_quote(f.text, match, max_words=6)}": {fix}'


_CONCRETE: dict[_Subtype, str] = {
    _Subtype.SELF: (
        "Make it concrete: name your school or team, the project you are proudest of, and "
        "one figure (how many, how long)."
    ),
    _Subtype.FIT: (
        "Make the fit concrete: name the project, the club or the job where you showed it, "
        "and one figure."
    ),
    _Subtype.TRAIT: (
        "Make it concrete: name the moment the trait showed (the place, the task) and how "
        "often or how much."
    ),
    _Subtype.ASSESS: "Make it concrete: name the team, what you led, and how many people.",
    _Subtype.STORY: (
        "Make it concrete: a name (the team, the tool, the place) and a figure (how many, "
        "how long) give the interviewer something to remember."
    ),
    _Subtype.OPINION: "Make it concrete: name the team or the person your view comes from.",
    _Subtype.PLAN: "Make the plan concrete: name who you would talk to and by when.",
    _Subtype.KNOWLEDGE: "Make it concrete: name the tool, the data size or the latency.",
}


def _detail_advice(f: _Features, ctx: _Context) -> str:
    if not f.numbers and not f.number_words and f.proper_nouns < 2:
        return _CONCRETE[_subtype(ctx)]
    if not f.numbers and not f.number_words:
        return "Add a figure to the names you give: how many people, how long, how big."
    return "Name what your figures measure: the system, the team or the place."


_HEAD_ON: dict[_Subtype, str] = {
    _Subtype.SELF: "Open with who you are now in one sentence, then what led you here.",
    _Subtype.FIT: "Lead with the reason you fit this role best, then the proof for it.",
    _Subtype.TRAIT: "Name the trait in your first sentence, then show it with one moment.",
    _Subtype.ASSESS: "Say yes or no first, then one moment that proves it.",
    _Subtype.STORY: "Answer the question head-on in your first sentence, then tell the story.",
    _Subtype.OPINION: "Say your view in the first sentence, then why you hold it.",
    _Subtype.PLAN: "Start with the first thing you would do, then why.",
    _Subtype.KNOWLEDGE: "Answer the question head-on in your first sentence, then explain.",
}
_PRESENT_RE = re.compile(r"\b(i'?m|i am|currently|right now|these days|studying|my major)\b", re.I)
_FUTURE_RE = re.compile(
    r"\b(want to|hope to|looking for|looking to|interested in|excited|goal|next step|"
    r"this (?:role|position|internship|job|company)|here)\b",
    re.I,
)
_PAST_RE = re.compile(
    r"\b(last (?:year|summer|semester)|previously|before that|worked|interned|was|grew up|"
    r"started)\b",
    re.I,
)


def _pitch_shape_advice(f: _Features, ctx: _Context) -> str:
    subtype = _subtype(ctx)
    if subtype is _Subtype.SELF:
        if not _FUTURE_RE.search(f.text):
            return (
                "End on where you are heading: why this role is your next step, so the "
                "interviewer's next question is about the job."
            )
        if not _PRESENT_RE.search(f.text):
            return "Open with who you are now (your study or role), then the past, then why here."
        if not _PAST_RE.search(f.text):
            return "Add the one or two experiences that led you here, between now and next."
        return (
            "Give it a shape: who you are now, the one or two experiences that led here, and "
            "why this role is the next step."
        )
    if subtype is _Subtype.FIT:
        return "Give two or three reasons you fit, strongest first, each with its proof."
    if subtype is _Subtype.TRAIT:
        return "Name it, show it in one moment, then say what you do about it now."
    return "Start with your answer, then one moment that shows it, then what it means here."


def _evidence_advice(f: _Features, ctx: _Context) -> str:
    subtype = _subtype(ctx)
    mention = f.actions[0] if f.actions else None
    if mention is not None and subtype in (_Subtype.SELF, _Subtype.ASSESS):
        return (
            f'Say what came of "{_quote(f.text, mention, max_words=8)}", so the claim has '
            "evidence behind it."
        )
    return {
        _Subtype.SELF: (
            "Show one achievement from your record behind the claims: what you did, where, "
            "and what came of it."
        ),
        _Subtype.FIT: (
            "Give each reason its proof: one thing you did that shows it, and what came of it."
        ),
        _Subtype.TRAIT: (
            "Show the trait at work: one moment it mattered, what you did, and what changed."
        ),
        _Subtype.ASSESS: "Give one time it happened: where, what you did, the outcome.",
        _Subtype.OPINION: (
            "Show your view in action: one moment when you acted on it, and what happened."
        ),
        _Subtype.PLAN: (
            "Use your experience to back the plan: a time you did something similar, and how "
            "it went."
        ),
    }.get(subtype, "Back it with one example from your own record.")


def _off_topic_advice(f: _Features, ctx: _Context) -> str:
    opening = _excerpt(f.text, 0, min(len(f.text), 80), max_words=8)
    return (
        f"Use a story about {_question_topic(ctx.question)} instead: this one, opening with "
        f'"{opening}", answers a different question. Or link it to the question in your '
        "first sentence."
    )


def _question_topic(question: str) -> str:
    """The asked-about part of a question, for advice: "a time you disagreed with ..."."""
    found = re.search(
        r"(?:about|describe|tell me about|give (?:me )?an example of)\s+(.+?)[.?!]*$",
        question.strip(),
        re.IGNORECASE,
    )
    words_ = (found.group(1) if found else question).strip().rstrip("?.!").split()
    return " ".join(words_[:12])


_POLISH: dict[RubricDimension, str] = {
    _D.RELEVANCE: "tie the answer back to the question and to this role in your last sentence.",
    _D.STRUCTURE: "make the situation, your actions and the result easy to tell apart.",
    _D.SPECIFICITY: "add one more hard detail: a system, a team size, a date or a figure.",
    _D.IMPACT: "say what the result bought the business or the users, with a figure.",
    _D.OWNERSHIP: "name one decision that was yours and why you made it.",
    _D.CLARITY: "tighten it: one idea per sentence, and cut what the interviewer didn't ask.",
}


# --- non-answer words -----------------------------------------------------------------

_NON_ANSWER_HEADLINES: dict[NonAnswerReason, tuple[str, str]] = {
    # (help, strict)
    NonAnswerReason.EMPTY: (
        "Not an answer yet: there is nothing to score, so give it a first try, even a rough one.",
        "Non-answer: nothing was said, so there is nothing to score.",
    ),
    NonAnswerReason.DONT_KNOW: (
        "Not an answer yet: saying you don't know gives the interviewer nothing to go on, "
        "so try a partial answer from your own experience.",
        "Non-answer: saying you don't know scores no points and an interviewer would move on.",
    ),
    NonAnswerReason.GIBBERISH: (
        "Not an answer: this does not read as words, so write a few real sentences and I'll "
        "score them.",
        "Non-answer: this is not readable text.",
    ),
    NonAnswerReason.COPY_OF_QUESTION: (
        "Not an answer yet: this repeats the question instead of answering it, so start with "
        "a real example.",
        "Non-answer: restating the question is not an answer.",
    ),
    NonAnswerReason.ONE_LINER: (
        "Not an answer yet: {words} words is a one-liner, so grow it into a short story with "
        "a situation, what you did and the result.",
        "Non-answer: {words} words is a one-liner, not an answer.",
    ),
}

_NON_ANSWER_IMPROVEMENTS: dict[NonAnswerReason, str] = {
    NonAnswerReason.EMPTY: "Write or say three sentences: the situation, what you did, the result.",
    NonAnswerReason.DONT_KNOW: (
        "When you are unsure, reason out loud: say how you would approach it, then give the "
        "closest example you have."
    ),
    NonAnswerReason.GIBBERISH: (
        "Write at least three full sentences in plain English about one real situation."
    ),
    NonAnswerReason.COPY_OF_QUESTION: (
        "Don't restate the question; start with the situation: where you were and what was "
        "at stake."
    ),
    NonAnswerReason.ONE_LINER: (
        "Add one sentence of context, the two or three things you did, and the result."
    ),
}


def _score_non_answer(
    reason: NonAnswerReason, f: _Features, ctx: _Context, level: CoachingLevel
) -> tuple[dict[RubricDimension, _Judgement], list[str]]:
    if reason is NonAnswerReason.ONE_LINER:
        judged = _rubric(f, ctx, level)
        capped = {
            d: _Judgement(min(j.score, _NON_ANSWER_CAP), j.comment) for d, j in judged.items()
        }
        excerpt = _excerpt(f.text, 0, len(f.text), max_words=12) if f.words else ""
        improvements = [
            f'Expand "{excerpt}" into a story: one sentence of context, the two or three things '
            "you did, and the result."
            if excerpt and '"' not in excerpt
            else _NON_ANSWER_IMPROVEMENTS[reason]
        ]
        return capped, improvements
    comment = {
        NonAnswerReason.EMPTY: "Nothing to score.",
        NonAnswerReason.DONT_KNOW: "No attempt at an answer.",
        NonAnswerReason.GIBBERISH: "Not readable text.",
        NonAnswerReason.COPY_OF_QUESTION: "Repeats the question.",
    }[reason]
    judged = {d: _Judgement(1.0, comment) for d in RubricDimension}
    if reason is NonAnswerReason.COPY_OF_QUESTION:
        judged[_D.RELEVANCE] = _Judgement(2.0, "On the topic only because it repeats the question.")
    return judged, [_NON_ANSWER_IMPROVEMENTS[reason]]


# --- the public function --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RubricScores:
    """The rubric's reading of one answer before the overall is weighed: the kind of
    question, the dimension scores and the cap the evidence puts on the overall."""

    kind: AnswerKind
    scores: dict[RubricDimension, int]
    cap: float


@dataclass(frozen=True, slots=True)
class _Assessment:
    ctx: _Context
    features: _Features
    reason: NonAnswerReason | None
    off_topic: bool
    judged: dict[RubricDimension, _Judgement]
    rubric: RubricScores


def _assess(
    task: EvaluateAnswer, resume: ResumeProfile, job: JobProfile, rubric_hint: str
) -> _Assessment:
    level = task.coaching_level
    ctx = _build_context(task, resume, job, rubric_hint)
    features = _extract_features(task.answer, ctx)
    reason = detect_non_answer(task.answer, task.question.text)
    off_topic = reason is None and _is_off_topic(features, ctx)
    if reason is not None:
        judged, _ = _score_non_answer(reason, features, ctx, level)
    else:
        judged = _rubric(features, ctx, level)
    scores = {d: _round_half_up(_clamp(j.score)) for d, j in judged.items()}
    cap = 10.0
    if reason is not None:
        cap = _NON_ANSWER_CAP
    elif off_topic:
        cap = _OFF_TOPIC_CAP
    elif features.admission is not None:
        cap = _ADMISSION_CAP
    elif _tells_no_story(features, ctx):
        cap = _NO_STORY_CAP
    elif level is CoachingLevel.STRICT and not features.quantified and ctx.kind.wants_story:
        cap = _STRICT_CAP_WITHOUT_NUMBERS
    if level is CoachingLevel.STRICT and reason is None:
        # A strict interviewer is harder to please than a helpful one on every answer,
        # not only where a harsher rule happens to bite.
        lenient = _rubric(features, ctx, CoachingLevel.HELP)
        help_scores = {d: _round_half_up(_clamp(j.score)) for d, j in lenient.items()}
        help_cap = _OFF_TOPIC_CAP if off_topic else 10.0
        if features.admission is not None and not off_topic:
            help_cap = _ADMISSION_CAP
        elif _tells_no_story(features, ctx) and not off_topic:
            help_cap = _NO_STORY_CAP
        help_overall = combine(help_scores, ctx.kind, help_cap)
        cap = min(cap, max(1.0, help_overall - _STRICT_MARGIN))
    return _Assessment(
        ctx, features, reason, off_topic, judged, RubricScores(ctx.kind, scores, cap)
    )


def rubric_scores(
    task: EvaluateAnswer, resume: ResumeProfile, job: JobProfile, *, rubric_hint: str = ""
) -> RubricScores:
    """The dimension scores and cap of one answer, for calibrating the weights."""
    return _assess(task, resume, job, rubric_hint).rubric


def score_answer(
    task: EvaluateAnswer,
    resume: ResumeProfile,
    job: JobProfile,
    *,
    rubric_hint: str = "",
) -> EvaluationDraft:
    """Score ``task.answer`` to ``task.question`` on the six-dimension rubric.

    ``rubric_hint`` is what the question bank says a strong answer shows; it widens
    the relevance check and becomes an improvement when the answer misses it. The
    result has no attribution: the agent layer, which knows who answered, adds it.
    """
    level = task.coaching_level
    assessed = _assess(task, resume, job, rubric_hint)
    ctx, features, reason = assessed.ctx, assessed.features, assessed.reason
    judged, scores = assessed.judged, assessed.rubric.scores
    overall = combine(scores, ctx.kind, assessed.rubric.cap)
    strengths: list[str] = []
    if reason is not None:
        _, improvements = _score_non_answer(reason, features, ctx, level)
        help_text, strict_text = _NON_ANSWER_HEADLINES[reason]
        template = strict_text if level is CoachingLevel.STRICT else help_text
        headline = template.format(words=features.word_count)
    else:
        if assessed.off_topic:
            headline = _off_topic_headline(ctx, level)
        else:
            headline = _headline(scores, overall, level, ctx.kind)
        strengths = _strengths(features, ctx, scores, level)
        improvements = _improvements(features, ctx, scores, level)
    example = example_answer(task.question, resume, job, answer=task.answer)
    logger.debug(
        "scored answer",
        extra={
            "coach.overall": overall,
            "coach.non_answer": reason.value if reason else "",
            "coach.kind": ctx.kind.value,
            "coach.words": features.word_count,
        },
    )
    return EvaluationDraft(
        overall=overall,
        headline=headline,
        dimensions=[
            DimensionScore(dimension=d, score=scores[d], comment=judged[d].comment)
            for d in RubricDimension
        ],
        strengths=strengths,
        improvements=improvements,
        example_answer=example,
        non_answer=reason is not None,
        coaching_level=level,
        attribution=None,
    )


def _off_topic_headline(ctx: _Context, level: CoachingLevel) -> str:
    topic = _question_topic(ctx.question)
    if level is CoachingLevel.STRICT:
        return f"Off the question: a prepared story, but the question asks about {topic}."
    return (
        f"A polished story, but not an answer to this question, which asks about {topic}; "
        "an interviewer would notice."
    )
