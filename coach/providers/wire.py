"""What a model is asked to return, and how its reply becomes a domain object.

The domain models are strict (frozen, ``extra="forbid"``) because the store and the
pages rely on them. Models, small ones especially, are not: they add keys, write
"Behavioral", score "7/10" or forget a dimension. So each structured task has a small
lenient *wire* model here, which is also what the JSON schema sent to the server
describes; ``to_domain`` then fills in what the model should not decide (coaching
level, question source, arithmetic) and returns the strict domain object.
"""

from __future__ import annotations

import copy
import functools
import re
from statistics import fmean
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from coach.domain import (
    ChatSummaryDraft,
    DimensionScore,
    EvaluationDraft,
    FeedbackJudgement,
    FollowUp,
    QuestionDraft,
    QuestionSet,
    QuestionSource,
    QuestionType,
    RubricDimension,
    SummaryDraft,
)
from coach.tasks import (
    AskFollowUp,
    CoachTask,
    EvaluateAnswer,
    GenerateQuestions,
    JudgeFeedback,
    SummarizeChat,
    SummarizeSession,
)

__all__ = [
    "WireChatSummary",
    "WireEvaluation",
    "WireFollowUp",
    "WireModel",
    "WireQuestion",
    "WireQuestionSet",
    "WireSessionSummary",
    "json_schema_for",
    "json_schema_for_task",
    "wire_model_for",
]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TOP_N = 2


# --- lenient scalars ------------------------------------------------------------------


def _text(value: Any) -> str:
    """None -> "", numbers -> their text, a one-key dict -> its value; always stripped."""
    if value is None:
        return ""
    if isinstance(value, dict):
        texts = [v for v in value.values() if isinstance(v, str)]
        return texts[0].strip() if texts else ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value).strip()
    return str(value).strip()


def _text_list(value: Any) -> list[str]:
    """A list of non-empty strings from null, one string, or a list of strings/objects."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [text for text in (_text(item) for item in items) if text]


def _number(value: Any) -> float | None:
    """7, 7.5, "7", "7/10", "Score: 7" -> a number; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.search(value)
        return float(match.group(0)) if match else None
    return None


def _clamp(value: float) -> float:
    return min(10.0, max(1.0, value))


def _score(value: Any) -> int:
    number = _number(value)
    if number is None:
        raise ValueError("a score must be a whole number from 1 to 10")
    return round(_clamp(number))


def _optional_overall(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else round(_clamp(number), 1)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "y", "1"}
    return bool(value)


def _question_type(value: Any) -> QuestionType | None:
    """Case and spelling tolerant: "Behavioral", "role-specific", "TECHNICAL question"."""
    letters = re.sub(r"[^a-z]", "", _text(value).lower())
    for prefix, qtype in (
        ("behavio", QuestionType.BEHAVIOURAL),
        ("tech", QuestionType.TECHNICAL),
        ("situation", QuestionType.SITUATIONAL),
        ("role", QuestionType.ROLE_SPECIFIC),
    ):
        if letters.startswith(prefix):
            return qtype
    return None


_DIMENSION_ALIASES = {"star": RubricDimension.STRUCTURE, "result": RubricDimension.IMPACT}


def _dimension(value: Any) -> RubricDimension | None:
    letters = re.sub(r"[^a-z]", "", _text(value).lower())
    if not letters:
        return None
    for dimension in RubricDimension:
        if letters.startswith(dimension.value[:6]):
            return dimension
    return next((d for alias, d in _DIMENSION_ALIASES.items() if letters.startswith(alias)), None)


_Text = Annotated[str, BeforeValidator(_text)]
_TextList = Annotated[list[str], BeforeValidator(_text_list)]


def _short(max_length: int) -> dict[str, Any]:
    """Length limits for the *schema* only: a grammar-constrained small model then closes
    its strings in time instead of running out of tokens mid-JSON. Replies that go over
    are still accepted."""
    return {"json_schema_extra": {"maxLength": max_length}}


def _few(max_items: int, max_length: int) -> dict[str, Any]:
    return {
        "json_schema_extra": {
            "maxItems": max_items,
            "items": {"type": "string", "maxLength": max_length},
        }
    }


_Score = Annotated[
    int,
    BeforeValidator(_score),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 10}),
]
_Overall = Annotated[
    float | None,
    BeforeValidator(_optional_overall),
    WithJsonSchema({"type": "number", "minimum": 1, "maximum": 10}),
]
_Flag = Annotated[bool, BeforeValidator(_flag)]
_QuestionTypeName = Annotated[
    QuestionType | None,
    BeforeValidator(_question_type),
    WithJsonSchema({"type": "string", "enum": [t.value for t in QuestionType]}),
]


