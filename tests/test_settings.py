from pathlib import Path

import pytest

from coach.domain import CoachingLevel
from coach.settings import CoachSettings


def test_defaults_run_offline_with_the_documented_limits() -> None:
    settings = CoachSettings(_env_file=None)
    assert settings.uses_real_model is False
    assert settings.uploads.max_bytes == 10 * 1024 * 1024
    assert settings.uploads.max_pages == 50
    assert settings.store.path.name == "workbench.duckdb"


def test_nested_settings_come_from_coach_prefixed_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COACH_STORE__PATH", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("COACH_UPLOADS__MAX_PAGES", "7")
    monkeypatch.setenv("COACH_AGENT__COACHING_LEVEL", "strict")
    settings = CoachSettings(_env_file=None)
    assert settings.store.path == tmp_path / "x.duckdb"
    assert settings.uploads.max_pages == 7
    assert settings.agent.coaching_level is CoachingLevel.STRICT


def test_a_postgresql_url_comes_from_the_environment_and_never_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://coach:hunter2@db.internal:5432/coach"
    monkeypatch.setenv("COACH_STORE__URL", url)

    settings = CoachSettings(_env_file=None)

    assert settings.store.url is not None and settings.store.url.get_secret_value() == url
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.model_dump_json()
    monkeypatch.delenv("COACH_STORE__URL")
    assert CoachSettings(_env_file=None).store.url is None  # the DuckDB file, unconfigured


def test_a_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COACH_AGENT__QUESTIONS_PER_SESSION=9\n")
    monkeypatch.chdir(tmp_path)
    assert CoachSettings().agent.questions_per_session == 9


@pytest.mark.parametrize("variable", ["OPENAI_API_KEY", "COACH_OPENAI_API_KEY"])
def test_the_key_switches_to_a_real_model_and_never_prints(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-" + "test-abcdefghijklmnopqrstuvwxyz0123"
    monkeypatch.setenv(variable, secret)
    settings = CoachSettings(_env_file=None)
    assert settings.uses_real_model is True
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == secret
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert secret not in text


def test_a_base_url_alone_selects_a_real_model_unless_offline_is_forced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert CoachSettings(_env_file=None).uses_real_model is True
    monkeypatch.setenv("COACH_AGENT__PROVIDER", "offline")
    assert CoachSettings(_env_file=None).uses_real_model is False


def test_log_lines_carry_their_structured_fields(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from coach.log import configure_logging

    configure_logging("INFO")
    configure_logging("INFO")  # idempotent: one handler, one line
    logging.getLogger("coach.test").info("agent call", extra={"agent": "feedback", "queue_ms": 2})
    lines = [line for line in capsys.readouterr().err.splitlines() if "agent call" in line]
    assert len(lines) == 1
    assert lines[0].endswith("agent=feedback queue_ms=2")
