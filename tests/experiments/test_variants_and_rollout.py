"""Variants reach the model as written (respx: the exact request a server receives), are
validated like personas, and roll out live to a sticky, hash-chosen share of sessions."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import psycopg
import pytest
import respx
from pydantic import SecretStr

from coach.agents import AgentFactory
from coach.agents.rollout import CONTROL, Rollout, TrafficSplit, bucket
from coach.analytics import SpanFilter
from coach.domain import CoachingLevel, RubricDimension, SessionKind, utc_now
from coach.errors import ExperimentError
from coach.experiments.datasets import DatasetItem
from coach.experiments.judging import OfflineJudge
from coach.experiments.records import ExperimentStatus
from coach.experiments.runner import ExperimentRunner
from coach.experiments.spec import parse_spec
from coach.experiments.store import build_experiment_store
from coach.experiments.variants import PersonaOverrides, Variant, fingerprint, variant_persona
from coach.personas import PersonaRegistry, PersonaRole
from coach.providers.openai_compatible import OpenAICompatibleProvider
from coach.realtime.session import session_config
from coach.realtime.settings import RealtimeSettings
from coach.services.telemetry import TelemetryService
from coach.settings import PROJECT_ROOT, AgentSettings, CoachSettings, StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor
from coach.workbench import build_workbench
from tests.backends import Backend
from tests.experiments.test_runner import BASE, make_experiment

LOCAL_USER = Actor.local()

BASE_URL = "http://127.0.0.1:9/v1"
EVERYTHING = PersonaOverrides(
    prompt="You are Quinn, a bar-raiser who has hired for ten years.",
    tone="blunt but fair",
    coaching_level=CoachingLevel.STRICT,
    model="gpt-4.1-mini",
    temperature=0.15,
    top_p=0.8,
    max_tokens=444,
    voice="verse",
)
REPLY = {
    "overall": 6,
    "headline": "Specific, but the result is missing.",
    "dimensions": [{"dimension": d.value, "score": 6} for d in RubricDimension],
    "strengths": ["You named the migration project."],
    "improvements": ["Add the result: how much faster did the jobs run?"],
    "example_answer": "I led the migration...",
}


def completion() -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "served",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(REPLY)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        },
    )


def test_each_overridden_parameter_reaches_the_request_for_its_variant(tmp_path: Path) -> None:
    provider = OpenAICompatibleProvider(
        api_key=SecretStr("sk-" + "test-variants"),
        base_url=BASE_URL,
        max_retries=0,
        http_client=httpx.AsyncClient(),
    )
    factory = AgentFactory(PersonaRegistry(personas={BASE.name: BASE}), lambda _p: provider)
    sessions = DuckDBSessionStore(StoreSettings(path=tmp_path / "lab.duckdb"))
    store = build_experiment_store(sessions)
    items = [
        DatasetItem(
            id="only",
            question="Tell me about a slow process you fixed.",
            answer="I led the migration project and cut the nightly run from nine hours to four.",
        )
    ]
    experiment = make_experiment(store, items, provider=provider.name)
    b = Variant(name="B", overrides=EVERYTHING)
    b_persona = variant_persona(BASE, b)
    records = (
        experiment.variants[0],
        experiment.variants[1].model_copy(
            update={
                "overrides": EVERYTHING,
                "persona": b_persona,
                "fingerprint": fingerprint(b_persona, provider=provider.name),
            }
        ),
    )
    experiment = experiment.model_copy(update={"variants": records})

    with respx.mock(base_url=BASE_URL) as server:
        route = server.post("/chat/completions").mock(return_value=completion())
        asyncio.run(ExperimentRunner(store, factory).run(experiment, OfflineJudge()))
    sessions.close()

    bodies = [json.loads(call.request.content) for call in route.calls]
    assert len(bodies) == 2
    (a_body,) = [body for body in bodies if body["model"] == BASE.model]
    (b_body,) = [body for body in bodies if body["model"] == "gpt-4.1-mini"]
    assert b_body["temperature"] == 0.15 and b_body["top_p"] == 0.8
    assert b_body["max_tokens"] == 444
    b_system = b_body["messages"][0]["content"]
    assert b_system.startswith("You are Quinn, a bar-raiser")
    assert "Tone: blunt but fair." in b_system
    assert "Coaching level: strict" in b_system
    assert a_body["temperature"] == BASE.temperature and "top_p" not in a_body
    assert a_body["max_tokens"] == BASE.max_tokens
    a_system = a_body["messages"][0]["content"]
    assert a_system.startswith(BASE.prompt) and "Coaching level: help" in a_system
    # The voice is not a chat parameter: it reaches the live voice session's config.
    config = session_config(b_persona, RealtimeSettings(), question=None)
    assert config["audio"]["output"]["voice"] == "verse"


def test_a_variant_is_validated_like_a_persona() -> None:
    with pytest.raises(ExperimentError) as caught:
        parse_spec(
            {
                "name": "bad",
                "base_persona": "feedback_coach",
                "variants": [
                    {"name": "A"},
                    {"name": "B", "overrides": {"temperature": 7, "modle": "gpt-4o"}},
                ],
            }
        )
    message = str(caught.value)
    assert "variant B" in message
    assert "'temperature' input should be less than or equal to 2" in message
    assert "'modle' is not a parameter a variant can change" in message
    with pytest.raises(ExperimentError, match="variant names must differ"):
        parse_spec({"name": "x", "base_persona": "p", "variants": [{"name": "A"}, {"name": "A"}]})
    with pytest.raises(ExperimentError, match="'variants' is required"):
        parse_spec({"name": "x", "base_persona": "p"})


def test_the_fingerprint_follows_the_parameters_and_the_provider_not_the_names() -> None:
    persona = variant_persona(BASE, Variant(name="B", overrides=PersonaOverrides(tone="dry")))
    renamed = persona.model_copy(update={"display_name": "Someone else", "version": 3})
    assert fingerprint(persona, provider="offline") == fingerprint(renamed, provider="offline")
    assert fingerprint(persona, provider="offline") != fingerprint(persona, provider="openai")
    assert fingerprint(persona, provider="offline") != fingerprint(BASE, provider="offline")


# --- live rollouts ------------------------------------------------------------------------


def rollout(share: float, *, rollout_id: str = "rollout-1") -> Rollout:
    variant = variant_persona(BASE, Variant(name="B", overrides=PersonaOverrides(tone="dry")))
    return Rollout(
        id=rollout_id,
        base_persona=BASE.name,
        variant="B",
        persona=variant,
        share=share,
        created_at=utc_now(),
    )


def test_the_split_is_sticky_and_close_to_the_share_over_10000_sessions() -> None:
    split = TrafficSplit([rollout(0.2)])
    sessions = [f"session-{n}" for n in range(10_000)]
    first = [split.assign(BASE.name, s) for s in sessions]
    again = [split.assign(BASE.name, s) for s in sessions]
    assert first == again, "a session always gets the same variant"
    share = sum(a is not None and a.variant == "B" for a in first) / len(sessions)
    assert abs(share - 0.2) < 0.015, share
    assert {a.variant for a in first if a is not None} == {"B", CONTROL}
    assert split.assign("another_persona", "session-1") is None

    # Ramping up only moves sessions onto the variant, never back.
    ramped = TrafficSplit([rollout(0.5)])
    for session, before in zip(sessions, first, strict=True):
        if before is not None and before.variant == "B":
            after = ramped.assign(BASE.name, session)
            assert after is not None and after.variant == "B"
    assert 0 <= bucket("r", "s") < 1


def personas_copy(folder: Path) -> AgentSettings:
    personas = folder / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", personas)
    return AgentSettings(personas_dir=personas)


@pytest.fixture
def lab_settings(tmp_path: Path, backend: Backend) -> CoachSettings:
    """A workbench's settings on the backend's database (DuckDB, or PostgreSQL)."""
    return CoachSettings(store=backend.settings(), agent=personas_copy(tmp_path))


def test_a_rollout_serves_its_share_through_the_resolver_and_tags_telemetry(
    tmp_path: Path,
) -> None:
    # The DuckDB file: the spans this test reads are there.
    wb = build_workbench(
        CoachSettings(
            store=StoreSettings(path=tmp_path / "lab.duckdb"), agent=personas_copy(tmp_path)
        )
    )
    try:
        svc = wb.experiments
        spec = parse_spec(
            {
                "name": "blunter",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "blunt"}}],
            }
        )
        experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
        svc.roll_out(LOCAL_USER, experiment.id, "B", 0.5)

        def tone_for(session_id: str) -> str:
            team = wb.teams.resolve(SessionKind.INTERVIEW, {}, session_id=session_id)
            agent = team.agent(PersonaRole.FEEDBACK)
            return f"{agent.variant}:{agent.persona.tone}"

        seen = {tone_for(f"s{n}") for n in range(200)}
        assert seen == {"B:blunt", f"{CONTROL}:{wb.personas.get('feedback_coach').tone}"}
        assert tone_for("s7") == tone_for("s7")

        # Ramping keeps the rollout's id, so sessions stay where they were.
        assigned = {f"s{n}" for n in range(200) if tone_for(f"s{n}").startswith("B:")}
        svc.roll_out(LOCAL_USER, experiment.id, "B", 0.9)
        assert all(tone_for(s).startswith("B:") for s in assigned)

        # A practice turn in a rolled-out session tags its spans with the variant.
        from tests.test_telemetry import ANSWER, start_practice, stored_spans

        session_id, question_id = start_practice(wb)
        expected = wb.practice.team_for(wb.practice.view(LOCAL_USER, session_id).session).agent(
            PersonaRole.FEEDBACK
        )
        wb.practice.answer_and_evaluate(LOCAL_USER, session_id, question_id, ANSWER)
        spans = stored_spans(wb)
        scoring = [s for s in spans if s["name"].startswith("invoke_agent") and s["score"]]
        assert scoring and {s["variant"] for s in scoring} == {expected.variant}
        (chat,) = [s for s in spans if s["parent_span_id"] == scoring[-1]["span_id"]]
        assert chat["variant"] == expected.variant

        # The Telemetry page compares the live variant with the experiment's arms.
        svc.start(LOCAL_USER, experiment.id)
        svc.wait(experiment.id, 60)
        assert wb.telemetry.force_flush()
        variants = TelemetryService.for_store(wb.store).dashboard(SpanFilter()).variants
        by_key = {(v.variant, v.source): v for v in variants}
        assert by_key[(expected.variant, "live")].calls >= 1
        assert by_key[("A", "experiment")].calls == 48
        assert by_key[("B", "experiment")].mean_score is not None

        svc.stop_rollout(LOCAL_USER, "feedback_coach")
        assert tone_for("s7").startswith(":")
    finally:
        wb.close()


def test_promoting_writes_the_next_version_and_keeps_the_previous(
    lab_settings: CoachSettings,
) -> None:
    wb = build_workbench(lab_settings)
    try:
        svc = wb.experiments
        spec = parse_spec(
            {
                "name": "stricter",
                "base_persona": "feedback_coach",
                "variants": [
                    {"name": "A"},
                    {"name": "B", "overrides": {"coaching_level": "strict"}},
                ],
            }
        )
        experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
        svc.start(LOCAL_USER, experiment.id)
        assert svc.wait(experiment.id, 60).done == 96
        assert "difference" in svc.report(LOCAL_USER, experiment.id).verdict

        folder = lab_settings.agent.personas_dir
        original = (folder / "feedback_coach.yaml").read_text()
        promotion = svc.promote(LOCAL_USER, experiment.id, "B", confirmed=True)
        assert promotion.path == folder / "feedback_coach.yaml"
        assert promotion.previous == folder / "versions" / "feedback_coach.v1.yaml"
        assert "version: 2" in promotion.path.read_text()
        assert "coaching_level: strict" in promotion.path.read_text()
        assert promotion.previous.read_text() == original, "the previous version is kept"
        assert wb.personas.get("feedback_coach").label == "feedback_coach (v2)"
        assert "feedback_coach (v2)" in [p.label for p in svc.base_personas()]
        assert not [e for e in wb.personas.errors], "the versions folder is not read as personas"
        with pytest.raises(ExperimentError, match="no variant 'C'"):
            svc.promote(LOCAL_USER, experiment.id, "C")
        # B is now the base: shipping it again, or rolling it out, needs a confirmation.
        warning = svc.ship_warning(LOCAL_USER, experiment.id, "B")
        assert warning is not None and "already is (version 2)" in warning
        with pytest.raises(ExperimentError, match=r"changes nothing\. Confirm to ship it anyway"):
            svc.promote(LOCAL_USER, experiment.id, "B")
        with pytest.raises(ExperimentError, match="Confirm to ship it anyway"):
            svc.roll_out(LOCAL_USER, experiment.id, "B", 0.5)
        assert svc.roll_out(LOCAL_USER, experiment.id, "B", 0.5, confirmed=True).share == 0.5
    finally:
        wb.close()


def test_a_feedback_coach_is_required_as_the_base(lab_settings: CoachSettings) -> None:
    wb = build_workbench(lab_settings)
    try:
        spec = parse_spec(
            {
                "name": "x",
                "base_persona": "primary_coach",
                "variants": [{"name": "A"}, {"name": "B"}],
            }
        )
        with pytest.raises(ExperimentError, match="compare feedback coaches"):
            wb.experiments.variants(spec)
    finally:
        wb.close()


def test_a_judge_persona_rates_every_output_through_the_team(lab_settings: CoachSettings) -> None:
    wb = build_workbench(lab_settings)
    try:
        svc = wb.experiments
        assert svc.judges()[0] == "offline" and "strict_feedback_coach" in svc.judges()
        spec = parse_spec(
            {
                "name": "judged",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "dry"}}],
                "judge": "strict_feedback_coach",
            }
        )
        experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
        svc.start(LOCAL_USER, experiment.id)
        assert svc.wait(experiment.id, 60).failed == 0
        results = svc.report(LOCAL_USER, experiment.id)
        assert results.summaries[0].mean_quality is not None
        stored = svc.results(LOCAL_USER, experiment.id)
        assert {r.judge for r in stored} == {r.judge for r in stored[:1]}
        assert stored[0].judge.startswith("persona:strict_feedback_coach:")
        assert "calibration" in stored[0].quality_dimensions, "the sample has references"
        with pytest.raises(ExperimentError, match="Unknown judge 'nobody'"):
            svc.create(
                LOCAL_USER,
                spec.model_copy(update={"judge": "nobody"}),
                svc.dataset(LOCAL_USER, spec.dataset),
            )
    finally:
        wb.close()


def test_a_models_judgement_is_read_leniently_and_must_rate_everything() -> None:
    from coach.domain import EvaluationDraft, QuestionDraft, QuestionType
    from coach.providers.prompts import render_messages
    from coach.providers.wire import WireJudgement
    from coach.tasks import JudgeFeedback

    feedback = EvaluationDraft.model_validate({**REPLY, "overall": 6})
    task = JudgeFeedback(
        question=QuestionDraft(text="Tell me about a time.", type=QuestionType.BEHAVIOURAL),
        answer="I led the migration.",
        feedback=feedback,
        reference_score=7,
    )
    judged = WireJudgement.model_validate(
        {
            "specificity": "8/10",
            "actionability": 7,
            "completeness": 11,
            "concision": "6",
            "calibration": 9.5,
            "rationale": "Specific.",
        }
    ).to_domain(task)
    assert judged.dimensions() == {
        "calibration": 9.5,
        "specificity": 8,
        "actionability": 7,
        "completeness": 10,
        "concision": 6,
    }
    with pytest.raises(ValueError, match=r"rate .*calibration"):
        WireJudgement.model_validate(
            {"specificity": 8, "actionability": 7, "completeness": 9, "concision": 6}
        ).to_domain(task)
    request = request_for(task)
    text = render_messages(request, schema=None, max_document_chars=2_000)[1]["content"]
    assert "Rate the feedback, not the answer" in text and "rated the answer 7/10" in text
    assert "Add the result" in text


def request_for(task: Any) -> Any:
    from coach.providers.base import ModelSettings, ProviderRequest

    return ProviderRequest(
        agent="feedback",
        persona="judge",
        system_prompt="You judge feedback.",
        task=task,
        settings=ModelSettings(model="m"),
    )


def test_another_persons_experiment_reads_as_missing(lab_settings: CoachSettings) -> None:
    ana = Actor(issuer="http://127.0.0.1:9400", subject="ana", email="ana@example.org")
    ben = Actor(issuer="http://127.0.0.1:9400", subject="ben", email="ben@example.org")
    admin = Actor(issuer="http://127.0.0.1:9400", subject="root", is_admin=True)
    wb = build_workbench(lab_settings)
    try:
        svc = wb.experiments
        spec = parse_spec(
            {
                "name": "Ana's tone test",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "blunt"}}],
            }
        )
        experiment = svc.create(ana, spec, svc.dataset(ana, spec.dataset))

        assert svc.list(ben) == []
        assert svc.ids_starting_with(ben, experiment.id[:8]) == []
        for call in (svc.get, svc.report, svc.results, svc.start, svc.delete):
            with pytest.raises(ExperimentError) as theirs:
                call(ben, experiment.id)
            assert "Ana's tone test" not in str(theirs.value)
            assert str(theirs.value).replace(experiment.id, "x") == (
                "There is no experiment x: it was deleted or never created."
            )
        with pytest.raises(ExperimentError):
            svc.roll_out(ben, experiment.id, "B", 0.5)
        assert [x.experiment.id for x in svc.list(admin)] == [experiment.id]
        assert svc.get(ana, experiment.id).name == "Ana's tone test"
    finally:
        wb.close()


def test_promoting_or_rolling_out_a_worse_variant_asks_first(lab_settings: CoachSettings) -> None:
    from tests.experiments.losing import experiment_with_a_loser

    wb = build_workbench(lab_settings)
    try:
        svc = wb.experiments
        experiment_id = experiment_with_a_loser(svc, wb.store, LOCAL_USER)
        report = svc.report(LOCAL_USER, experiment_id)
        assert report.direction == -1 and report.worse("B")
        assert svc.ship_warning(LOCAL_USER, experiment_id, "B") == (
            "Variant B gave significantly worse feedback than A."
        )
        folder = lab_settings.agent.personas_dir
        original = (folder / "feedback_coach.yaml").read_text()
        with pytest.raises(ExperimentError, match=r"worse feedback than A\. Confirm to ship"):
            svc.promote(LOCAL_USER, experiment_id, "B")
        with pytest.raises(ExperimentError, match="Confirm to ship it anyway"):
            svc.roll_out(LOCAL_USER, experiment_id, "B", 0.1)
        assert (folder / "feedback_coach.yaml").read_text() == original
        assert svc.rollouts() == []
        assert svc.roll_out(LOCAL_USER, experiment_id, "B", 0.1, confirmed=True).variant == "B"
    finally:
        wb.close()


def test_a_run_on_another_host_is_alive_while_its_heartbeat_is_fresh_by_the_database_clock(
    lab_settings: CoachSettings, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = build_workbench(lab_settings)
    try:
        svc = wb.experiments
        spec = parse_spec(
            {
                "name": "elsewhere",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "blunt"}}],
            }
        )
        experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
        store = build_experiment_store(wb.store)
        assert store.claim(experiment.id, "another-host:4242")
        # This machine's clock an hour ahead of the database's changes nothing: the
        # silence is measured by the database, the clock every replica shares.
        ahead = utc_now() + timedelta(hours=1)
        monkeypatch.setattr("coach.services.experiments.utc_now", lambda: ahead)
        assert svc.list(LOCAL_USER)[0].status is ExperimentStatus.RUNNING
        with pytest.raises(ExperimentError, match=r"another process \(another-host:4242\)"):
            svc.start(LOCAL_USER, experiment.id)

        # Ten silent seconds later (by the database) the run counts as dead: resumable.
        if backend.name == "duckdb":
            wb.store.close()  # it lets go of the file; the next read opens it again
        backend_write(
            backend,
            "UPDATE experiments SET updated_at = updated_at - INTERVAL '11 seconds'",
        )
        assert svc.list(LOCAL_USER)[0].status is ExperimentStatus.INTERRUPTED
        svc.start(LOCAL_USER, experiment.id)  # taken over, as the silence still holds
        assert svc.wait(experiment.id, 60).status is ExperimentStatus.FINISHED
    finally:
        wb.close()


def backend_write(backend: Backend, sql: str) -> None:
    """One statement from outside the store, the way an operator's client would."""
    if backend.name == "duckdb":
        with duckdb.connect(str(backend.settings().path)) as connection:
            connection.execute(sql)
        return
    with psycopg.connect(backend.settings().url.get_secret_value(), autocommit=True) as c:
        c.execute(sql)  # type: ignore[arg-type]
