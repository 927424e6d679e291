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
from coach.workbench import Workbench, build_workbench

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
