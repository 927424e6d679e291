"""``Telemetry``: one workbench's tracer, and the few helpers that name spans one way.

A trace is one *turn*: something a person waits for (generate questions, score an
answer, a chat reply). Under the turn span: an ``invoke_agent`` span per team call,
a ``chat`` span per model attempt under it (both attempts when the fallback answers),
and ``store`` spans for the writes and reads the person waits on::

    turn answer_and_evaluate                        coach.session_id, coach.persona
    ├── store add_answer
    ├── invoke_agent strict_feedback_coach          gen_ai.agent.name, coach.queue_ms, score
    │   ├── chat gpt-4o-mini   (error)              the primary that failed
    │   └── chat gpt-4o-mini   coach.fallback=true  the offline coach that answered
    ├── invoke_agent primary_coach                  the follow-up, drafted in parallel
    │   └── chat gpt-4o-mini
    └── store add_evaluation

There is no global ``TracerProvider``: each ``Telemetry`` owns its provider, so two
workbenches in one process (tests, a notebook next to the app) never mix spans. The
agent loop runs on another thread, so the caller's context travels with the
coroutine (``carry_context``) and streams take their parent explicitly.

Prompts and answers never reach a span unless ``record_content`` is on.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import MappingProxyType
from typing import Any, TypeVar, cast

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import NoOpTracer, Span, SpanKind, Status, StatusCode, Tracer
from pydantic import BaseModel

from coach.domain import EvaluationDraft, Session
from coach.errors import CoachError
from coach.providers.base import (
    Completion,
    Provider,
    ProviderChain,
    ProviderRequest,
    StreamMeta,
    T,
)
from coach.settings import TelemetrySettings
from coach.store.base import SessionStore
from coach.store.spans import SpanSink
from coach.telemetry import attributes as names
from coach.telemetry.exporter import SpanSinkExporter
from coach.users import Actor

__all__ = [
    "AgentCall",
    "Telemetry",
    "TracedProvider",
    "TracedStore",
    "Turn",
    "carry_context",
]

R = TypeVar("R")
_NOTHING: Mapping[str, str] = MappingProxyType({})
# The context entry that marks "inside a turn" (a key, not state: values live in contexts).
_TURN_KEY = otel_context.create_key("coach.turn")
Attributes = dict[str, str | bool | int | float]


class Telemetry:
    """Spans for one workbench: build with ``for_sink``; ``disabled()`` records nothing."""

    def __init__(
        self,
        tracer: Tracer,
        *,
        provider: TracerProvider | None = None,
        record_content: bool = False,
        content_max_chars: int = 2_000,
        pseudonym_key: bytes | None = None,
        stored: SpanSinkExporter | None = None,
    ) -> None:
        self.tracer = tracer
        self._stored = stored
        self.record_content = record_content
        self._provider = provider
        self._content_max_chars = content_max_chars
        # Without a configured key, a random one: user ids are stable for this process.
        self._pseudonym_key = pseudonym_key or os.urandom(32)

    @classmethod
    def disabled(cls) -> Telemetry:
        return cls(NoOpTracer())

    @classmethod
    def for_sink(
        cls,
        settings: TelemetrySettings,
        sink: SpanSink,
        *,
        exporters: tuple[SpanExporter, ...] = (),
        pseudonym_key: bytes | None = None,
        demo: bool = False,
    ) -> Telemetry:
        """Spans into ``sink`` (the store's ``spans`` table), and to
        ``settings.otlp_endpoint`` when set; ``exporters`` adds more (tests). ``demo``
        marks every span stored as demo data, so its rollups count it as such too."""
        if not settings.enabled:
            return cls.disabled()
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: settings.service_name}),
            sampler=RecordEverything(),
        )
        stored = SpanSinkExporter(sink, demo=demo)
        targets: list[SpanExporter] = [stored, *exporters]
        if settings.otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            targets.append(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        for exporter in targets:
            provider.add_span_processor(
                BatchSpanProcessor(
                    exporter,
                    max_queue_size=settings.max_queue_size,
                    schedule_delay_millis=settings.schedule_delay_ms,
                    max_export_batch_size=settings.max_export_batch_size,
                    export_timeout_millis=settings.export_timeout_ms,
                )
            )
        return cls(
            provider.get_tracer("coach"),
            provider=provider,
            record_content=settings.record_content,
            content_max_chars=settings.content_max_chars,
            pseudonym_key=pseudonym_key,
            stored=stored,
        )

    @property
    def enabled(self) -> bool:
        return self._provider is not None

    @property
    def spans_stored(self) -> int:
        """Spans written to the store so far (all of them after ``shutdown``)."""
        return self._stored.written if self._stored is not None else 0

    def force_flush(self, timeout_millis: int = 10_000) -> bool:
        """Write every finished span now (tests, the CLI before it exits)."""
        return self._provider.force_flush(timeout_millis) if self._provider else True

    def shutdown(self) -> None:
        """Flush and stop the exporters; spans ended later are dropped."""
        if self._provider is not None:
            self._provider.shutdown()

    # --- wiring -----------------------------------------------------------------------

    def instrument(self, provider: Provider) -> Provider:
        """``provider`` with a ``chat`` span per model attempt; a chain (a primary and
        its fallback) wraps each of its providers itself, so each attempt is a span."""
        if not self.enabled or isinstance(provider, TracedProvider):
            return provider
        if isinstance(provider, ProviderChain):
            return provider.rewrapped(
                lambda inner, fallback: (
                    TracedProvider(inner, self, fallback=True)
                    if fallback
                    else self.instrument(inner)
                )
            )
        return TracedProvider(provider, self)

    def instrument_store(self, store: SessionStore) -> SessionStore:
        """``store`` whose calls inside a turn become ``store`` spans."""
        if not self.enabled:
            return store
        return cast(SessionStore, TracedStore(store, self))

    # --- turns ------------------------------------------------------------------------

    @contextmanager
    def turn(
        self, operation: str, *, session_id: str | None = None, actor: Actor | None = None
    ) -> Iterator[Turn]:
        """The root span of one user-visible operation; current inside the block.

        Inside another turn (``answer_and_evaluate`` calls ``submit_answer``) it adds no
        span: one operation a person waits for is one turn, and one trace."""
        enclosing = otel_context.get_value(_TURN_KEY)
        if isinstance(enclosing, Turn) and enclosing.span.is_recording():
            if session_id:
                enclosing.inherit(names.SESSION_ID, session_id)
            yield enclosing
            return
        turn = self.start_turn(operation, session_id=session_id, actor=actor)
        with self.activate_turn(turn):
            try:
                yield turn
            except BaseException as error:
                self.end_turn(turn, error)
                raise
        self.end_turn(turn)

    def start_turn(
        self, operation: str, *, session_id: str | None = None, actor: Actor | None = None
    ) -> Turn:
        """A turn that outlives a ``with`` block (a streamed reply): ``activate_turn`` it
        around each piece of work, ``end_turn`` it when the stream ends.

        ``actor`` puts a pseudonymous user id on the turn and every span under it."""
        inherited = (
            {names.SESSION_ID: session_id, names.CONVERSATION_ID: session_id} if session_id else {}
        )
        if actor is not None:
            inherited[names.USER_ID] = actor.pseudonym(self._pseudonym_key)
        span = self.tracer.start_span(
            f"turn {operation}",
            attributes={
                names.COACH_OPERATION: names.OPERATION_TURN,
                names.COACH_TURN: operation,
                names.VARIANT: "",  # experiments set one with inherit(); spans inherit it
                **inherited,
            },
        )
        return Turn(span, inherited)

    @contextmanager
    def activate_turn(self, turn: Turn) -> Iterator[Turn]:
        """Make ``turn`` current for a block without ending it."""
        token = otel_context.attach(
            otel_context.set_value(_TURN_KEY, turn, trace.set_span_in_context(turn.span))
        )
        try:
            yield turn
        finally:
            otel_context.detach(token)

    def end_turn(self, turn: Turn, error: BaseException | None = None) -> None:
        if error is not None:
            self.mark_failed(turn.span, error)
        turn.span.end()

    async def end_turn_after(self, turn: Turn, pieces: AsyncIterator[str]) -> AsyncIterator[str]:
        """``pieces`` unchanged; ``turn`` ends when they end, fail, or the reader stops."""
        failure: BaseException | None = None
        try:
            async for piece in pieces:
                yield piece
        except BaseException as error:
            failure = error
            raise
        finally:
            close = getattr(pieces, "aclose", None)
            if close is not None:
                await close()
            self.end_turn(turn, failure)

    def annotate(self, session: Session) -> None:
        """Name the session (and its persona) on the current turn, once it is loaded."""
        turn = _current_turn()
        if turn is not None:
            turn.inherit(names.SESSION_ID, session.id)
            turn.span.set_attribute(names.PERSONA, session.persona)

    def scored(self, score: float) -> None:
        """The evaluation's overall score on the current turn."""
        turn = _current_turn()
        if turn is not None:
            turn.span.set_attribute(names.SCORE, score)

    def activate(self, span: Span) -> AbstractContextManager[Span]:
        """Make ``span`` current for a block without ending it."""
        return trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        )

    # --- agents -----------------------------------------------------------------------

    @contextmanager
    def invoke_agent(
        self, request: ProviderRequest, *, agent_name: str, team: str, variant: str = ""
    ) -> Iterator[AgentCall]:
        """An ``invoke_agent`` span, current inside the block (a structured call).

        A ``variant`` (an experiment arm, a rollout's share) tags this span and every
        span under it."""
        span = self.tracer.start_span(
            f"{names.OPERATION_INVOKE_AGENT} {agent_name}",
            attributes=self._agent_attributes(request, agent_name, team, None, variant),
        )
        token = otel_context.attach(_with_variant(trace.set_span_in_context(span), variant))
        call = AgentCall(span, self)
        try:
            yield call
        except BaseException as error:
            self.mark_failed(span, error)
            raise
        finally:
            otel_context.detach(token)
            call.end()

    @contextmanager
    def invoke_agent_stream(
        self,
        request: ProviderRequest,
        *,
        agent_name: str,
        team: str,
        parent: Context,
        variant: str = "",
    ) -> Iterator[AgentCall]:
        """An ``invoke_agent`` span under ``parent`` that is never made current across a
        ``yield``: a stream's pieces are pulled by different tasks, and a context
        attached in one task cannot be detached in another."""
        span = self.tracer.start_span(
            f"{names.OPERATION_INVOKE_AGENT} {agent_name}",
            context=parent,
            attributes=self._agent_attributes(request, agent_name, team, parent, variant),
        )
        call = AgentCall(span, self, parent=_with_variant(parent, variant))
        try:
            yield call
        except BaseException as error:
            self.mark_failed(span, error)
            raise
        finally:
            call.end()

    def _agent_attributes(
        self,
        request: ProviderRequest,
        agent_name: str,
        team: str,
        parent: Context | None,
        variant: str,
    ) -> Attributes:
        attributes: Attributes = {
            **_request_attributes(request),
            names.OPERATION: names.OPERATION_INVOKE_AGENT,
            names.AGENT_NAME: agent_name,
            names.TEAM: team,
            **_inherited(parent),
        }
        if variant:
            attributes[names.VARIANT] = variant
        return attributes

    # --- shared -----------------------------------------------------------------------

    def mark_failed(self, span: Span, error: BaseException) -> None:
        """Error status with the class, and the message only where it is written for
        people (``CoachError``: names a server, never content); a stream the reader
        stopped early is not a failure."""
        if isinstance(error, GeneratorExit):
            return
        span.set_attribute(names.ERROR_TYPE, type(error).__qualname__)
        message = str(error) if isinstance(error, CoachError) else type(error).__name__
        span.set_status(Status(StatusCode.ERROR, message[:500]))
        if self.record_content:
            span.record_exception(error)

    def content(self, value: object) -> str:
        """``value`` as JSON text cut to the configured length (only with record_content)."""
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        return text[: self._content_max_chars]


