"""The little UI state the pages share: which session is open.

It lives in ``st.session_state`` (and the URL, so a reload keeps the session open);
the session's contents always come from the store.
"""

from __future__ import annotations

import streamlit as st

_SESSION_KEY = "open_session_id"
_QUERY_KEY = "session"


def open_session_id() -> str | None:
    session_id = st.session_state.get(_SESSION_KEY) or st.query_params.get(_QUERY_KEY)
    if session_id:
        st.session_state[_SESSION_KEY] = session_id
    return session_id


def open_session(session_id: str) -> None:
    st.session_state[_SESSION_KEY] = session_id
    st.query_params[_QUERY_KEY] = session_id


def close_session() -> None:
    st.session_state.pop(_SESSION_KEY, None)
    st.query_params.pop(_QUERY_KEY, None)


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """A message to show once after the next rerun (st.toast survives st.rerun poorly)."""
    st.session_state["_flash"] = (message, icon)


def show_flash() -> None:
    pending = st.session_state.pop("_flash", None)
    if pending:
        st.toast(pending[0], icon=pending[1])
