"""General coaching chat: start, exchange streamed messages, summarise, resume.

The user's message is stored before the coach is asked, and the coach's reply is
stored as it finishes streaming (even if the stream is cut short), so a conversation
survives a closed tab or a failing model.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coach.agents.resolver import PERSONA_KEY, TEAM_KEY, AgentTeamResolver
from coach.agents.team import AgentTeam
from coach.domain import (
    Attribution,
    ChatMessage,
    ChatRole,
    ChatSummary,
    ChatTurn,
    Session,
    SessionKind,
)
from coach.errors import CoachError, EmptyAnswer
from coach.personas import PersonaRole
from coach.runtime import AsyncRunner
from coach.services.fair_use import ModelActionLimit
from coach.store.base import SessionStore
from coach.tasks import ChatReply, SummarizeChat
from coach.telemetry import Telemetry, Turn, carry_context
from coach.users import Actor

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8_000
HISTORY_TURNS = 20  # what the coach sees: enough context, bounded cost


class ChatOption(BaseModel):
    """Something a person can chat with: a team, or one persona on its own."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    team: str | None = None
    persona: str | None = None


class ChatView(BaseModel):
    model_config = ConfigDict(frozen=True)

    session: Session
    messages: list[ChatMessage]
    summary: ChatSummary | None = None
    coach_title: str


