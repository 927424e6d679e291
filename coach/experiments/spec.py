"""``ExperimentSpec``: what to compare, on what, how often, judged by whom.

The same spec comes from the Persona Lab's form, a YAML file for ``coach experiment
run spec.yaml``, or a notebook; each is validated here with messages that name the
field (and the variant) to fix::

    name: warmer tone
    base_persona: feedback_coach
    variants:
      - name: A                       # the control: the base persona as it is
      - name: B
        overrides: {tone: warm and encouraging, temperature: 0.2}
    dataset: sample                   # or: sessions, or {file: items.jsonl}
    repeats: 1
    judge: offline                    # or the name of a judge persona
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import ExperimentError
from coach.experiments.variants import Variant

__all__ = [
    "OFFLINE_JUDGE",
    "DatasetChoice",
    "ExperimentSpec",
    "load_spec",
    "loads_spec",
    "parse_spec",
    "read_yaml",
]

OFFLINE_JUDGE = "offline"
MAX_VARIANTS = 6


class DatasetChoice(BaseModel):
    """Where the items come from: the bundled sample, stored sessions, or a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Literal["sample", "sessions", "file"] = "sample"
    path: Path | None = None
    limit: int = Field(default=500, ge=1, le=5_000)


class ExperimentSpec(BaseModel):
    """An experiment before it runs. The first variant is the control the others are
    compared with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    base_persona: str = Field(min_length=1)
    variants: tuple[Variant, ...] = Field(min_length=2, max_length=MAX_VARIANTS)
    dataset: DatasetChoice = Field(default_factory=DatasetChoice)
    repeats: int = Field(default=1, ge=1, le=10)
    judge: str = OFFLINE_JUDGE
    description: str = ""

    @field_validator("dataset", mode="before")
    @classmethod
    def _dataset_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"source": value}
        if isinstance(value, dict) and "file" in value:
            rest = {key: item for key, item in value.items() if key != "file"}
            return {"source": "file", "path": value["file"], **rest}
        return value

    @field_validator("variants")
    @classmethod
    def _distinct_names(cls, variants: tuple[Variant, ...]) -> tuple[Variant, ...]:
        names = [variant.name for variant in variants]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"variant names must differ; repeated: {', '.join(repeated)}")
        return variants

    @property
    def control(self) -> Variant:
        return self.variants[0]

    def to_yaml(self) -> str:
        """The spec as the YAML a person would write (defaults and empty overrides left out)."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["variants"] = [
            {
                "name": v.name,
                **({"overrides": v.overrides.changed()} if v.overrides.changed() else {}),
            }
            for v in self.variants
        ]
        dataset = self.dataset
        if dataset.source == "file":
            data["dataset"] = {"file": str(dataset.path)}
        elif dataset.limit == DatasetChoice().limit:
            data["dataset"] = dataset.source
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def parse_spec(raw: object, *, where: str = "The experiment spec") -> ExperimentSpec:
    """A spec from parsed YAML/JSON, or an ``ExperimentError`` listing every problem."""
    if not isinstance(raw, dict):
        raise ExperimentError(
            f"{where} must be a mapping with name, base_persona and variants, "
            f"not {type(raw).__name__}."
        )
    variants = raw.get("variants")
    if isinstance(variants, list):
        # Each variant first, so a bad one is named ("variant B") rather than "variants.1".
        parsed = [
            Variant.parse(item, where=_variant_label(item, position))
            for position, item in enumerate(variants)
        ]
        raw = {**raw, "variants": parsed}
    try:
        return ExperimentSpec.model_validate(raw)
    except ValidationError as error:
        raise ExperimentError(_describe(where, error)) from error


def load_spec(path: Path) -> ExperimentSpec:
    """Read a spec file (safe YAML); errors name the file, the line or the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExperimentError(
            f"The spec file {path} could not be read: {error.strerror}."
        ) from error
    return loads_spec(text, where=f"The spec file {path.name}")


def loads_spec(text: str, *, where: str = "The experiment spec") -> ExperimentSpec:
    """A spec from YAML text (a file, or the page's YAML editor)."""
    return parse_spec(read_yaml(text, where=where), where=where)


def read_yaml(text: str, *, where: str = "The experiment spec") -> object:
    """``text`` parsed safely, or an ``ExperimentError`` naming the line and the problem."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "it is not valid YAML"
        raise ExperimentError(f"{where} is not valid YAML{at}: {problem}.") from error


def _variant_label(item: object, position: int) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    return f"variant {name}" if isinstance(name, str) and name else f"variant {position + 1}"


def _describe(where: str, error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or "(spec)"
        if detail["type"] == "extra_forbidden":
            problems.append(f"'{field}' is not a spec field (check the spelling)")
        elif detail["type"] == "missing":
            problems.append(f"'{field}' is required")
        else:
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"'{field}' {message[:1].lower()}{message[1:]}")
    return f"{where} is invalid: " + "; ".join(problems) + "."
