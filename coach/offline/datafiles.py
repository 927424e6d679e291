"""Reading the offline coach's data files (question bank, vocabularies, reply texts).

The coach's knowledge lives in YAML under ``coach/offline/data`` so a product team can
add a question or a tool name without touching Python. Each file is read once per
process by the module that owns it (behind ``functools.cache``) and checked against
that module's pydantic schema, so a typo fails loudly at import, not mid-interview.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

__all__ = ["data_file", "data_files", "read_yaml"]

# The C loader is ~10x faster on the 1.8k-line bank; the pure-Python one is the fallback.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_file(name: str) -> Traversable:
    """One file (or folder) under coach/offline/data."""
    return resources.files("coach.offline").joinpath("data", name)


def data_files(folder: str, suffix: str = ".yaml") -> list[Traversable]:
    """The files in a data folder, by name: a new file joins without a code change."""
    entries = data_file(folder).iterdir()
    return sorted((e for e in entries if e.name.endswith(suffix)), key=lambda e: e.name)


def read_yaml(file: Traversable) -> Any:
    """The parsed content of one YAML data file."""
    return yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)
