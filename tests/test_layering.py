"""DESIGN.md's layering, checked: coach is UI-free; pages talk only to coach."""

from __future__ import annotations

import ast
import subprocess
import sys

from coach.settings import PROJECT_ROOT

PAGE_FILES = [
    PROJECT_ROOT / "workbench.py",
    *sorted((PROJECT_ROOT / "views").glob("*.py")),
    *sorted((PROJECT_ROOT / "ui").glob("*.py")),
]


def imported_modules(path) -> set[str]:  # type: ignore[no-untyped-def]
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_importing_all_of_coach_never_imports_streamlit() -> None:
    modules = sorted(
        "coach." + ".".join(p.relative_to(PROJECT_ROOT / "coach").with_suffix("").parts)
        for p in (PROJECT_ROOT / "coach").rglob("*.py")
        if p.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True
    )
    assert result.stdout.strip() == "False"


def test_pages_never_import_duckdb_or_openai() -> None:
    for path in PAGE_FILES:
        assert not imported_modules(path) & {"duckdb", "openai"}, path


LOWER_PACKAGES = ("store", "agents", "offline", "providers")
UPPER_PACKAGES = ("coach.experiments", "coach.services")


def full_imports(path) -> set[str]:  # type: ignore[no-untyped-def]
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_imports_point_down_store_agents_offline_and_providers_never_import_upwards() -> None:
    upward = {
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for package in LOWER_PACKAGES
        for path in sorted((PROJECT_ROOT / "coach" / package).rglob("*.py"))
        for name in full_imports(path)
        if name.startswith(UPPER_PACKAGES)
    }
    assert not upward, sorted(upward)
