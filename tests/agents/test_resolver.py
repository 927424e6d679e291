"""Which team serves a session: flags, session metadata, a tenant's config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.domain import QuestionDraft, QuestionType, SessionKind
from coach.errors import PersonaError
from coach.personas import PersonaRole
from coach.providers.scripted import ScriptedProvider
from coach.settings import AgentSettings, CoachSettings, StoreSettings
from coach.tasks import EvaluateAnswer
from coach.workbench import build_workbench
from tests.agents.test_team import canned
from tests.fixtures import STRONG_ANSWER

QUESTION = QuestionDraft(text="Tell me about a conflict.", type=QuestionType.BEHAVIOURAL)


def workbench(tmp_path: Path, provider: ScriptedProvider, **agent: object):  # type: ignore[no-untyped-def]
    settings = CoachSettings(
        store=StoreSettings(path=tmp_path / "w.duckdb"), agent=AgentSettings(**agent)
    )
    return build_workbench(settings, provider=provider)


def test_without_flags_interviews_get_the_standard_team(tmp_path: Path) -> None:
    wb = workbench(tmp_path, ScriptedProvider(canned))
    assert wb.teams.resolve(SessionKind.INTERVIEW).name == "interview"
    assert "bar_raiser" not in wb.teams.offered(SessionKind.INTERVIEW)
    assert wb.teams.resolve(SessionKind.CHAT).name == "chat"
    wb.close()


def test_the_config_only_team_is_selected_when_its_flag_is_on_and_its_persona_reaches_the_provider(
    tmp_path: Path,
) -> None:
    provider = ScriptedProvider(canned)
    wb = workbench(tmp_path, provider, features=frozenset({"bar_raiser"}))
    team = wb.teams.resolve(SessionKind.INTERVIEW)
    assert team.name == "bar_raiser"
    wb.runner.run(team.evaluate(EvaluateAnswer(question=QUESTION, answer=STRONG_ANSWER)))
    (request,) = provider.requests
    strict = wb.personas.get("strict_feedback_coach")
    assert request.persona == "strict_feedback_coach"
    assert request.settings.temperature == strict.temperature
    assert request.settings.max_tokens == strict.max_tokens
    assert strict.prompt.strip() in request.system_prompt
    wb.close()


def test_a_session_keeps_the_team_it_started_with(tmp_path: Path) -> None:
    wb = workbench(tmp_path, ScriptedProvider(canned))
    assert wb.teams.resolve(SessionKind.INTERVIEW, {"team": "bar_raiser"}).name == "bar_raiser"
    wb.close()


def test_a_tenant_file_can_add_a_team_and_make_it_the_default(tmp_path: Path) -> None:
    tenant = tmp_path / "acme.yaml"
    tenant.write_text(
        "tenant: acme\n"
        "teams:\n"
        "  acme_panel:\n"
        "    session_kinds: [interview]\n"
        "    seats: {primary: primary_coach, feedback: strict_feedback_coach}\n"
        "defaults:\n"
        "  interview: acme_panel\n"
    )
    wb = workbench(tmp_path, ScriptedProvider(canned), tenant_config=tenant)
    team = wb.teams.resolve(SessionKind.INTERVIEW)
    assert team.name == "acme_panel" and wb.teams.tenant == "acme"
    assert team.agent(PersonaRole.FEEDBACK).persona.name == "strict_feedback_coach"
    wb.close()


def test_a_broken_tenant_file_is_reported_and_the_shipped_teams_still_work(
    tmp_path: Path,
) -> None:
    tenant = tmp_path / "broken.yaml"
    tenant.write_text("teams:\n  x:\n    seats: {boss: primary_coach}\n")
    wb = workbench(tmp_path, ScriptedProvider(canned), tenant_config=tenant)
    assert any("broken.yaml" in notice for notice in wb.notices)
    assert wb.teams.resolve(SessionKind.INTERVIEW).name == "interview"
    wb.close()


def test_a_team_naming_a_missing_persona_says_which(tmp_path: Path) -> None:
    tenant = tmp_path / "t.yaml"
    tenant.write_text("teams:\n  ghost:\n    seats: {primary: nobody}\n")
    wb = workbench(tmp_path, ScriptedProvider(canned), tenant_config=tenant)
    with pytest.raises(PersonaError, match="no persona called 'nobody'"):
        wb.teams.team("ghost")
    wb.close()
