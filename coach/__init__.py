"""The Coaching Workbench's reusable core: no Streamlit in here, ever.

The few names a page, notebook or script needs::

    from coach import CoachSettings, build_workbench
    wb = build_workbench(CoachSettings())
    wb.sessions.list()
"""

from importlib import import_module

TYPE_CHECKING = False
if TYPE_CHECKING:
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
    from coach.workbench import Workbench, build_workbench

_HOMES = {
    **dict.fromkeys(
        (
            "Answer",
            "Attribution",
            "CoachingLevel",
            "DocumentKind",
            "Evaluation",
            "Question",
            "QuestionType",
            "RubricDimension",
            "Session",
            "SessionSummary",
        ),
        "coach.domain",
    ),
    "CoachError": "coach.errors",
    "CoachSettings": "coach.settings",
    "Workbench": "coach.workbench",
    "build_workbench": "coach.workbench",
}


def __getattr__(name: str) -> object:
    """Names load on first use: importing one small part of ``coach`` (the command line's
    parser, a model, the settings) must not pull in the rest."""
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
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