class RecordEverything(Sampler):
    """Every span recorded and sampled, decided without reading the parent's trace
    state: the workbench keeps all its spans, and the SDK's default (``ParentBased``
    over ``ALWAYS_ON``) spends a context lookup per span to reach the same answer."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Any = None,
        links: Any = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)

    def get_description(self) -> str:
        return "RecordEverything"


class Turn:
    """A turn's root span, and the attributes every span started under it inherits
    (session, variant), kept here so a span start reads one dict."""

    def __init__(self, span: Span, inherited: dict[str, str]) -> None:
        self.span = span
        self.inherited = inherited

    def inherit(self, key: str, value: str) -> None:
        """Set ``key`` on the turn and on every span started under it from now on."""
        self.inherited = {**self.inherited, key: value}
        self.span.set_attribute(key, value)
        if key == names.SESSION_ID:  # a session is the GenAI conventions' conversation
            self.inherited = {**self.inherited, names.CONVERSATION_ID: value}
            self.span.set_attribute(names.CONVERSATION_ID, value)


def _current_turn() -> Turn | None:
    turn = otel_context.get_value(_TURN_KEY)
    return turn if isinstance(turn, Turn) else None


class AgentCall:
    """One ``invoke_agent`` span, told by the team what happened as the call proceeds."""

    def __init__(self, span: Span, telemetry: Telemetry, *, parent: Context | None = None) -> None:
        self.span = span
        self._telemetry = telemetry
        self._inside = trace.set_span_in_context(span, parent) if parent is not None else None
        self._granted = time.perf_counter()
        # Set on the span in one call when it ends: each call costs a lock and a check.
        self._outcome: Attributes = {}

    def queued(self, queue_ms: float) -> None:
        """How long the call waited for its persona's concurrency slot."""
        self._outcome[names.QUEUE_MS] = queue_ms
        self._granted = time.perf_counter()

    def completed(self, completion: Completion[BaseModel]) -> None:
        self._outcome.update(_completion_attributes(completion))
        if isinstance(completion.value, EvaluationDraft):
            self._outcome[names.SCORE] = completion.value.overall

    def streamed(self, meta: StreamMeta) -> None:
        self._outcome.update(_stream_attributes(meta))

    def end(self) -> None:
        if self._outcome:
            self.span.set_attributes(self._outcome)
        self.span.end()

    async def iterate(self, pieces: AsyncIterator[str]) -> AsyncIterator[str]:
        """``pieces`` pulled with this span current (so the model span is its child),
        detached again before each piece is handed on; the first sets ``ttft_ms``."""
        inside = self._inside or otel_context.get_current()
        first = True
        while True:
            token = otel_context.attach(inside)
            try:
                piece = await anext(pieces)
            except StopAsyncIteration:
                return
            finally:
                otel_context.detach(token)
            if first:
                first = False
                self._outcome[names.TTFT_MS] = (time.perf_counter() - self._granted) * 1000
            yield piece

    def active(self) -> AbstractContextManager[Span]:
        """This span current for a block with no ``yield`` in it (a log line)."""
        return self._telemetry.activate(self.span)


