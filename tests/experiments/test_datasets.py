"""Experiment datasets: the bundled sample, uploaded files (and every way they go wrong),
and the candidate's own stored answers."""

from __future__ import annotations

import json

import pytest

from coach.domain import DocumentKind, ExtractedDocument, QuestionDraft, QuestionType, SessionKind
from coach.errors import CoachError, DatasetError
from coach.experiments.datasets import (
    MAX_FILE_BYTES,
    MAX_ITEMS,
    Dataset,
    DatasetItem,
    dataset_from_file,
    dataset_from_sessions,
    sample_dataset,
)
from coach.store.sql_store import SqlSessionStore
from coach.users import Actor

LOCAL_USER = Actor.local()


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def jsonl_bytes(*rows: object) -> bytes:
    return "\n".join(json.dumps(row) for row in rows).encode()


def error_of(file_name: str, data: bytes) -> str:
    with pytest.raises(DatasetError) as caught:
        dataset_from_file(file_name, data)
    assert isinstance(caught.value, CoachError)
    return str(caught.value)


# --- the bundled sample ---------------------------------------------------------------


def test_the_sample_has_48_rated_items_in_three_clear_bands_per_question() -> None:
    sample = sample_dataset()
    assert (sample.name, sample.source, len(sample.items)) == ("Sample (48 items)", "sample", 48)
    assert sample.has_references
    ids = [item.id for item in sample.items]
    assert len(set(ids)) == 48
    assert all(item.reference_score is not None for item in sample.items)
    by_question: dict[str, dict[str, float]] = {}
    for item in sample.items:
        prefix, band = item.id.split("-")
        assert item.reference_score is not None
        by_question.setdefault(prefix, {})[band] = item.reference_score
        assert 40 <= len(item.answer.split()) <= 250, item.id
    assert len(by_question) == 16
    for prefix, scores in by_question.items():
        assert set(scores) == {"strong", "middling", "weak"}, prefix
        assert 8 <= scores["strong"] <= 9 and 5 <= scores["middling"] <= 6, prefix
        assert 2 <= scores["weak"] <= 3, prefix
        assert scores["strong"] > scores["middling"] > scores["weak"], prefix
    questions = {item.question for item in sample.items}
    assert len(questions) == 16
    assert any(item.job_description for item in sample.items)


def test_the_sample_is_one_immutable_value() -> None:
    sample = sample_dataset()
    assert sample_dataset() is sample
    with pytest.raises(ValueError):
        sample.items[0].answer = "changed"  # type: ignore[misc]
    assert isinstance(sample.items, tuple)


# --- items ----------------------------------------------------------------------------


def test_the_content_hash_covers_what_the_coach_sees_and_nothing_else() -> None:
    item = DatasetItem(id="a", question="Why us?", answer="Because.", reference_score=4)
    same = DatasetItem(id="b", question="Why us?", answer="Because.", reference_score=9)
    assert item.content_hash() == same.content_hash()
    assert len(item.content_hash()) == 64
    assert item.model_copy(update={"answer": "Because!"}).content_hash() != item.content_hash()
    assert item.model_copy(update={"resume": "CV"}).content_hash() != item.content_hash()
    # Fields are kept apart: moving text from one field to another changes the hash.
    split = DatasetItem(id="c", question="Why us?", answer="Because.", job_description="x")
    moved = DatasetItem(id="c", question="Why us?", answer="Because.x")
    assert split.content_hash() != moved.content_hash()


def test_items_are_stripped_bounded_and_datasets_need_unique_ids() -> None:
    item = DatasetItem(id=" a ", question="  Why?  ", answer=" Yes ")
    assert (item.id, item.question, item.answer) == ("a", "Why?", "Yes")
    with pytest.raises(ValueError):
        DatasetItem(id="a", question="   ", answer="x")
    with pytest.raises(ValueError):
        DatasetItem(id="a", question="q", answer="x", reference_score=10.5)
    with pytest.raises(ValueError):
        Dataset(name="x", source="file", items=())
    with pytest.raises(ValueError, match="unique"):
        Dataset(name="x", source="file", items=(item, item))
    dataset = Dataset(name="x", source="file", items=(item,))
    assert not dataset.has_references


# --- CSV ------------------------------------------------------------------------------


