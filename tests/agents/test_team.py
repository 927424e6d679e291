import asyncio

import pytest
from pydantic import BaseModel

from coach.agents import AgentFactory, AgentTeam, ModelOverrides
from coach.domain import (
    CoachingLevel,
    DimensionScore,
    EvaluationDraft,
    QuestionDraft,
    QuestionSet,
    QuestionType,
    RubricDimension,
    SummaryDraft,
)
from coach.personas import PersonaRegistry, PersonaRole
from coach.providers.base import ProviderRequest
from coach.providers.scripted import ScriptedProvider
from coach.settings import PROJECT_ROOT
from coach.tasks import EvaluateAnswer, GenerateQuestions, SummarizeSession

QUESTION = QuestionDraft(text="Tell me about a conflict.", type=QuestionType.BEHAVIOURAL)


def canned(request: ProviderRequest, output: type[BaseModel]) -> BaseModel:
    if output is QuestionSet:
        return QuestionSet(questions=[QUESTION])
    if output is EvaluationDraft:
        return EvaluationDraft(
            overall=6,
            headline="Fine.",
            dimensions=[DimensionScore(dimension=d, score=6) for d in RubricDimension],
        )
    return SummaryDraft()


def build_team(provider: ScriptedProvider) -> AgentTeam:
    factory = AgentFactory(
        PersonaRegistry.from_directory(PROJECT_ROOT / "personas"), lambda _persona: provider
    )
    return AgentTeam(
        "interview",
        {
            PersonaRole.PRIMARY: factory.build(PersonaRole.PRIMARY, "primary_coach"),
            PersonaRole.FEEDBACK: factory.build(PersonaRole.FEEDBACK, "strict_feedback_coach"),
            PersonaRole.GENERAL_CHAT: factory.build(PersonaRole.GENERAL_CHAT, "general_chat"),
        },
    )


def test_question_generation_goes_to_the_primary_coach_with_its_parameters() -> None:
    provider = ScriptedProvider(canned)
    team = build_team(provider)
    result = asyncio.run(team.ask_questions(GenerateQuestions(resume="r", job_description="j")))
    (request,) = provider.requests
    primary = team.agent(PersonaRole.PRIMARY).persona
    assert request.persona == "primary_coach"
    assert request.settings.temperature == primary.temperature
    assert request.settings.max_tokens == primary.max_tokens
    assert request.settings.model == primary.model
    assert primary.prompt.strip() in request.system_prompt
    assert primary.tone in request.system_prompt
    assert result.attribution is not None and result.attribution.persona == "primary_coach"


def test_evaluation_goes_to_the_feedback_seat_and_states_the_coaching_level() -> None:
    provider = ScriptedProvider(canned)
    team = build_team(provider)
    task = EvaluateAnswer(
        question=QUESTION, answer="I did it.", coaching_level=CoachingLevel.STRICT
    )
    result = asyncio.run(team.evaluate(task))
    (request,) = provider.requests
    assert request.persona == "strict_feedback_coach"
    assert "Coaching level: strict" in request.system_prompt
    assert result.attribution is not None
    assert result.attribution.agent == "feedback"
    assert result.attribution.provider == "scripted"


def test_summaries_are_written_by_the_feedback_seat() -> None:
    provider = ScriptedProvider(canned)
    team = build_team(provider)
    asyncio.run(team.summarize(SummarizeSession(questions=[QUESTION], evaluations=[])))
    assert provider.requests[0].agent == "feedback"


def test_call_overrides_win_over_the_persona_in_one_place() -> None:
    provider = ScriptedProvider(canned)
    team = build_team(provider)
    asyncio.run(
        team.delegate(
            GenerateQuestions(resume="r", job_description="j"),
            overrides=ModelOverrides(temperature=0.0, model="other"),
        )
    )
    settings = provider.requests[0].settings
    assert (settings.temperature, settings.model) == (0.0, "other")


def test_boot_introduces_every_member_without_calling_a_model() -> None:
    provider = ScriptedProvider(canned)
    briefing = build_team(provider).boot(CoachingLevel.STRICT)
    assert {m.role for m in briefing.members} == set(PersonaRole)
    assert "strict" in briefing.greeting
    assert provider.requests == []


def test_a_task_for_an_empty_seat_is_refused_clearly() -> None:
    provider = ScriptedProvider(canned)
    factory = AgentFactory(
        PersonaRegistry.from_directory(PROJECT_ROOT / "personas"), lambda _p: provider
    )
    team = AgentTeam(
        "half", {PersonaRole.PRIMARY: factory.build(PersonaRole.PRIMARY, "primary_coach")}
    )
    with pytest.raises(ValueError, match="has no feedback agent"):
        asyncio.run(team.evaluate(EvaluateAnswer(question=QUESTION, answer="x")))
    assert provider.requests == []