class TracedProvider:
    """A provider whose every call is a GenAI ``chat`` span (error status on failure).

    The team gets its telemetry from its agents (``AgentFactory`` is handed it by the
    workbench), never from a provider."""

    def __init__(self, inner: Provider, telemetry: Telemetry, *, fallback: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.telemetry = telemetry
        self._fallback = fallback

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inner!r}, fallback={self._fallback})"

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        telemetry = self.telemetry
        # A leaf: nothing in coach starts under a model call, so it is never made current.
        span = telemetry.tracer.start_span(
            f"{names.OPERATION_CHAT} {self._model(request)}",
            kind=SpanKind.CLIENT,
            attributes={**self._attributes(request), names.OUTPUT_TYPE: names.OUTPUT_JSON},
        )
        try:
            completion = await self.inner.structured(request, output)
        except BaseException as error:
            span.set_attribute(names.PROVIDER, self._known_system())
            telemetry.mark_failed(span, error)
            span.end()
            raise
        attributes = _completion_attributes(completion)
        attributes[names.PROVIDER] = await self._system()
        attributes[names.FALLBACK] = self._fallback or completion.fallback
        if telemetry.record_content:
            attributes[names.OUTPUT_MESSAGES] = telemetry.content(
                completion.value.model_dump(mode="json")
            )
        span.set_attributes(attributes)
        span.end()
        return completion

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """The inner stream inside a span started at the first pull (so its parent is
        whatever span is current then: the agent's)."""
        telemetry = self.telemetry
        span = telemetry.tracer.start_span(
            f"{names.OPERATION_CHAT} {self._model(request)}",
            kind=SpanKind.CLIENT,
            attributes={**self._attributes(request), names.OUTPUT_TYPE: names.OUTPUT_TEXT},
        )
        started = time.perf_counter()
        collected: list[str] | None = [] if telemetry.record_content else None
        pieces = self.inner.stream(request, meta)
        try:
            async for piece in pieces:
                if started:
                    span.set_attribute(names.TTFT_MS, (time.perf_counter() - started) * 1000)
                    started = 0.0
                if collected is not None:
                    collected.append(piece)
                yield piece
            attributes = _stream_attributes(meta)
            attributes[names.PROVIDER] = await self._system()
            attributes[names.FALLBACK] = self._fallback or meta.fallback
            if collected is not None:
                attributes[names.OUTPUT_MESSAGES] = telemetry.content("".join(collected))
            span.set_attributes(attributes)
        except BaseException as error:
            span.set_attribute(names.PROVIDER, self._known_system())
            telemetry.mark_failed(span, error)
            raise
        finally:
            close = getattr(pieces, "aclose", None)
            if close is not None:
                await close()
            span.end()

    def _model(self, request: ProviderRequest) -> str:
        """The model this provider asks: the offline coach never asks the persona's."""
        return getattr(self.inner, "model", None) or request.settings.model

    async def _system(self) -> str:
        """``gen_ai.provider.name``: llama.cpp, vllm, ollama or openai as the provider
        learnt it, rather than the API family every compatible server shares."""
        inner: Any = self.inner
        while inner is not None:
            system = getattr(inner, "system", None)
            if callable(system):
                return str(await system())
            inner = getattr(inner, "inner", None)
        return self.name

    def _known_system(self) -> str:
        """As ``_system`` without asking the server (a failed call must not wait more)."""
        inner: Any = self.inner
        while inner is not None:
            known = getattr(inner, "known_system", None)
            if isinstance(known, str):
                return known
            inner = getattr(inner, "inner", None)
        return self.name

    def _attributes(self, request: ProviderRequest) -> Attributes:
        attributes: Attributes = {
            **_request_attributes(request),
            names.REQUEST_MODEL: self._model(request),
            names.OPERATION: names.OPERATION_CHAT,
            names.PROVIDER: self.name,
            names.FALLBACK: self._fallback,
            **_server_attributes(self.inner),
            **_inherited(None),
        }
        if self.telemetry.record_content:
            attributes[names.INPUT_MESSAGES] = self.telemetry.content(
                [
                    {"role": "system", "content": request.system_prompt},
                    {"role": "user", "content": request.task.model_dump(mode="json")},
                ]
            )
        return attributes