class WireModel(BaseModel):
    """Base of the LLM-facing models: unknown keys are ignored, never an error."""

    model_config = ConfigDict(extra="ignore")

    def to_domain(self, task: Any) -> BaseModel:
        """The strict domain result for ``task``; raises ValueError when unusable."""
        raise NotImplementedError


# --- generate_questions ---------------------------------------------------------------


class WireQuestion(WireModel):
    text: _Text = Field(
        min_length=1,
        validation_alias=AliasChoices("text", "question"),
        description="The question, as the interviewer would ask it.",
        **_short(300),
    )
    type: _QuestionTypeName = None
    competency: _Text = Field(
        default="", description="The skill it tests, in a few words.", **_short(60)
    )
    rationale: _Text = Field(
        default="", description="One sentence: why ask this candidate this.", **_short(240)
    )


def _has_question_text(item: Any) -> bool:
    if isinstance(item, str):
        return bool(item.strip())
    return isinstance(item, dict) and bool(_text(item.get("text") or item.get("question")))


class WireQuestionSet(WireModel):
    questions: list[WireQuestion] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_shapes(cls, data: Any) -> Any:
        """A bare list, one question object, or strings in place of objects."""
        if isinstance(data, list):
            data = {"questions": data}
        elif isinstance(data, dict) and "questions" not in data and _has_question_text(data):
            data = {"questions": [data]}
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            items = [item for item in data["questions"] if _has_question_text(item)]
            data = {
                **data,
                "questions": [{"text": i} if isinstance(i, str) else i for i in items],
            }
        return data

    def to_domain(self, task: GenerateQuestions) -> QuestionSet:
        """At most ``task.count`` new questions, each of an allowed type, source MODEL."""
        seen = {_question_key(text) for text in task.existing}
        allowed = task.types
        default_type = allowed[0] if allowed else QuestionType.BEHAVIOURAL
        drafts: list[QuestionDraft] = []
        for question in self.questions:
            key = _question_key(question.text)
            if key in seen:
                continue
            seen.add(key)
            qtype = question.type
            if qtype is None or (allowed and qtype not in allowed):
                qtype = default_type
            drafts.append(
                QuestionDraft(
                    text=question.text,
                    type=qtype,
                    competency=question.competency or "general",
                    source=QuestionSource.MODEL,
                    rationale=question.rationale,
                )
            )
        if not drafts:
            raise ValueError("every question repeats one the candidate already has")
        return QuestionSet(questions=drafts[: task.count])


def _question_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# --- evaluate_answer ------------------------------------------------------------------


class WireDimension(WireModel):
    score: _Score
    comment: _Text = Field(default="", description="One sentence on this dimension.")


_DIMENSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 1, "maximum": 10},
        "comment": {"type": "string", "maxLength": 200},
    },
    "required": ["score", "comment"],
}


def _dimension_map(value: Any) -> dict[str, Any]:
    """``{"relevance": 7}``, ``{"relevance": {"score": 7}}`` or a list of
    ``{"dimension": "relevance", "score": 7}`` -> ``{"relevance": {"score": 7, ...}}``.

    Unknown dimensions and unreadable scores are dropped: ``to_domain`` fills the gaps.
    """
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                name = item.get("dimension", item.get("name"))
                pairs.append((name, item))
    result: dict[str, Any] = {}
    for name, entry in pairs:
        dimension = _dimension(name)
        body = entry if isinstance(entry, dict) else {"score": entry}
        if dimension is None or _number(body.get("score")) is None:
            continue
        result[dimension.value] = {"score": body["score"], "comment": body.get("comment")}
    return result


_Dimensions = Annotated[
    dict[RubricDimension, WireDimension],
    BeforeValidator(_dimension_map),
    WithJsonSchema(
        {
            "type": "object",
            "description": "Each rubric dimension scored 1-10 with a one-sentence comment.",
            "properties": {d.value: _DIMENSION_SCHEMA for d in RubricDimension},
            "required": [d.value for d in RubricDimension],
        }
    ),
]