def test_a_csv_with_aliases_bom_and_optional_columns_loads() -> None:
    data = "\ufeff".encode() + csv_bytes(
        " Question , Response ,JD,Human Score,Notes,ID",
        'Why this role?,"I like it, a lot.",Product manager,7.5,ignore me,r1',
        "Tell me about a conflict,We talked it through.,,,,",
        '"A question, with a comma",  spaced answer  ,,"8,5",,r3',
    )
    dataset = dataset_from_file("answers.csv", data)
    assert (dataset.name, dataset.source) == ("answers.csv", "file")
    first, second, third = dataset.items
    assert first == DatasetItem(
        id="r1",
        question="Why this role?",
        answer="I like it, a lot.",
        job_description="Product manager",
        reference_score=7.5,
    )
    assert (second.id, second.job_description, second.reference_score) == ("item-2", "", None)
    assert (third.question, third.answer, third.reference_score) == (
        "A question, with a comma",
        "spaced answer",
        8.5,
    )
    assert dataset.has_references


def test_a_csv_without_ids_numbers_items_and_skips_blank_rows() -> None:
    data = csv_bytes(
        "",
        "question,answer,resume,job_description,reference_score",
        "Q1,A1,,,",
        "",
        ",,,,",
        "Q2,A2,My CV,,10",
        "Q3,A3,,,0",
    )
    dataset = dataset_from_file("plain.CSV", data)
    assert [item.id for item in dataset.items] == ["item-1", "item-2", "item-3"]
    assert [item.reference_score for item in dataset.items] == [None, 10.0, 0.0]
    assert dataset.items[1].resume == "My CV"


def test_a_semicolon_csv_from_a_comma_locale_spreadsheet_loads() -> None:
    dataset = dataset_from_file("excel.csv", csv_bytes("question;answer;score", "Q;A, really;6,5"))
    (item,) = dataset.items
    assert (item.answer, item.reference_score) == ("A, really", 6.5)


def test_missing_csv_columns_are_named_with_what_was_found() -> None:
    message = error_of("people.csv", csv_bytes("Question,Reply,Notes", "Q,A,N"))
    assert "missing the 'answer' column" in message
    assert "found: 'Question', 'Reply', 'Notes'" in message
    assert "'response'" in message  # the accepted alias is suggested
    message = error_of("people.csv", csv_bytes("prompt,reply", "Q,A"))
    assert "missing the 'question' and 'answer' columns" in message


def test_two_csv_columns_for_the_same_field_are_refused() -> None:
    message = error_of("x.csv", csv_bytes("question,answer,response", "Q,A,B"))
    assert "'answer'" in message and "'response'" in message and "keep one" in message


def test_bad_csv_rows_are_all_collected_with_row_numbers() -> None:
    data = csv_bytes(
        "id,question,answer,reference_score",
        "a,Q1,A1,5",
        "b,Q2,A2,6",
        "c,Q3,,7",
        "d,Q4,A4,8",
        "e,Q5,A5,9",
        "f,Q6,A6,10",
        "g,Q7,A7,eleven",
        "h,,,",
        "i,Q9,A9,-1",
        "j,Q10,A10,nan",
        "k,Q11,A11,11",
        "l,Q12,,12",
    )
    message = error_of("bad.csv", data)
    assert "7 rows of bad.csv cannot be used (rows count from 1 after the header)" in message
    assert "row 3: 'answer' is empty" in message
    assert "row 7: 'reference_score' must be a number from 0 to 10 (got 'eleven')" in message
    assert "row 8: 'question' is empty, 'answer' is empty" in message
    assert "row 9: 'reference_score' must be a number from 0 to 10 (got '-1')" in message
    assert "row 10:" in message
    assert "row 11" not in message and "and 2 more" in message


def test_a_row_error_uses_the_column_name_the_file_used() -> None:
    message = error_of("x.csv", csv_bytes("question,answer,rating", "Q,A,great"))
    assert "1 row of x.csv cannot be used" in message
    assert "row 1: 'rating' must be a number from 0 to 10 (got 'great')" in message


def test_too_long_fields_say_the_limit() -> None:
    data = csv_bytes("question,answer", f"{'q' * 2_001},A")
    assert "row 1: 'question' is too long (2,001 characters; at most 2,000)" in error_of(
        "x.csv", data
    )


def test_duplicate_ids_are_named_with_their_rows() -> None:
    data = csv_bytes("id,question,answer", "a,Q,A", "b,Q,A", "a,Q,A", "b,Q,A", "c,Q,A")
    message = error_of("dupes.csv", data)
    assert "ids appear more than once" in message
    assert "'a' (row 1 and row 3)" in message and "'b' (row 2 and row 4)" in message
    assert "'c'" not in message


