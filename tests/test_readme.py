"""README.md stays true for a newcomer: every setting the workbench reads is documented."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from coach.settings import PROJECT_ROOT, CoachSettings


def environment_names(model: type[BaseModel], prefix: str) -> Iterator[str]:
    """``COACH_*`` names, nested settings joined by ``__`` (as pydantic-settings reads them)."""
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from environment_names(kind, f"{prefix}{name.upper()}__")
        else:
            yield f"{prefix}{name.upper()}"


def test_every_coach_setting_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        name for name in environment_names(CoachSettings, "COACH_") if f"`{name}`" not in readme
    ]
    assert not missing, f"document these settings in README.md: {missing}"
