"""The checks between provider and domain, with a scripted model saying what small
models really said (issue 15): the nonsense is caught, repaired and labelled."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

from coach.domain import (
    DimensionScore,
    EvaluationDraft,
    QuestionDraft,
    QuestionSet,
    QuestionSource,
    QuestionType,
    RubricDimension,
)
from coach.providers.base import ModelSettings, ProviderRequest, StreamMeta
from coach.providers.checked import CheckedProvider
from coach.providers.checks import check_evaluation, distinct_questions, invented_figures
from coach.providers.offline import OfflineProvider
from coach.providers.scripted import ScriptedProvider
from coach.tasks import CoachTask, EvaluateAnswer, GenerateQuestions, WriteExampleAnswer
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

QUESTION = QuestionDraft(
    text="Tell me about a time you made a slow pipeline faster.", type=QuestionType.BEHAVIOURAL
)
EVALUATE = EvaluateAnswer(
    question=QUESTION, answer=STRONG_ANSWER, resume=RESUME, job_description=JOB_DESCRIPTION
)


def draft(overall: float, scores: list[int], **fields: Any) -> EvaluationDraft:
    dimensions = [
        DimensionScore(dimension=d, score=s) for d, s in zip(RubricDimension, scores, strict=True)
    ]
    return EvaluationDraft(
        overall=overall, headline=f"Overall {overall:g}/10.", dimensions=dimensions, **fields
    )


def request(task: CoachTask) -> ProviderRequest:
    return ProviderRequest(
        agent="feedback",
        persona="feedback_coach",
        system_prompt="Score it.",
        task=task,
        settings=ModelSettings(model="smollm2"),
    )


def checked(reply: BaseModel) -> tuple[CheckedProvider, ScriptedProvider]:
    scripted = ScriptedProvider(lambda _request, _output: reply)
    return CheckedProvider(scripted, OfflineProvider()), scripted


def evaluate(reply: BaseModel, task: EvaluateAnswer = EVALUATE) -> Any:
    provider, _ = checked(reply)
    return asyncio.run(provider.structured(request(task), EvaluationDraft))


def test_an_overall_of_ten_beside_a_relevance_of_one_is_repaired_and_labelled() -> None:
    completion = evaluate(draft(10, [1, 4, 3, 5, 4, 3]))
    assert completion.value.overall == 3.3
    assert completion.value.headline == "Overall 3.3/10."
    assert completion.checks == [
        "The model's overall 10.0 contradicted its dimension scores (1-5); "
        "the overall shown is their mean, 3.3."
    ]


def test_an_overall_of_one_with_every_dimension_ten_is_repaired() -> None:
    completion = evaluate(draft(1, [10] * 6))
    assert completion.value.overall == 10
    assert "overall 1.0 contradicted" in completion.checks[0]


def test_a_consistent_evaluation_passes_untouched() -> None:
    reply = draft(
        6.8,
        [7, 6, 7, 7, 6, 8],
        strengths=["You cut the runtime by 40% and said how."],
        example_answer="At Acme Analytics I cut nightly ETL runtime by 40%.",
    )
    completion = evaluate(reply)
    assert completion.value == reply
    assert completion.checks == []


def test_strengths_that_are_not_points_or_misquote_the_answer_are_dropped() -> None:
    reply = draft(
        7,
        [7] * 6,
        strengths=["2019", "comment", 'You said "I profiled the Spark jobs", which shows method.'],
        improvements=['You said "we doubled revenue", but give the figure.'],
    )
    completion = evaluate(reply)
    assert completion.value.strengths == [
        'You said "I profiled the Spark jobs", which shows method.'
    ]
    assert completion.value.improvements == []
    assert completion.checks == [
        "2 strengths dropped: not a sentence, or quoting words that are not in your answer.",
        "1 improvement dropped: not a sentence, or quoting words that are not in your answer.",
    ]


def test_an_example_answer_with_invented_figures_is_removed() -> None:
    completion = evaluate(draft(7, [7] * 6, example_answer="I grew revenue by 73% in 2019."))
    assert completion.value.example_answer == ""
    assert "(73, 2019)" in completion.checks[0]


def test_figures_from_the_resume_or_answer_are_not_invented() -> None:
    assert invented_figures("Runtime fell 40%; 120 DAGs; 1,000 rows", RESUME, "1000 rows") == []
    assert invented_figures("We saved $2.5M", RESUME) == ["2.5"]


def test_a_non_answer_never_reaches_the_model() -> None:
    provider, scripted = checked(draft(9, [9] * 6))
    task = EVALUATE.model_copy(update={"answer": "I don't know."})
    completion = asyncio.run(provider.structured(request(task), EvaluationDraft))
    assert scripted.requests == []
    assert completion.provider == "offline"
    assert completion.value.non_answer
    assert completion.checks and "no model was asked" in completion.checks[0]


def test_repeated_questions_are_dropped_and_topped_up_to_the_count() -> None:
    def question(text: str) -> QuestionDraft:
        return QuestionDraft(text=text, type=QuestionType.BEHAVIOURAL, source=QuestionSource.MODEL)

    reply = QuestionSet(
        questions=[
            question("Tell me about a pipeline you made faster."),
            question("Tell me about a pipeline you made faster!"),
            question("Tell me about the pipeline you made faster."),
        ]
    )
    provider, _ = checked(reply)
    task = GenerateQuestions(resume=RESUME, job_description=JOB_DESCRIPTION, count=3)
    completion = asyncio.run(provider.structured(request(task), QuestionSet))
    texts = [q.text for q in completion.value.questions]
    assert len(texts) == 3
    assert len(distinct_questions(completion.value.questions, [])[0]) == 3
    assert texts[0] == "Tell me about a pipeline you made faster."
    assert completion.checks == [
        "2 questions dropped: near-repeats of another question.",
        "2 of the 3 questions came from the offline coach: the model wrote too few distinct ones.",
    ]


def test_a_streamed_example_with_invented_figures_is_labelled_not_cut() -> None:
    class Text(BaseModel):
        text: str

    scripted = ScriptedProvider(lambda _r, _o: Text(text="I cut costs by 73% at Acme."))
    provider = CheckedProvider(scripted, OfflineProvider())
    task = WriteExampleAnswer(question=QUESTION, answer=STRONG_ANSWER, resume=RESUME)
    meta = StreamMeta()

    async def read() -> str:
        return "".join([piece async for piece in provider.stream(request(task), meta)])

    assert "73%" in asyncio.run(read())
    assert meta.checks and "(73)" in meta.checks[0]


def test_check_evaluation_is_pure() -> None:
    original = draft(10, [1] * 6)
    repaired, repairs = check_evaluation(original, answer="", resume="")
    assert original.overall == 10 and repaired.overall == 1 and repairs
