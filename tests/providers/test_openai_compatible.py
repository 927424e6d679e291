"""The OpenAI-compatible provider against a fake server (respx, no network).

Every request goes to http://127.0.0.1:9/v1; respx intercepts the ``httpx`` client the
provider is given, so each test can read the exact JSON a real server would receive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel, SecretStr

from coach.domain import (
    ChatRole,
    ChatTurn,
    CoachingLevel,
    EvaluationDraft,
    QuestionDraft,
    QuestionSet,
    QuestionSource,
    QuestionType,
    RubricDimension,
)
from coach.errors import (
    ProviderError,
    ProviderOutputInvalid,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from coach.providers.base import Completion, ModelSettings, ProviderRequest, StreamMeta
from coach.providers.openai_compatible import OpenAICompatibleProvider
from coach.providers.wire import json_schema_for_task
from coach.tasks import ChatReply, CoachTask, EvaluateAnswer, GenerateQuestions

BASE_URL = "http://127.0.0.1:9/v1"
SERVER = "127.0.0.1:9"
KEY = "sk-" + "test-SECRET-1234567890abcdef"
SYSTEM_PROMPT = "You are Morgan, a warm and exacting interview coach."
SETTINGS = ModelSettings(model="gpt-4o-mini", temperature=0.3, top_p=0.9, max_tokens=321)
SERVED_MODEL = "gpt-4o-mini-2024-07-18"
# Tells the openai client to wait 1 ms before a retry instead of its backoff.
FAST_RETRY = {"retry-after-ms": "1"}

GENERATE = GenerateQuestions(
    resume="Led the payments team at Acme; cut checkout latency by 40%.",
    job_description="Staff engineer, payments platform.",
    count=2,
)
QUESTION = QuestionDraft(
    text="Tell me about a conflict in your team.", type=QuestionType.BEHAVIOURAL
)
EVALUATE = EvaluateAnswer(
    question=QUESTION,
    answer="We disagreed on a rollout; I ran a canary and we shipped a week later.",
    coaching_level=CoachingLevel.STRICT,
)
CHAT = ChatReply(
    history=[
        ChatTurn(role=ChatRole.USER, content="How do I answer 'why are you leaving'?"),
        ChatTurn(role=ChatRole.COACH, content="Stay positive and forward-looking."),
        ChatTurn(role=ChatRole.USER, content="Can you give me an example?"),
    ]
)
QUESTIONS_REPLY = {
    "questions": [
        {
            "text": "How did you cut checkout latency by 40% at Acme?",
            "type": "Behavioral",
            "competency": "impact",
            "rationale": "Your resume names the result; interviewers will ask how.",
            "difficulty": "hard",
        }
    ]
}


def make_request(task: CoachTask = GENERATE, settings: ModelSettings = SETTINGS) -> ProviderRequest:
    return ProviderRequest(
        agent="primary",
        persona="primary_coach",
        system_prompt=SYSTEM_PROMPT,
        task=task,
        settings=settings,
    )


def make_provider(*, max_retries: int = 0, timeout: float = 5) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        api_key=SecretStr(KEY),
        base_url=BASE_URL,
        timeout_seconds=timeout,
        max_retries=max_retries,
        max_document_chars=2_000,
        http_client=httpx.AsyncClient(),
    )


def chat_completion(content: str, *, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": SERVED_MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


def ok(reply: Any) -> httpx.Response:
    content = reply if isinstance(reply, str) else json.dumps(reply)
    return httpx.Response(200, json=chat_completion(content))


def error(status: int, message: str, **headers: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return httpx.Response(status, json=body, headers=headers)


def sse(*chunks: dict[str, Any]) -> httpx.Response:
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks] + ["data: [DONE]\n\n"]
    return httpx.Response(
        200, content="".join(lines).encode(), headers={"content-type": "text/event-stream"}
    )


def delta(content: str | None, *, finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": SERVED_MODEL,
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish_reason}],
    }


def usage_chunk(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": SERVED_MODEL,
        "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def body_of(route: respx.Route, call: int = 0) -> dict[str, Any]:
    return json.loads(route.calls[call].request.content)


def structured(
    provider: OpenAICompatibleProvider,
    task: CoachTask = GENERATE,
    output: type[BaseModel] = QuestionSet,
    settings: ModelSettings = SETTINGS,
) -> Completion[Any]:
    return asyncio.run(provider.structured(make_request(task, settings), output))


def collect(
    pieces_of: AsyncIterator[str],
) -> list[str]:
    async def run() -> list[str]:
        return [piece async for piece in pieces_of]

    return asyncio.run(run())


@pytest.fixture
def server() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


# --- the request a server receives --------------------------------------------------


def test_every_persona_parameter_and_the_system_prompt_reach_the_request(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(return_value=ok(QUESTIONS_REPLY))

    structured(make_provider())

    body = body_of(route)
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.3
    assert body["top_p"] == 0.9
    assert body["max_tokens"] == 321
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert body["messages"][1]["role"] == "user"
    assert "Write 2 interview questions" in body["messages"][1]["content"]
    assert "cut checkout latency by 40%" in body["messages"][1]["content"]
    assert route.calls[0].request.headers["authorization"] == f"Bearer {KEY}"


def test_json_schema_is_asked_for_first_with_the_task_schema(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions").mock(return_value=ok(QUESTIONS_REPLY))

    structured(make_provider())

    assert body_of(route)["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "generate_questions",
            "schema": json_schema_for_task(GENERATE),
            "strict": False,
        },
    }
    assert "JSON schema" not in body_of(route)["messages"][0]["content"]


def test_top_p_is_left_out_when_the_persona_does_not_set_it(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions").mock(return_value=ok(QUESTIONS_REPLY))

    structured(make_provider(), settings=SETTINGS.model_copy(update={"top_p": None}))

    assert "top_p" not in body_of(route)
    assert body_of(route)["temperature"] == 0.3


def test_a_valid_reply_becomes_model_questions_with_token_usage(
    server: respx.MockRouter,
) -> None:
    server.post("/chat/completions").mock(return_value=ok(QUESTIONS_REPLY))

    completion = structured(make_provider())

    (question,) = completion.value.questions
    assert question.text == "How did you cut checkout latency by 40% at Acme?"
    assert question.type is QuestionType.BEHAVIOURAL
    assert question.source is QuestionSource.MODEL
    assert (completion.provider, completion.model) == ("openai", SERVED_MODEL)
    assert (completion.input_tokens, completion.output_tokens) == (11, 7)
    assert completion.fallback is False


def test_an_evaluation_keeps_the_tasks_coaching_level_and_all_six_dimensions(
    server: respx.MockRouter,
) -> None:
    reply = {
        "dimensions": {"relevance": {"score": 8, "comment": "On point."}, "impact": 4},
        "headline": "Relevant, but the result is vague.",
    }
    route = server.post("/chat/completions").mock(return_value=ok(reply))

    completion = structured(make_provider(), EVALUATE, EvaluationDraft)

    evaluation = completion.value
    assert evaluation.coaching_level is CoachingLevel.STRICT
    assert [d.dimension for d in evaluation.dimensions] == list(RubricDimension)
    assert evaluation.dimension(RubricDimension.CLARITY).score == 6  # mean of 8 and 4
    assert evaluation.overall == 6.0
    prompt = body_of(route)["messages"][1]["content"]
    assert all(d.value in prompt for d in RubricDimension)
    assert EVALUATE.answer in prompt


# --- servers that refuse json_schema ------------------------------------------------


def _refuse_json_schema(request: httpx.Request) -> httpx.Response:
    if json.loads(request.content)["response_format"]["type"] == "json_schema":
        return error(400, "response_format type 'json_schema' is not supported")
    return ok(QUESTIONS_REPLY)


def test_a_refused_json_schema_falls_back_to_json_object_with_the_schema_in_the_prompt(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(side_effect=_refuse_json_schema)

    completion = structured(make_provider())

    assert completion.value.questions[0].source is QuestionSource.MODEL
    assert route.call_count == 2
    retry = body_of(route, 1)
    schema = json_schema_for_task(GENERATE)
    assert retry["response_format"] == {"type": "json_object", "schema": schema}
    system = retry["messages"][0]["content"]
    assert system.startswith(SYSTEM_PROMPT)
    assert "Reply with one JSON object that matches this JSON schema: " in system
    assert json.dumps(schema, separators=(",", ":")) in system


def test_once_json_schema_is_refused_later_calls_go_straight_to_json_object(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(side_effect=_refuse_json_schema)
    provider = make_provider()

    structured(provider)
    structured(provider)

    formats = [body_of(route, i)["response_format"]["type"] for i in range(route.call_count)]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_concurrent_first_calls_all_step_down_together(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions").mock(side_effect=_refuse_json_schema)
    provider = make_provider()

    async def four_at_once() -> list[Completion[Any]]:
        return await asyncio.gather(
            *(provider.structured(make_request(), QuestionSet) for _ in range(4))
        )

    completions = asyncio.run(four_at_once())

    assert all(c.value.questions for c in completions)
    formats = [body_of(route, i)["response_format"] for i in range(route.call_count)]
    assert {"type": "json_object"} not in formats  # nobody stepped down one step too far


def test_a_llama_cpp_server_is_named_by_its_model_file(server: respx.MockRouter) -> None:
    answer = chat_completion(json.dumps(QUESTIONS_REPLY))
    answer["model"] = "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    server.post("/chat/completions").mock(return_value=httpx.Response(200, json=answer))

    completion = structured(make_provider())

    assert completion.model == "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_a_llama_cpp_style_500_refusal_costs_one_call_not_a_retry_ladder(
    server: respx.MockRouter,
) -> None:
    """llama-cpp-python answers an unknown response_format with HTTP 500."""

    def llama_cpp(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["response_format"]["type"] == "json_schema":
            return error(
                500,
                "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
                "  Input should be 'text' or 'json_object'",
            )
        return ok(QUESTIONS_REPLY)

    route = server.post("/chat/completions").mock(side_effect=llama_cpp)

    structured(make_provider(max_retries=2))

    formats = [body_of(route, i)["response_format"]["type"] for i in range(route.call_count)]
    assert formats == ["json_schema", "json_object"]


def test_a_server_that_refuses_the_schema_key_too_gets_plain_json_object(
    server: respx.MockRouter,
) -> None:
    def strict_server(request: httpx.Request) -> httpx.Response:
        response_format = json.loads(request.content)["response_format"]
        if response_format != {"type": "json_object"}:
            return error(400, "Unknown parameter: 'response_format.schema'.")
        return ok(QUESTIONS_REPLY)

    route = server.post("/chat/completions").mock(side_effect=strict_server)

    structured(make_provider())

    assert body_of(route, 2)["response_format"] == {"type": "json_object"}
    assert "matches this JSON schema" in body_of(route, 2)["messages"][0]["content"]


def test_a_server_that_refuses_every_json_format_is_a_rejection(
    server: respx.MockRouter,
) -> None:
    server.post("/chat/completions").mock(
        return_value=error(400, "response_format is not supported by this server")
    )

    with pytest.raises(ProviderRejected, match=f"The model server at {SERVER} refuses"):
        structured(make_provider())


# --- invalid replies ----------------------------------------------------------------


def test_an_invalid_reply_is_sent_back_once_with_the_problem(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions")
    route.side_effect = [ok("Sure! Here are some great questions."), ok(QUESTIONS_REPLY)]

    completion = structured(make_provider())

    assert completion.value.questions[0].type is QuestionType.BEHAVIOURAL
    assert (completion.input_tokens, completion.output_tokens) == (22, 14)  # both calls
    first, second = body_of(route, 0), body_of(route, 1)
    assert second["messages"][: len(first["messages"])] == first["messages"]
    assistant, correction = second["messages"][-2:]
    assert assistant == {"role": "assistant", "content": "Sure! Here are some great questions."}
    assert correction["role"] == "user"
    assert correction["content"].startswith("Your reply was not valid: text that is not valid JSON")
    assert correction["content"].endswith("Reply again with only the JSON object.")


def test_a_reply_that_misses_the_schema_is_told_which_field(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions")
    route.side_effect = [ok({"questions": []}), ok(QUESTIONS_REPLY)]

    structured(make_provider())

    assert "questions" in body_of(route, 1)["messages"][-1]["content"]


def test_json_in_a_code_fence_is_accepted(server: respx.MockRouter) -> None:
    fenced = "Here you go:\n```json\n" + json.dumps(QUESTIONS_REPLY) + "\n```"
    route = server.post("/chat/completions").mock(return_value=ok(fenced))

    completion = structured(make_provider())

    assert route.call_count == 1
    assert completion.value.questions[0].competency == "impact"


def test_invalid_json_twice_raises_provider_output_invalid(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions").mock(return_value=ok('{"questions": [{"text": '))

    with pytest.raises(ProviderOutputInvalid) as caught:
        structured(make_provider())

    assert route.call_count == 2
    assert str(caught.value).startswith(
        f"The model 'gpt-4o-mini' at {SERVER} twice replied with text that is not valid JSON"
    )
    assert str(caught.value).endswith(").") and ".." not in str(caught.value)


def test_a_reply_cut_off_at_max_tokens_is_asked_to_be_shorter(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions")
    cut = httpx.Response(200, json=chat_completion('{"questions": [', finish_reason="length"))
    route.side_effect = [cut, ok(QUESTIONS_REPLY)]

    structured(make_provider())

    assert "cut off at max_tokens" in body_of(route, 1)["messages"][-1]["content"]


# --- transport errors ---------------------------------------------------------------


def test_a_500_then_a_200_succeeds_thanks_to_the_retry(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions")
    route.side_effect = [error(500, "overloaded", **FAST_RETRY), ok(QUESTIONS_REPLY)]

    completion = structured(make_provider(max_retries=1))

    assert route.call_count == 2
    assert completion.value.questions


def test_once_the_format_is_known_the_clients_own_retries_handle_a_500(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions")
    route.side_effect = [
        ok(QUESTIONS_REPLY),
        error(502, "bad gateway", **FAST_RETRY),
        ok(QUESTIONS_REPLY),
    ]
    provider = make_provider(max_retries=1)

    structured(provider)
    structured(provider)

    assert route.call_count == 3


def test_a_server_error_that_persists_is_unavailable_after_the_retries(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(return_value=error(503, "down", **FAST_RETRY))

    with pytest.raises(ProviderUnavailable) as caught:
        structured(make_provider(max_retries=1))

    assert route.call_count == 2
    assert str(caught.value) == (
        f"The model server at {SERVER} failed (HTTP 503), even after 1 retry."
    )


def test_a_timeout_says_the_server_did_not_answer_in_time(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ProviderTimeout) as caught:
        structured(make_provider(timeout=5))

    assert str(caught.value) == (
        f"The model server at {SERVER} did not answer in 5 s per try, with 0 retries."
    )


def test_a_silent_server_times_out_for_real() -> None:
    """A real socket on a free loopback port that accepts and never answers, through
    the client's own transport (no respx): the timeout is the provider's setting."""

    async def run() -> ProviderTimeout:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # until the client gives up and closes
            writer.close()

        listener = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        provider = OpenAICompatibleProvider(
            api_key=SecretStr(KEY),
            base_url=f"http://127.0.0.1:{port}/v1",
            timeout_seconds=0.2,
            max_retries=0,
        )
        try:
            with pytest.raises(ProviderTimeout) as caught:
                await provider.structured(make_request(), QuestionSet)
        finally:
            listener.close()
        return caught.value

    timeout = asyncio.run(run())

    assert "did not answer in 0.2 s" in str(timeout)


def test_a_refused_connection_says_the_server_is_not_reachable(
    server: respx.MockRouter,
) -> None:
    server.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(ProviderUnavailable, match=f"The model server at {SERVER} is not reachable"):
        structured(make_provider())


def test_a_refused_key_says_to_check_it_and_never_shows_it(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(
        return_value=error(401, f"Incorrect API key provided: {KEY}.")
    )

    with pytest.raises(ProviderRejected) as caught:
        structured(make_provider())

    assert str(caught.value) == f"The API key was refused by {SERVER}; check OPENAI_API_KEY."
    assert KEY not in "".join(traceback.format_exception(caught.value))


def test_an_unknown_model_is_named(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(
        return_value=error(404, "The model `gpt-4o-mini` does not exist")
    )

    with pytest.raises(ProviderRejected) as caught:
        structured(make_provider())

    assert str(caught.value) == (
        f"The model 'gpt-4o-mini' does not exist on {SERVER}; check the persona's model name."
    )


def test_rate_limiting_after_the_retries_says_so(server: respx.MockRouter) -> None:
    route = server.post("/chat/completions").mock(
        return_value=error(429, "Rate limit reached", **FAST_RETRY)
    )

    with pytest.raises(ProviderUnavailable, match=f"{SERVER} is rate-limiting us"):
        structured(make_provider(max_retries=1))

    assert route.call_count == 2


def test_without_a_base_url_errors_name_api_openai_com() -> None:
    provider = OpenAICompatibleProvider(api_key=SecretStr(KEY))
    assert provider.server == "api.openai.com"


# --- streaming ----------------------------------------------------------------------


def stream_chat(provider: OpenAICompatibleProvider, meta: StreamMeta) -> list[str]:
    return collect(provider.stream(make_request(CHAT), meta))


def test_streaming_yields_the_deltas_in_order_and_fills_the_meta(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(
        return_value=sse(
            delta(""),
            delta("Here"),
            delta(" is"),
            delta(" one.", finish_reason=None),
            delta(None, finish_reason="stop"),
            usage_chunk(42, 3),
        )
    )
    meta = StreamMeta()

    pieces = stream_chat(make_provider(), meta)

    assert pieces == ["Here", " is", " one."]
    assert (meta.provider, meta.model) == ("openai", SERVED_MODEL)
    assert (meta.input_tokens, meta.output_tokens) == (42, 3)
    assert meta.time_to_first_token_ms is not None and meta.time_to_first_token_ms >= 0
    assert meta.fallback is False
    body = body_of(route)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["temperature"], body["top_p"], body["max_tokens"]) == (
        "gpt-4o-mini",
        0.3,
        0.9,
        321,
    )
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["messages"][0]["content"] == SYSTEM_PROMPT
    assert body["messages"][3]["content"] == "Can you give me an example?"


def test_a_server_that_refuses_stream_options_streams_without_them(
    server: respx.MockRouter,
) -> None:
    def no_stream_options(request: httpx.Request) -> httpx.Response:
        if "stream_options" in json.loads(request.content):
            return error(400, "Unrecognized request argument supplied: stream_options")
        return sse(delta("Hi"), delta(" there"))

    route = server.post("/chat/completions").mock(side_effect=no_stream_options)
    provider = make_provider()
    meta = StreamMeta()

    assert stream_chat(provider, meta) == ["Hi", " there"]
    assert stream_chat(provider, StreamMeta()) == ["Hi", " there"]

    assert ["stream_options" in body_of(route, i) for i in range(route.call_count)] == [
        True,
        False,
        False,
    ]
    assert meta.input_tokens is None


def test_a_stream_that_fails_before_the_first_piece_raises_a_provider_error(
    server: respx.MockRouter,
) -> None:
    server.post("/chat/completions").mock(return_value=error(503, "loading model"))

    with pytest.raises(ProviderUnavailable, match="failed \\(HTTP 503\\)"):
        stream_chat(make_provider(), StreamMeta())


def test_a_structured_task_cannot_be_streamed() -> None:
    with pytest.raises(TypeError):
        collect(make_provider().stream(make_request(GENERATE), StreamMeta()))


# --- the key never leaks ------------------------------------------------------------


def test_the_key_never_appears_in_logs_messages_or_reprs(
    server: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = server.post("/chat/completions")
    leaky = f"Incorrect API key provided: {KEY}. Key {KEY} is not valid."
    failures: list[Any] = [
        error(401, leaky),
        error(400, leaky),
        error(403, leaky),
        error(404, leaky),
        error(429, leaky, **FAST_RETRY),
        error(500, leaky, **FAST_RETRY),
        httpx.ReadTimeout(leaky),
        httpx.ConnectError(leaky),
        ok(f"not json {KEY}"),
    ]
    provider = make_provider(max_retries=1)
    messages = [repr(provider)]
    for failure in failures:
        route.side_effect = None
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(return_value=failure)
        runs = [lambda: structured(provider)]
        if not isinstance(failure, httpx.Response) or failure.status_code != 200:
            runs.append(lambda: stream_chat(provider, StreamMeta()))
        for run in runs:
            with pytest.raises(ProviderError) as caught:
                run()
            messages.append("".join(traceback.format_exception(caught.value)))
            messages.append(repr(caught.value))

    assert route.call_count > len(failures)
    assert all(KEY not in message for message in messages)
    assert KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in repr(record.__dict__)