def test_an_unclosed_quote_is_reported_instead_of_swallowing_rows() -> None:
    message = error_of("q.csv", csv_bytes("question,answer", 'Q1,"A1', "Q2,A2"))
    assert "could not be read as CSV" in message and "quote" in message


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n  \n", csv_bytes("question,answer"), csv_bytes("question,answer", ",", "")],
    ids=["empty", "blank-lines", "header-only", "header-and-blank-rows"],
)
def test_a_csv_with_no_items_says_which_columns_it_needs(data: bytes) -> None:
    message = error_of("empty.csv", data)
    assert message.startswith("The file has no items: ")
    assert "'question' and 'answer'" in message and "'reference_score'" in message


# --- JSONL and JSON -------------------------------------------------------------------


def test_a_jsonl_file_with_aliases_and_optional_fields_loads() -> None:
    data = "\ufeff".encode() + jsonl_bytes(
        {"id": 7, "Question": "Why?", "response": " Because. ", "job": "PM", "score": 9},
        {"question": "How?", "answer": "Like so.", "resume": None, "extra": [1, 2]},
    )
    data += b"\n\n   \n"
    dataset = dataset_from_file("items.jsonl", data)
    first, second = dataset.items
    assert first == DatasetItem(
        id="7", question="Why?", answer="Because.", job_description="PM", reference_score=9
    )
    assert (second.id, second.resume, second.reference_score) == ("item-2", "", None)


def test_bad_jsonl_lines_are_reported_by_line_number() -> None:
    lines = [
        json.dumps({"question": "Q1", "answer": "A1"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"question": "Q5", "answer": ""}),
        json.dumps({"question": "Q6", "answer": "A6", "rating": True}),
        json.dumps({"q": "Q7", "a": "A7"}),
        json.dumps({"question": 42, "answer": "A8"}),
    ]
    message = error_of("x.jsonl", "\n".join(lines).encode())
    assert "6 rows of x.jsonl cannot be used (line numbers are the file's lines)" in message
    assert "line 3 is not a JSON object: Expecting property name" in message
    assert "line 4 is not a JSON object: it is a list" in message
    assert "line 5: 'answer' is empty" in message
    assert "line 6: 'rating' must be a number from 0 to 10 (got true)" in message
    assert "line 7: 'question' is missing (keys found: 'q', 'a')" in message
    assert "and 1 more" in message and "line 8" not in message


def test_a_jsonl_file_of_blank_lines_has_no_items() -> None:
    message = error_of("x.jsonl", b"\n \n")
    assert message.startswith("The file has no items: x.jsonl needs one JSON object per line")


def test_a_json_file_holds_a_list_of_objects() -> None:
    rows = [{"question": "Q1", "answer": "A1", "reference_score": 3}, {"question": "Q2"}]
    rows[1]["answer"] = "A2"
    dataset = dataset_from_file("items.json", json.dumps(rows).encode())
    assert [item.id for item in dataset.items] == ["item-1", "item-2"]
    assert dataset_from_file("wrapped.json", json.dumps({"items": rows}).encode()).items == (
        dataset.items
    )
    assert "holds an object, not a list of items" in error_of("x.json", b'{"question": "Q"}')
    assert "is not valid JSON: " in error_of("x.json", b"[{]")
    assert "item 2 is not a JSON object: it is a string" in error_of(
        "x.json", json.dumps([rows[0], "text"]).encode()
    )
    assert error_of("x.json", b"[]").startswith("The file has no items: ")


# --- whole-file problems --------------------------------------------------------------


def test_an_unknown_extension_lists_the_accepted_ones() -> None:
    message = error_of("answers.xlsx", b"PK\x03\x04")
    assert "answers.xlsx" in message and ".csv, .jsonl or .json" in message
    assert ".csv" in error_of("no-extension", b"question,answer\nQ,A\n")


def test_a_file_that_is_not_utf8_names_the_encoding_problem() -> None:
    data = "question,answer\nQ,Caf\u00e9 au lait\n".encode("cp1252")
    message = error_of("latin.csv", data)
    assert "not UTF-8" in message and "line 2" in message
    utf16 = "question,answer\nQ,A\n".encode("utf-16")
    assert "UTF-16" in error_of("wide.csv", utf16)


def test_files_over_the_limits_say_the_limit() -> None:
    message = error_of("huge.csv", b"x" * (MAX_FILE_BYTES + 1))
    assert "the limit is 20 MB" in message
    rows = ["question,answer", *(f"Q{n},A{n}" for n in range(MAX_ITEMS + 1))]
    message = error_of("many.csv", csv_bytes(*rows))
    assert "has 5,001 items; the limit is 5,000" in message
    assert len(dataset_from_file("max.csv", csv_bytes(*rows[:-1])).items) == MAX_ITEMS


# --- stored sessions ------------------------------------------------------------------


@pytest.fixture
def store(sessions: SqlSessionStore) -> SqlSessionStore:
    """The session store on each backend (a DuckDB file, PostgreSQL)."""
    return sessions


