"""Voice use cases: spoken answers, voice previews, realtime transcripts.

A spoken answer is treated like a typed one once it has words: stored first, then
scored, with its delivery (pace, fillers, pauses) stored beside it. Without a
transcription model the audio still tells us speaking time and pauses, and the candidate
is told plainly that words need a model.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, SecretStr

from coach.domain import (
    Answer,
    AnswerMode,
    DeliveryMetrics,
    Evaluation,
    Speaker,
    Transcript,
    TranscriptDraft,
    TranscriptSegment,
    VoiceSettings,
)
from coach.errors import CoachError, EmptyAnswer, ProviderError
from coach.personas import PersonaRole
from coach.realtime.session import session_config, voice_settings
from coach.realtime.settings import RealtimeSettings
from coach.services.practice import PracticeService
from coach.speech import delivery_from_audio, delivery_from_transcript, read_wav
from coach.store.base import SessionStore
from coach.users import Actor
from coach.voices import VOICES, VoiceInfo, VoicePreview, VoicePreviewer, default_preview_text

if TYPE_CHECKING:  # the relay pulls in av, numpy, websockets and openai: only a live interview
    from coach.providers.transcription import Transcriber
    from coach.realtime.relay import RealtimeRelay

log = logging.getLogger(__name__)

OFFLINE_TRANSCRIPTION_NOTICE = (
    "Transcribing speech needs a model: the offline coach can't turn your recording into "
    "words, so it can't score what you said. Set OPENAI_API_KEY (or a compatible server "
    "with a transcription model) to score spoken answers; meanwhile, here is what the "
    "audio alone shows about your delivery."
)


class SpokenAnswer(BaseModel):
    """What came of a recording: delivery always; words, answer and score with a model."""

    model_config = ConfigDict(frozen=True)

    delivery: DeliveryMetrics
    transcript: str | None = None
    answer: Answer | None = None
    evaluation: Evaluation | None = None
    notice: str = ""


@dataclass
class LiveInterview:
    """One running voice interview on one question: the relay and what it is about."""

    id: str
    actor: Actor
    session_id: str
    question_id: str
    relay: RealtimeRelay
    voice: VoiceSettings


class VoiceService:
    def __init__(
        self,
        store: SessionStore,
        practice: PracticeService,
        previewer: VoicePreviewer,
        transcriber: Transcriber | None = None,
        *,
        realtime: RealtimeSettings | None = None,
        realtime_token: SecretStr | None = None,
    ) -> None:
        self._store = store
        self._practice = practice
        self._previewer = previewer
        self._transcriber = transcriber
        self._realtime = realtime or RealtimeSettings()
        self._token = realtime_token
        self._live: dict[str, LiveInterview] = {}
        self._lock = threading.Lock()

    # --- live interviews (OpenAI Realtime through a server-side relay) -----------------

    @property
    def realtime_available(self) -> bool:
        """Live interviews need a key: the relay holds it server-side, never the browser."""
        return self._token is not None

    def start_live(
        self, actor: Actor, session_id: str, question_id: str, voice: str | None = None
    ) -> str:
        """Prepare a relay for the question; it connects when audio starts flowing."""
        if self._token is None:
            raise CoachError(
                "Live voice interviews need an OpenAI API key (the Realtime API). Offline you "
                "can still preview voices and record answers on the Practice page."
            )
        question = self._store.get_question(actor, question_id)
        session = self._store.get_session(actor, session_id)
        persona = self._practice.team_for(session).agent(PersonaRole.PRIMARY).persona
        live_id = uuid.uuid4().hex
        from coach.realtime.relay import RealtimeRelay

        relay = RealtimeRelay(
            token=self._token,
            session=session_config(
                persona,
                self._realtime,
                question=question.text,
                coaching_level=session.coaching_level,
                voice=voice,
            ),
            settings=self._realtime,
            on_candidate_turn=lambda _text: self._autosave(live_id),
        )
        with self._lock:
            self._live[live_id] = LiveInterview(
                live_id,
                actor,
                session_id,
                question_id,
                relay,
                voice_settings(persona, self._realtime, voice),
            )
        return live_id

    def live(self, actor: Actor, live_id: str) -> LiveInterview | None:
        """The actor's running interview with this id; someone else's reads as none."""
        with self._lock:
            interview = self._live.get(live_id)
        if interview is None or not actor.owns(interview.actor.issuer, interview.actor.subject):
            return None
        return interview

    def _autosave(self, live_id: str) -> None:
        """Every finished candidate turn is saved at once as the question's draft."""
        with self._lock:
            interview = self._live.get(live_id)
        if interview is not None:
            self._store.save_draft(
                interview.actor,
                interview.session_id,
                interview.question_id,
                interview.relay.candidate_text(),
            )

    def finish_live(
        self, actor: Actor, live_id: str, *, use_as_answer: bool
    ) -> tuple[Transcript, Answer | None, Evaluation | None]:
        """Stop the relay, keep the transcript, and (if asked) score it as the answer."""
        with self._lock:
            interview = self._live.get(live_id)
            if interview is not None and actor.owns(
                interview.actor.issuer, interview.actor.subject
            ):
                del self._live[live_id]
            else:
                interview = None
        if interview is None:
            raise CoachError("That voice interview has already ended.")
        interview.relay.stop()
        segments = interview.relay.transcript()
        transcript = self.save_transcript(
            actor, interview.session_id, interview.question_id, segments, interview.voice
        )
        if not use_as_answer:
            return transcript, None, None
        if not any(s.speaker is Speaker.CANDIDATE and s.text.strip() for s in segments):
            raise EmptyAnswer(
                "The transcript has no words from you yet. Speak your answer, then use it."
            )
        answer, evaluation = self.use_transcript_as_answer(
            actor, interview.session_id, interview.question_id, segments
        )
        return transcript, answer, evaluation

    def close(self) -> None:
        with self._lock:
            interviews, self._live = list(self._live.values()), {}
        for interview in interviews:
            interview.relay.stop()

    @property
    def can_transcribe(self) -> bool:
        return self._transcriber is not None

    def catalog(self) -> tuple[VoiceInfo, ...]:
        return VOICES

    def preview(self, voice: str, text: str | None = None) -> VoicePreview:
        """Synthesised once per voice and text, then served from the disk cache."""
        return self._previewer.preview(voice, text or default_preview_text(voice))

    def submit_recording(
        self, actor: Actor, session_id: str, question_id: str, wav: bytes
    ) -> SpokenAnswer:
        """Transcribe (when a model can), store, score; delivery metrics in every case."""
        samples, rate = read_wav(wav)
        if self._transcriber is None:
            return SpokenAnswer(
                delivery=delivery_from_audio(samples, rate), notice=OFFLINE_TRANSCRIPTION_NOTICE
            )
        try:
            text = self._transcriber.transcribe(wav)
        except ProviderError as error:
            return SpokenAnswer(
                delivery=delivery_from_audio(samples, rate),
                notice=f"{error} Your recording was not scored; try again or type the answer.",
            )
        delivery = delivery_from_audio(samples, rate, text)
        if not text.strip():
            raise EmptyAnswer(
                "No words were heard in the recording. Check the microphone and record again."
            )
        answer = self._practice.submit_answer(
            actor, session_id, question_id, text, mode=AnswerMode.VOICE
        )
        self._store.set_delivery(actor, answer.id, delivery)
        try:
            evaluation = self._practice.evaluate(actor, answer.id)
        except CoachError as error:
            return SpokenAnswer(
                delivery=delivery,
                transcript=text,
                answer=answer,
                notice=f"Your answer is saved. {error}",
            )
        return SpokenAnswer(
            delivery=delivery, transcript=text, answer=answer, evaluation=evaluation
        )

    def save_transcript(
        self,
        actor: Actor,
        session_id: str,
        question_id: str | None,
        segments: list[TranscriptSegment],
        voice: VoiceSettings,
    ) -> Transcript:
        """Keep a realtime conversation's transcript with the session and question."""
        draft = TranscriptDraft(question_id=question_id, segments=segments, voice=voice)
        return self._store.add_transcript(actor, session_id, draft)

    def use_transcript_as_answer(
        self, actor: Actor, session_id: str, question_id: str, segments: list[TranscriptSegment]
    ) -> tuple[Answer, Evaluation]:
        """The candidate's spoken turns become an answer, stored and scored like typed."""
        words = " ".join(
            s.text.strip() for s in segments if s.speaker is Speaker.CANDIDATE and s.text.strip()
        )
        answer = self._practice.submit_answer(
            actor, session_id, question_id, words, mode=AnswerMode.VOICE
        )
        timed = [s for s in segments if s.start_seconds is not None and s.end_seconds is not None]
        if timed:
            duration = max(s.end_seconds or 0 for s in timed) - min(
                s.start_seconds or 0 for s in timed
            )
            candidate = [s for s in timed if s.speaker is Speaker.CANDIDATE]
            self._store.set_delivery(
                actor,
                answer.id,
                delivery_from_transcript(words, max(duration, 0.1), segments=candidate),
            )
        return answer, self._practice.evaluate(actor, answer.id)
