"""Long-lived objects, built once per process and per settings (``st.cache_resource``)."""

from __future__ import annotations

import gc
import hashlib

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
    """Distinguishes settings without putting the key itself into a cache key."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    raw = settings.model_dump_json() + hashlib.sha256(key.encode()).hexdigest()
    return hashlib.sha256(raw.encode()).hexdigest()


def workbench() -> Workbench:
    settings = CoachSettings()
    return _build(_fingerprint(settings), settings)
