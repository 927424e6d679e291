"""Tracing, as a person reading the Telemetry page or a collector would see it: one trace
per turn, agent and model calls under it with their parameters, fallbacks visible,
no answer text unless asked for, log lines that lead to their trace."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult
from pydantic import BaseModel

from coach.domain import DocumentKind
from coach.errors import ProviderUnavailable
from coach.log import configure_logging
from coach.offline.coach import OFFLINE_MODEL
from coach.personas import PersonaRole
from coach.providers.base import Provider, ProviderRequest
from coach.providers.fallback import FallbackProvider
from coach.providers.offline import OfflineProvider
from coach.providers.scripted import ScriptedProvider
from coach.settings import CoachSettings, StoreSettings, TelemetrySettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.store.spans import SPAN_COLUMNS, DuckDBSpanSink
from coach.telemetry import SpanSinkExporter
from coach.users import Actor
from coach.workbench import Workbench, build_workbench
from tests.fixtures import JOB_DESCRIPTION, RESUME

LOCAL_USER = Actor.local()

# Words no coach, persona or prompt would ever produce: if they are in a span, the
# candidate's answer leaked into it.
ANSWER = (
    "At Zanzibar Quokka Logistics I owned the flamingo-ledger migration: I profiled the "
    "nightly jobs, rewrote two joins and cut the run from nine hours to four."
)
SECRET = "Zanzibar Quokka"


def make_settings(db_path: Path, **telemetry: Any) -> CoachSettings:
    return CoachSettings(
        store=StoreSettings(path=db_path, idle_release_seconds=0.2),
        telemetry=TelemetrySettings(**telemetry),
    )


@pytest.fixture
def open_workbenches() -> Iterator[list[Workbench]]:
    opened: list[Workbench] = []
    yield opened
    for workbench in opened:
        workbench.close()


@pytest.fixture
def workbench(open_workbenches: list[Workbench], db_path: Path) -> Any:
    def build(provider: Provider | None = None, **telemetry: Any) -> Workbench:
        wb = build_workbench(make_settings(db_path, **telemetry), provider=provider)
        open_workbenches.append(wb)
        return wb

    return build


def start_practice(wb: Workbench, questions: int = 1) -> tuple[str, str]:
    resume = wb.practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = wb.practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    session = wb.practice.start_session(LOCAL_USER, resume, job, question_count=questions)
    return session.id, wb.practice.view(LOCAL_USER, session.id).questions[0].question.id


def stored_spans(wb: Workbench) -> list[dict[str, Any]]:
    """Every span row, read the way a notebook would: after the workbench lets go."""
    assert wb.telemetry.force_flush()
    wb.store.close()
    with duckdb.connect(str(wb.store.path), read_only=True) as db:
        cursor = db.execute("SELECT * FROM spans ORDER BY start_time")
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def trace_of(spans: list[dict[str, Any]], turn: str) -> list[dict[str, Any]]:
    (root,) = [s for s in spans if s["name"] == f"turn {turn}"]
    return [s for s in spans if s["trace_id"] == root["trace_id"]]


def children(spans: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in spans if s["parent_span_id"] == parent["span_id"]]


# --- the practice turn ----------------------------------------------------------------


def test_a_practice_turn_is_one_trace_turn_then_agents_then_model_calls(workbench: Any) -> None:
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    _, evaluation = wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    wb.practice.follow_up(LOCAL_USER, evaluation)  # its own turn, after the score (issue 13.5)
    team = wb.practice.team_for(wb.practice.view(LOCAL_USER, session_id).session)
    every_span = stored_spans(wb)
    spans = trace_of(every_span, "answer_and_evaluate")
    follow_up_spans = trace_of(every_span, "ask_follow_up")

    (root,) = [s for s in spans if s["parent_span_id"] is None]
    assert root["name"] == "turn answer_and_evaluate"
    assert root["operation"] == "turn" and root["session_id"] == session_id
    assert root["score"] == evaluation.overall

    (follow_up_root,) = [s for s in follow_up_spans if s["parent_span_id"] is None]
    agents = [s for s in children(spans, root) if s["operation"] == "invoke_agent"]
    agents += [
        s for s in children(follow_up_spans, follow_up_root) if s["operation"] == "invoke_agent"
    ]
    spans += follow_up_spans
    by_persona = {s["persona"]: s for s in agents}
    feedback = team.agent(PersonaRole.FEEDBACK).persona
    primary = team.agent(PersonaRole.PRIMARY).persona
    assert set(by_persona) == {feedback.name, primary.name}, "evaluation and follow-up"
    assert by_persona[primary.name]["trace_id"] != scorer_trace(by_persona, feedback.name)
    scorer = by_persona[feedback.name]
    assert scorer["name"] == f"invoke_agent {feedback.name}"
    assert scorer["agent"] == "feedback"
    assert scorer["request_model"] == feedback.model
    assert scorer["temperature"] == feedback.temperature
    assert scorer["max_tokens"] == feedback.max_tokens
    assert scorer["score"] == evaluation.overall
    assert scorer["session_id"] == session_id
    assert by_persona[primary.name]["score"] is None, "the follow-up is not scored"
    for agent in agents:
        assert agent["queue_ms"] is not None and agent["queue_ms"] >= 0
        assert agent["status"] == "ok" and agent["fallback"] is False
        (call,) = children(spans, agent)
        # The offline coach answered: its calls carry its own model's name.
        assert call["name"] == f"chat {OFFLINE_MODEL}"
        assert call["request_model"] == OFFLINE_MODEL
        assert call["operation"] == "chat" and call["provider"] == "offline"
        assert call["temperature"] == agent["temperature"]
        assert call["max_tokens"] == agent["max_tokens"]
        assert call["response_model"] and call["session_id"] == session_id

    stores = {s["name"] for s in children(spans, root) if s["operation"] == "store"}
    assert {"store add_answer", "store add_evaluation"} <= stores


def scorer_trace(by_persona: dict[str, dict[str, Any]], name: str) -> Any:
    return by_persona[name]["trace_id"]


def test_each_attribute_is_stored_once_in_its_column_and_the_rest_as_json(
    workbench: Any,
) -> None:
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    spans = trace_of(stored_spans(wb), "answer_and_evaluate")
    (scorer,) = [s for s in spans if s["operation"] == "invoke_agent" and s["score"] is not None]
    extras = json.loads(scorer["attributes"])
    assert extras["coach.team"] == "interview" and extras["coach.task"] == "evaluate_answer"
    assert "gen_ai.agent.name" in extras, "the agent column holds the seat, not the name"
    for column_attribute in (
        "gen_ai.operation.name",
        "gen_ai.request.model",
        "gen_ai.request.temperature",
        "coach.session_id",
        "coach.queue_ms",
        "coach.evaluation.score",
    ):
        assert column_attribute not in extras, f"{column_attribute} is in its column"


def test_the_page_flow_submit_then_evaluate_is_two_turns_each_one_trace(workbench: Any) -> None:
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    answer = wb.practice.submit_answer(LOCAL_USER, session_id, question_id, ANSWER)
    wb.practice.evaluate(LOCAL_USER, answer.id)
    spans = stored_spans(wb)
    submitted = trace_of(spans, "submit_answer")
    evaluated = trace_of(spans, "evaluate_answer")
    assert "store add_answer" in {s["name"] for s in submitted}
    assert {s["operation"] for s in evaluated} >= {"turn", "invoke_agent", "chat", "store"}
    assert submitted[0]["trace_id"] != evaluated[0]["trace_id"]
    (start,) = [s for s in spans if s["name"] == "turn start_session"]
    assert not [s for s in spans if s["name"] == "turn generate_questions"], (
        "questions generated while starting a session belong to the start_session turn"
    )
    assert any(
        s["operation"] == "invoke_agent" and s["trace_id"] == start["trace_id"] for s in spans
    )


# --- chat -------------------------------------------------------------------------------


def test_a_chat_reply_is_one_trace_with_time_to_first_token(workbench: Any) -> None:
    wb: Workbench = workbench()
    chat = wb.chat.start(LOCAL_USER)
    wb.chat.reply(LOCAL_USER, chat.id, "How should I prepare for a system design interview?")
    spans = trace_of(stored_spans(wb), "chat_reply")
    (root,) = [s for s in spans if s["parent_span_id"] is None]
    (agent,) = [s for s in children(spans, root) if s["operation"] == "invoke_agent"]
    (call,) = children(spans, agent)
    assert agent["agent"] == "general_chat" and agent["session_id"] == chat.id
    assert agent["ttft_ms"] is not None and agent["ttft_ms"] >= 0
    assert agent["queue_ms"] is not None and agent["queue_ms"] >= 0
    assert call["operation"] == "chat" and call["ttft_ms"] is not None
    assert call["duration_ms"] <= agent["duration_ms"] <= root["duration_ms"]
    stores = [s["name"] for s in children(spans, root)]
    assert stores.count("store add_chat_message") == 2, "the message, then the reply"


def test_a_streamed_example_answer_is_a_turn_that_ends_with_the_stream(workbench: Any) -> None:
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    reply = wb.practice.stream_example_answer(LOCAL_USER, question_id)
    text = "".join(wb.practice.iterate(reply))
    assert text.strip()
    spans = trace_of(stored_spans(wb), "write_example_answer")
    (root,) = [s for s in spans if s["parent_span_id"] is None]
    (agent,) = [s for s in children(spans, root) if s["operation"] == "invoke_agent"]
    (call,) = children(spans, agent)
    assert root["session_id"] == agent["session_id"] == call["session_id"] == session_id
    assert agent["agent"] == "feedback" and agent["ttft_ms"] is not None
    assert root["end_time"] >= agent["end_time"], "the turn lasts until the last piece"


# --- fallback ---------------------------------------------------------------------------


def _unreachable(request: ProviderRequest, output: type[BaseModel]) -> BaseModel:
    raise ProviderUnavailable("The model server at 127.0.0.1:9 is not answering.")


def test_a_fallback_shows_the_failed_attempt_and_the_one_that_answered(workbench: Any) -> None:
    provider = FallbackProvider(ScriptedProvider(_unreachable, name="openai"), OfflineProvider())
    wb: Workbench = workbench(provider)
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    chat = wb.chat.start(LOCAL_USER)
    wb.chat.reply(LOCAL_USER, chat.id, "Any tips for behavioural questions?")
    spans = stored_spans(wb)

    for turn in ("answer_and_evaluate", "chat_reply"):
        in_turn = trace_of(spans, turn)
        agents = [s for s in in_turn if s["operation"] == "invoke_agent"]
        assert agents
        for agent in agents:
            failed, answered = sorted(children(in_turn, agent), key=lambda s: s["start_time"])
            assert (failed["status"], failed["provider"], failed["fallback"]) == (
                "error",
                "openai",
                False,
            )
            assert "not answering" in failed["status_message"]
            assert '"error.type":"ProviderUnavailable"' in failed["attributes"]
            assert (answered["status"], answered["provider"], answered["fallback"]) == (
                "ok",
                "offline",
                True,
            )
            assert agent["fallback"] is True and agent["provider"] == "offline"
            assert agent["status"] == "ok", "the person got an answer"


# --- privacy ----------------------------------------------------------------------------


def _everything(spans: list[dict[str, Any]]) -> str:
    assert set(spans[0]) == set(SPAN_COLUMNS)
    return "\n".join(str(value) for span in spans for value in span.values())


def test_no_answer_text_reaches_any_span_column_by_default(workbench: Any) -> None:
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    chat = wb.chat.start(LOCAL_USER)
    wb.chat.reply(LOCAL_USER, chat.id, f"Was this a good answer? {ANSWER}")
    spans = stored_spans(wb)
    assert len(spans) > 20
    assert SECRET not in _everything(spans)


def test_record_content_puts_prompts_and_replies_on_model_spans(workbench: Any) -> None:
    wb: Workbench = workbench(record_content=True, content_max_chars=50_000)
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    spans = stored_spans(wb)
    assert SECRET in _everything(spans)
    scoring = [s for s in trace_of(spans, "answer_and_evaluate") if s["operation"] == "chat"]
    assert all('"gen_ai.input.messages"' in s["attributes"] for s in scoring)
    assert all('"gen_ai.output.messages"' in s["attributes"] for s in scoring)


# --- export -----------------------------------------------------------------------------


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP collector stub: keeps each POST's path and body."""

    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_spans_reach_an_otlp_collector_when_one_is_configured(
    workbench: Any, collector: HTTPServer
) -> None:
    port = collector.server_address[1]
    wb: Workbench = workbench(otlp_endpoint=f"http://127.0.0.1:{port}/v1/traces")
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    assert wb.telemetry.force_flush()
    received = collector.received  # type: ignore[attr-defined]
    assert received and all(path == "/v1/traces" and body for path, body in received)
    names = set()
    for _, body in received:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                names.update(span.name for span in scope_spans.spans)
    assert "turn answer_and_evaluate" in names
    assert any(name.startswith("invoke_agent ") for name in names)
    assert any(name.startswith("chat ") for name in names)
    assert len(stored_spans(wb)) == sum(
        len(scope.spans)
        for _, body in received
        for resource in ExportTraceServiceRequest.FromString(body).resource_spans
        for scope in resource.scope_spans
    ), "the collector and the DuckDB file see the same spans"


