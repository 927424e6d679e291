"""Promote a winning variant: the persona's file becomes the next version, and the
version it replaces is kept under ``personas/versions/``.

The new file is the variant's whole persona (not a diff), so it reads like any other
persona file, and ``promoted_from`` says which experiment and variant produced it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from coach.errors import ExperimentError, PersonaError
from coach.personas import PERSONA_SUFFIXES, Persona, load_persona

__all__ = ["VERSIONS_FOLDER", "Promotion", "promote"]

VERSIONS_FOLDER = "versions"


class Promotion(BaseModel):
    model_config = ConfigDict(frozen=True)

    persona: Persona
    path: Path
    previous: Path  # where the replaced version now lives


def promote(variant: Persona, personas_dir: Path, *, promoted_from: str) -> Promotion:
    """Write ``variant`` as the next version of the persona file of the same name."""
    current_path = _persona_file(personas_dir, variant.name)
    try:
        current = load_persona(current_path)
    except PersonaError as error:
        raise ExperimentError(f"{error} Fix it before promoting a new version.") from error
    versions = personas_dir / VERSIONS_FOLDER
    versions.mkdir(exist_ok=True)
    previous = versions / f"{current.name}.v{current.version}{current_path.suffix}"
    if previous.exists():
        raise ExperimentError(f"{previous} already exists; move it away before promoting again.")
    promoted = variant.model_copy(
        update={"version": current.version + 1, "promoted_from": promoted_from}
    )
    text = (
        f"# Version {promoted.version}, promoted from {promoted_from}.\n"
        f"# The previous version is in {VERSIONS_FOLDER}/{previous.name}.\n"
        + yaml.safe_dump(
            promoted.model_dump(mode="json", exclude_defaults=False),
            sort_keys=False,
            allow_unicode=True,
        )
    )
    previous.write_bytes(current_path.read_bytes())
    _write_atomically(current_path, text)
    return Promotion(persona=load_persona(current_path), path=current_path, previous=previous)


def _persona_file(directory: Path, name: str) -> Path:
    for suffix in PERSONA_SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    for path in sorted(directory.iterdir()):
        if path.suffix in PERSONA_SUFFIXES:
            try:
                if load_persona(path).name == name:
                    return path
            except PersonaError:
                continue
    raise ExperimentError(
        f"No file in {directory} holds the persona '{name}', so there is nothing to promote over."
    )


def _write_atomically(path: Path, text: str) -> None:
    """Readers (another process's persona picker) see the old file or the new, never half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
