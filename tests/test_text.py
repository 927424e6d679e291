"""One reading of words for the whole coach: the scorer, speech metrics, tailoring and
the judge agree on what a filler, a stopword and a stem are."""

from __future__ import annotations

import pytest

from coach import speech
from coach.offline import judging, scoring, tailoring
from coach.text import (
    PROMPT_WORDS,
    STOPWORDS,
    content_stems,
    count_fillers,
    count_words,
    find_fillers,
    stem,
    words,
)

SENTENCES = [
    "Um, so, like, I basically built the whole thing, you know?",
    "I like Python and it looks like a good fit.",
    "It was kind of hard and it took like three weeks, I mean, so yeah.",
    "What kind of team would I join? Do you know what I mean?",
    "Uhm I guess ah I am course 6-7 here, kinda software engineering.",
]


def test_one_filler_detector_is_used_by_speech_metrics_and_the_scorer() -> None:
    assert speech.count_fillers is count_fillers
    assert speech.count_words is count_words
    assert scoring.find_fillers is find_fillers


@pytest.mark.parametrize("sentence", SENTENCES)
def test_filler_spans_quote_the_text_and_agree_with_the_counts(sentence: str) -> None:
    fillers = find_fillers(sentence)
    counts = count_fillers(sentence)

    assert sum(counts.values()) == len(fillers)
    for filler in fillers:
        spoken = sentence[filler.start : filler.end].lower()
        assert spoken.split()[0] in {*filler.name.split(), "uhm", "kinda", "sorta"}


def test_fillers_are_told_from_ordinary_uses_of_the_same_words() -> None:
    assert count_fillers(SENTENCES[1]) == {}
    assert count_fillers(SENTENCES[3]) == {}
    assert count_fillers(SENTENCES[4]) == {"um": 1, "ah": 1, "kind of": 1}


def test_stems_are_snowball_stems_so_word_forms_meet() -> None:
    assert stem("migrated") == stem("migration") == stem("Migrating")
    assert stem("tests") == stem("testing")
    assert stem("team's") == stem("teams") == "team"
    assert content_stems("Tell me about a time you migrated a database") == frozenset(
        {"migrat", "databas"}
    )


def test_one_stopword_list_and_prompt_words_name_no_topic() -> None:
    assert {"the", "and", "i've", "don't"} <= STOPWORDS
    assert {"tell", "describe", "example", "question"} <= PROMPT_WORDS
    assert words("I’ve LED it") == ["i've", "led", "it"]


def test_tailoring_and_the_judge_read_the_same_stopwords() -> None:
    assert STOPWORDS <= tailoring._HINT_STOPWORDS
    assert judging._content_words("The pipeline and the team were about Kafka") == frozenset(
        {"pipeline", "team", "kafka"}
    )
