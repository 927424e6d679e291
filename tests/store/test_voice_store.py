"""Voice transcripts and delivery metrics, on DuckDB and on PostgreSQL."""

from coach.domain import (
    AnswerMode,
    DeliveryMetrics,
    QuestionDraft,
    QuestionType,
    Speaker,
    TranscriptDraft,
    TranscriptSegment,
    VoiceSettings,
)
from coach.users import Actor
from tests.store.conftest import Backend

LOCAL_USER = Actor.local()


def test_transcripts_and_delivery_are_kept_per_session_and_question(backend: Backend) -> None:
    with backend.open(idle_release_seconds=0) as store:
        session = store.create_session(LOCAL_USER, "Voice")
        (question,) = store.add_questions(
            LOCAL_USER, session.id, [QuestionDraft(text="Why data?", type=QuestionType.BEHAVIOURAL)]
        )
        draft = TranscriptDraft(
            question_id=question.id,
            segments=[
                TranscriptSegment(speaker=Speaker.COACH, text="Why data?", start_seconds=0.0),
                TranscriptSegment(speaker=Speaker.CANDIDATE, text="I love it.", start_seconds=2),
            ],
            voice=VoiceSettings(voice="verse"),
        )
        store.add_transcript(LOCAL_USER, session.id, draft)
        answer = store.add_answer(
            LOCAL_USER, session.id, question.id, "I love it.", mode=AnswerMode.VOICE
        )
        metrics = DeliveryMetrics(
            speaking_seconds=3.5,
            words=3,
            words_per_minute=51.4,
            guidance=["Slow: 51 words per minute."],
        )
        store.set_delivery(LOCAL_USER, answer.id, metrics)
    with backend.open(idle_release_seconds=0) as store:
        (transcript,) = store.transcripts(LOCAL_USER, session.id)
        assert transcript.question_id == question.id and transcript.voice.voice == "verse"
        assert transcript.candidate_text == "I love it."
        assert store.deliveries(LOCAL_USER, session.id) == {answer.id: metrics}
        store.delete_session(LOCAL_USER, session.id)
        with store._connection_lease() as db:
            for table in ("transcripts", "answer_delivery"):
                assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
