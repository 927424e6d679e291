"""Errors a user can cause, each with a message written for that user.

Pages catch :class:`CoachError` and show ``str(error)`` with ``st.error``; the message
says what went wrong and what to do next, so nothing else needs to be added.
"""

from __future__ import annotations


class CoachError(Exception):
    """Base of every error whose message is meant for the person using the workbench."""


class DocumentError(CoachError):
    """An upload or pasted text could not be turned into usable text."""


class PersonaError(CoachError):
    """A persona YAML file is missing, unreadable or invalid.

    The message names the file, the field and the problem.
    """


class SessionNotFound(CoachError):
    """The session was deleted or never existed."""


class QuestionNotFound(CoachError):
    """The question was removed or never existed."""


class AnswerNotFound(CoachError):
    """The answer was deleted or never existed."""


class EmptyAnswer(CoachError):
    """The candidate submitted an answer with no words in it."""


class StoreBusy(CoachError):
    """The database file stayed locked by another process for longer than we wait."""
