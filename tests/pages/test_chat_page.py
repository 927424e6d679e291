"""The Chat page in AppTest: start a chat, exchange messages, summarise, resume, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.settings import CoachSettings, StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor
from tests.pages.conftest import APP

LOCAL_USER = Actor.local()


def chat_page(app: AppTest) -> AppTest:
    app.switch_page("views/chat.py").run()
    assert not app.exception, app.exception
    return app


def coach_messages(at: AppTest) -> list[str]:
    return [
        " ".join(m.value for m in message.markdown)
        for message in at.chat_message
        if message.name == "assistant"
    ]


def test_start_chat_exchange_messages_and_summarize(app: AppTest, app_env: Path) -> None:
    at = chat_page(app)
    assert at.title[0].value == "Chat with a coach"
    at.button[0].click().run()  # Start chat
    assert at.header[0].value.startswith("Chat with")

    at.chat_input(key="chat-input").set_value("How do I use the STAR method?").run()
    assert not at.exception, at.exception
    replies = coach_messages(at)
    assert len(replies) == 1 and "STAR" in replies[0]
    assert any("Offline coach" in c.value for c in at.caption)

    at.chat_input(key="chat-input").set_value("What should I ask the interviewer?").run()
    assert len(coach_messages(at)) == 2

    next(b for b in at.button if b.label == "Summarise this chat").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["Takeaways", "Action items"]

    with DuckDBSessionStore(CoachSettings(store=StoreSettings(path=app_env)).store) as store:
        (overview,) = store.list_sessions(LOCAL_USER)
        assert len(store.chat_messages(LOCAL_USER, overview.id)) == 4
        assert store.latest_chat_summary(LOCAL_USER, overview.id) is not None


def test_an_empty_message_is_not_sent(app: AppTest, app_env: Path) -> None:
    at = chat_page(app)
    at.button[0].click().run()
    at.chat_input(key="chat-input").set_value("   ").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Type a message first, then send it."]
    assert at.chat_message == [] or coach_messages(at) == []


def test_a_chat_is_resumed_from_the_sessions_page_and_deleted(app: AppTest) -> None:
    at = chat_page(app)
    at.button[0].click().run()
    at.chat_input(key="chat-input").set_value("I get nervous in interviews").run()
    at.switch_page("views/sessions.py").run()
    open_button = next(b for b in at.button if str(b.key).startswith("open-"))
    open_button.click().run()
    assert not at.exception, at.exception
    assert len(coach_messages(at)) == 1
    # AppTest reruns the page it last switched to by hand; a browser stays on Chat.
    at.switch_page("views/chat.py").run()
    at.button(key="delete-chat").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Chat with a coach"
    at.switch_page("views/sessions.py").run()
    assert any("No sessions yet" in i.value for i in at.info)


def test_a_reply_cut_off_by_the_server_is_labelled_and_retried(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a stream that ends without a finish reason is labelled cut off (page and
    store), and Retry asks again."""
    from tests.fake_model_server import fake_model_server

    with fake_model_server("drop") as server:
        monkeypatch.setenv("COACH_OPENAI_BASE_URL", server.base_url)
        at = AppTest.from_file(APP, default_timeout=30)
        at.run()
        at = chat_page(at)
        at.button[0].click().run()  # Start chat
        at.chat_input(key="chat-input").set_value("How do I explain a gap?").run()
        assert not at.exception, at.exception
        assert any("cut off" in c.value for c in at.caption)
        assert any("ended it unfinished" in w.value for w in at.warning)
        server.mode = "none"
        at.button(key="retry-reply").click().run()
        assert not at.exception, at.exception
    replies = coach_messages(at)
    assert len(replies) == 2 and replies[-1].startswith("Situation:")
    assert not any(b.key == "retry-reply" for b in at.button), "the new reply is whole"
