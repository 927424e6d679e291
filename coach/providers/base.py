"""The one small interface every model speaks, real or offline.

Modelled on pydantic-ai's ``Model``: a provider takes a typed request and returns a
typed result; it knows nothing of sessions, storage or pages. Fallback between
providers is itself a provider, so no service needs try/except ladders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from coach.tasks import CoachTask

T = TypeVar("T", bound=BaseModel)


class ModelSettings(BaseModel):
    """Per-request model parameters, merged defaults -> persona -> call in one place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    temperature: float = Field(default=0.4, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int = Field(default=800, gt=0)


class ProviderRequest(BaseModel):
    """Everything a provider needs for one call."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str
    persona: str
    system_prompt: str
    task: CoachTask
    settings: ModelSettings


class Completion(BaseModel, Generic[T]):
    """A provider's typed answer and who really produced it."""

    value: T
    provider: str
    model: str
    fallback: bool = False
    notice: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    checks: list[str] = Field(default_factory=list)
    response_id: str | None = None
    finish_reason: str | None = None


class StreamMeta(BaseModel):
    """Who produced a stream and what it cost, filled in by the provider as it goes.

    The caller creates one per stream (so concurrent streams never share it) and reads
    it after the first piece arrives (provider, model) or after the last (tokens).
    """

    provider: str = ""
    model: str = ""
    fallback: bool = False
    notice: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    time_to_first_token_ms: float | None = None
    finish_reason: str | None = None
    response_id: str | None = None
    cut_off: bool = False
    checks: list[str] = Field(default_factory=list)


@runtime_checkable
class Provider(Protocol):
    """A source of completions. ``name`` appears in attributions and telemetry."""

    name: str

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        """Answer the task with a validated instance of ``output``."""
        ...

    def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """Answer a text task piece by piece, for a person who is waiting."""
        ...


Wrap = Callable[[Provider, bool], Provider]
"""Wraps one provider of a chain; the flag says whether it is a fallback."""


@runtime_checkable
class ProviderChain(Protocol):
    """A provider made of others (a primary and its fallback). It rebuilds itself with
    each of its providers wrapped, so a wrapper such as tracing reaches every attempt
    without knowing how the chain is put together."""

    def rewrapped(self, wrap: Wrap) -> Provider:
        """The same chain over ``wrap(provider, is_fallback)`` of each provider in it."""
        ...
