"""The little UI state the pages share: which practice session and which chat is open.

It lives in ``st.session_state`` (and the URL, so a reload keeps it open); the
contents always come from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class OpenItem:
    """One "currently open" id, mirrored in the URL's query string."""

    state_key: str
    query_key: str

    def get(self) -> str | None:
        value = st.session_state.get(self.state_key) or st.query_params.get(self.query_key)
        if value:
            st.session_state[self.state_key] = value
        return value

    def open(self, item_id: str) -> None:
        st.session_state[self.state_key] = item_id
        st.query_params[self.query_key] = item_id

    def close(self) -> None:
        st.session_state.pop(self.state_key, None)
        st.query_params.pop(self.query_key, None)


@dataclass(frozen=True)
class StateItem:
    """One id kept for this browser tab only (not in the URL)."""

    state_key: str

    def get(self) -> str | None:
        return st.session_state.get(self.state_key)

    def open(self, item_id: str) -> None:
        st.session_state[self.state_key] = item_id


PRACTICE = OpenItem("open_session_id", "session")
CHAT = OpenItem("open_chat_id", "chat")
# The session on the Sessions page whose Markdown export is prepared for download.
EXPORT_READY = StateItem("export_ready_session_id")
# The session whose PDF study guide is prepared for download (Practice and Sessions pages).
GUIDE_READY = StateItem("guide_ready_session_id")


def open_session_id() -> str | None:
    return PRACTICE.get()


def open_session(session_id: str) -> None:
    PRACTICE.open(session_id)


def close_session() -> None:
    PRACTICE.close()


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """A message to show once after the next rerun (st.toast survives st.rerun poorly)."""
    st.session_state["_flash"] = (message, icon)


def show_flash() -> None:
    pending = st.session_state.pop("_flash", None)
    if pending:
        st.toast(pending[0], icon=pending[1])


def retry_example(question_id: str) -> None:
    """Ask for the example answer again on the next run (its last one was cut off)."""
    st.session_state[f"_example_retry_{question_id}"] = True


def example_retry_requested(question_id: str) -> bool:
    return bool(st.session_state.pop(f"_example_retry_{question_id}", False))
