"""Downloads that survive other users' reruns.

Streamlit keeps a file made on click (a callable given to ``st.download_button``)
referenced by no session, and every user's script run sweeps such files (mark, then
delete): with many users it was gone before the browser fetched it, and Chromium
cancelled the download. So a file is made in the page's own run and offered with
``on_click="ignore"`` (no rerun, so this session keeps referencing it meanwhile).
"""

from __future__ import annotations

import streamlit as st

from coach.users import Actor
from coach.workbench import Workbench
from ui.state import GUIDE_READY

GUIDE_HELP = (
    "Your best answer to each question with its scores, feedback and an example answer, "
    "and a summary: to read before the interview."
)


def study_guide(wb: Workbench, actor: Actor, session_id: str, *, key: str) -> None:
    """Prepare, then download the session's PDF study guide (made once per version)."""
    if GUIDE_READY.get() != session_id:
        if st.button("Prepare study guide (PDF)", key=f"prepare-guide-{key}", help=GUIDE_HELP):
            GUIDE_READY.open(session_id)
            st.rerun()
        return
    guide = wb.exports.study_guide(actor, session_id)
    st.download_button(
        "Study guide (PDF)",
        guide.content,
        file_name=guide.filename,
        mime=guide.media_type,
        key=f"guide-{key}",
        help=GUIDE_HELP,
        on_click="ignore",
    )
