"""The Coaching Workbench's reusable core: no Streamlit in here, ever.

The few names a page, notebook or script needs::

    from coach import CoachSettings, build_workbench
    wb = build_workbench(CoachSettings())
    wb.sessions.list()
"""

from coach.domain import (
    Answer,
    Attribution,
    CoachingLevel,
    DocumentKind,
    Evaluation,
    Question,
    QuestionType,
    RubricDimension,
    Session,
    SessionSummary,
)
from coach.errors import CoachError
from coach.settings import CoachSettings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from coach.workbench import Workbench, build_workbench


def __getattr__(name: str) -> object:
    """``Workbench`` and ``build_workbench`` load on first use: importing any small part
    of ``coach`` (a model, the settings) must not pull in every service."""
    if name in {"Workbench", "build_workbench"}:
        from coach import workbench

        return getattr(workbench, name)
    raise AttributeError(f"module 'coach' has no attribute {name!r}")


__all__ = [
    "Answer",
    "Attribution",
    "CoachError",
    "CoachSettings",
    "CoachingLevel",
    "DocumentKind",
    "Evaluation",
    "Question",
    "QuestionType",
    "RubricDimension",
    "Session",
    "SessionSummary",
    "Workbench",
    "build_workbench",
]