# Context managers that group other store calls (those are traced one by one).
_UNTRACED_STORE_CALLS = frozenset({"batch", "reading", "transaction", "close"})


class TracedStore:
    """A ``SessionStore`` whose calls inside a turn are ``store`` spans: the database
    waits a person feels. Outside a turn (page renders) it adds nothing but a check."""

    def __init__(
        self, store: SessionStore, telemetry: Telemetry, *, system: str = "duckdb"
    ) -> None:
        self._store = store
        self._telemetry = telemetry
        self._system = system

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store!r})"

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name.startswith("_") or not callable(attribute) or name in _UNTRACED_STORE_CALLS:
            return attribute
        traced = self._traced(name, attribute)
        self.__dict__[name] = traced  # found directly next time
        return traced

    def _traced(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        telemetry = self._telemetry
        attributes: Attributes = {
            names.COACH_OPERATION: names.OPERATION_STORE,
            names.DB_SYSTEM: self._system,
            names.DB_OPERATION: name,
        }

        span_name = f"store {name}"
        tracer = telemetry.tracer

        @functools.wraps(method)
        def traced(*args: Any, **kwargs: Any) -> Any:
            if not trace.get_current_span().is_recording():
                return method(*args, **kwargs)
            # A leaf: nothing starts under a store call, so it is never made current.
            span = tracer.start_span(span_name, attributes={**attributes, **_inherited(None)})
            try:
                return method(*args, **kwargs)
            except BaseException as error:
                telemetry.mark_failed(span, error)
                raise
            finally:
                span.end()

        return traced


def carry_context(coroutine: Coroutine[Any, Any, R]) -> Coroutine[Any, Any, R]:
    """``coroutine`` wrapped to run in the caller's trace context, wherever it runs:
    the services hand coroutines to the agent loop's thread."""
    captured = otel_context.get_current()

    async def carried() -> R:
        token = otel_context.attach(captured)
        try:
            return await coroutine
        finally:
            otel_context.detach(token)

    return carried()


def _with_variant(context: Context, variant: str) -> Context:
    """``context`` whose spans inherit ``variant`` on top of their turn's attributes."""
    if not variant:
        return context
    turn = otel_context.get_value(_TURN_KEY, context)
    inherited = turn.inherited if isinstance(turn, Turn) else {}
    span = turn.span if isinstance(turn, Turn) else trace.get_current_span(context)
    return otel_context.set_value(
        _TURN_KEY, Turn(span, {**inherited, names.VARIANT: variant}), context
    )


def _inherited(context: Context | None) -> Mapping[str, str]:
    """What spans started in ``context`` (the current one if None) take from its turn:
    the session and variant, so the spans table filters by them without a join."""
    turn = otel_context.get_value(_TURN_KEY, context)
    return turn.inherited if isinstance(turn, Turn) else _NOTHING


def _request_attributes(request: ProviderRequest) -> Attributes:
    settings = request.settings
    attributes: Attributes = {
        names.REQUEST_MODEL: settings.model,
        names.TEMPERATURE: settings.temperature,
        names.MAX_TOKENS: settings.max_tokens,
        names.AGENT: request.agent,
        names.PERSONA: request.persona,
        names.TASK: request.task.kind,
    }
    if settings.top_p is not None:
        attributes[names.TOP_P] = settings.top_p
    return attributes


def _server_attributes(provider: Any) -> Attributes:
    """``server.address`` and ``server.port`` of the model server a provider calls."""
    while provider is not None:
        server = getattr(provider, "server", None)
        if isinstance(server, str) and server:
            host, _, port = server.rpartition(":")
            if host and port.isdigit():
                return {names.SERVER_ADDRESS: host, names.SERVER_PORT: int(port)}
            return {names.SERVER_ADDRESS: server, names.SERVER_PORT: 443}
        provider = getattr(provider, "inner", None)
    return {}


def _completion_attributes(completion: Completion[Any]) -> Attributes:
    attributes: Attributes = {
        names.PROVIDER: completion.provider,
        names.RESPONSE_MODEL: completion.model,
        names.FALLBACK: completion.fallback,
    }
    if completion.response_id:
        attributes[names.RESPONSE_ID] = completion.response_id
    if completion.finish_reason:
        attributes[names.FINISH_REASONS] = [completion.finish_reason]
    if completion.notice:
        attributes[names.NOTICE] = completion.notice
    if completion.input_tokens is not None:
        attributes[names.INPUT_TOKENS] = completion.input_tokens
    if completion.output_tokens is not None:
        attributes[names.OUTPUT_TOKENS] = completion.output_tokens
    return attributes


def _stream_attributes(meta: StreamMeta) -> Attributes:
    attributes: Attributes = {names.FALLBACK: meta.fallback}
    if meta.response_id:
        attributes[names.RESPONSE_ID] = meta.response_id
    if meta.finish_reason:
        attributes[names.FINISH_REASONS] = [meta.finish_reason]
    if meta.provider:
        attributes[names.PROVIDER] = meta.provider
    if meta.model:
        attributes[names.RESPONSE_MODEL] = meta.model
    if meta.notice:
        attributes[names.NOTICE] = meta.notice
    if meta.input_tokens is not None:
        attributes[names.INPUT_TOKENS] = meta.input_tokens
    if meta.output_tokens is not None:
        attributes[names.OUTPUT_TOKENS] = meta.output_tokens
    return attributes
