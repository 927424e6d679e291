"""Agents as data, the factory that builds them, and the team facade."""

from coach.agents.agent import Agent, ModelOverrides
from coach.agents.factory import AgentFactory
from coach.agents.team import AgentTeam, TeamBriefing

__all__ = ["Agent", "AgentFactory", "AgentTeam", "ModelOverrides", "TeamBriefing"]
