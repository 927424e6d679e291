"""Personas: a coach's character and model parameters, as validated YAML.

A persona file is data a product team edits; this module turns it into a typed
``Persona`` or an error that names the file, the field and the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.domain import CoachingLevel
from coach.errors import PersonaError

log = logging.getLogger(__name__)

PERSONA_SUFFIXES = (".yaml", ".yml")


class PersonaRole(StrEnum):
    """Which seat in the team a persona is written for."""

    PRIMARY = "primary"
    FEEDBACK = "feedback"
    GENERAL_CHAT = "general_chat"


class Persona(BaseModel):
    """One coach: who it is, how it speaks, and the model parameters it runs with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)
    role: PersonaRole
    display_name: str = ""
    description: str = ""
    prompt: str = Field(min_length=1)
    tone: str = "warm and direct"
    coaching_level: CoachingLevel = CoachingLevel.HELP
    model: str = "gpt-4o-mini"
    temperature: float = Field(default=0.4, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int = Field(default=800, gt=0, le=32_000)
    concurrency: int = Field(default=4, ge=1, le=64)
    voice: str = "alloy"
    version: int = Field(default=1, ge=1)
    promoted_from: str = Field(
        default="", description="The experiment and variant this version was promoted from."
    )

    @property
    def title(self) -> str:
        return self.display_name or self.name.replace("_", " ").title()

    @property
    def label(self) -> str:
        """The name a picker shows: with the version once there is more than one."""
        return self.name if self.version == 1 else f"{self.name} (v{self.version})"


def load_persona(path: Path) -> Persona:
    """Read one persona file safely (``yaml.safe_load``) and validate it."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PersonaError(f"Persona file {path.name} could not be read: {exc.strerror}.") from exc
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise PersonaError(
            f"Persona file {path.name} is not valid YAML{where}: {problem}. "
            "Fix the indentation or quoting there."
        ) from exc
    if not isinstance(raw, dict):
        raise PersonaError(
            f"Persona file {path.name} must be a mapping of fields (name: ..., role: ...), "
            f"not {type(raw).__name__}."
        )
    raw.setdefault("name", path.stem)
    try:
        return Persona.model_validate(raw)
    except ValidationError as exc:
        raise PersonaError(_describe_validation_error(path, exc)) from exc


def _describe_validation_error(path: Path, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(file)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "is not a persona field (check the spelling)"
        elif error["type"] == "missing":
            message = "is required"
        problems.append(f"field '{field}' {message}")
    return f"Persona file {path.name} is invalid: " + "; ".join(problems) + "."


class PersonaRegistry(BaseModel):
    """The personas in a folder, by name, plus the files that failed to load.

    A broken file does not take the others down: it is listed in ``errors`` so the
    page can show exactly which file to fix.
    """

    model_config = ConfigDict(frozen=True)

    personas: dict[str, Persona]
    errors: list[str] = Field(default_factory=list)

    @classmethod
    def from_directory(cls, directory: Path) -> PersonaRegistry:
        personas: dict[str, Persona] = {}
        errors: list[str] = []
        for path in _persona_files(directory):
            try:
                persona = load_persona(path)
            except PersonaError as exc:
                log.warning("persona file rejected", extra={"file": str(path)})
                errors.append(str(exc))
                continue
            if persona.name in personas:
                errors.append(
                    f"Persona file {path.name} repeats the name '{persona.name}'; "
                    "each persona needs its own name."
                )
                continue
            personas[persona.name] = persona
        return cls(personas=personas, errors=errors)

    def get(self, name: str) -> Persona:
        try:
            return self.personas[name]
        except KeyError:
            known = ", ".join(sorted(self.personas)) or "none"
            raise PersonaError(
                f"There is no persona called '{name}' (known: {known}). "
                "Add personas/<name>.yaml or pick another."
            ) from None

    def by_role(self, role: PersonaRole) -> list[Persona]:
        return [p for p in self.personas.values() if p.role is role]

    def __iter__(self) -> Iterator[Persona]:  # type: ignore[override]
        return iter(self.personas.values())


def _persona_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise PersonaError(
            f"The persona folder {directory} does not exist. "
            "Set COACH_AGENT__PERSONAS_DIR to a folder of persona YAML files."
        )
    return sorted(p for p in directory.iterdir() if p.suffix in PERSONA_SUFFIXES)
