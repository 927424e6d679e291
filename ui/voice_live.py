"""The live voice interview widget: WebRTC in the browser, the Realtime relay on the server.

The browser only ever talks WebRTC to this server; the relay holds the API key and
talks to the Realtime API. The page keeps just the interview's id in session state.
"""

from __future__ import annotations

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from coach.domain import Speaker
from coach.errors import CoachError
from coach.services.practice import PracticeView
from coach.workbench import Workbench
from ui.auth import current_actor
from ui.state import flash
from ui.text import inert

_LIVE_KEY = "live-interview-id"


def _offline_explainer() -> None:
    st.info(
        "Live voice interviews use OpenAI's Realtime API and need `OPENAI_API_KEY`. "
        "Offline you can still preview voices above, and on the Practice page record an "
        "answer out loud: the coach measures your speaking time and pauses (words and a "
        "score need a transcription model)."
    )


def live_interview(wb: Workbench, view: PracticeView, voice: str) -> None:
    st.subheader("Live interview")
    if not wb.voice.realtime_available:
        _offline_explainer()
        return
    if not view.questions:
        st.info("This session has no questions yet: generate some on the Practice page.")
        return
    ids = [p.question.id for p in view.questions]
    current = view.current.question.id if view.current else ids[0]
    question_id = st.selectbox(
        "Question",
        ids,
        index=ids.index(current),
        format_func=lambda qid: next(
            p.question.text for p in view.questions if p.question.id == qid
        ),
        key="voice-question",
    )
    live_id = st.session_state.get(_LIVE_KEY)
    interview = wb.voice.live(current_actor(), live_id) if live_id else None
    if interview is not None and interview.question_id != question_id:
        wb.voice.finish_live(current_actor(), interview.id, use_as_answer=False)
        interview = None
    if interview is None:
        try:
            live_id = wb.voice.start_live(current_actor(), view.session.id, question_id, voice)
        except CoachError as error:
            st.error(str(error))
            return
        st.session_state[_LIVE_KEY] = live_id
        interview = wb.voice.live(current_actor(), live_id)
        assert interview is not None

    relay = interview.relay
    context = webrtc_streamer(
        key=f"voice-{interview.id}",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": wb.settings.webrtc_ice_servers},
        media_stream_constraints={"audio": True, "video": False},
        queued_audio_frames_callback=relay.on_frames,  # every frame, not only the latest
        on_audio_ended=relay.on_ended,
        translations={"start": "Start the interview", "stop": "Stop"},
    )
    if context.state.playing:
        relay.start()
    _transcript(wb, interview.id)

    if st.button("Use this as my answer", type="primary", key="voice-use"):
        try:
            _, _answer, evaluation = wb.voice.finish_live(
                current_actor(), interview.id, use_as_answer=True
            )
        except CoachError as error:
            st.error(str(error))
            return
        st.session_state.pop(_LIVE_KEY, None)
        wb.practice.go_to_question(current_actor(), view.session.id, question_id)
        score = f" It scored {evaluation.overall:.1f}/10." if evaluation else ""
        flash(f"Your spoken answer is saved.{score} See the feedback on the Practice page.")
        st.switch_page("views/practice.py")


@st.fragment(run_every=1.0)
def _transcript(wb: Workbench, live_id: str) -> None:
    """Refreshes on its own every second while the interview runs."""
    interview = wb.voice.live(current_actor(), live_id)
    if interview is None:
        return
    status = interview.relay.status
    if status.state.value == "failed":
        st.error(status.message)
    elif status.message:
        st.caption(f"{status.state.value.capitalize()}: {status.message}")
    segments = interview.relay.transcript()
    if not segments:
        st.caption("The transcript appears here as you talk.")
    for segment in segments:
        who = "Coach" if segment.speaker is Speaker.COACH else "You"
        st.markdown(f"**{who}:** {inert(segment.text)}")
