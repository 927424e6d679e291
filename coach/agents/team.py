"""``AgentTeam``: the one facade through which every agent call goes.

The team knows which seat answers which task (``delegate``), applies each persona's
parameters, and stamps every result with an ``Attribution`` so the page can say who
produced it. Telemetry and concurrency limits hook in here, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from coach.agents.agent import Agent, ModelOverrides
from coach.domain import Attribution, CoachingLevel, EvaluationDraft, QuestionSet, SummaryDraft
from coach.personas import PersonaRole
from coach.providers.base import Completion, ProviderRequest
from coach.tasks import (
    TASK_OUTPUTS,
    CoachTask,
    EvaluateAnswer,
    GenerateQuestions,
    SummarizeSession,
)

log = logging.getLogger(__name__)

# Which seat answers which kind of task.
ROUTES: dict[str, PersonaRole] = {
    "generate_questions": PersonaRole.PRIMARY,
    "evaluate_answer": PersonaRole.FEEDBACK,
    "summarize_session": PersonaRole.FEEDBACK,
}


class TeamMember(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: PersonaRole
    persona: str
    title: str
    model: str
    provider: str


class TeamBriefing(BaseModel):
    """What the team says when a session starts: who is in it, and a greeting."""

    model_config = ConfigDict(frozen=True)

    team: str
    members: list[TeamMember]
    greeting: str


class AgentTeam:
    """A named set of agents, one per seat, behind ``boot``/``delegate``/``summarize``."""

    def __init__(self, name: str, agents: Mapping[PersonaRole, Agent]) -> None:
        missing = {ROUTES[kind] for kind in ROUTES} - set(agents)
        if missing:
            seats = ", ".join(sorted(role.value for role in missing))
            raise ValueError(f"team {name!r} has no agent for: {seats}")
        self.name = name
        self._agents = dict(agents)

    def agent(self, role: PersonaRole) -> Agent:
        return self._agents[role]

    def boot(self, level: CoachingLevel = CoachingLevel.HELP) -> TeamBriefing:
        """Introduce the team; no model call, so starting a session is instant."""
        members = [
            TeamMember(
                role=agent.role,
                persona=agent.persona.name,
                title=agent.persona.title,
                model=agent.model_settings().model,
                provider=agent.provider.name,
            )
            for agent in self._agents.values()
        ]
        lead = self._agents[PersonaRole.PRIMARY].persona
        mode = (
            "strict, like a demanding interviewer"
            if level is CoachingLevel.STRICT
            else ("in help mode: honest scores with explanations")
        )
        greeting = (
            f"Hi, I'm {lead.title}. I'll ask the questions and the team will score "
            f"your answers {mode}."
        )
        return TeamBriefing(team=self.name, members=members, greeting=greeting)

    async def delegate(
        self, task: CoachTask, *, overrides: ModelOverrides | None = None
    ) -> BaseModel:
        """Route ``task`` to its seat, run it, and attribute the result."""
        agent = self._agents[ROUTES[task.kind]]
        request = ProviderRequest(
            agent=agent.role.value,
            persona=agent.persona.name,
            system_prompt=agent.system_prompt(task.coaching_level),
            task=task,
            settings=agent.model_settings(overrides),
        )
        completion: Completion[BaseModel] = await agent.provider.structured(
            request, TASK_OUTPUTS[task.kind]
        )
        attribution = Attribution(
            agent=agent.role.value,
            persona=agent.persona.name,
            provider=completion.provider,
            model=completion.model,
            fallback=completion.fallback,
            notice=completion.notice,
        )
        log.info(
            "agent call",
            extra={"agent": agent.role.value, "task": task.kind, "provider": completion.provider},
        )
        return completion.value.model_copy(update={"attribution": attribution})

    async def ask_questions(self, task: GenerateQuestions) -> QuestionSet:
        result = await self.delegate(task)
        assert isinstance(result, QuestionSet)
        return result

    async def evaluate(self, task: EvaluateAnswer) -> EvaluationDraft:
        result = await self.delegate(task)
        assert isinstance(result, EvaluationDraft)
        return result

    async def summarize(self, task: SummarizeSession) -> SummaryDraft:
        result = await self.delegate(task)
        assert isinstance(result, SummaryDraft)
        return result
