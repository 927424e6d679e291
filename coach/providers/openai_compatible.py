"""Real models through the official ``openai`` client, over Chat Completions.

Chat Completions is what every OpenAI-compatible server speaks (OpenAI, Azure, vLLM,
Ollama, llama.cpp), so this one provider serves them all. Servers differ in what they
accept for structured output, so it asks for the best format first and steps down
when a server refuses it, remembering the answer for the life of the provider:

1. ``json_schema`` (OpenAI, vLLM, Ollama): the server holds the model to the schema.
2. ``json_object`` with a ``schema`` key (llama.cpp servers turn it into a grammar,
   which is what makes a 135M-parameter model's JSON usable), schema also in the prompt.
3. plain ``json_object``, schema in the prompt only.

Every reply is validated by the task's wire model; an invalid one is sent back once
with the problem, and a second invalid one raises :class:`ProviderOutputInvalid`.
Transport failures become :class:`ProviderError` subclasses whose messages name the
server, never the key. Retries with backoff on timeouts, 408/409/429/5xx are the
``openai`` client's own, bounded by ``max_retries``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, SecretStr, ValidationError

from coach.errors import (
    ProviderError,
    ProviderOutputInvalid,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from coach.providers.base import Completion, ProviderRequest, StreamMeta, T
from coach.providers.prompts import render_messages
from coach.providers.wire import json_schema_for_task, wire_model_for
from coach.tasks import TASK_OUTPUTS, TEXT_TASKS

if TYPE_CHECKING:
    import httpx

__all__ = ["OpenAICompatibleProvider"]

logger = logging.getLogger(__name__)

_OPENAI_HOST = "api.openai.com"
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)", re.IGNORECASE)
_NOT_STRICT_KEYWORDS = frozenset({"maxLength", "minLength"})
_COMPATIBLE = "openai_compatible"
# What /models says owns a model -> the server software (llama-cpp-python says "me").
_OWNERS = {
    "llamacpp": "llama.cpp",
    "me": "llama.cpp",
    "vllm": "vllm",
    "ollama": "ollama",
    "library": "ollama",
}
# Words that, in a refusal, mean "I do not support this parameter" rather than a fault.
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "not supported", "unsupported")
_STREAM_OPTION_WORDS = ("stream_options", "include_usage")
_REJECTION_STATUSES = frozenset({400, 422, 500, 501})
_RETRYABLE_STATUSES = frozenset({408, 409, 429})
_MAX_REPLY_ECHO = 4_000
_MAX_SERVER_MESSAGE = 200
_KEY_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-*.]{4,}")


class _OutputFormat(StrEnum):
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT_WITH_SCHEMA = "json_object+schema"
    JSON_OBJECT = "json_object"


class _Unsupported(Exception):
    """The server refused a parameter we can do without (a format, stream options)."""


class _InvalidReply(Exception):
    """The reply was not JSON, or not the JSON the wire model describes."""


class _Usage:
    """Token counts added up over the calls behind one completion (a retry costs too)."""

    def __init__(self) -> None:
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None

    def add(self, usage: Any) -> None:
        """Chat Completions' usage (prompt/completion tokens) or the Responses API's
        (input/output tokens)."""
        if usage is None:
            return
        given = getattr(usage, "prompt_tokens", None)
        taken = getattr(usage, "completion_tokens", None)
        if given is None and taken is None:
            given = getattr(usage, "input_tokens", None)
            taken = getattr(usage, "output_tokens", None)
        self.input_tokens = (self.input_tokens or 0) + (given or 0)
        self.output_tokens = (self.output_tokens or 0) + (taken or 0)


@dataclass(frozen=True)
class _Reply:
    """One JSON reply, whichever API carried it."""

    text: str
    finish_reason: str | None
    model: str | None
    response_id: str | None = None


class OpenAICompatibleProvider:
    """A :class:`~coach.providers.base.Provider` backed by an OpenAI-compatible server."""

    def __init__(
        self,
        *,
        api_key: SecretStr | None = None,
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        max_document_chars: int = 12_000,
        name: str = "openai",
        api: Literal["chat", "responses"] = "chat",
        client: AsyncOpenAI | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """``client`` replaces the whole ``AsyncOpenAI`` client; ``http_client`` only its
        transport (tests pass an ``httpx.AsyncClient`` so respx can intercept it).
        ``api="responses"`` uses OpenAI's Responses API; it applies to OpenAI itself
        only: compatible servers keep Chat Completions."""
        self.name = name
        self._timeout_seconds = timeout_seconds
        self._max_retries = max_retries
        self._max_document_chars = max_document_chars
        key = api_key.get_secret_value() if api_key is not None else ""
        self._api_key = api_key  # kept secret, only to blank it out of server messages
        self._client = client or AsyncOpenAI(
            api_key=key or "not-needed",
            base_url=base_url,
            timeout=timeout_seconds,
            max_retries=max_retries,
            http_client=http_client,  # type: ignore[arg-type]
        )
        self._server = _server_label(str(self._client.base_url))
        self._is_openai = self._server == _OPENAI_HOST
        self._api = api if self._is_openai else "chat"
        self._warned_ignored: set[str] = set()
        self._system: str | None = None
        # What this server accepts, learnt from its refusals; shared by all calls.
        self._formats: list[_OutputFormat] = list(_OutputFormat)
        self._format_confirmed = False
        self._stream_usage: bool | None = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, server={self._server!r}, "
            f"timeout_seconds={self._timeout_seconds:g}, max_retries={self._max_retries})"
        )

    @property
    def server(self) -> str:
        """host:port of the model server, as named in error messages."""
        return self._server

    async def system(self) -> str:
        """Which server software answers (``gen_ai.provider.name``): OpenAI by its host,
        Ollama by its port, others by what ``/models`` says owns the model (llama.cpp,
        vLLM); learnt once."""
        if self._system is None:
            self._system = await self._learn_system()
        return self._system

    @property
    def known_system(self) -> str:
        """The server software as far as known without asking the server."""
        if self._system is not None:
            return self._system
        if self._is_openai:
            return "openai"
        if "ollama" in self._server or self._server.endswith(":11434"):
            return "ollama"
        return _COMPATIBLE

    async def _learn_system(self) -> str:
        if self.known_system != _COMPATIBLE:
            return self.known_system
        try:
            quick = self._client.with_options(max_retries=0, timeout=2.0)
            page = await quick.models.list()
            owners = [str(getattr(m, "owned_by", "")).lower() for m in page.data]
        except Exception:  # a server without /models is still a server: name it generically
            return _COMPATIBLE
        return next((_OWNERS[o] for o in owners if o in _OWNERS), _COMPATIBLE)

    @property
    def output_format(self) -> str:
        """The JSON output format structured calls use now (stepped down on refusals)."""
        return self._formats[0].value

    # --- structured -------------------------------------------------------------------

    async def structured(self, request: ProviderRequest, output: type[T]) -> Completion[T]:
        """Ask for JSON, validate it with the task's wire model, retry once if invalid."""
        kind = request.task.kind
        if kind not in TASK_OUTPUTS:
            raise TypeError(f"{kind} is a text task: stream it")
        usage = _Usage()
        response = await self._ask(request, [], usage)
        try:
            value = _to_domain(request, response)
        except _InvalidReply as problem:
            logger.info(
                "model reply invalid, asking again",
                extra=self._log_fields(request, **{"coach.problem": str(problem)}),
            )
            correction = [
                {"role": "assistant", "content": response.text[:_MAX_REPLY_ECHO]},
                {
                    "role": "user",
                    "content": f"Your reply was not valid: {problem}. "
                    "Reply again with only the JSON object.",
                },
            ]
            response = await self._ask(request, correction, usage)
            try:
                value = _to_domain(request, response)
            except _InvalidReply as again:
                raise ProviderOutputInvalid(
                    f"The model '{request.settings.model}' at {self._server} twice replied "
                    f"with {again.args[0]}."
                ) from None
        if not isinstance(value, output):
            raise TypeError(f"task {kind} gives {type(value).__name__}, not {output.__name__}")
        logger.debug(
            "model answered",
            extra=self._log_fields(
                request,
                **{
                    "gen_ai.usage.input_tokens": usage.input_tokens,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                },
            ),
        )
        return Completion[output](  # type: ignore[valid-type]
            value=value,
            provider=self.name,
            model=_model_label(response.model) or request.settings.model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            response_id=response.response_id,
            finish_reason=response.finish_reason,
        )

    async def _ask(
        self, request: ProviderRequest, correction: list[dict[str, str]], usage: _Usage
    ) -> _Reply:
        if self._api == "responses":
            return await self._ask_responses(request, correction, usage)
        response = await self._ask_json(request, correction, usage)
        choice = response.choices[0] if response.choices else None
        return _Reply(
            text=_reply_text(response),
            finish_reason=choice.finish_reason if choice else None,
            model=response.model,
            response_id=getattr(response, "id", None),
        )

    async def _ask_responses(
        self, request: ProviderRequest, correction: list[dict[str, str]], usage: _Usage
    ) -> _Reply:
        """One JSON answer through the Responses API, held to the schema (strict)."""
        schema = json_schema_for_task(request.task)
        system, *messages = render_messages(
            request, schema=None, max_document_chars=self._max_document_chars
        )
        kwargs = {
            **self._responses_sampling(request),
            "instructions": system["content"],
            "input": [*messages, *correction],
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": request.task.kind,
                    "schema": _strict_schema(schema),
                    "strict": True,
                }
            },
            "store": False,
        }
        try:
            response = await self._client.responses.create(**kwargs)
        except openai.OpenAIError as error:
            raise self._domain_error(error, request.settings.model) from None
        usage.add(response.usage)
        incomplete = getattr(response, "incomplete_details", None)
        finish = "length" if incomplete is not None else "stop"
        return _Reply(
            text=response.output_text or "",
            finish_reason=finish,
            model=response.model,
            response_id=response.id,
        )

    async def _ask_json(
        self, request: ProviderRequest, correction: list[dict[str, str]], usage: _Usage
    ) -> Any:
        """One JSON answer in the best format this server accepts."""
        schema = json_schema_for_task(request.task)
        while True:
            output_format = self._formats[0]
            messages = render_messages(
                request,
                schema=None if output_format is _OutputFormat.JSON_SCHEMA else schema,
                max_document_chars=self._max_document_chars,
            )
            kwargs = {
                **self._sampling(request),
                "messages": [*messages, *correction],
                "response_format": _response_format(
                    output_format, request.task.kind, schema, strict=self._is_openai
                ),
            }
            try:
                response = await self._create(
                    kwargs, probing=None if self._format_confirmed else _FORMAT_WORDS
                )
            except _Unsupported:
                self._drop_format(output_format, request)
                continue
            self._format_confirmed = True
            usage.add(response.usage)
            return response

    def _drop_format(self, output_format: _OutputFormat, request: ProviderRequest) -> None:
        if self._formats[0] is not output_format:  # a concurrent call stepped down already
            return
        if len(self._formats) == 1:
            raise ProviderRejected(
                f"The model server at {self._server} refuses every JSON output format "
                "(response_format), so it cannot return structured results."
            )
        self._formats.pop(0)
        logger.info(
            "server refused an output format, stepping down",
            extra=self._log_fields(request, **{"coach.refused_format": output_format.value}),
        )

    # --- streaming --------------------------------------------------------------------

    async def stream(self, request: ProviderRequest, meta: StreamMeta) -> AsyncIterator[str]:
        """Content deltas as they arrive; ``meta`` gets provider and model at once, time to
        first token on the first delta and token counts from the final usage chunk."""
        if request.task.kind not in TEXT_TASKS:
            raise TypeError(f"{request.task.kind} has a structured result: use structured()")
        started = time.perf_counter()
        meta.provider, meta.model = self.name, request.settings.model
        messages = render_messages(
            request, schema=None, max_document_chars=self._max_document_chars
        )
        if self._api == "responses":
            async for piece in self._stream_responses(request, meta, messages, started):
                yield piece
            return
        chunks = await self._open_stream({**self._sampling(request), "messages": messages})
        first = True
        try:
            while True:
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    _mark_cut_off(meta, self._server)
                    break
                except openai.OpenAIError as error:
                    raise self._stream_error(error, request, started=not first) from None
                meta.response_id = meta.response_id or getattr(chunk, "id", None)
                if chunk.usage is not None:
                    meta.input_tokens = chunk.usage.prompt_tokens
                    meta.output_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.finish_reason:
                        meta.finish_reason = choice.finish_reason
                    piece = choice.delta.content if choice.delta else None
                    if not piece:
                        continue
                    if first:
                        first = False
                        meta.time_to_first_token_ms = (time.perf_counter() - started) * 1000
                        meta.model = _model_label(chunk.model) or meta.model
                    yield piece
        finally:
            await chunks.close()

    async def _stream_responses(
        self,
        request: ProviderRequest,
        meta: StreamMeta,
        messages: list[dict[str, str]],
        started: float,
    ) -> AsyncIterator[str]:
        """Text deltas from the Responses API; a stream that ends before its
        ``response.completed`` event is cut off."""
        system, *rest = messages
        try:
            events = await self._client.responses.create(
                **self._responses_sampling(request),
                instructions=system["content"],
                input=rest,
                store=False,
                stream=True,
            )
        except openai.OpenAIError as error:
            raise self._domain_error(error, request.settings.model) from None
        first = True
        try:
            while True:
                try:
                    event = await anext(events)
                except StopAsyncIteration:
                    _mark_cut_off(meta, self._server)
                    break
                except openai.OpenAIError as error:
                    raise self._stream_error(error, request, started=not first) from None
                kind = getattr(event, "type", "")
                if kind == "response.output_text.delta" and event.delta:
                    if first:
                        first = False
                        meta.time_to_first_token_ms = (time.perf_counter() - started) * 1000
                    yield event.delta
                elif kind in ("response.completed", "response.incomplete"):
                    response = event.response
                    meta.response_id = response.id
                    meta.finish_reason = "stop" if kind == "response.completed" else "length"
                    meta.model = _model_label(response.model) or meta.model
                    if response.usage is not None:
                        meta.input_tokens = response.usage.input_tokens
                        meta.output_tokens = response.usage.output_tokens
        finally:
            await events.close()

    async def _open_stream(self, kwargs: dict[str, Any]) -> Any:
        """Ask for usage in the last chunk, unless this server has refused that before."""
        if self._stream_usage is not False:
            try:
                stream = await self._create(
                    {**kwargs, "stream": True, "stream_options": {"include_usage": True}},
                    probing=None if self._stream_usage else _STREAM_OPTION_WORDS,
                )
            except _Unsupported:
                self._stream_usage = False
                logger.info("server refused stream_options", extra={"coach.server": self._server})
            else:
                self._stream_usage = True
                return stream
        return await self._create({**kwargs, "stream": True}, probing=None)

    # --- one call ---------------------------------------------------------------------

    async def _create(self, kwargs: dict[str, Any], *, probing: Sequence[str] | None) -> Any:
        """One Chat Completions call, errors turned into domain errors.

        ``probing`` names a parameter the server may not support: its first attempt goes
        without retries, so a server that refuses it with a 500 (llama-cpp-python does)
        costs one quick call instead of a backoff ladder; a genuine failure then gets the
        remaining retries.
        """
        model = kwargs["model"]
        if probing is None:
            return await self._call(self._client, kwargs)
        try:
            return await self._client.with_options(max_retries=0).chat.completions.create(**kwargs)
        except openai.APIStatusError as error:
            if error.status_code in _REJECTION_STATUSES and self._mentions(error, probing):
                raise _Unsupported from None
            retryable = error.status_code in _RETRYABLE_STATUSES or error.status_code >= 500
            if not retryable or self._max_retries == 0:
                raise self._domain_error(error, model) from None
        except openai.APIConnectionError as error:
            if self._max_retries == 0:
                raise self._domain_error(error, model) from None
        except openai.OpenAIError as error:
            raise self._domain_error(error, model) from None
        retrying = self._client.with_options(max_retries=self._max_retries - 1)
        return await self._call(retrying, kwargs)

    async def _call(self, client: AsyncOpenAI, kwargs: dict[str, Any]) -> Any:
        try:
            return await client.chat.completions.create(**kwargs)
        except openai.OpenAIError as error:
            raise self._domain_error(error, kwargs["model"]) from None

    def _stream_error(
        self, error: openai.OpenAIError, request: ProviderRequest, *, started: bool
    ) -> ProviderError:
        """A dropped connection after the first piece is not "unreachable": say what it is."""
        if started and type(error) is openai.APIConnectionError:
            self._domain_error(error, request.settings.model)  # logs it
            return ProviderUnavailable(
                f"The model server at {self._server} closed the connection mid-reply."
            )
        return self._domain_error(error, request.settings.model)

    def _domain_error(self, error: openai.OpenAIError, model: str) -> ProviderError:
        """A message a person can act on; the original is logged (redacted), not chained,
        since some servers echo the key back in their error text."""
        server = self._server
        status = getattr(error, "status_code", None)
        logger.debug(
            "model call failed",
            extra={
                "coach.server": server,
                "coach.error": type(error).__name__,
                "http.response.status_code": status,
                "coach.server_message": self._server_message(error),
            },
        )
        if isinstance(error, openai.APITimeoutError):
            return ProviderTimeout(
                f"The model server at {server} did not answer in {self._timeout_seconds:g} s "
                f"per try, with {self._retries()}."
            )
        if isinstance(error, openai.APIConnectionError):
            return ProviderUnavailable(
                f"The model server at {server} is not reachable; check that it is running "
                "and that COACH_OPENAI_BASE_URL points at it."
            )
        if isinstance(error, openai.AuthenticationError):
            return ProviderRejected(f"The API key was refused by {server}; check OPENAI_API_KEY.")
        if isinstance(error, openai.PermissionDeniedError):
            return ProviderRejected(
                f"{server} does not let this API key use the model '{model}'; "
                "check the key's project and permissions."
            )
        if isinstance(error, openai.NotFoundError):
            if "model" in self._server_message(error).lower():
                return ProviderRejected(
                    f"The model '{model}' does not exist on {server}; "
                    "check the persona's model name."
                )
            return ProviderRejected(
                f"{server} has no Chat Completions endpoint at that address; check "
                "COACH_OPENAI_BASE_URL (it usually ends in /v1)."
            )
        if isinstance(error, openai.RateLimitError):
            if "quota" in self._server_message(error).lower():
                return ProviderUnavailable(
                    f"The account behind the API key has no quota left on {server}."
                )
            return ProviderUnavailable(
                f"{server} is rate-limiting us, even after {self._retries()}; "
                "try again in a minute."
            )
        if isinstance(error, openai.APIStatusError) and error.status_code >= 500:
            return ProviderUnavailable(
                f"The model server at {server} failed (HTTP {error.status_code}), even after "
                f"{self._retries()}."
            )
        if isinstance(error, openai.APIStatusError):
            detail = self._server_message(error)
            hint = ""
            if "context" in detail.lower():
                hint = " Lower COACH_MAX_DOCUMENT_CHARS or the persona's max_tokens."
            return ProviderRejected(
                f"The model server at {server} rejected the request (HTTP {error.status_code}"
                f"{': ' + detail if detail else ''}).{hint}"
            )
        return ProviderUnavailable(f"The model server at {server} failed: {type(error).__name__}.")

    def _retries(self) -> str:
        count = self._max_retries
        return f"{count} retr{'y' if count == 1 else 'ies'}"

    def _server_message(self, error: openai.OpenAIError) -> str:
        """The server's own error text, short, with our key and anything key-shaped blanked
        out (OpenAI echoes part of a refused key; a test server may echo all of it)."""
        message = _raw_server_message(error)
        if self._api_key is not None and self._api_key.get_secret_value():
            message = message.replace(self._api_key.get_secret_value(), "[key]")
        message = _KEY_PATTERN.sub("[key]", " ".join(message.split()))
        return message[:_MAX_SERVER_MESSAGE]

    def _mentions(self, error: openai.APIStatusError, words: Sequence[str]) -> bool:
        text = self._server_message(error).lower()
        return any(word in text for word in words)

    def _sampling(self, request: ProviderRequest) -> dict[str, Any]:
        """Every persona parameter, exactly as merged by the agent, as this server wants
        it: OpenAI takes ``max_completion_tokens``, and its reasoning models no sampling
        parameters at all (those are named as ignored, never sent); top_p only when set."""
        settings = request.settings
        limit = "max_completion_tokens" if self._is_openai else "max_tokens"
        kwargs: dict[str, Any] = {"model": settings.model, limit: settings.max_tokens}
        kwargs.update(self._sampling_parameters(request))
        return kwargs

    def _responses_sampling(self, request: ProviderRequest) -> dict[str, Any]:
        settings = request.settings
        return {
            "model": settings.model,
            "max_output_tokens": settings.max_tokens,
            **self._sampling_parameters(request),
        }

    def _sampling_parameters(self, request: ProviderRequest) -> dict[str, Any]:
        settings = request.settings
        given: dict[str, Any] = {"temperature": settings.temperature}
        if settings.top_p is not None:
            given["top_p"] = settings.top_p
        if not (self._is_openai and is_reasoning_model(settings.model)):
            return given
        if settings.model not in self._warned_ignored:
            self._warned_ignored.add(settings.model)
            logger.warning(
                "persona parameters ignored: %s does not take %s",
                settings.model,
                " or ".join(given),
                extra=self._log_fields(request, **{"coach.ignored_parameters": ", ".join(given)}),
            )
        return {}

    def ignored_parameters(self, model: str, *, top_p: bool) -> list[str]:
        """The persona parameters this server would not be sent for ``model``."""
        if not (self._is_openai and is_reasoning_model(model)):
            return []
        return ["temperature", "top_p"] if top_p else ["temperature"]

    def _log_fields(self, request: ProviderRequest, **fields: Any) -> dict[str, Any]:
        return {
            "coach.provider": self.name,
            "coach.server": self._server,
            "coach.task": request.task.kind,
            "coach.agent": request.agent,
            "gen_ai.request.model": request.settings.model,
            **fields,
        }


