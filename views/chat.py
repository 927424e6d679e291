"""Chat: talk with a coach (a team or one persona), get streamed replies, summarise."""

from __future__ import annotations

import streamlit as st

from coach.domain import ChatRole
from coach.errors import CoachError, SessionNotFound
from coach.services.chat import ChatView
from coach.workbench import Workbench
from ui import feedback
from ui.auth import current_actor
from ui.resources import workbench
from ui.state import CHAT, flash
from ui.text import inert, inert_stream, show

AVATARS = {ChatRole.USER: ":material/person:", ChatRole.COACH: ":material/school:"}
SUGGESTIONS = (
    "How do I answer 'tell me about yourself'?",
    "Ask me a practice question",
    "What questions should I ask the interviewer?",
)


def start_chat(wb: Workbench) -> None:
    st.title("Chat with a coach")
    st.write(
        "Ask anything about interviews: how to structure an answer, what to ask the "
        "interviewer, how to handle nerves. Paste an answer to get it scored."
    )
    options = wb.chat.options()
    choice = st.selectbox(
        "Who do you want to talk to?", options, format_func=lambda o: o.label, key="chat-with"
    )
    if st.button("Start chat", type="primary"):
        try:
            session = wb.chat.start(current_actor(), choice)
        except CoachError as error:
            st.error(str(error))
            return
        CHAT.open(session.id)
        st.rerun()


def _send(wb: Workbench, view: ChatView, text: str) -> None:
    try:
        reply = wb.chat.stream_reply(
            current_actor(), view.session.id, text
        )  # stores the message first
    except CoachError as error:
        st.error(str(error))
        return
    with st.chat_message("user", avatar=AVATARS[ChatRole.USER]):
        show(text)
    with st.chat_message("assistant", avatar=AVATARS[ChatRole.COACH]):
        st.write_stream(inert_stream(reply))
    st.rerun()


def conversation(wb: Workbench, view: ChatView) -> None:
    head, new_col = st.columns([5, 1])
    head.header(view.session.name)
    head.caption(f"Talking with {view.coach_title} · {len(view.messages)} messages")
    if new_col.button("New chat"):
        CHAT.close()
        st.rerun()

    if not view.messages:
        st.caption("Try one of these, or type your own question below.")
        columns = st.columns(len(SUGGESTIONS))
        for column, suggestion in zip(columns, SUGGESTIONS, strict=True):
            if column.button(suggestion, key=f"suggest-{suggestion}"):
                _send(wb, view, suggestion)
    for message in view.messages:
        role = "user" if message.role is ChatRole.USER else "assistant"
        with st.chat_message(role, avatar=AVATARS[message.role]):
            show(message.content)
            if message.role is ChatRole.COACH:
                feedback.attribution_caption(message.attribution, "Reply")
    last = view.messages[-1] if view.messages else None
    cut_off = last is not None and last.attribution is not None and last.attribution.cut_off
    if cut_off and st.button("Retry", key="retry-reply", icon=":material/refresh:"):
        with st.chat_message("assistant", avatar=AVATARS[ChatRole.COACH]):
            st.write_stream(wb.chat.retry_reply(current_actor(), view.session.id))
        st.rerun()

    text = st.chat_input("Ask your coach…", key="chat-input")
    if text:
        _send(wb, view, text)

    st.divider()
    summary_col, delete_col = st.columns([3, 1])
    with summary_col:
        has_coach_reply = any(m.role is ChatRole.COACH for m in view.messages)
        if st.button("Summarise this chat", disabled=not has_coach_reply):
            with st.spinner("Summarising…"):
                try:
                    wb.chat.summarize(current_actor(), view.session.id)
                except CoachError as error:
                    st.error(str(error))
                else:
                    st.rerun()
        if view.summary:
            st.subheader("Takeaways")
            for line in view.summary.takeaways:
                st.markdown(f"- {inert(line)}")
            st.subheader("Action items")
            for line in view.summary.action_items:
                st.markdown(f"- [ ] {inert(line)}")
            feedback.attribution_caption(view.summary.attribution, "Summary")
    with delete_col.popover("Delete chat"):
        st.write("Delete this chat and its messages? This cannot be undone.")
        if st.button("Delete", key="delete-chat"):
            wb.sessions.delete(current_actor(), view.session.id)
            CHAT.close()
            flash("Chat deleted.", ":material/delete:")
            st.rerun()


def main() -> None:
    wb = workbench()
    chat_id = CHAT.get()
    if chat_id is None:
        start_chat(wb)
        return
    try:
        view = wb.chat.view(current_actor(), chat_id)
    except SessionNotFound:
        CHAT.close()
        st.info("That chat no longer exists. Start a new one.")
        start_chat(wb)
        return
    except CoachError as error:
        CHAT.close()
        st.error(str(error))
        return
    conversation(wb, view)


main()
