"""The offline coach's follow-up probes what the answer lacked, in the candidate's own
words; a non-answer gets a gentler re-ask; example answers come in STAR form."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from coach.domain import QuestionDraft, QuestionSource, QuestionType
from coach.offline.coach import OfflineCoach
from coach.offline.examples import STAR_LABELS
from coach.offline.question_bank import find_bank_question
from coach.tasks import AskFollowUp, WriteExampleAnswer
from tests.fixtures import JOB_DESCRIPTION, RESUME, STRONG_ANSWER

SLOW_PROCESS = QuestionDraft(
    text="Tell me about a time you made a slow process faster.",
    type=QuestionType.BEHAVIOURAL,
    competency="process improvement",
)
FAILURE = QuestionDraft(
    text="Tell me about a time you failed. What happened and what did you learn?",
    type=QuestionType.BEHAVIOURAL,
    competency="failure",
)
LEADERSHIP_BANK_TEXT = (
    "Tell me about a time you led a group toward a goal when you had no formal authority over them."
)
RATE_LIMITER = QuestionDraft(
    text="How would you design a rate limiter for a public API?", type=QuestionType.TECHNICAL
)

NO_NUMBER = (
    "At my last company the deployment pipeline took forever. I profiled the build, found "
    "the slowest tests, and I improved the pipeline by caching dependencies and running "
    "tests in parallel. Everyone was happy with it afterwards."
)
WE_HEAVY = (
    "At Acme our team had a slow release process. We looked at every step together, we "
    "automated the tests, we wrote a new runbook and we shipped releases 60% faster after "
    "that."
)
NO_RESULT = (
    "At my last job the monthly reports were slow. I looked into the queries, I rewrote the "
    "worst ones with proper indexes, and then I talked to the analysts about the schedule."
)
FAILURE_WITHOUT_LESSON = (
    "In 2022 I missed a launch deadline because I underestimated the migration work by two "
    "weeks, and the release slipped, which upset the sales team a lot."
)
HYPOTHETICAL = (
    "I would look at where the time goes first, then I would talk to the team and I would "
    "probably cache the slow steps so that the whole thing could run faster."
)


@pytest.fixture
def coach() -> OfflineCoach:
    return OfflineCoach()


def follow_up(
    coach: OfflineCoach, question: QuestionDraft, answer: str, resume: str = ""
) -> QuestionDraft:
    return coach.follow_up(AskFollowUp(question=question, answer=answer, resume=resume)).question


def test_an_answer_without_a_number_is_asked_by_how_much(coach: OfflineCoach) -> None:
    probe = follow_up(coach, SLOW_PROCESS, NO_NUMBER)
    assert probe.text.startswith("You said you 'improved the pipeline'")
    assert "by how much" in probe.text
    assert probe.rationale.startswith("Probes the number")
    assert probe.source is QuestionSource.TAILORED


def test_a_we_heavy_answer_is_asked_for_the_candidates_own_part(coach: OfflineCoach) -> None:
    probe = follow_up(coach, SLOW_PROCESS, WE_HEAVY)
    assert "'we looked at every step together'" in probe.text
    assert "your own part" in probe.text
    assert "'we' 5 times and 'I' 0 times" in probe.rationale


def test_a_story_without_an_ending_is_asked_how_it_ended(coach: OfflineCoach) -> None:
    probe = follow_up(coach, SLOW_PROCESS, NO_RESULT)
    assert "How did it end?" in probe.text
    assert "'talked to the analysts about the schedule'" in probe.text
    assert probe.rationale.startswith("Probes the result you left out")


def test_a_failure_story_without_a_lesson_is_asked_what_changed(coach: OfflineCoach) -> None:
    probe = follow_up(coach, FAILURE, FAILURE_WITHOUT_LESSON)
    assert probe.text.startswith("You said you 'missed a launch deadline'")
    assert "What do you do differently now" in probe.text


def test_a_hypothetical_answer_to_a_behavioural_question_asks_for_a_real_example(
    coach: OfflineCoach,
) -> None:
    probe = follow_up(coach, SLOW_PROCESS, HYPOTHETICAL)
    assert "Tell me about a time you actually did it" in probe.text


def test_a_technical_answer_without_a_trade_off_is_asked_for_one(coach: OfflineCoach) -> None:
    answer = (
        "I would use a token bucket in Redis keyed by API key, with a Lua script so the check "
        "and the decrement are atomic, and return 429 with a Retry-After header."
    )
    probe = follow_up(coach, RATE_LIMITER, answer)
    assert probe.text.startswith("You said you would 'use a token bucket in Redis'")
    assert "trade off" in probe.text
    assert probe.type is QuestionType.TECHNICAL


def test_a_complete_answer_to_a_bank_question_gets_the_banks_follow_up(
    coach: OfflineCoach,
) -> None:
    bank = find_bank_question(LEADERSHIP_BANK_TEXT)
    assert bank is not None
    question = QuestionDraft(text=bank.text, type=bank.type, competency=bank.competency)
    probe = follow_up(coach, question, STRONG_ANSWER)
    assert probe.text == bank.follow_up
    assert probe.source is QuestionSource.BANK
    assert probe.competency == "leadership"


def test_a_complete_answer_to_another_question_gets_a_depth_probe_quoting_it(
    coach: OfflineCoach,
) -> None:
    probe = follow_up(coach, SLOW_PROCESS, STRONG_ANSWER)
    assert probe.text.startswith("You said you 'owned the pipeline'")
    assert "hardest moment" in probe.text
    assert probe.source is QuestionSource.TAILORED
    assert (probe.type, probe.competency) == (SLOW_PROCESS.type, SLOW_PROCESS.competency)


@pytest.mark.parametrize("answer", ["I don't know.", "", "asdf qwer zxcv"])
def test_a_non_answer_gets_a_gentle_re_ask(coach: OfflineCoach, answer: str) -> None:
    probe = follow_up(coach, SLOW_PROCESS, answer, resume=RESUME)
    assert "Acme Analytics" in probe.text  # a place from the candidate's own resume
    assert "a time you made a slow process faster" in probe.text
    assert probe.rationale.startswith("Re-asks")
    # It becomes a practice question of its own: nothing points back at the last turn.
    assert not re.search(r"another way|\bthis\b|\bit again\b|connects to", probe.text, re.I)


@pytest.mark.parametrize(
    "question",
    [
        QuestionDraft(text="Why should we hire you?", type=QuestionType.BEHAVIOURAL),
        QuestionDraft(text="How would you design a rate limiter?", type=QuestionType.TECHNICAL),
        QuestionDraft(
            text="What would you do if a release failed on Friday?", type=QuestionType.SITUATIONAL
        ),
    ],
)
def test_a_re_ask_names_its_question_so_it_stands_alone(
    coach: OfflineCoach, question: QuestionDraft
) -> None:
    probe = follow_up(coach, question, "I don't know.")
    assert question.text.rstrip("?") in probe.text
    assert not re.search(r"another way|\bthis\b|connects to", probe.text, re.I)


def test_a_one_liner_is_re_asked_quoting_it(coach: OfflineCoach) -> None:
    probe = follow_up(coach, SLOW_PROCESS, "We improved the pipeline a lot.")
    assert probe.text.startswith("Starting from 'We improved the pipeline")
    assert "a time you made a slow process faster" in probe.text


def test_a_follow_up_is_deterministic(coach: OfflineCoach) -> None:
    assert follow_up(coach, SLOW_PROCESS, NO_NUMBER) == follow_up(
        OfflineCoach(), SLOW_PROCESS, NO_NUMBER
    )


# --- example answers ------------------------------------------------------------------


def test_an_example_answer_is_star_shaped_from_the_resume(coach: OfflineCoach) -> None:
    example = coach.example_answer(
        WriteExampleAnswer(question=SLOW_PROCESS, resume=RESUME, job_description=JOB_DESCRIPTION)
    )
    paragraphs = example.split("\n\n")
    labels = [paragraph.partition(":")[0] for paragraph in paragraphs[-4:]]
    assert labels == list(STAR_LABELS)
    # The resume's own figure, not an invented one: the line about making something
    # faster (the dashboard's load time or the ETL runtime), whichever fits best.
    assert "from 30 seconds to 4 seconds" in example or "40%" in example


def test_an_example_answer_without_a_resume_is_an_honest_template(coach: OfflineCoach) -> None:
    example = coach.example_answer(WriteExampleAnswer(question=SLOW_PROCESS))
    assert example.startswith("Template:")
    for label in STAR_LABELS:
        assert f"\n\n{label}:" in example


# --- speed ----------------------------------------------------------------------------


def best_of_five_ms(call: Callable[[], object]) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


@pytest.mark.parametrize("answer", [NO_NUMBER, WE_HEAVY, NO_RESULT, STRONG_ANSWER, "I don't know."])
def test_a_follow_up_takes_under_20_ms(coach: OfflineCoach, answer: str) -> None:
    task = AskFollowUp(question=SLOW_PROCESS, answer=answer, resume=RESUME)
    assert best_of_five_ms(lambda: coach.follow_up(task)) < 20


def test_an_example_answer_takes_under_20_ms(coach: OfflineCoach) -> None:
    task = WriteExampleAnswer(question=SLOW_PROCESS, resume=RESUME, job_description=JOB_DESCRIPTION)
    assert best_of_five_ms(lambda: coach.example_answer(task)) < 20
