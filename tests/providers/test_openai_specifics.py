"""What OpenAI itself is sent (respx on api.openai.com, exact payloads): token limits as
``max_completion_tokens``, no sampling parameters for reasoning models, strict
``json_schema``, and the Responses API when chosen. Compatible servers keep their
Chat Completions payload (tests/providers/test_openai_compatible.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from coach.domain import QuestionSet
from coach.providers.base import ModelSettings, ProviderRequest, StreamMeta
from coach.providers.openai_compatible import OpenAICompatibleProvider
from coach.providers.wire import json_schema_for_task
from coach.tasks import ChatReply, GenerateQuestions

OPENAI = "https://api.openai.com/v1"
KEY = "sk-" + "test-SECRET-1234567890abcdef"
GENERATE = GenerateQuestions(
    resume="Led the payments team at Acme; cut checkout latency by 40%.",
    job_description="Staff engineer, payments platform.",
    count=1,
)
REPLY = {"questions": [{"text": "How did you cut checkout latency by 40%?", "type": "technical"}]}


def request(model: str, task: Any = GENERATE, top_p: float | None = 0.9) -> ProviderRequest:
    return ProviderRequest(
        agent="primary",
        persona="primary_coach",
        system_prompt="You are Morgan.",
        task=task,
        settings=ModelSettings(model=model, temperature=0.3, top_p=top_p, max_tokens=321),
    )


def provider(api: str = "chat") -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        api_key=SecretStr(KEY),
        max_retries=0,
        api=api,  # type: ignore[arg-type]
        http_client=httpx.AsyncClient(),
    )


def chat_reply(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-9",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        },
    )


def responses_reply(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "resp_123",
            "object": "response",
            "created_at": 1,
            "status": "completed",
            "model": "o4-mini-2025-04-16",
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": content, "annotations": []}],
                }
            ],
            "parallel_tool_calls": False,
            "tool_choice": "auto",
            "tools": [],
            "usage": {
                "input_tokens": 20,
                "output_tokens": 9,
                "total_tokens": 29,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
        },
    )


@pytest.fixture
def openai_server() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=OPENAI, assert_all_called=False) as router:
        yield router


def body(route: respx.Route) -> dict[str, Any]:
    return json.loads(route.calls[0].request.content)


def test_openai_gets_max_completion_tokens_and_a_strict_schema(
    openai_server: respx.MockRouter,
) -> None:
    route = openai_server.post("/chat/completions").mock(return_value=chat_reply(json.dumps(REPLY)))

    asyncio.run(provider().structured(request("gpt-4o-mini"), QuestionSet))

    sent = body(route)
    assert sent["max_completion_tokens"] == 321 and "max_tokens" not in sent
    assert (sent["temperature"], sent["top_p"]) == (0.3, 0.9)
    schema_format = sent["response_format"]
    assert schema_format["type"] == "json_schema"
    assert schema_format["json_schema"]["strict"] is True
    assert schema_format["json_schema"]["name"] == "generate_questions"
    schema = schema_format["json_schema"]["schema"]
    assert "maxLength" not in json.dumps(schema)
    assert_strict(schema)
    assert schema["properties"]["questions"]["maxItems"] == 1


def assert_strict(node: Any) -> None:
    """OpenAI's strict mode: every object closed and every property required."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert sorted(node["required"]) == sorted(node["properties"])
        for value in node.values():
            assert_strict(value)
    elif isinstance(node, list):
        for item in node:
            assert_strict(item)


@pytest.mark.parametrize("model", ["o4-mini", "o3", "gpt-5-mini"])
def test_a_reasoning_model_gets_no_sampling_parameters_and_they_are_named_ignored(
    model: str, openai_server: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    route = openai_server.post("/chat/completions").mock(return_value=chat_reply(json.dumps(REPLY)))
    chosen = provider()

    with caplog.at_level(logging.WARNING, logger="coach.providers.openai_compatible"):
        asyncio.run(chosen.structured(request(model), QuestionSet))

    sent = body(route)
    assert "temperature" not in sent and "top_p" not in sent
    assert sent["max_completion_tokens"] == 321
    assert [r.getMessage() for r in caplog.records] == [
        f"persona parameters ignored: {model} does not take temperature or top_p"
    ]
    assert chosen.ignored_parameters(model, top_p=True) == ["temperature", "top_p"]


def test_compatible_servers_keep_max_tokens_and_a_lenient_schema() -> None:
    with respx.mock(base_url="http://127.0.0.1:9/v1") as router:
        route = router.post("/chat/completions").mock(return_value=chat_reply(json.dumps(REPLY)))
        compatible = OpenAICompatibleProvider(
            base_url="http://127.0.0.1:9/v1",
            max_retries=0,
            api="responses",
            http_client=httpx.AsyncClient(),
        )
        asyncio.run(compatible.structured(request("o4-mini"), QuestionSet))
    sent = body(route)
    assert sent["max_tokens"] == 321 and sent["temperature"] == 0.3
    assert sent["response_format"]["json_schema"]["strict"] is False


def test_the_responses_api_gets_instructions_input_and_a_strict_text_format(
    openai_server: respx.MockRouter,
) -> None:
    route = openai_server.post("/responses").mock(return_value=responses_reply(json.dumps(REPLY)))

    completion = asyncio.run(
        provider("responses").structured(request("o4-mini", top_p=None), QuestionSet)
    )

    sent = body(route)
    assert sent["model"] == "o4-mini"
    assert sent["instructions"].startswith("You are Morgan.")
    assert sent["input"][0]["role"] == "user"
    assert "Write 1 interview question" in sent["input"][0]["content"]
    assert sent["max_output_tokens"] == 321
    assert "temperature" not in sent and "max_tokens" not in sent
    assert sent["store"] is False
    assert sent["text"]["format"]["type"] == "json_schema"
    assert sent["text"]["format"]["strict"] is True
    assert sent["text"]["format"]["name"] == "generate_questions"
    assert sent["text"]["format"]["schema"]["properties"]["questions"]["maxItems"] == 1
    assert json_schema_for_task(GENERATE)["properties"]["questions"]["maxItems"] == 1
    assert completion.value.questions[0].text == REPLY["questions"][0]["text"]
    assert (completion.input_tokens, completion.output_tokens) == (20, 9)
    assert completion.model == "o4-mini-2025-04-16"


def sse_events(*events: dict[str, Any]) -> httpx.Response:
    lines = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return httpx.Response(
        200, content=lines.encode(), headers={"content-type": "text/event-stream"}
    )


def delta_event(text: str, number: int) -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": text,
        "sequence_number": number,
        "logprobs": [],
    }


def test_a_responses_stream_that_never_completes_is_cut_off(
    openai_server: respx.MockRouter,
) -> None:
    route = openai_server.post("/responses").mock(
        return_value=sse_events(delta_event("Start ", 1), delta_event("here", 2))
    )
    meta = StreamMeta()
    task = ChatReply(history=[{"role": "user", "content": "Hi"}])  # type: ignore[list-item]

    async def read() -> list[str]:
        return [p async for p in provider("responses").stream(request("gpt-4.1", task), meta)]

    assert asyncio.run(read()) == ["Start ", "here"]
    assert body(route)["stream"] is True
    assert meta.cut_off and "cut off" in meta.notice
