"""Listing, searching, renaming and deleting sessions: the Sessions page's use cases."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from coach.domain import Session, SessionOverview
from coach.errors import CoachError
from coach.store.base import SessionStore
from coach.users import Actor

MAX_NAME_CHARS = 120


class SessionPage(BaseModel):
    """One page of the sessions list and how many match in all."""

    model_config = ConfigDict(frozen=True)

    sessions: list[SessionOverview]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.sessions) < self.total


class SessionsService:
    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def list(
        self, actor: Actor, search: str = "", *, limit: int = 20, offset: int = 0
    ) -> SessionPage:
        term = search.strip() or None
        sessions, total = self._store.page_sessions(actor, term, limit=limit, offset=offset)
        return SessionPage(sessions=sessions, total=total, offset=offset, limit=limit)

    def get(self, actor: Actor, session_id: str) -> Session:
        return self._store.get_session(actor, session_id)

    def rename(self, actor: Actor, session_id: str, name: str) -> Session:
        clean = " ".join(name.split())
        if not clean:
            raise CoachError("A session needs a name: type at least one character.")
        if len(clean) > MAX_NAME_CHARS:
            raise CoachError(f"Keep the name under {MAX_NAME_CHARS} characters.")
        return self._store.rename_session(actor, session_id, clean)

    def delete(self, actor: Actor, session_id: str) -> None:
        self._store.delete_session(actor, session_id)