class WireEvaluation(WireModel):
    dimensions: _Dimensions = Field(default_factory=dict)
    overall: _Overall = Field(default=None, description="Overall score, 1-10.")
    headline: _Text = Field(
        default="", description="One-sentence verdict the candidate reads first.", **_short(200)
    )
    strengths: _TextList = Field(default_factory=list, **_few(3, 200))
    improvements: _TextList = Field(default_factory=list, **_few(3, 200))
    example_answer: _Text = Field(
        default="",
        description="A short, stronger answer in STAR form, from the resume.",
        **_short(1000),
    )
    non_answer: _Flag = Field(default=False, description="True if it does not answer at all.")

    @model_validator(mode="after")
    def _has_a_score(self) -> WireEvaluation:
        if not self.dimensions and self.overall is None:
            raise ValueError("score each rubric dimension from 1 to 10")
        return self

    def to_domain(self, task: EvaluateAnswer) -> EvaluationDraft:
        """All six dimensions (a missing one gets the mean of the others); overall as given
        or the mean of the six."""
        given = self.dimensions
        if given:
            filler = round(fmean(d.score for d in given.values()))
        else:
            filler = round(self.overall or 1)
        scores = [
            DimensionScore(dimension=d, score=given[d].score, comment=given[d].comment)
            if d in given
            else DimensionScore(dimension=d, score=filler)
            for d in RubricDimension
        ]
        overall = self.overall
        if overall is None:
            overall = round(fmean(s.score for s in scores), 1)
        return EvaluationDraft(
            overall=overall,
            headline=self.headline or f"Overall {overall:.1f}/10.",
            dimensions=scores,
            strengths=self.strengths,
            improvements=self.improvements,
            example_answer=self.example_answer,
            non_answer=self.non_answer,
            coaching_level=task.coaching_level,
        )


# --- summarize_session ----------------------------------------------------------------


class WireSessionSummary(WireModel):
    highlights: _TextList = Field(
        default_factory=list,
        description="2-4 observations across the answers, with figures.",
        **_few(4, 240),
    )
    next_steps: _TextList = Field(
        default_factory=list,
        description="3-5 concrete things to practise next.",
        **_few(5, 240),
    )

    @model_validator(mode="after")
    def _says_something(self) -> WireSessionSummary:
        if not self.next_steps and not self.highlights:
            raise ValueError("give highlights and next_steps")
        return self

    def to_domain(self, task: SummarizeSession) -> SummaryDraft:
        """The model writes the words; the figures are computed, never taken from it."""
        evaluations = task.evaluations
        averages = session_dimension_averages(task)
        weakest = _ranked(averages, best_first=False)[:_TOP_N]
        strongest = [d for d in _ranked(averages, best_first=True) if d not in weakest][:_TOP_N]
        return SummaryDraft(
            average_score=round(fmean(e.overall for e in evaluations), 1) if evaluations else None,
            questions_total=len(task.questions),
            questions_answered=len(evaluations),
            dimension_averages=averages,
            strongest=strongest,
            weakest=weakest,
            highlights=self.highlights,
            next_steps=self.next_steps,
        )


def session_dimension_averages(task: SummarizeSession) -> dict[RubricDimension, float]:
    """Each dimension's average over the evaluations that scored it, in rubric order."""
    collected: dict[RubricDimension, list[int]] = {d: [] for d in RubricDimension}
    for evaluation in task.evaluations:
        for score in evaluation.dimensions:
            collected[score.dimension].append(score.score)
    return {d: round(fmean(s), 1) for d, s in collected.items() if s}


def _ranked(averages: dict[RubricDimension, float], *, best_first: bool) -> list[RubricDimension]:
    order = list(RubricDimension)
    sign = -1 if best_first else 1
    return sorted(averages, key=lambda d: (sign * averages[d], order.index(d)))


# --- ask_follow_up --------------------------------------------------------------------


class WireFollowUp(WireModel):
    question: _Text = Field(
        min_length=1,
        validation_alias=AliasChoices("question", "follow_up", "text"),
        description="One probing follow-up question.",
        **_short(300),
    )
    rationale: _Text = Field(
        default="", description="One sentence: what it probes and why.", **_short(240)
    )

    def to_domain(self, task: AskFollowUp) -> FollowUp:
        """The follow-up keeps the original question's type and competency; repeating the
        original question is not a follow-up."""
        if _question_key(self.question) == _question_key(task.question.text):
            raise ValueError("the follow-up repeats the original question; ask something new")
        return FollowUp(
            question=QuestionDraft(
                text=self.question,
                type=task.question.type,
                competency=task.question.competency,
                source=QuestionSource.MODEL,
                rationale=self.rationale,
            )
        )


# --- summarize_chat -------------------------------------------------------------------


