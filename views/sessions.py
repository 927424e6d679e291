"""Sessions: find, open (resume where you left off), rename, export and delete."""

from __future__ import annotations

import streamlit as st

from coach.domain import SessionKind, SessionOverview
from coach.errors import CoachError
from coach.users import Actor
from coach.workbench import Workbench
from ui import downloads
from ui.auth import current_actor
from ui.resources import workbench
from ui.state import CHAT, EXPORT_READY, close_session, flash, open_session, open_session_id
from ui.text import inert

PAGE_SIZE = 20


def _open(overview: SessionOverview) -> None:
    if overview.kind is SessionKind.CHAT:
        CHAT.open(overview.id)
        st.switch_page("views/chat.py")
    open_session(overview.id)
    st.switch_page("views/practice.py")


def _markdown_export(wb: Workbench, actor: Actor, overview: SessionOverview) -> None:
    """Prepare, then download: the file is made in this script run and stays referenced
    by this session until its next run, so other users' reruns cannot sweep it away
    before the browser fetches it (a file made on click is swept; see views/practice.py)."""
    if EXPORT_READY.get() != overview.id:
        if st.button("Prepare Markdown export", key=f"prepare-{overview.id}"):
            EXPORT_READY.open(overview.id)
            st.rerun()
        return
    export = wb.exports.markdown(actor, overview.id)
    st.download_button(
        "Export as Markdown",
        export.content,
        file_name=export.filename,
        mime=export.media_type,
        key=f"export-{overview.id}",
        on_click="ignore",
    )


def session_row(wb: Workbench, overview: SessionOverview) -> None:
    with st.container(border=True):
        info, open_col, manage_col = st.columns([6, 1, 1], vertical_alignment="center")
        with info:
            kind = "Chat" if overview.kind is SessionKind.CHAT else "Interview practice"
            st.markdown(f"**{inert(overview.name)}**")
            score = (
                f" · average {overview.average_score:.1f}/10"
                if overview.average_score is not None
                else ""
            )
            progress = (
                ""
                if overview.kind is SessionKind.CHAT
                else f" · {overview.answered_count} of {overview.question_count} answered{score}"
            )
            if overview.transcript_count:
                progress += f" · {overview.transcript_count} voice transcript(s)"
            if current_actor().is_admin and overview.owner_email:  # admins list everyone's
                progress += f" · by {inert(overview.owner_email)}"
            st.caption(f"{kind} · last activity {overview.updated_at:%d %b %Y %H:%M} UTC{progress}")
        if open_col.button("Open", key=f"open-{overview.id}", type="primary"):
            _open(overview)
        with manage_col.popover("Manage"):
            new_name = st.text_input("New name", value=overview.name, key=f"name-{overview.id}")
            if st.button("Rename", key=f"rename-{overview.id}"):
                try:
                    wb.sessions.rename(current_actor(), overview.id, new_name)
                except CoachError as error:
                    st.error(str(error))
                else:
                    flash(f"Renamed to “{inert(' '.join(new_name.split()))}”.")
                    st.rerun()
            actor = current_actor()
            _markdown_export(wb, actor, overview)
            if overview.kind is not SessionKind.CHAT:
                downloads.study_guide(wb, actor, overview.id, key=overview.id)
            st.divider()
            confirm = st.checkbox(
                "Yes, delete this session and all its answers",
                key=f"confirm-{overview.id}",
            )
            if st.button("Delete", key=f"delete-{overview.id}", disabled=not confirm):
                wb.sessions.delete(current_actor(), overview.id)
                if open_session_id() == overview.id:
                    close_session()
                if CHAT.get() == overview.id:
                    CHAT.close()
                flash(f"Deleted “{inert(overview.name)}”.", ":material/delete:")
                st.rerun()


def main() -> None:
    wb = workbench()
    st.title("Your sessions")
    search = st.text_input(
        "Search by name",
        key="sessions-search",
        placeholder="e.g. data",
        on_change=lambda: st.session_state.update({"sessions-page": 0}),
    )
    page_number = st.session_state.get("sessions-page", 0)
    listing = wb.sessions.list(
        current_actor(), search, limit=PAGE_SIZE, offset=page_number * PAGE_SIZE
    )
    if listing.total == 0:
        if search.strip():
            st.info(f"No session name contains “{inert(search.strip())}”.")
        else:
            st.info("No sessions yet. Start one on the Practice page.")
            st.page_link("views/practice.py", label="Start practising", icon=":material/target:")
        return
    st.caption(f"{listing.total} session(s), newest activity first.")
    for overview in listing.sessions:
        session_row(wb, overview)
    previous_col, next_col = st.columns(2)
    if page_number > 0 and previous_col.button("← Newer"):
        st.session_state["sessions-page"] = page_number - 1
        st.rerun()
    if listing.has_more and next_col.button("Older →"):
        st.session_state["sessions-page"] = page_number + 1
        st.rerun()


main()