class ChatService:
    def __init__(
        self,
        store: SessionStore,
        teams: AgentTeamResolver,
        runner: AsyncRunner,
        *,
        telemetry: Telemetry | None = None,
        limit: ModelActionLimit | None = None,
    ) -> None:
        self._store = store
        self._teams = teams
        self._runner = runner
        self._telemetry = telemetry or Telemetry.disabled()
        self._limit = limit or ModelActionLimit()

    def options(self) -> list[ChatOption]:
        """Chat teams first, then every persona that can hold a conversation."""
        choices = [
            ChatOption(key=f"team:{name}", label=f"Team: {name.replace('_', ' ')}", team=name)
            for name in self._teams.offered(SessionKind.CHAT)
        ]
        for persona in self._teams.personas:
            if persona.role in (PersonaRole.GENERAL_CHAT, PersonaRole.FEEDBACK):
                choices.append(
                    ChatOption(
                        key=f"persona:{persona.name}",
                        label=f"{persona.title} — {persona.description or persona.role.value}",
                        persona=persona.name,
                    )
                )
        return choices

    def start(
        self, actor: Actor, option: ChatOption | None = None, *, now: datetime | None = None
    ) -> Session:
        metadata: dict[str, str] = {}
        if option and option.team:
            metadata[TEAM_KEY] = option.team
        elif option and option.persona:
            metadata[PERSONA_KEY] = option.persona
        team = self._teams.resolve(SessionKind.CHAT, metadata)
        coach = team.agent(PersonaRole.GENERAL_CHAT).persona
        if PERSONA_KEY not in metadata:
            metadata[TEAM_KEY] = team.name  # a resumed chat keeps its team
        stamp = (now or datetime.now()).strftime("%d %b %Y %H:%M")
        return self._store.create_session(
            actor,
            f"Chat with {coach.title} · {stamp}",
            kind=SessionKind.CHAT,
            persona=coach.name,
            metadata=metadata,
        )

    def team_for(self, session: Session) -> AgentTeam:
        return self._teams.resolve(SessionKind.CHAT, session.metadata, session_id=session.id)

    def view(self, actor: Actor, session_id: str) -> ChatView:
        session = self._store.get_session(actor, session_id)
        if session.kind is not SessionKind.CHAT:
            raise CoachError("That session is an interview practice; open it on the Practice page.")
        coach = self.team_for(session).agent(PersonaRole.GENERAL_CHAT).persona
        return ChatView(
            session=session,
            messages=self._store.chat_messages(actor, session_id),
            summary=self._store.latest_chat_summary(actor, session_id),
            coach_title=coach.title,
        )

    def stream_reply(self, actor: Actor, session_id: str, text: str) -> Iterator[str]:
        """Store the message, then stream the coach's reply; the reply is stored at the end.

        Raises ``EmptyAnswer`` for an empty message before anything is stored.
        """
        message = text.strip()
        if not message:
            raise EmptyAnswer("Type a message first, then send it.")
        if len(message) > MAX_MESSAGE_CHARS:
            raise CoachError(
                f"That message is {len(message):,} characters; keep it under "
                f"{MAX_MESSAGE_CHARS:,} (paste one answer or question at a time)."
            )
        self._limit.check(actor)  # before the message is stored: refused means nothing kept
        # The turn lasts until the reply is stored, after the last piece is read.
        turn = self._telemetry.start_turn("chat_reply", session_id=session_id, actor=actor)
        try:
            with self._telemetry.activate_turn(turn):
                session = self._store.get_session(actor, session_id)
                self._telemetry.annotate(session)
                self._store.add_chat_message(actor, session_id, ChatRole.USER, message)
                history = [
                    ChatTurn(role=m.role, content=m.content)
                    for m in self._store.chat_messages(actor, session_id)[-HISTORY_TURNS:]
                ]
                reply = self.team_for(session).stream(
                    ChatReply(history=history, coaching_level=session.coaching_level)
                )
        except BaseException as error:
            self._telemetry.end_turn(turn, error)
            raise
        pieces = self._limit.hold_stream(actor, reply.pieces)
        return self._stream_and_store(actor, session_id, pieces, lambda: reply.attribution, turn)

    def retry_reply(self, actor: Actor, session_id: str) -> Iterator[str]:
        """Stream a new reply to the last message (after a reply was cut off); the cut-off
        reply stays stored, labelled, and the new one is stored after it."""
        self._limit.check(actor)
        turn = self._telemetry.start_turn("chat_reply", session_id=session_id, actor=actor)
        try:
            with self._telemetry.activate_turn(turn):
                session = self._store.get_session(actor, session_id)
                self._telemetry.annotate(session)
                messages = self._store.chat_messages(actor, session_id)
                while messages and messages[-1].role is ChatRole.COACH:
                    messages.pop()
                if not messages:
                    raise CoachError("There is no message to reply to yet.")
                history = [
                    ChatTurn(role=m.role, content=m.content) for m in messages[-HISTORY_TURNS:]
                ]
                reply = self.team_for(session).stream(
                    ChatReply(history=history, coaching_level=session.coaching_level)
                )
        except BaseException as error:
            self._telemetry.end_turn(turn, error)
            raise
        pieces = self._limit.hold_stream(actor, reply.pieces)
        return self._stream_and_store(actor, session_id, pieces, lambda: reply.attribution, turn)

    def _stream_and_store(
        self,
        actor: Actor,
        session_id: str,
        pieces: AsyncIterator[str],
        attribution: Callable[[], Attribution],
        turn: Turn,
    ) -> Iterator[str]:
        collected: list[str] = []
        failure: BaseException | None = None
        try:
            for piece in self._runner.iterate(pieces):
                collected.append(piece)
                yield piece
        except BaseException as error:
            failure = error
            raise
        finally:
            text = "".join(collected).strip()
            try:
                if text:
                    with self._telemetry.activate_turn(turn):
                        self._store.add_chat_message(
                            actor, session_id, ChatRole.COACH, text, attribution=attribution()
                        )
            finally:
                self._telemetry.end_turn(turn, failure)

    def reply(self, actor: Actor, session_id: str, text: str) -> ChatMessage:
        """Send and wait for the whole reply (CLI, notebooks, tests)."""
        for _ in self.stream_reply(actor, session_id, text):
            pass
        return self._store.chat_messages(actor, session_id)[-1]

    def summarize(self, actor: Actor, session_id: str) -> ChatSummary:
        with self._telemetry.turn("summarize_chat", session_id=session_id, actor=actor):
            session = self._store.get_session(actor, session_id)
            self._telemetry.annotate(session)
            history = [
                ChatTurn(role=m.role, content=m.content)
                for m in self._store.chat_messages(actor, session_id)
            ]
            with self._limit.hold(actor):
                draft = self._runner.run(
                    carry_context(
                        self.team_for(session).summarize_chat(
                            SummarizeChat(history=history, coaching_level=session.coaching_level)
                        )
                    )
                )
            return self._store.add_chat_summary(actor, session_id, draft)