def test_closing_the_workbench_writes_the_last_spans(db_path: Path) -> None:
    wb = build_workbench(make_settings(db_path, schedule_delay_ms=60_000))
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    wb.close()
    with duckdb.connect(str(db_path), read_only=True) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM spans WHERE name = 'turn answer_and_evaluate'"
        ).fetchone()  # type: ignore[misc]
    assert count == 1


def test_the_file_is_free_for_notebooks_between_batches(workbench: Any) -> None:
    wb: Workbench = workbench(schedule_delay_ms=50)
    session_id, question_id = start_practice(wb)
    wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    assert wb.telemetry.force_flush()
    deadline = time.monotonic() + 5
    while wb.store.is_open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not wb.store.is_open, "the exporter kept the database file"


def test_the_exporter_reports_failure_instead_of_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unusable = DuckDBSessionStore(StoreSettings(path=tmp_path))  # a folder, not a file
    span = TracerProvider().get_tracer("test").start_span("turn probe")
    span.end()
    with caplog.at_level(logging.WARNING, logger="coach"):
        result = SpanSinkExporter(DuckDBSpanSink(unusable)).export([span])  # type: ignore[list-item]
    assert result is SpanExportResult.FAILURE
    assert "spans not stored" in caplog.text


def test_disabled_telemetry_records_nothing_and_changes_nothing(workbench: Any) -> None:
    wb: Workbench = workbench(enabled=False)
    session_id, question_id = start_practice(wb)
    _, evaluation = wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    assert evaluation.overall >= 1
    assert stored_spans(wb) == []


