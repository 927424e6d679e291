"""What a question asks for, so the rubric scores the answer it should get.

Why not ``QuestionType`` alone: the stored type says where a question came from
(a behavioural bank entry, a custom question typed as behavioural by default), not
what it asks. "Tell me about yourself" and "Why should we hire you?" ask for a pitch,
"What do you value in a team?" for an opinion; scoring either for STAR and a measured
result marks down good answers. The kind is read from the wording first; the declared
type only settles wording that says nothing.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from coach.domain import QuestionType

__all__ = ["AnswerKind", "detect_kind", "kind_from_wording", "question_type_for"]


class AnswerKind(StrEnum):
    """The answer a question asks for."""

    STORY = "story"  # behavioural: "Tell me about a time ..."
    PITCH = "pitch"  # self-presentation and motivation: "Tell me about yourself", "Why us?"
    OPINION = "opinion"  # opinion and values: "What makes a good manager?"
    PLAN = "plan"  # situational: "What would you do if ..."
    KNOWLEDGE = "knowledge"  # technical and role knowledge: "How would you design ..."

    @property
    def wants_story(self) -> bool:
        """Only a story is scored for STAR and a measured result."""
        return self is AnswerKind.STORY


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# First match wins: the wording that most narrowly names the answer comes first.
_RULES: tuple[tuple[re.Pattern[str], AnswerKind], ...] = (
    (
        _re(
            r"\b(tell|talk) (me|us) about (a|one|the) (time|situation|moment|project|occasion|"
            r"challenge|mistake|failure|conflict|disagreement|decision)|\bdescribe (a|one|the) "
            r"(time|situation|moment|project|occasion|challenge|mistake|failure|conflict)|"
            r"\bgive (me |us )?an example\b|\bhave you ever\b|\bwalk (me|us) through (a|one|the) "
            r"(time|project|situation)|\b(a|one) time (when )?you\b|\bwhen (have|did) you\b|"
            r"\btell me about (a|one) (time|situation)\b|\bdemonstrated\b|"
            r"\bhardest\b.*\b(you|your)\b.*\b(faced|made|had|done)\b|"
            r"\bgreatest (achievement|accomplishment)\b|\bmost proud\b|\bproudest\b"
        ),
        AnswerKind.STORY,
    ),
    (
        _re(
            r"\byourself\b|\bdo you (think|consider|see) (you'?re|you are|yourself)\b|"
            r"\bwhy\b[^?]*\b(should|would)\b[^?]*\b(hire|choose|pick)\b|"
            r"\bwhy\b[^?]*\b(should|would|deserve to)\b[^?]*\b((get|have|be offered|be given|"
            r"land) (the|this|that|a) (job|role|position|internship|offer|place)|give you (the|"
            r"this|that|a) (job|role|position|internship|offer|place)|(get|go) (into|to) (\w+ )?"
            r"(school|college|program|programme))\b|\b(more )?about your (life|background|"
            r"backround|family|interests|hobbies|childhood|upbringing)\b"
        ),
        AnswerKind.PITCH,
    ),
    (
        _re(
            r"\bwhat would you do\b|\bhow would you (handle|approach|respond|deal|react|manage|"
            r"prioriti[sz]e|tell|convince)\b|\bimagine\b|\bsuppose\b|\bwhat if\b|"
            r"\bif you (were|had|joined|found|disagreed|noticed|inherited|discovered)\b|"
            r"\byour first (30|60|90|thirty|sixty|ninety) days\b"
        ),
        AnswerKind.PLAN,
    ),
    (
        _re(
            r"\b(about|describe|introduce) (yourself|your ?self)\b|\bwalk (me|us) through your "
            r"(resume|cv|background)\b|\byour background\b|\bwhy (should|would) (we|i|they) "
            r"(hire|choose|pick)\b|\bwhy (do|would) you want\b|\bwhy (this|our|the|that) "
            r"(company|role|job|position|team|field|industry|major)\b|\bwhy (us|here)\b|"
            r"\bwhat (interests|attracts|excites|motivates|drives) you\b|\bwhere do you see "
            r"yourself\b|\b(five|5|ten|10) years\b|\byour (career )?goals?\b|\b(greatest |biggest "
            r")?(strengths?|weakness(es)?)\b|\bwhat makes you (unique|a good fit|the right)\b|"
            r"\bwhat can you bring\b|\bhow would (your|others|colleagues|friends) describe you\b|"
            r"\bwhy (are you|did you) (leave|leaving|interested|apply|applying|choose|chose|pick)"
        ),
        AnswerKind.PITCH,
    ),
    (
        _re(
            r"\b(design|implement|architect|debug|optimi[sz]e|scale|deploy|migrate|test|"
            r"benchmark|normali[sz]e|index|query|model|train)\b.*\b(system|service|api|database|"
            r"pipeline|schema|algorithm|cache|queue|model|code|function|table|cluster|app)\b|"
            r"\bexplain (how|what|the difference|why)\b|\bwhat is the difference between\b|"
            r"\bwhat (is|are) (a|an|the)\b|\bhow (does|do|would) (a|an|the|you)\b.*\b(work|design|"
            r"implement|build|scale|choose|measure|test)\b|\bcomplexity\b|\btrade-?offs?\b|\bsql\b"
            r"|\balgorithm"
        ),
        AnswerKind.KNOWLEDGE,
    ),
    (
        _re(
            r"\bwhat (do|does) (you|a good|good|great|an? \w+)\b.*\b(value|think|believe|mean|"
            r"look like|matter|make)\b|\bwhat makes (a|an|good|great)\b|\byour (view|opinion|"
            r"philosophy|approach to|take on)\b|\bdo you (think|believe|agree|prefer)\b|"
            r"\bhow do you (define|feel|see|view|think|handle|deal|cope|manage|stay|keep|"
            r"prioriti[sz]e|work|approach|decide|learn|measure)\b|"
            r"\bwhat('s| is) (the most important|your favou?rite)\b|\bshould\b.*\?|"
            r"\bwhich do you prefer\b|^\s*(is|are|should|can|does)\b"
        ),
        AnswerKind.OPINION,
    ),
)

_FROM_TYPE = {
    QuestionType.BEHAVIOURAL: AnswerKind.STORY,
    QuestionType.SITUATIONAL: AnswerKind.PLAN,
    QuestionType.TECHNICAL: AnswerKind.KNOWLEDGE,
    QuestionType.ROLE_SPECIFIC: AnswerKind.PITCH,
}
_TO_TYPE = {
    AnswerKind.STORY: QuestionType.BEHAVIOURAL,
    AnswerKind.PLAN: QuestionType.SITUATIONAL,
    AnswerKind.KNOWLEDGE: QuestionType.TECHNICAL,
    AnswerKind.PITCH: QuestionType.ROLE_SPECIFIC,
    AnswerKind.OPINION: QuestionType.ROLE_SPECIFIC,
}


@lru_cache(maxsize=1024)
def _kind_from_wording(text: str) -> AnswerKind | None:
    for pattern, kind in _RULES:
        if pattern.search(text):
            return kind
    return None


def kind_from_wording(text: str) -> AnswerKind | None:
    """The kind the wording itself names, or None ("Can you be more specific?")."""
    return _kind_from_wording(" ".join(text.split()))


def detect_kind(text: str, declared: QuestionType | None = None) -> AnswerKind:
    """The kind of answer ``text`` asks for; the declared type when the wording is silent
    (a question with neither reads as a story, the commonest interview question)."""
    found = _kind_from_wording(" ".join(text.split()))
    if found is not None:
        return found
    return _FROM_TYPE.get(declared, AnswerKind.STORY) if declared else AnswerKind.STORY


def question_type_for(text: str) -> QuestionType:
    """The stored type for a custom or follow-up question, from its wording."""
    return _TO_TYPE[detect_kind(text, QuestionType.ROLE_SPECIFIC)]
