"""The offline coach's general chat: on-topic advice, practice and scoring, honest
fallback, variation without randomness, and summaries that keep what was said."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from coach.domain import ChatRole, ChatTurn, QuestionType
from coach.offline.coach import OfflineCoach
from coach.offline.scoring import DIMENSION_WEIGHTS
from coach.tasks import ChatReply, SummarizeChat
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

SCORE = re.compile(r"\*\*Score: (\d+(?:\.\d)?)/10\*\*")
RESUME_AND_JOB_TERMS = (
    "Acme Analytics",
    "Globex",
    "Initech",
    "Python",
    "SQL",
    "Spark",
    "Airflow",
    "Kafka",
    "Kubernetes",
    "Snowflake",
    "dbt",
    "ETL",
    "pipelines",
    "40%",
)


@pytest.fixture
def coach() -> OfflineCoach:
    return OfflineCoach()


def user(text: str) -> ChatTurn:
    return ChatTurn(role=ChatRole.USER, content=text)


def coach_turn(text: str) -> ChatTurn:
    return ChatTurn(role=ChatRole.COACH, content=text)


def ask(
    coach: OfflineCoach,
    *messages: str,
    resume: str = "",
    job_description: str = "",
) -> tuple[str, list[ChatTurn]]:
    """Play the user messages in order, the coach replying to each; the last reply."""
    history: list[ChatTurn] = []
    reply = ""
    for message in messages:
        history.append(user(message))
        reply = coach.chat_reply(
            ChatReply(history=history, resume=resume, job_description=job_description)
        )
        history.append(coach_turn(reply))
    return reply, history


TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tell me about yourself": (
        "How should I answer 'tell me about yourself'?",
        ("Tell me about yourself", "present → past → future", "90 seconds"),
    ),
    "STAR": ("What is the STAR method?", ("Situation", "Task", "Action", "Result")),
    "behavioural": (
        "How do I prepare for behavioural questions?",
        ("6–8 stories", "competencies", "What scores well"),
    ),
    "weakness": (
        "What should I say about my greatest weakness?",
        ("Weaknesses", "non-fatal", "perfectionist"),
    ),
    "strengths": ("How do I talk about my strengths?", ("Strengths", "prove each")),
    "salary": ("How do I negotiate salary?", ("Salary negotiation", "range", "counter")),
    "nerves": (
        "I get really nervous before interviews, any tips?",
        ("Interview nerves", "Box breathing", "stories, not scripts"),
    ),
    "questions to ask": (
        "What questions should I ask the interviewer at the end?",
        ("Questions to ask the interviewer", "first 90 days"),
    ),
    "thank-you note": (
        "Should I send a thank-you email after the interview?",
        ("Thank-you", "24 hours", "[Name]"),
    ),
    "technical": (
        "How do I prepare for a system design interview?",
        ("system-design", "trade-offs", "brute force"),
    ),
    "resume": ("Any tips for my resume?", ("Resume tips", "verb + what + how")),
    "career change": (
        "I'm switching careers from teaching to data. How do I explain it?",
        ("Career change", "Transferable proof"),
    ),
    "gap": ("How do I explain a gap in my CV?", ("Career gaps", "readiness")),
    "video": (
        "Any tips for a video interview on Zoom?",
        ("Video and remote interviews", "eye level"),
    ),
    "why us": ("How do I answer why do you want to work here?", ("Why this company?",)),
    "five years": (
        "Where do you see yourself in five years?",
        ("five years", "What scores well"),
    ),
    "practice": ("Ask me a question", ("Practice question", "score it out of 10")),
    "greeting": ("hi", ("Welcome", "I can help with", "ask me a question")),
    "thanks": ("thanks!", ("You're welcome",)),
}


@pytest.mark.parametrize("topic", list(TOPICS))
def test_each_topic_gets_an_on_topic_reply(coach: OfflineCoach, topic: str) -> None:
    message, phrases = TOPICS[topic]
    reply, _ = ask(coach, message)
    for phrase in phrases:
        assert phrase.lower() in reply.lower(), (topic, phrase, reply)


@pytest.mark.parametrize("topic", list(TOPICS))
@pytest.mark.parametrize("with_documents", [True, False])
def test_every_reply_is_short_markdown_from_the_offline_coach_with_one_next_step(
    coach: OfflineCoach, topic: str, with_documents: bool
) -> None:
    documents = {"resume": RESUME, "job_description": JOB_DESCRIPTION} if with_documents else {}
    message, _ = TOPICS[topic]
    for reply in (
        ask(coach, message, **documents)[0],
        ask(coach, message, message, **documents)[0],
    ):
        assert reply.lower().count("offline coach") == 1, reply
        assert reply.startswith("*Offline coach* — ")
        assert 60 <= len(reply.split()) <= 180, (topic, len(reply.split()))
        assert reply.count("**Next step:**") == 1
        assert reply.splitlines()[-1].startswith("**Next step:**")


def test_advice_is_personalised_from_the_resume_and_the_posting(coach: OfflineCoach) -> None:
    pitch, _ = ask(
        coach,
        "How do I answer tell me about yourself?",
        resume=RESUME,
        job_description=JOB_DESCRIPTION,
    )
    assert "Senior Data Engineer at Acme Analytics" in pitch
    assert "40%" in pitch
    assert "Initech" in pitch
    resume_tips, _ = ask(coach, "Resume tips?", resume=RESUME, job_description=JOB_DESCRIPTION)
    assert "Terraform" in resume_tips  # in the posting, missing from the resume


def test_star_advice_matches_how_answers_are_scored(coach: OfflineCoach) -> None:
    reply, _ = ask(coach, "Explain the STAR method")
    assert "six dimensions" in reply
    # The weights the reply quotes are the rubric's own, whatever the evidence made them.
    weights = DIMENSION_WEIGHTS[QuestionType.BEHAVIOURAL]
    top = max(weights, key=lambda d: weights[d])
    assert f"{top.label.lower()} {round(weights[top] * 100)}%" in reply


def test_ask_me_a_question_names_something_from_the_resume_or_posting(
    coach: OfflineCoach,
) -> None:
    reply, _ = ask(coach, "Ask me a question", resume=RESUME, job_description=JOB_DESCRIPTION)
    question = next(line for line in reply.splitlines() if line.startswith("> "))
    assert any(term in question for term in RESUME_AND_JOB_TERMS), question


def test_asking_for_another_question_gives_a_new_one(coach: OfflineCoach) -> None:
    _, history = ask(
        coach,
        "Ask me a question",
        "Ask me another question",
        "Ask me another question",
        resume=RESUME,
        job_description=JOB_DESCRIPTION,
    )
    questions = [
        line
        for turn in history
        if turn.role is ChatRole.COACH
        for line in turn.content.splitlines()
        if line.startswith("> ")
    ]
    assert len(questions) == 3
    assert len(set(questions)) == 3


def test_a_requested_question_type_and_focus_are_respected(coach: OfflineCoach) -> None:
    reply, _ = ask(coach, "Give me a behavioural question about leadership", resume=RESUME)
    assert "**Practice question · behavioural · leadership**" in reply


def test_a_pasted_answer_gets_a_score_out_of_ten_and_the_top_improvement(
    coach: OfflineCoach,
) -> None:
    reply, _ = ask(coach, f"How did I do?\n\n{STRONG_ANSWER}")
    score = SCORE.search(reply)
    assert score and 1 <= float(score.group(1)) <= 10
    assert "**Top improvement:**" in reply
    assert "**Weakest:**" in reply


def test_a_reply_to_a_practice_question_is_scored_against_that_question(
    coach: OfflineCoach,
) -> None:
    practice, _ = ask(coach, "Ask me a question", resume=RESUME, job_description=JOB_DESCRIPTION)
    question = next(line[2:] for line in practice.splitlines() if line.startswith("> "))
    reply, _ = ask(
        coach,
        "Ask me a question",
        STRONG_ANSWER,
        resume=RESUME,
        job_description=JOB_DESCRIPTION,
    )
    assert SCORE.search(reply)
    assert f'Scored as an answer to: "{question}"' in reply


def test_a_pasted_question_and_answer_are_scored_together(coach: OfflineCoach) -> None:
    message = (
        "Q: Tell me about a time you failed. What happened and what did you learn?\n"
        "A: I don't know."
    )
    reply, _ = ask(coach, message)
    score = SCORE.search(reply)
    assert score and float(score.group(1)) <= 3  # a non-answer is called one
    assert "Tell me about a time you failed" in reply


def test_how_did_i_do_with_nothing_to_score_explains_how_to_paste_one(
    coach: OfflineCoach,
) -> None:
    reply, _ = ask(coach, "How did I do?")
    assert not SCORE.search(reply)
    assert "Q: the interview question" in reply


def test_unknown_input_gets_the_honest_fallback_listing_what_it_can_help_with(
    coach: OfflineCoach,
) -> None:
    reply, _ = ask(coach, "What's the weather like in Paris tomorrow?")
    assert "didn't recognise an interview topic" in reply
    assert "rule-based" in reply
    for capability in ("salary negotiation", "STAR", "ask me a question", "resume tips"):
        assert capability in reply


def test_the_same_history_always_gets_the_same_reply() -> None:
    messages = ("hello", "How do I negotiate salary?", "How do I negotiate salary?")
    first, _ = ask(OfflineCoach(), *messages, resume=RESUME, job_description=JOB_DESCRIPTION)
    second, _ = ask(OfflineCoach(), *messages, resume=RESUME, job_description=JOB_DESCRIPTION)
    assert first == second


@pytest.mark.parametrize("topic", list(TOPICS))
def test_consecutive_identical_questions_get_different_replies(
    coach: OfflineCoach, topic: str
) -> None:
    message, _ = TOPICS[topic]
    _, history = ask(coach, message, message, message)
    replies = [turn.content for turn in history if turn.role is ChatRole.COACH]
    assert replies[0] != replies[1]
    assert replies[1] != replies[2]


def test_a_conversation_without_a_user_message_gets_a_welcome(coach: OfflineCoach) -> None:
    reply = coach.chat_reply(ChatReply(history=[]))
    assert "Welcome" in reply
    assert "I can help with" in reply


# --- summaries ------------------------------------------------------------------------


def six_turn_conversation(coach: OfflineCoach) -> list[ChatTurn]:
    _, history = ask(
        coach,
        "How do I answer tell me about yourself?",
        "How do I negotiate salary?",
        "I get nervous in interviews, what can I do?",
    )
    return history


def test_a_summary_keeps_the_advice_and_actions_of_the_topics_discussed(
    coach: OfflineCoach,
) -> None:
    history = six_turn_conversation(coach)
    assert len(history) == 6
    summary = coach.summarize_chat(SummarizeChat(history=history))
    assert 3 <= len(summary.takeaways) <= 5
    assert 2 <= len(summary.action_items) <= 5
    takeaways = " ".join(summary.takeaways).lower()
    assert "tell me about yourself" in takeaways
    assert "counter" in takeaways  # salary
    assert "scripts" in takeaways  # nerves
    actions = " ".join(summary.action_items)
    assert "Write a 90-second 'tell me about yourself' using present–past–future." in actions
    assert "walk-away number" in actions
    assert all("\n" not in line for line in summary.takeaways + summary.action_items)


def test_a_summary_after_practice_reports_the_score(coach: OfflineCoach) -> None:
    _, history = ask(coach, "Ask me a question", STRONG_ANSWER, resume=RESUME)
    summary = coach.summarize_chat(SummarizeChat(history=history))
    assert any(re.search(r"scored \d+(?:\.\d)?/10", line) for line in summary.takeaways)
    assert any(line.startswith("Rewrite your practice answer") for line in summary.action_items)


@pytest.mark.parametrize(
    "history",
    [[], [user("How do I negotiate salary?")], [user("hi"), coach_turn("Hello!")]],
    ids=["empty", "one message", "only a greeting"],
)
def test_nothing_to_summarise_yet_is_said_honestly(
    coach: OfflineCoach, history: list[ChatTurn]
) -> None:
    summary = coach.summarize_chat(SummarizeChat(history=history))
    assert summary.takeaways == [
        "Nothing to summarise yet: we haven't discussed an interview topic."
    ]
    assert len(summary.action_items) == 1
    assert summary.action_items[0].startswith("Ask the coach a question")


# --- speed ----------------------------------------------------------------------------


def best_of_five_ms(call: Callable[[], object]) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


@pytest.mark.parametrize("topic", list(TOPICS))
def test_every_reply_takes_under_20_ms(coach: OfflineCoach, topic: str) -> None:
    message, _ = TOPICS[topic]
    task = ChatReply(history=[user(message)], resume=RESUME, job_description=JOB_DESCRIPTION)
    assert best_of_five_ms(lambda: coach.chat_reply(task)) < 20


def test_scoring_a_pasted_answer_and_summarising_take_under_20_ms(coach: OfflineCoach) -> None:
    history = [user("Ask me a question"), coach_turn(ask(coach, "Ask me a question")[0])]
    history.append(user(STRONG_ANSWER))
    task = ChatReply(history=history, resume=RESUME, job_description=JOB_DESCRIPTION)
    assert best_of_five_ms(lambda: coach.chat_reply(task)) < 20
    summary = SummarizeChat(history=six_turn_conversation(coach))
    assert best_of_five_ms(lambda: coach.summarize_chat(summary)) < 20
