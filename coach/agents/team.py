"""``AgentTeam``: the one facade through which every agent call goes.

The team knows which seat answers which task (``ROUTES``), applies each persona's
parameters and concurrency limit, and stamps every result with an ``Attribution`` so
the page can say who produced it. Telemetry hooks in here, in one place: every call is
an ``invoke_agent`` span, recorded with the telemetry each agent was built with (the
workbench hands it to the ``AgentFactory``), so teams are traced whoever builds them
from the workbench's agents; nothing is dug out of a provider.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import TypeVar

from opentelemetry import context as otel_context
from pydantic import BaseModel, ConfigDict

from coach.agents.agent import Agent, ModelOverrides
from coach.agents.concurrency import ConcurrencyLimits
from coach.domain import (
    Attribution,
    ChatSummaryDraft,
    CoachingLevel,
    EvaluationDraft,
    FollowUp,
    QuestionSet,
    SummaryDraft,
)
from coach.personas import PersonaRole
from coach.providers.base import Completion, ProviderRequest, StreamMeta
from coach.tasks import (
    TASK_OUTPUTS,
    AskFollowUp,
    ChatReply,
    CoachTask,
    EvaluateAnswer,
    GenerateQuestions,
    SummarizeChat,
    SummarizeSession,
    WriteExampleAnswer,
)

log = logging.getLogger(__name__)

# Which seat answers which kind of task.
ROUTES: dict[str, PersonaRole] = {
    "generate_questions": PersonaRole.PRIMARY,
    "ask_follow_up": PersonaRole.PRIMARY,
    "evaluate_answer": PersonaRole.FEEDBACK,
    "write_example_answer": PersonaRole.FEEDBACK,
    "summarize_session": PersonaRole.FEEDBACK,
    "chat_reply": PersonaRole.GENERAL_CHAT,
    "summarize_chat": PersonaRole.GENERAL_CHAT,
    "judge_feedback": PersonaRole.FEEDBACK,
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


class TextReply:
    """A streamed reply: iterate the pieces; ``meta`` says who wrote it once started."""

    def __init__(self, pieces: AsyncIterator[str], meta: StreamMeta, agent: Agent) -> None:
        self.pieces = pieces
        self.meta = meta
        self._agent = agent

    @property
    def attribution(self) -> Attribution:
        return Attribution(
            agent=self._agent.role.value,
            persona=self._agent.persona.name,
            provider=self.meta.provider,
            model=self.meta.model,
            fallback=self.meta.fallback,
            notice=self.meta.notice,
            checks=list(self.meta.checks),
            cut_off=self.meta.cut_off,
        )


class AgentTeam:
    """A named set of agents, one per seat, behind ``boot``/``delegate``/``summarize``."""

    def __init__(
        self,
        name: str,
        agents: Mapping[PersonaRole, Agent],
        *,
        limits: ConcurrencyLimits | None = None,
        description: str = "",
    ) -> None:
        if not agents:
            raise ValueError(f"team {name!r} has no agents")
        self.name = name
        self.description = description
        self._agents = dict(agents)
        self._limits = limits or ConcurrencyLimits()

    @property
    def seats(self) -> frozenset[PersonaRole]:
        return frozenset(self._agents)

    def agent(self, role: PersonaRole) -> Agent:
        try:
            return self._agents[role]
        except KeyError:
            raise ValueError(f"team {self.name!r} has no {role.value} agent") from None

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
        lead = next(iter(self._agents.values())).persona
        if PersonaRole.PRIMARY in self._agents:
            lead = self._agents[PersonaRole.PRIMARY].persona
        mode = (
            "strictly, like a demanding interviewer"
            if level is CoachingLevel.STRICT
            else "in help mode: honest scores with explanations"
        )
        greeting = f"Hi, I'm {lead.title}. The team will coach you {mode}."
        return TeamBriefing(team=self.name, members=members, greeting=greeting)

    # --- the one path every call takes ------------------------------------------------

    def _request(
        self, task: CoachTask, overrides: ModelOverrides | None
    ) -> tuple[Agent, ProviderRequest]:
        agent = self.agent(ROUTES[task.kind])
        return agent, ProviderRequest(
            agent=agent.role.value,
            persona=agent.persona.name,
            system_prompt=agent.system_prompt(task.coaching_level),
            task=task,
            settings=agent.model_settings(overrides),
        )

    async def delegate(
        self, task: CoachTask, *, overrides: ModelOverrides | None = None
    ) -> BaseModel:
        """Route ``task`` to its seat, run it within the persona's limit, attribute it.

        Traced as an ``invoke_agent`` span (queue time, model, score) whose children are
        the provider's ``chat`` spans."""
        agent, request = self._request(task, overrides)
        telemetry = agent.telemetry
        with telemetry.invoke_agent(
            request, agent_name=agent.name, team=self.name, variant=agent.variant
        ) as call:
            async with self._limits.slot(agent.persona) as queue_ms:
                call.queued(queue_ms)
                completion: Completion[BaseModel] = await agent.provider.structured(
                    request, TASK_OUTPUTS[task.kind]
                )
            call.completed(completion)
            log.info(
                "agent call",
                extra={
                    "team": self.name,
                    "agent": agent.role.value,
                    "persona": agent.persona.name,
                    "task": task.kind,
                    "provider": completion.provider,
                    "fallback": completion.fallback,
                    "queue_ms": round(queue_ms, 2),
                },
            )
        attribution = Attribution(
            agent=agent.role.value,
            persona=agent.persona.name,
            provider=completion.provider,
            model=completion.model,
            fallback=completion.fallback,
            notice=completion.notice,
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            checks=completion.checks,
        )
        return completion.value.model_copy(update={"attribution": attribution})

    def stream(self, task: ChatReply | WriteExampleAnswer) -> TextReply:
        """A text reply to stream to a waiting person, within the persona's limit.

        The caller's trace context is taken now, on the caller's thread: the pieces
        are pulled later, one task at a time, on the agent loop."""
        agent, request = self._request(task, None)
        meta = StreamMeta()
        telemetry = agent.telemetry
        parent = otel_context.get_current()

        async def pieces() -> AsyncIterator[str]:
            with telemetry.invoke_agent_stream(
                request,
                agent_name=agent.name,
                team=self.name,
                parent=parent,
                variant=agent.variant,
            ) as call:
                async with self._limits.slot(agent.persona) as queue_ms:
                    call.queued(queue_ms)
                    async for piece in call.iterate(agent.provider.stream(request, meta)):
                        yield piece
                call.streamed(meta)
                with call.active():
                    log.info(
                        "agent stream",
                        extra={
                            "team": self.name,
                            "agent": agent.role.value,
                            "task": task.kind,
                            "provider": meta.provider,
                            "fallback": meta.fallback,
                            "queue_ms": round(queue_ms, 2),
                        },
                    )

        return TextReply(pieces(), meta, agent)

    # --- typed conveniences -------------------------------------------------------------

    async def ask_questions(self, task: GenerateQuestions) -> QuestionSet:
        return _typed(await self.delegate(task), QuestionSet)

    async def evaluate(self, task: EvaluateAnswer) -> EvaluationDraft:
        return _typed(await self.delegate(task), EvaluationDraft)

    async def follow_up(self, task: AskFollowUp) -> FollowUp:
        return _typed(await self.delegate(task), FollowUp)

    async def summarize(self, task: SummarizeSession) -> SummaryDraft:
        return _typed(await self.delegate(task), SummaryDraft)

    async def summarize_chat(self, task: SummarizeChat) -> ChatSummaryDraft:
        return _typed(await self.delegate(task), ChatSummaryDraft)


M = TypeVar("M", bound=BaseModel)


def _typed(value: BaseModel, kind: type[M]) -> M:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