# --- logs -------------------------------------------------------------------------------


def test_log_lines_inside_a_turn_carry_its_trace_id(
    workbench: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    wb: Workbench = workbench()
    session_id, question_id = start_practice(wb)
    _, evaluation = wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
    wb.practice.follow_up(LOCAL_USER, evaluation)
    logging.getLogger("coach.test").info("outside any turn")
    lines = capsys.readouterr().err.splitlines()
    spans = stored_spans(wb)
    for turn in ("answer_and_evaluate", "ask_follow_up"):
        (root,) = [s for s in spans if s["name"] == f"turn {turn}"]
        agent_lines = [
            line
            for line in lines
            if " agent call " in line and f"trace_id={root['trace_id']}" in line
        ]
        assert len(agent_lines) == 1, f"the {turn} agent call, in its turn's trace"
        assert all("span_id=" in line for line in agent_lines)
    (outside,) = [line for line in lines if "outside any turn" in line]
    assert "trace_id=" not in outside


# --- settings ---------------------------------------------------------------------------


def test_telemetry_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CoachSettings(_env_file=None).telemetry.record_content is False  # type: ignore[call-arg]
    monkeypatch.setenv("COACH_TELEMETRY__RECORD_CONTENT", "true")
    monkeypatch.setenv("COACH_TELEMETRY__OTLP_ENDPOINT", "http://127.0.0.1:4318/v1/traces")
    monkeypatch.setenv("COACH_TELEMETRY__ENABLED", "false")
    telemetry = CoachSettings(_env_file=None).telemetry  # type: ignore[call-arg]
    assert telemetry.record_content is True and telemetry.enabled is False
    assert telemetry.otlp_endpoint == "http://127.0.0.1:4318/v1/traces"


def test_spans_carry_a_pseudonymous_user_id_never_the_email(workbench: Any) -> None:
    ana = Actor(issuer="http://127.0.0.1:9400", subject="ana-sub", email="ana@example.org")
    ben = Actor(issuer="http://127.0.0.1:9400", subject="ben-sub", email="ben@example.org")
    wb = workbench()
    practice = wb.practice
    resume = practice.read_pasted(RESUME, DocumentKind.RESUME)
    job = practice.read_pasted(JOB_DESCRIPTION, DocumentKind.JOB_DESCRIPTION)
    for actor in (ana, ben):
        session = practice.start_session(actor, resume, job, question_count=1)
        question = practice.view(actor, session.id).questions[0].question
        practice.answer_and_evaluate(actor, session.id, question.id, ANSWER)
    spans = stored_spans(wb)

    ids = {
        json.loads(s["attributes"]).get("coach.user_id")
        for s in spans
        if s["name"].startswith("turn ")
    }
    assert len(ids) == 2 and None not in ids  # one stable id per person, on every turn
    model_calls = [s for s in spans if s["operation"] == "chat"]
    assert model_calls and all("coach.user_id" in json.loads(s["attributes"]) for s in model_calls)
    everything = json.dumps([{k: str(v) for k, v in s.items()} for s in spans])
    for secret in ("ana@example.org", "ben@example.org", "ana-sub", "ben-sub"):
        assert secret not in everything