class WireChatSummary(WireModel):
    takeaways: _TextList = Field(
        default_factory=list, description="What the candidate should remember.", **_few(5, 240)
    )
    action_items: _TextList = Field(
        default_factory=list, description="Concrete things to do next.", **_few(5, 240)
    )

    @model_validator(mode="after")
    def _says_something(self) -> WireChatSummary:
        if not self.takeaways and not self.action_items:
            raise ValueError("give takeaways and action_items")
        return self

    def to_domain(self, task: SummarizeChat) -> ChatSummaryDraft:
        return ChatSummaryDraft(takeaways=self.takeaways, action_items=self.action_items)


# --- judge_feedback -------------------------------------------------------------------


def _rating(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else round(min(10.0, max(0.0, number)), 2)


_Rating = Annotated[
    float | None,
    BeforeValidator(_rating),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 10}),
]


class WireJudgement(WireModel):
    specificity: _Rating = Field(default=None, description="0-10: points at the answer's words.")
    actionability: _Rating = Field(default=None, description="0-10: improvements one can act on.")
    completeness: _Rating = Field(
        default=None, description="0-10: nothing the rubric needs is missing."
    )
    concision: _Rating = Field(default=None, description="0-10: useful without padding.")
    calibration: _Rating = Field(
        default=None, description="0-10: the overall score against the reference score."
    )
    rationale: _Text = Field(default="", description="One sentence.", **_short(300))

    def to_domain(self, task: JudgeFeedback) -> FeedbackJudgement:
        missing = [
            name
            for name in ("specificity", "actionability", "completeness", "concision")
            if getattr(self, name) is None
        ]
        if task.reference_score is not None and self.calibration is None:
            missing.append("calibration")
        if missing:
            raise ValueError(f"rate {', '.join(missing)} from 0 to 10")
        return FeedbackJudgement(
            specificity=self.specificity or 0.0,
            actionability=self.actionability or 0.0,
            completeness=self.completeness or 0.0,
            concision=self.concision or 0.0,
            calibration=self.calibration if task.reference_score is not None else None,
            rationale=self.rationale,
        )


# --- lookup ---------------------------------------------------------------------------

_WIRE_MODELS: dict[str, type[WireModel]] = {
    "generate_questions": WireQuestionSet,
    "evaluate_answer": WireEvaluation,
    "summarize_session": WireSessionSummary,
    "ask_follow_up": WireFollowUp,
    "summarize_chat": WireChatSummary,
    "judge_feedback": WireJudgement,
}


def wire_model_for(kind: str) -> type[WireModel]:
    """The lenient model for a structured task kind (KeyError for text tasks)."""
    try:
        return _WIRE_MODELS[kind]
    except KeyError:
        raise KeyError(f"{kind!r} has no structured result") from None


def json_schema_for_task(task: CoachTask) -> dict[str, Any]:
    """``json_schema_for(task.kind)`` narrowed to this task: no more questions than asked
    for, of the types asked for (a grammar then cannot ramble past them)."""
    schema = json_schema_for(task.kind)
    if isinstance(task, GenerateQuestions):
        questions = schema["properties"]["questions"]
        questions["maxItems"] = task.count
        if task.types:
            questions["items"]["properties"]["type"]["enum"] = [t.value for t in task.types]
    return schema


def json_schema_for(kind: str) -> dict[str, Any]:
    """The schema sent to the server: references inlined, titles dropped, so a small
    model reading it in its prompt sees one short, self-contained object."""
    return copy.deepcopy(_schema(kind))


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    schema = wire_model_for(kind).model_json_schema()
    definitions = schema.pop("$defs", {})
    return _inline(schema, definitions)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Inline ``$ref``s, drop titles and defaults, and require every property: a model
    that must write each key forgets fewer (the wire model still accepts omissions)."""
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
    first = [key for key in ("type", "description") if key in node]
    result = {
        key: _inline(node[key], definitions)
        for key in [*first, *(k for k in node if k not in first)]
        if key not in {"title", "default", "properties", "required", "additionalProperties"}
    }
    properties = node.get("properties")
    if not isinstance(properties, dict):
        if "required" in node:
            result["required"] = node["required"]
        if "additionalProperties" in node:
            result["additionalProperties"] = _inline(node["additionalProperties"], definitions)
    else:
        result["properties"] = {
            name: _inline(value, definitions) for name, value in properties.items()
        }
        result["required"] = list(properties)
        result["additionalProperties"] = False
    return result
