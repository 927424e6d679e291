"""Voice: pick and preview a coach's voice; practise out loud in a live interview."""

from __future__ import annotations

import streamlit as st

from coach.errors import CoachError, SessionNotFound
from coach.workbench import Workbench
from ui.auth import current_actor
from ui.resources import workbench
from ui.state import open_session_id
from ui.voice_live import live_interview


def voice_picker(wb: Workbench) -> str:
    st.subheader("The coach's voice")
    catalog = wb.voice.catalog()
    names = [v.name for v in catalog]
    chosen = st.selectbox(
        "Voice",
        names,
        index=names.index(st.session_state.get("voice-name", names[0])),
        format_func=lambda n: (
            f"{n.capitalize()} — {next(v for v in catalog if v.name == n).description}"
        ),
        key="voice-name",
    )
    if st.button("Preview this voice", key="voice-preview"):
        try:
            preview = wb.voice.preview(chosen)
        except CoachError as error:
            st.error(str(error))
        else:
            st.audio(preview.path.read_bytes(), format="audio/wav")
            source = "OpenAI voice" if preview.engine == "openai" else "offline voice (espeak-ng)"
            st.caption(f"{source} · {'from the cache' if preview.cached else 'synthesised now'}")
    return chosen


def main() -> None:
    wb = workbench()
    st.title("Voice interview")
    st.write(
        "Practise out loud: the coach asks the question in a voice, you answer by speaking, "
        "and your spoken answer is transcribed, saved and scored like a typed one, with "
        "your pace, filler words and pauses on top."
    )
    voice = voice_picker(wb)
    st.divider()
    session_id = open_session_id()
    if session_id is None:
        st.info("Open a practice session first: the voice interview asks its questions.")
        st.page_link("views/practice.py", label="Go to Practice", icon=":material/target:")
        return
    try:
        view = wb.practice.view(current_actor(), session_id)
    except SessionNotFound:
        st.info("That session no longer exists. Start one on the Practice page.")
        return
    live_interview(wb, view, voice)


main()
