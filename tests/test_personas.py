from pathlib import Path

import pytest

from coach.domain import CoachingLevel
from coach.errors import PersonaError
from coach.personas import PersonaRegistry, PersonaRole, load_persona
from coach.settings import PROJECT_ROOT

VALID = """\
name: tester
role: feedback
prompt: Score answers.
temperature: 0.3
max_tokens: 500
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_personas_load_and_cover_every_seat() -> None:
    registry = PersonaRegistry.from_directory(PROJECT_ROOT / "personas")
    assert registry.errors == []
    for name in ("primary_coach", "feedback_coach", "general_chat"):
        assert name in registry.personas
    assert {p.role for p in registry} == set(PersonaRole)


def test_shipped_personas_let_twenty_people_at_once_reach_the_model() -> None:
    """Issue 13: twenty users of one workbench each wait for one model latency, not for
    a slot behind others' calls (the benchmarks' concurrent case runs twenty)."""
    registry = PersonaRegistry.from_directory(PROJECT_ROOT / "personas")
    assert all(persona.concurrency >= 20 for persona in registry), {
        persona.name: persona.concurrency for persona in registry
    }


def test_a_valid_file_gives_a_typed_persona(tmp_path: Path) -> None:
    persona = load_persona(write(tmp_path, "tester.yaml", VALID))
    assert persona.temperature == 0.3
    assert persona.max_tokens == 500
    assert persona.coaching_level is CoachingLevel.HELP


def test_an_out_of_range_field_names_the_file_the_field_and_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "hot.yaml", VALID.replace("0.3", "7"))
    with pytest.raises(PersonaError) as error:
        load_persona(path)
    message = str(error.value)
    assert "hot.yaml" in message
    assert "temperature" in message
    assert "less than or equal to 2" in message


def test_a_misspelt_field_is_reported_not_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", VALID + "temprature: 0.5\n")
    with pytest.raises(PersonaError, match=r"typo\.yaml.*'temprature' is not a persona field"):
        load_persona(path)


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "name: x\nprompt: [unclosed\n")
    with pytest.raises(PersonaError, match=r"broken\.yaml is not valid YAML at line \d+"):
        load_persona(path)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    evil = "!!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(PersonaError, match=r"evil\.yaml"):
        load_persona(write(tmp_path, "evil.yaml", evil))


def test_one_invalid_file_does_not_hide_the_others(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", VALID.replace("tester", "good"))
    write(tmp_path, "bad.yaml", "name: bad\nrole: boss\nprompt: hi\n")
    registry = PersonaRegistry.from_directory(tmp_path)
    assert list(registry.personas) == ["good"]
    assert len(registry.errors) == 1
    assert "bad.yaml" in registry.errors[0] and "role" in registry.errors[0]


def test_asking_for_an_unknown_persona_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "tester.yaml", VALID)
    registry = PersonaRegistry.from_directory(tmp_path)
    with pytest.raises(PersonaError, match="known: tester"):
        registry.get("nobody")
