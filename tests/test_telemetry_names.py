"""Model spans carry the GenAI semantic conventions' names (issue 15): the session as
``gen_ai.conversation.id``, the server's address and port, the response id, finish
reasons and output type, the server software as ``gen_ai.provider.name``, and the
offline coach's own model name on its calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coach.domain import DocumentKind
from coach.offline.coach import OFFLINE_MODEL
from coach.settings import AgentSettings, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fake_model_server import fake_model_server
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

LOCAL_USER = Actor.local()


def spans_of(wb: Workbench) -> list[dict[str, Any]]:
    assert wb.telemetry.force_flush()
    wb.store.close()
    with duckdb.connect(str(wb.store.path), read_only=True) as db:
        cursor = db.execute("SELECT * FROM spans ORDER BY start_time")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row.update(json.loads(row["attributes"] or "{}"))
    return rows


def practise(wb: Workbench) -> str:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=1)
    question = wb.practice.view(LOCAL_USER, session.id).questions[0].question
    _, evaluation = wb.practice.answer_and_evaluate(
        LOCAL_USER, session.id, question.id, STRONG_ANSWER
    )
    wb.practice.follow_up(LOCAL_USER, evaluation)
    return session.id


@pytest.mark.parametrize(("owned_by", "system"), [("llamacpp", "llama.cpp"), ("vllm", "vllm")])
def test_model_spans_name_the_conversation_server_response_and_software(
    tmp_path: Path, owned_by: str, system: str
) -> None:
    with fake_model_server("none", owned_by=owned_by) as server:
        wb = build_workbench(
            CoachSettings(
                store=StoreSettings(path=tmp_path / "w.duckdb", idle_release_seconds=0.2),
                agent=AgentSettings(provider="openai"),
                openai_base_url=server.base_url,
            )
        )
        try:
            session_id = practise(wb)
            spans = spans_of(wb)
        finally:
            wb.close()
    chats = [s for s in spans if s["operation"] == "chat"]
    assert {s["coach.task"] for s in chats} >= {
        "generate_questions",
        "evaluate_answer",
        "ask_follow_up",
    }
    for chat in chats:
        assert chat["provider"] == system
        assert chat["server.address"] == "127.0.0.1"
        assert chat["server.port"] == server.port
        assert chat["gen_ai.response.id"] == "chatcmpl-fake"
        assert chat["gen_ai.response.finish_reasons"] == ["stop"]
        assert chat["gen_ai.output.type"] == "json"
        assert chat["gen_ai.conversation.id"] == session_id


def test_offline_calls_carry_the_offline_models_name(tmp_path: Path) -> None:
    with fake_model_server("500") as server:
        wb = build_workbench(
            CoachSettings(
                store=StoreSettings(path=tmp_path / "w.duckdb", idle_release_seconds=0.2),
                agent=AgentSettings(provider="openai"),
                openai_base_url=server.base_url,
                openai_max_retries=0,
            )
        )
        try:
            practise(wb)
            spans = spans_of(wb)
        finally:
            wb.close()
    offline = [s for s in spans if s["operation"] == "chat" and s["provider"] == "offline"]
    assert offline
    for chat in offline:
        assert chat["request_model"] == OFFLINE_MODEL
        assert chat["name"] == f"chat {OFFLINE_MODEL}"
    failed = [s for s in spans if s["operation"] == "chat" and s["status"] == "error"]
    assert failed and all(s["provider"] == "openai_compatible" for s in failed)
