"""The lock files are what both README commands install: they must say what pyproject.toml
says, agree with each other, and name packages and versions only (no index address)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from coach.settings import PROJECT_ROOT

BASE_LOCK = PROJECT_ROOT / "requirements.lock"
TEST_LOCK = PROJECT_ROOT / "requirements-test.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


@dataclass
class Locked:
    version: str
    hashes: set[str] = field(default_factory=set)
    direct: bool = False  # required by pyproject.toml itself, not only by another package


def read_lock(path: Path) -> dict[str, Locked]:
    packages: dict[str, Locked] = {}
    current: Locked | None = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            current = packages.setdefault(canonicalize_name(match[1]), Locked(match[2]))
        elif current and "--hash=" in line:
            current.hashes.add(line.split("--hash=")[1].split()[0])
        elif current and "coach-workbench (pyproject.toml)" in line:
            current.direct = True
    return packages


def declared(*extras: str) -> dict[str, Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return {canonicalize_name(r.name): r for r in map(Requirement, lines)}


@pytest.mark.parametrize(
    ("lock", "extras"), [(BASE_LOCK, ()), (TEST_LOCK, ("test", "notebooks"))], ids=["base", "test"]
)
def test_the_lock_pins_exactly_what_pyproject_declares(lock: Path, extras: tuple[str, ...]) -> None:
    packages = read_lock(lock)
    wanted = declared(*extras)
    direct = {name for name, locked in packages.items() if locked.direct}
    assert direct == set(wanted), f"{lock.name} is stale: run ./scripts/lock"
    for name, requirement in wanted.items():
        assert requirement.specifier.contains(packages[name].version, prereleases=True), (
            f"{name}=={packages[name].version} is outside pyproject's {requirement.specifier}"
        )
    assert all(locked.hashes for locked in packages.values()), "every pin carries its hashes"


def test_the_start_lock_installs_the_tested_versions() -> None:
    base, test = read_lock(BASE_LOCK), read_lock(TEST_LOCK)
    assert set(base) <= set(test)
    for name, locked in base.items():
        assert locked.version == test[name].version, name
        assert locked.hashes == test[name].hashes, name


def test_every_major_version_is_capped() -> None:
    for name, requirement in declared("test", "notebooks").items():
        assert any(spec.operator == "<" for spec in requirement.specifier), name


@pytest.mark.parametrize("lock", [BASE_LOCK, TEST_LOCK], ids=lambda p: p.name)
def test_the_lock_names_no_index_or_registry(lock: Path) -> None:
    text = lock.read_text()
    assert "://" not in text
    assert not [line for line in text.splitlines() if line.startswith("-")]
