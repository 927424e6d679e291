"""The Practice page in AppTest: the real script, services, DuckDB file and offline coach."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.settings import CoachSettings, StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor
from tests.fixtures import (
    JOB_DESCRIPTION,
    RESUME,
    STRONG_ANSWER,
    blank_pdf,
    encrypt,
    flate_bomb_pdf,
    junk_bytes,
    make_pdf,
    many_page_pdf,
    zip_bomb_docx,
)
from tests.pages.conftest import APP

LOCAL_USER = Actor.local()


def stored_session_count(db_path: Path) -> int:
    with DuckDBSessionStore(CoachSettings(store=StoreSettings(path=db_path)).store) as store:
        return store.count_sessions(LOCAL_USER)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def start_session(at: AppTest, count: int = 3) -> AppTest:
    at.text_area(key="paste-resume").input(RESUME)
    at.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    at.slider(key="start-count").set_value(count)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, at.exception
    return at


def answer_box(at: AppTest):  # type: ignore[no-untyped-def]
    return next(t for t in at.text_area if str(t.key).startswith("answer-"))


def submit_button(at: AppTest):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if str(b.key).startswith("submit-answer-"))


def test_the_start_form_asks_for_both_documents_and_stores_nothing(
    app: AppTest, app_env: Path
) -> None:
    assert app.title[0].value == "Practise an interview"
    app.button[0].click().run()
    assert "Add your resume: upload a file or paste the text." in errors(app)
    assert "Add your job description: upload a file or paste the text." in errors(app)
    assert stored_session_count(app_env) == 0


def test_pasted_documents_give_tailored_questions(app: AppTest) -> None:
    at = start_session(app, count=4)
    assert at.header[0].value.startswith("Senior Data Engineer")
    questions = at.radio[0].options
    assert len(questions) == 4
    assert at.subheader[0].value  # the current question is shown


def test_a_corrupt_pdf_upload_is_explained_and_nothing_is_stored(
    app: AppTest, app_env: Path
) -> None:
    app.file_uploader(key="upload-resume").set_value(
        ("resume.pdf", b"%PDF-1.7\n garbage that is not a pdf", "application/pdf")
    )
    app.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    app.button[0].click().run()
    assert any("resume.pdf" in message for message in errors(app)), errors(app)
    assert stored_session_count(app_env) == 0


def test_a_docx_upload_starts_a_session(app: AppTest) -> None:
    from docx import Document

    buffer = io.BytesIO()
    document = Document()
    for line in RESUME.splitlines():
        document.add_paragraph(line)
    document.save(buffer)
    app.file_uploader(key="upload-resume").set_value(
        (
            "resume.docx",
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    )
    app.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    app.button[0].click().run()
    assert not errors(app), errors(app)
    assert "resume.docx" in app.caption[0].value


def test_answering_shows_a_score_strengths_and_an_example(app: AppTest) -> None:
    at = start_session(app)
    answer_box(at).input(STRONG_ANSWER)
    submit_button(at).click().run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Score"
    assert "/ 10" in at.metric[0].value
    (rubric,) = [d.value for d in at.dataframe]  # one row a dimension, scored 0-10
    assert list(rubric.columns) == ["Dimension", "Score", "Comment"] and len(rubric) >= 4
    assert rubric["Score"].between(0, 10).all()
    markdown = " ".join(m.value for m in at.markdown)
    assert "What worked" in markdown and "What to improve" in markdown
    assert any("Offline coach" in c.value for c in at.caption)
    assert any("Example answer" in e.label for e in at.expander)


def test_an_empty_answer_gets_a_clear_message_and_nothing_is_stored(app: AppTest) -> None:
    at = start_session(app)
    submit_button(at).click().run()
    assert any("Your answer is empty" in message for message in errors(at))
    assert not at.metric  # no score: nothing was evaluated
    assert at.radio[0].options  # the session is still there


def test_a_typed_draft_survives_leaving_the_page(app: AppTest, app_env: Path) -> None:
    at = start_session(app)
    answer_box(at).input("Half an answer about Acme").run()
    fresh = AppTest.from_file(at._script_path, default_timeout=30)
    fresh.query_params["session"] = at.query_params["session"]
    fresh.run()
    assert answer_box(fresh).value == "Half an answer about Acme"


def reopened(at: AppTest) -> AppTest:
    fresh = AppTest.from_file(at._script_path, default_timeout=30)
    fresh.query_params["session"] = at.query_params["session"]
    fresh.run()
    return fresh


def test_typing_then_submitting_at_once_stores_the_answer_and_leaves_no_draft(
    app: AppTest, app_env: Path
) -> None:
    at = start_session(app)
    answer_box(at).input(STRONG_ANSWER)  # typed and submitted in one run, as a click does
    submit_button(at).click().run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Score"
    with DuckDBSessionStore(CoachSettings(store=StoreSettings(path=app_env)).store) as store:
        given = at.query_params["session"]
        session_id = given if isinstance(given, str) else given[0]
        (answer,) = store.answers(LOCAL_USER, session_id)
        assert answer.text == STRONG_ANSWER.strip()
        assert store.drafts(LOCAL_USER, session_id) == {}
    assert answer_box(reopened(at)).value == ""  # a fresh attempt, no stale draft


def test_a_submit_that_stores_nothing_keeps_the_typed_text_as_a_draft(
    app: AppTest, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.errors import StoreConflict
    from coach.services.practice import PracticeService

    def collide(*_: object, **__: object) -> None:
        raise StoreConflict("Someone else changed this at the same moment. Try again.")

    at = start_session(app)
    with monkeypatch.context() as patch:
        patch.setattr(PracticeService, "answer_and_evaluate", collide)
        answer_box(at).input("Typed, then submitted while another tab wrote")
        submit_button(at).click().run()
    assert any("same moment" in message for message in errors(at))
    assert answer_box(reopened(at)).value == "Typed, then submitted while another tab wrote"


def test_an_invalid_persona_file_is_named_and_the_app_keeps_running(
    app_env: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from coach.settings import PROJECT_ROOT

    folder = tmp_path / "personas"
    folder.mkdir()
    for persona in (PROJECT_ROOT / "personas").glob("*.yaml"):
        (folder / persona.name).write_text(persona.read_text())
    (folder / "broken.yaml").write_text("name: broken\nrole: feedback\nprompt: x\nmax_tokens: -5\n")
    monkeypatch.setenv("COACH_AGENT__PERSONAS_DIR", str(folder))
    at = AppTest.from_file(str(PROJECT_ROOT / "workbench.py"), default_timeout=30)
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "broken.yaml" in warnings and "max_tokens" in warnings
    assert at.title[0].value == "Practise an interview"


BAD_UPLOADS = {
    "empty": ("resume.pdf", b"", "is empty"),
    "unsupported type": ("resume.doc", b"\xd0\xcf\x11\xe0 old word", "PDF or DOCX"),
    "corrupt pdf": ("resume.pdf", b"%PDF-1.7\n1 0 obj << >> garbage", "damaged"),
    "truncated pdf": ("resume.pdf", make_pdf([RESUME.splitlines()])[:900], "damaged"),
    "encrypted pdf": ("resume.pdf", encrypt(make_pdf([["Jordan"]]), "secret", "owner"), "password"),
    "scanned pdf": ("resume.pdf", blank_pdf(), "scanned"),
    "binary junk as txt": ("resume.txt", junk_bytes(), "binary"),
    # Over the parsing budget (issue 12): refused before any parser sees them.
    "zip bomb docx": ("resume.docx", zip_bomb_docx(20 * 1024 * 1024), "once unpacked"),
    "400-page pdf": ("resume.pdf", many_page_pdf(400), "400 pages"),
    "flate bomb pdf": ("resume.pdf", flate_bomb_pdf(20 * 1024 * 1024), "of page content"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_every_bad_upload_is_explained_and_nothing_is_stored(
    case: str, app: AppTest, app_env: Path
) -> None:
    filename, data, phrase = BAD_UPLOADS[case]
    app.file_uploader(key="upload-resume").set_value((filename, data, "application/octet-stream"))
    app.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    app.button[0].click().run()
    assert not app.exception, app.exception
    (message,) = errors(app)
    assert filename in message and phrase in message, message
    assert app.title[0].value == "Practise an interview"  # still on the form, app running
    assert stored_session_count(app_env) == 0


def test_an_oversize_upload_is_refused_with_the_limit(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_UPLOADS__MAX_BYTES", str(2_000))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.file_uploader(key="upload-resume").set_value(("big.txt", b"word " * 1_000, "text/plain"))
    at.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    at.button[0].click().run()
    (message,) = errors(at)
    assert "big.txt" in message and "limit" in message
    assert stored_session_count(app_env) == 0


# --- issue 15: labels on the page ------------------------------------------------------


def model_app(app_env: Path, monkeypatch: pytest.MonkeyPatch, base_url: str) -> AppTest:
    monkeypatch.setenv("COACH_OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("COACH_OPENAI_MAX_RETRIES", "0")
    monkeypatch.setenv("COACH_MODEL_DEADLINE_SECONDS", "5")
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_the_models_nonsense_is_shown_repaired_and_labelled(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_model_server import fake_model_server

    with fake_model_server("nonsense") as server:
        at = start_session(model_app(app_env, monkeypatch, server.base_url), count=2)
        assert any(c.startswith("Questions by") and "repaired" in c for c in captions(at))
        answer_box(at).input(STRONG_ANSWER)
        submit_button(at).click().run()
        assert not at.exception, at.exception
    score = float(at.metric[0].value.split(" / ")[0])
    assert score < 5, "the overall of 10 contradicted the dimension scores"
    checked = [c for c in captions(at) if c.startswith("Checked: ")]
    assert any("overall 10.0 contradicted" in c for c in checked)
    assert any("example answer was removed" in c for c in checked)
    assert any(c.startswith("Feedback by") and "repaired" in c for c in captions(at))
    assert any("The interviewer follows up" in i.value for i in at.info)
    assert any(c.startswith("Follow-up by") for c in captions(at))


def test_when_the_model_fails_questions_score_and_follow_up_say_the_offline_coach_stood_in(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_model_server import fake_model_server

    with fake_model_server("500") as server:
        at = start_session(model_app(app_env, monkeypatch, server.base_url), count=2)
        assert any(
            c.startswith("Questions by Offline coach") and "fallback" in c for c in captions(at)
        )
        assert any("the offline coach stood in for some questions" in c for c in captions(at))
        answer_box(at).input(STRONG_ANSWER)
        submit_button(at).click().run()
        assert not at.exception, at.exception
    labelled = [c for c in captions(at) if "Offline coach" in c and "fallback" in c]
    assert any(c.startswith("Feedback by") for c in labelled)
    assert any(c.startswith("Follow-up by") for c in labelled)
    assert any("offline coach answered instead" in w.value for w in at.warning)


def test_an_example_answer_cut_off_mid_stream_is_labelled_and_retried(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_model_server import fake_model_server

    with fake_model_server("drop_stream") as server:
        at = start_session(model_app(app_env, monkeypatch, server.base_url), count=1)
        answer_box(at).input(STRONG_ANSWER)
        submit_button(at).click().run()
        example = next(b for b in at.button if b.label == "Write me a fresh example answer")
        example.click().run()
        assert not at.exception, at.exception
        assert any(c.startswith("Example by") and "cut off" in c for c in captions(at))
        server.mode = "none"
        retry = next(b for b in at.button if str(b.key).startswith("example-retry-"))
        retry.click().run()
        assert not at.exception, at.exception
    examples = [c for c in captions(at) if c.startswith("Example by")]
    assert examples and "cut off" not in examples[-1]


def test_a_near_empty_resume_starts_a_session_that_says_so(app: AppTest) -> None:
    app.text_area(key="paste-resume").input("Jane Doe, nurse.")
    app.text_area(key="paste-job_description").input(JOB_DESCRIPTION)
    app.slider(key="start-count").set_value(1)
    app.button[0].click()
    app.run()

    assert not app.exception, app.exception
    warnings = [w.value for w in app.warning]
    assert any("only 16 characters" in w and "too little" in w for w in warnings), warnings


def test_practice_by_field_with_no_document_gives_bank_questions(app: AppTest) -> None:
    app.segmented_control(key="start-mode").set_value("By field, no posting").run()
    app.selectbox(key="field-choice").set_value("teaching")
    app.selectbox(key="field-level").set_value("junior")
    app.slider(key="field-count").set_value(3)
    next(b for b in app.button if b.label == "Get questions").click()
    app.run()

    assert not app.exception, app.exception
    assert not errors(app)
    assert app.header[0].value.startswith("Teaching and education · Entry level")
    assert any("By field: Teaching and education" in c.value for c in app.caption)
    questions = next(r for r in app.radio if str(r.key).startswith("question-nav-"))
    assert len(questions.options) == 3


def test_after_an_answer_the_talking_points_name_terms_used_and_missed(app: AppTest) -> None:
    at = start_session(app)
    answer_box(at).input(STRONG_ANSWER)
    submit_button(at).click().run()

    assert not at.exception, at.exception
    assert "Talking points" in " ".join(m.value for m in at.markdown)
    texts = [t.value for t in at.text]
    assert any("Python" in t for t in texts), texts
    assert any("Kafka (on your resume)" in t for t in texts), texts


def test_the_session_names_the_postings_requirements_the_resume_lacks(app: AppTest) -> None:
    at = start_session(app)

    fit = next(e for e in at.expander if e.label == "How your resume fits this posting")
    texts = [t.value for t in fit.text]
    assert any("Terraform" in t and "missing" in t for t in texts), texts