# --- helpers --------------------------------------------------------------------------


def is_reasoning_model(model: str) -> bool:
    """OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…) refuse sampling parameters."""
    return bool(_REASONING_MODEL.match(model.rsplit("/", 1)[-1]))


def _strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without the length limits OpenAI's strict mode does not accept (the
    server holds the model to the schema anyway)."""
    if isinstance(schema, dict):
        return {
            key: _strict_schema(value)
            for key, value in schema.items()
            if key not in _NOT_STRICT_KEYWORDS
        }
    if isinstance(schema, list):
        return [_strict_schema(item) for item in schema]
    return schema


def _mark_cut_off(meta: StreamMeta, server: str) -> None:
    """A stream that ended without a finish reason (the server dropped it) or at the
    token limit is not a whole reply: say so, so the page offers to retry."""
    if meta.finish_reason == "length":
        meta.cut_off = True
        meta.notice = "The reply was cut off at the persona's max_tokens."
    elif meta.finish_reason is None:
        meta.cut_off = True
        meta.notice = f"The reply was cut off: the model server at {server} ended it unfinished."


def _response_format(
    output_format: _OutputFormat, kind: str, schema: dict[str, Any], *, strict: bool = False
) -> dict[str, Any]:
    """``strict`` (OpenAI) holds the model to the schema exactly; compatible servers get
    ``strict: false`` (several refuse or ignore it)."""
    if output_format is _OutputFormat.JSON_SCHEMA:
        return {
            "type": "json_schema",
            "json_schema": {
                "name": kind,
                "schema": _strict_schema(schema) if strict else schema,
                "strict": strict,
            },
        }
    if output_format is _OutputFormat.JSON_OBJECT_WITH_SCHEMA:
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _reply_text(response: Any) -> str:
    if not response.choices:
        return ""
    message = response.choices[0].message
    return (message.content or "") if message else ""


def _to_domain(request: ProviderRequest, response: _Reply) -> BaseModel:
    """Parse, validate and convert a reply, or say in a few words what is wrong with it."""
    try:
        data = _json_object(response.text)
    except _InvalidReply as problem:
        if response.finish_reason == "length":
            raise _InvalidReply(
                f"{problem.args[0]}, cut off at max_tokens: keep it shorter"
            ) from None
        raise
    wire = wire_model_for(request.task.kind)
    try:
        return wire.model_validate(data).to_domain(request.task)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}"
            for e in error.errors()[:5]
        )
        raise _InvalidReply(f"JSON that does not match the schema ({problems})") from None
    except ValueError as error:
        raise _InvalidReply(f"JSON that cannot be used ({error})") from None


def _json_object(reply: str) -> Any:
    """The JSON in a reply, tolerating code fences and chatter around one object."""
    text = reply.strip()
    if not text:
        raise _InvalidReply("an empty reply instead of a JSON object")
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise _InvalidReply(f"text that is not valid JSON ({error.msg})") from None


def _model_label(reported: str | None) -> str:
    """The model the server says answered; a llama.cpp server reports its file path,
    of which the file name is all a reader needs (and all we should show)."""
    if not reported:
        return ""
    if reported.endswith((".gguf", ".bin")):
        return reported.replace("\\", "/").rsplit("/", 1)[-1]
    return reported


def _server_label(base_url: str | None) -> str:
    """host:port only: a base URL may carry credentials or tokens in it."""
    if not base_url:
        return _OPENAI_HOST
    parts = urlsplit(base_url if "//" in base_url else f"//{base_url}")
    host = parts.hostname or _OPENAI_HOST
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _raw_server_message(error: openai.OpenAIError) -> str:
    body = getattr(error, "body", None)
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            message = str(inner.get("message") or inner.get("detail") or "")
        elif isinstance(inner, str):
            message = inner
        if not message:
            message = json.dumps(body)[: _MAX_SERVER_MESSAGE * 2]
    elif isinstance(body, str):
        message = body
    if not message:
        message = getattr(error, "message", "") or ""
    return message
