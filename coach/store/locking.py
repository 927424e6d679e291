"""Waiting for a DuckDB file another process holds, and asking for it.

DuckDB lets one process open a file at a time; a second gets an ``IOException`` saying
"Could not set lock on file". The app, notebooks (which take snapshots) and the CLI all
wait the same way: they *knock* (touch ``<file>.release``, which a workbench holding the
file watches and answers by letting go, see ``coach.store.lease``), retry with a short
growing backoff, and give up with a ``StoreBusy`` message written for the person waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from coach.errors import StoreBusy

log = logging.getLogger(__name__)

LOCK_ERROR_TEXT = "Could not set lock on file"
R = TypeVar("R")


def knock_path(path: Path) -> Path:
    """The file whose modification time asks the holder of ``path`` to let go of it."""
    return path.with_name(path.name + ".release")


def knock(path: Path) -> None:
    """Asks whoever holds ``path`` to let go of it (best effort: never raises)."""
    try:
        knock_path(path).touch()
    except OSError:
        log.debug("could not knock", extra={"path": str(path)}, exc_info=True)


def retry_while_locked(
    action: Callable[[], R],
    *,
    path: Path,
    timeout_seconds: float,
    busy_message: str,
    first_backoff_seconds: float = 0.005,
    max_backoff_seconds: float = 0.05,
) -> tuple[R, float]:
    """Run ``action`` (an open or attach of ``path``) until the file is free.

    Every failed attempt knocks, so a workbench holding the file hands it over within
    a few tens of milliseconds. Returns the action's result and the seconds waited.
    Any other error passes through.
    """
    started = time.monotonic()
    deadline = started + timeout_seconds
    backoff = first_backoff_seconds
    attempts = 0
    while True:
        attempts += 1
        try:
            result = action()
            break
        except duckdb.IOException as error:
            if LOCK_ERROR_TEXT not in str(error):
                raise
            knock(path)
            now = time.monotonic()
            if now >= deadline:
                log.warning(
                    "database busy",
                    extra={
                        "path": str(path),
                        "waited_seconds": round(now - started, 3),
                        "attempts": attempts,
                    },
                )
                raise StoreBusy(busy_message) from error
            time.sleep(min(backoff, deadline - now))
            backoff = min(backoff * 2, max_backoff_seconds)
    waited = time.monotonic() - started
    if attempts > 1:
        log.debug(
            "waited for the database",
            extra={"path": str(path), "waited_seconds": round(waited, 3), "attempts": attempts},
        )
    return result, waited