def drafts(*texts: str) -> list[QuestionDraft]:
    return [QuestionDraft(text=text, type=QuestionType.BEHAVIOURAL) for text in texts]


def test_sessions_give_the_latest_answer_per_answered_question_newest_first(
    store: SqlSessionStore,
) -> None:
    session = store.create_session(LOCAL_USER, "Practice")
    store.add_document(
        LOCAL_USER,
        session.id,
        ExtractedDocument(
            kind=DocumentKind.RESUME, filename="cv.txt", media_type="text/plain", text=" My CV "
        ),
    )
    store.add_document(
        LOCAL_USER,
        session.id,
        ExtractedDocument(
            kind=DocumentKind.JOB_DESCRIPTION,
            filename="jd.txt",
            media_type="text/plain",
            text="Data analyst",
        ),
    )
    first, second, _unanswered = store.add_questions(
        LOCAL_USER, session.id, drafts("Q1", "Q2", "Q3")
    )
    store.add_answer(LOCAL_USER, session.id, first.id, "First try")
    store.add_answer(LOCAL_USER, session.id, second.id, "Only answer to Q2")
    latest = store.add_answer(LOCAL_USER, session.id, first.id, "Second, better try")
    chat = store.create_session(LOCAL_USER, "Chat", kind=SessionKind.CHAT)
    assert chat.kind is SessionKind.CHAT

    dataset = dataset_from_sessions(store, LOCAL_USER)

    assert (dataset.name, dataset.source) == ("Your sessions (2 answers)", "sessions")
    assert [(item.question, item.answer) for item in dataset.items] == [
        ("Q1", "Second, better try"),
        ("Q2", "Only answer to Q2"),
    ]
    assert dataset.items[0].id == latest.id
    assert all(item.resume == "My CV" for item in dataset.items)
    assert all(item.job_description == "Data analyst" for item in dataset.items)
    assert not dataset.has_references
    assert dataset_from_sessions(store, LOCAL_USER, limit=1).items == dataset.items[:1]


def test_the_limit_keeps_the_newest_answers_across_sessions(store: SqlSessionStore) -> None:
    older = store.create_session(LOCAL_USER, "Older")
    (question,) = store.add_questions(LOCAL_USER, older.id, drafts("Old question"))
    store.add_answer(LOCAL_USER, older.id, question.id, "Old answer")
    newer = store.create_session(LOCAL_USER, "Newer")
    (question,) = store.add_questions(LOCAL_USER, newer.id, drafts("New question"))
    store.add_answer(LOCAL_USER, newer.id, question.id, "New answer")

    (item,) = dataset_from_sessions(store, LOCAL_USER, limit=1).items
    assert (item.answer, item.resume) == ("New answer", "")
    assert dataset_from_sessions(store, LOCAL_USER).name == "Your sessions (2 answers)"
    with pytest.raises(ValueError):
        dataset_from_sessions(store, LOCAL_USER, limit=0)


def test_no_answered_questions_says_what_to_do(store: SqlSessionStore) -> None:
    with pytest.raises(DatasetError) as caught:
        dataset_from_sessions(store, LOCAL_USER)
    session = store.create_session(LOCAL_USER, "Unanswered")
    store.add_questions(LOCAL_USER, session.id, drafts("Q1"))
    with pytest.raises(DatasetError) as caught:
        dataset_from_sessions(store, LOCAL_USER)
    assert str(caught.value) == (
        "No answered questions in your sessions yet: practise a few questions first, "
        "or use the sample set or a file."
    )


def test_paging_stops_once_older_sessions_cannot_hold_newer_answers(
    store: SqlSessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coach.experiments.datasets._SESSION_PAGE", 1)
    for name in ("First", "Second", "Third"):
        session = store.create_session(LOCAL_USER, name)
        (question,) = store.add_questions(LOCAL_USER, session.id, drafts(f"{name} question"))
        store.add_answer(LOCAL_USER, session.id, question.id, f"{name} answer")
    pages: list[int] = []
    list_sessions = store.list_sessions

    def counted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        pages.append(1)
        return list_sessions(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "list_sessions", counted)
    everything = dataset_from_sessions(store, LOCAL_USER)
    assert [item.answer for item in everything.items] == [
        "Third answer",
        "Second answer",
        "First answer",
    ]
    assert len(pages) == 4  # three pages of one, then an empty one
    pages.clear()
    (item,) = dataset_from_sessions(store, LOCAL_USER, limit=1).items
    assert item.answer == "Third answer"
    assert len(pages) == 2  # the second page is older than the newest answer: stop
