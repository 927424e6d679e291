"""Long-lived objects, built once per process and per settings (``st.cache_resource``)."""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path

import streamlit as st

from coach.log import configure_logging
from coach.settings import CoachSettings
from coach.workbench import Workbench, build_workbench


def _release(workbench: Workbench) -> None:
    """An evicted workbench stops its agent loop, live voice relays and store lease."""
    workbench.close()


@st.cache_resource(show_spinner=False, max_entries=8, on_release=_release)
def _build(fingerprint: str, _settings: CoachSettings) -> Workbench:
    configure_logging(_settings.log_level)
    workbench = build_workbench(_settings)
    # Streamlit, pandas, Plotly and the workbench built here live as long as the
    # process: frozen, full garbage collections (~30 ms each) stop walking them, which
    # was a sixth of what a telemetry span cost (benchmarks/telemetry.py).
    gc.freeze()
    return workbench


def _fingerprint(settings: CoachSettings) -> str:
    """Distinguishes settings without putting a secret (the key, a database URL with
    its password) itself into a cache key: the dump shows secrets as asterisks."""
    secrets = [settings.openai_api_key, settings.store.url]
    hidden = "\n".join(secret.get_secret_value() if secret else "" for secret in secrets)
    raw = settings.model_dump_json() + hashlib.sha256(hidden.encode()).hexdigest()
    return hashlib.sha256(raw.encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=8)
def _settings(environment: str, dotenv_mtime: float) -> CoachSettings:
    """Settings as the environment and ``.env`` give them; read again only when either
    changes (reading them took a sixth of a Practice rerun)."""
    return CoachSettings()


def _environment() -> str:
    """A digest of the variables settings come from (a key never enters a cache key)."""
    variables = sorted((k, v) for k, v in os.environ.items() if k.startswith(("COACH_", "OPENAI_")))
    return hashlib.sha256(repr(variables).encode()).hexdigest()


def _dotenv_mtime() -> float:
    try:
        return Path(".env").stat().st_mtime
    except OSError:
        return 0.0


def workbench() -> Workbench:
    settings = _settings(_environment(), _dotenv_mtime())
    return _build(_fingerprint(settings), settings)
