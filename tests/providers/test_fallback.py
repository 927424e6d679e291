"""When the real model fails, the offline coach answers, and the candidate is told."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel, SecretStr

from coach.domain import ChatRole, ChatTurn, QuestionSet, QuestionSource
from coach.errors import ProviderTimeout
from coach.offline.coach import OFFLINE_MODEL, OfflineCoach
from coach.providers.base import Completion, ModelSettings, ProviderRequest, StreamMeta
from coach.providers.fallback import FallbackProvider
from coach.providers.offline import OfflineProvider
from coach.providers.openai_compatible import OpenAICompatibleProvider
from coach.providers.scripted import ScriptedProvider
from coach.tasks import ChatReply, CoachTask, GenerateQuestions

BASE_URL = "http://127.0.0.1:9/v1"
KEY = "sk-" + "test-SECRET-1234567890abcdef"
SETTINGS = ModelSettings(model="gpt-4o-mini", temperature=0.3, top_p=0.9, max_tokens=321)
GENERATE = GenerateQuestions(
    resume="Python developer at Acme; built the billing API with FastAPI and Postgres.",
    job_description="Backend engineer: Python, Postgres, APIs.",
    count=3,
)
CHAT = ChatReply(history=[ChatTurn(role=ChatRole.USER, content="How do I prepare?")])
OFFLINE_REPLY = "Start with three stories from your resume."


class _ChattyOfflineCoach(OfflineCoach):
    """The offline coach with a fixed chat reply, so stream tests know the words."""

    def chat_reply(self, task: ChatReply) -> str:
        return OFFLINE_REPLY


def make_request(task: CoachTask = GENERATE) -> ProviderRequest:
    return ProviderRequest(
        agent="primary",
        persona="primary_coach",
        system_prompt="You are Morgan, an interview coach.",
        task=task,
        settings=SETTINGS,
    )


def make_fallback(*, timeout: float = 5) -> FallbackProvider:
    primary = OpenAICompatibleProvider(
        api_key=SecretStr(KEY),
        base_url=BASE_URL,
        timeout_seconds=timeout,
        max_retries=0,
        http_client=httpx.AsyncClient(),
    )
    return FallbackProvider(primary, OfflineProvider(_ChattyOfflineCoach()))


def structured(provider: FallbackProvider) -> Completion[Any]:
    return asyncio.run(provider.structured(make_request(), QuestionSet))


def stream(provider: FallbackProvider, meta: StreamMeta) -> list[str]:
    async def run() -> list[str]:
        return [piece async for piece in provider.stream(make_request(CHAT), meta)]

    return asyncio.run(run())


def reply(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        },
    )


def sse_line(content: str, finish_reason: str | None = None) -> bytes:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish_reason}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


class _BreaksAfterFirstPiece(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield sse_line("Start with")
        raise httpx.ReadError("connection reset by peer")


@pytest.fixture
def server() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


# --- structured ---------------------------------------------------------------------


def test_invalid_json_twice_ends_in_the_offline_coach_marked_as_fallback(
    server: respx.MockRouter,
) -> None:
    route = server.post("/chat/completions").mock(return_value=reply("I think {questions"))

    completion = structured(make_fallback())

    assert route.call_count == 2
    assert completion.fallback is True
    assert (completion.provider, completion.model) == ("offline", OFFLINE_MODEL)
    assert completion.value.questions
    assert all(q.source is not QuestionSource.MODEL for q in completion.value.questions)
    assert completion.notice.startswith("The model 'gpt-4o-mini' at 127.0.0.1:9 twice replied")
    assert completion.notice.endswith(" The offline coach answered instead.")
    assert ".." not in completion.notice


def test_a_timeout_ends_in_the_offline_coach_with_a_notice(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))

    completion = structured(make_fallback(timeout=30))

    assert completion.fallback is True
    assert completion.notice == (
        "The model server at 127.0.0.1:9 did not answer in 30 s per try, with 0 retries. "
        "The offline coach answered instead."
    )


def test_a_working_model_answers_without_a_notice(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(
        return_value=reply(json.dumps({"questions": [{"text": "Why Postgres?"}]}))
    )

    completion = structured(make_fallback())

    assert (completion.provider, completion.fallback, completion.notice) == ("openai", False, "")


def test_a_bug_is_not_hidden_behind_the_fallback() -> None:
    def broken(request: ProviderRequest, output: type[BaseModel]) -> BaseModel:
        raise RuntimeError("bug in the script")

    provider = FallbackProvider(ScriptedProvider(broken), OfflineProvider())

    with pytest.raises(RuntimeError, match="bug in the script"):
        asyncio.run(provider.structured(make_request(), QuestionSet))


def test_a_fallback_is_logged_as_a_warning_without_key_or_answer(
    server: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    server.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
    caplog.set_level(logging.WARNING, logger="coach.providers.fallback")

    completion = structured(make_fallback())

    (record,) = [r for r in caplog.records if r.name == "coach.providers.fallback"]
    assert record.levelno == logging.WARNING
    fields = record.__dict__
    assert fields["coach.provider"] == "openai"
    assert fields["coach.task"] == "generate_questions"
    assert fields["coach.error"] == ProviderTimeout.__name__
    assert KEY not in repr(fields)
    assert completion.value.questions[0].text not in repr(fields)


# --- streams ------------------------------------------------------------------------


def test_a_stream_that_fails_before_the_first_piece_is_answered_offline(
    server: respx.MockRouter,
) -> None:
    server.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    meta = StreamMeta()

    pieces = stream(make_fallback(), meta)

    assert "".join(pieces) == OFFLINE_REPLY
    assert meta.fallback is True
    assert (meta.provider, meta.model) == ("offline", OFFLINE_MODEL)
    assert meta.notice.startswith("The model server at 127.0.0.1:9 is not reachable")
    assert meta.notice.endswith("The offline coach answered instead.")


def test_a_stream_that_fails_mid_way_says_so_and_stops(server: respx.MockRouter) -> None:
    server.post("/chat/completions").mock(
        return_value=httpx.Response(
            200, stream=_BreaksAfterFirstPiece(), headers={"content-type": "text/event-stream"}
        )
    )
    meta = StreamMeta()

    pieces = stream(make_fallback(), meta)

    assert pieces == [
        "Start with",
        "\n\n[The model stopped answering: "
        "The model server at 127.0.0.1:9 closed the connection mid-reply.]",
    ]
    assert OFFLINE_REPLY not in "".join(pieces)
    assert meta.fallback is False
    assert meta.provider == "openai"
    assert "closed the connection" in meta.notice


def test_a_working_stream_passes_through_untouched(server: respx.MockRouter) -> None:
    body = sse_line("Hello") + sse_line(" there", "stop") + b"data: [DONE]\n\n"
    server.post("/chat/completions").mock(
        return_value=httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream"}
        )
    )
    meta = StreamMeta()

    assert stream(make_fallback(), meta) == ["Hello", " there"]
    assert (meta.provider, meta.fallback, meta.notice) == ("openai", False, "")
