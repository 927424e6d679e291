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


class TooManyInFlight(CoachError):
    """One person already has as many model-backed actions running as fair use allows."""


class AnswerSavedNotScored(CoachError):
    """The answer is stored, but scoring it failed; it can be scored later."""


class StoreBusy(CoachError):
    """The database file stayed locked by another process for longer than we wait."""


class StoreConflict(CoachError):
    """Two writes changed the same row at the same moment; one was undone (and is retried
    where it is safe to)."""


class ProviderError(CoachError):
    """A model server could not give a usable answer.

    The message names the server (never the key) and says what to check; the fallback
    provider shows it beside the offline coach's answer.
    """


class ProviderTimeout(ProviderError):
    """The model server took longer than the configured timeout, retries included."""


class ProviderUnavailable(ProviderError):
    """The model server could not be reached, or kept failing or rate-limiting us."""


class ProviderRejected(ProviderError):
    """The model server refused the request: the key, the model name or a parameter."""


class ProviderOutputInvalid(ProviderError):
    """The model answered, but not with the structure we asked for, even after a retry."""


class ExperimentError(CoachError):
    """A persona experiment's spec, variant or run cannot go ahead as asked."""


class DatasetError(ExperimentError):
    """An experiment dataset is empty or has bad rows; the message names the rows."""
