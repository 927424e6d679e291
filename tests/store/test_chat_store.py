"""Chats and their summaries, on DuckDB and on PostgreSQL."""

from coach.domain import Attribution, ChatRole, ChatSummaryDraft, SessionKind
from coach.store.sql_store import SqlSessionStore
from coach.users import Actor
from tests.store.conftest import Backend

LOCAL_USER = Actor.local()

COACH = Attribution(
    agent="general_chat", persona="general_chat", provider="offline", model="offline-coach-1"
)


def test_a_conversation_is_kept_in_order_and_survives_a_restart(backend: Backend) -> None:
    with backend.open(idle_release_seconds=0) as store:
        session = store.create_session(LOCAL_USER, "Chat", kind=SessionKind.CHAT)
        store.add_chat_message(
            LOCAL_USER, session.id, ChatRole.USER, "How do I answer weakness questions?"
        )
        store.add_chat_message(
            LOCAL_USER, session.id, ChatRole.COACH, "Pick a real one.", attribution=COACH
        )
        store.add_chat_summary(
            LOCAL_USER,
            session.id,
            ChatSummaryDraft(
                takeaways=["Pick a real weakness"],
                action_items=["Write it down"],
                attribution=COACH,
            ),
        )
    with backend.open(idle_release_seconds=0) as store:
        messages = store.chat_messages(LOCAL_USER, session.id)
        assert [(m.position, m.role) for m in messages] == [(0, ChatRole.USER), (1, ChatRole.COACH)]
        assert messages[1].attribution == COACH
        summary = store.latest_chat_summary(LOCAL_USER, session.id)
        assert summary is not None and summary.action_items == ["Write it down"]
        (overview,) = store.list_sessions(LOCAL_USER)
        assert overview.kind is SessionKind.CHAT


def test_deleting_a_chat_removes_its_messages_and_summaries(store: SqlSessionStore) -> None:
    keep = store.create_session(LOCAL_USER, "Keep", kind=SessionKind.CHAT)
    drop = store.create_session(LOCAL_USER, "Drop", kind=SessionKind.CHAT)
    for session in (keep, drop):
        store.add_chat_message(LOCAL_USER, session.id, ChatRole.USER, "hi")
        store.add_chat_summary(LOCAL_USER, session.id, ChatSummaryDraft(takeaways=["x"]))
    store.delete_session(LOCAL_USER, drop.id)
    with store._connection_lease() as db:
        for table in ("chat_messages", "chat_summaries"):
            rows = db.execute(f"SELECT DISTINCT session_id FROM {table}").fetchall()
            assert rows == [(keep.id,)]
