"""Practice: documents in -> tailored questions -> answers -> scored feedback -> summary."""

from __future__ import annotations

import contextlib

import streamlit as st

from coach.documents import SUPPORTED_EXTENSIONS
from coach.domain import (
    CoachingLevel,
    DocumentKind,
    Evaluation,
    ExtractedDocument,
    QuestionType,
)
from coach.errors import AnswerSavedNotScored, CoachError, SessionNotFound
from coach.personas import PersonaRole
from coach.services.practice import PracticeView, QuestionProgress
from coach.workbench import Workbench
from ui import downloads, feedback
from ui.auth import current_actor
from ui.resources import workbench
from ui.state import (
    close_session,
    example_retry_requested,
    flash,
    open_session,
    open_session_id,
    retry_example,
)
from ui.text import inert, inert_stream, show

ACCEPTED = ", ".join(ext.lstrip(".").upper() for ext in SUPPORTED_EXTENSIONS)
_JOBS = {PersonaRole.PRIMARY: "Questions", PersonaRole.FEEDBACK: "Feedback"}
LEVELS = {CoachingLevel.HELP: "Help — explain and encourage", CoachingLevel.STRICT: "Strict"}


# --- starting a session ---------------------------------------------------------------


def _document_input(
    wb: Workbench,
    kind: DocumentKind,
    column: st.delta_generator.DeltaGenerator,
    *,
    optional: bool = False,
) -> None:
    max_mb = wb.settings.uploads.max_bytes / 1024 / 1024
    with column:
        st.markdown(f"**Your {kind.label}**" + (" (optional)" if optional else ""))
        # No `type=` filter: our reader explains a wrong type better than the widget.
        st.file_uploader(
            f"Upload your {kind.label} ({ACCEPTED})",
            key=f"upload-{kind.value}",
            help=f"Up to {max_mb:g} MB and {wb.settings.uploads.max_pages} pages.",
        )
        st.text_area(
            f"…or paste your {kind.label}",
            key=f"paste-{kind.value}",
            height=180,
            placeholder="Paste the text here if you have no file.",
        )


def _read_document(wb: Workbench, kind: DocumentKind) -> ExtractedDocument:
    upload = st.session_state.get(f"upload-{kind.value}")
    if upload is not None:
        return wb.practice.read_upload(upload.getvalue(), upload.name, kind)
    pasted = st.session_state.get(f"paste-{kind.value}") or ""
    if not pasted.strip():
        raise CoachError(f"Add your {kind.label}: upload a file or paste the text.")
    return wb.practice.read_pasted(pasted, kind)


WITH_POSTING = "For a job posting"
BY_FIELD = "By field, no posting"


def _question_count(wb: Workbench, key: str) -> None:
    st.slider("Number of questions", 1, 15, wb.settings.agent.questions_per_session, key=key)


def _coaching_level(wb: Workbench, key: str) -> None:
    st.radio(
        "Coaching level",
        list(LEVELS),
        format_func=LEVELS.__getitem__,
        index=list(LEVELS).index(wb.settings.agent.coaching_level),
        key=key,
        horizontal=True,
    )


def start_form(wb: Workbench) -> None:
    st.title("Practise an interview")
    mode = st.segmented_control(
        "How do you want to practise?",
        [WITH_POSTING, BY_FIELD],
        default=WITH_POSTING,
        key="start-mode",
    )
    if mode == BY_FIELD:
        field_form(wb)
        return
    st.write(
        "Give the coach your resume and the job description. You'll get questions "
        "tailored to both, honest scores on every answer and an example answer built "
        "from your own experience."
    )
    with st.form("start-session"):
        resume_col, job_col = st.columns(2)
        _document_input(wb, DocumentKind.RESUME, resume_col)
        _document_input(wb, DocumentKind.JOB_DESCRIPTION, job_col)
        count_col, level_col = st.columns(2)
        with count_col:
            _question_count(wb, "start-count")
        with level_col:
            _coaching_level(wb, "start-level")
        st.text_input(
            "Focus (optional)", key="start-hint", placeholder="e.g. leadership, SQL, conflict"
        )
        st.text_input("Session name (optional)", key="start-name")
        submitted = st.form_submit_button("Generate questions", type="primary")
    if submitted:
        _start_session(wb)


def field_form(wb: Workbench) -> None:
    """Interview Warmup's way in: a field and a level, a resume if you have one."""
    st.write(
        "No posting at hand? Pick the kind of job and your level: you'll get real "
        "interview questions for it from the coach's question bank. Add your resume if "
        "you like, and example answers will draw on it."
    )
    choices = wb.practice.field_choices()
    fields = {f.id: f for f in choices.fields}
    levels = {lv.id.value: lv.label for lv in choices.levels}
    with st.form("start-field-session"):
        field_col, level_col = st.columns(2)
        field_col.selectbox(
            "Field",
            list(fields),
            format_func=lambda f: f"{fields[f].label} ({fields[f].roles})",
            key="field-choice",
        )
        level_col.selectbox(
            "Level", list(levels), index=1, format_func=levels.get, key="field-level"
        )
        resume_col, options_col = st.columns(2)
        _document_input(wb, DocumentKind.RESUME, resume_col, optional=True)
        with options_col:
            _question_count(wb, "field-count")
            _coaching_level(wb, "field-coaching")
            st.text_input("Session name (optional)", key="field-name")
        submitted = st.form_submit_button("Get questions", type="primary")
    if submitted:
        _start_field_session(wb)


def _start_field_session(wb: Workbench) -> None:
    resume: ExtractedDocument | None = None
    upload = st.session_state.get(f"upload-{DocumentKind.RESUME.value}")
    pasted = st.session_state.get(f"paste-{DocumentKind.RESUME.value}") or ""
    try:
        if upload is not None or pasted.strip():
            resume = _read_document(wb, DocumentKind.RESUME)
        session = wb.practice.start_field_session(
            current_actor(),
            st.session_state["field-choice"],
            st.session_state["field-level"],
            resume,
            name=st.session_state.get("field-name"),
            question_count=st.session_state["field-count"],
            coaching_level=st.session_state["field-coaching"],
        )
    except CoachError as error:  # may quote the file's name: untrusted
        st.error(inert(str(error)))
        return
    open_session(session.id)
    flash("Your questions are ready.")
    st.rerun()


def _start_session(wb: Workbench) -> None:
    documents: dict[DocumentKind, ExtractedDocument] = {}
    for kind in DocumentKind:
        try:
            documents[kind] = _read_document(wb, kind)
        except CoachError as error:  # quotes the file's name: untrusted
            st.error(inert(str(error)))
    if len(documents) < len(DocumentKind):
        return
    with st.spinner("Reading your documents and writing questions…"):
        try:
            session = wb.practice.start_session(
                current_actor(),
                documents[DocumentKind.RESUME],
                documents[DocumentKind.JOB_DESCRIPTION],
                name=st.session_state.get("start-name"),
                question_count=st.session_state["start-count"],
                hint=st.session_state.get("start-hint") or "",
                coaching_level=st.session_state["start-level"],
            )
        except CoachError as error:
            st.error(str(error))
            return
    open_session(session.id)
    flash("Your questions are ready.")
    st.rerun()


# --- a session in progress ------------------------------------------------------------


def _save_draft(wb: Workbench, session_id: str, question_id: str, key: str) -> None:
    if st.session_state.get(f"submit-{key}"):
        # Typed, then "Submit answer" at once: this same run stores the text as the
        # answer (committed before it is scored), or as the draft if it cannot.
        return
    wb.practice.save_draft(
        current_actor(), session_id, question_id, st.session_state.get(key) or ""
    )


def _submit(wb: Workbench, view: PracticeView, progress: QuestionProgress, key: str) -> None:
    text = st.session_state.get(key) or ""
    try:
        wb.practice.answer_and_evaluate(
            current_actor(), view.session.id, progress.question.id, text, shown=view
        )
    except AnswerSavedNotScored as error:
        st.session_state["answer-error"] = str(error)
        return
    except CoachError as error:  # not stored (empty, busy, changed elsewhere): keep the text
        st.session_state["answer-error"] = str(error)
        if text.strip():
            with contextlib.suppress(CoachError):
                wb.practice.save_draft(current_actor(), view.session.id, progress.question.id, text)
        return
    flash("Answer saved and scored.")


def _question_label(view: PracticeView, question_id: str) -> str:
    progress = next(p for p in view.questions if p.question.id == question_id)
    number = view.questions.index(progress) + 1
    evaluation = progress.latest_evaluation
    mark = f"{evaluation.overall:.1f}" if evaluation else ("…" if progress.attempts else "○")
    text = progress.question.text
    return inert(f"{number}. [{mark}] {text[:70]}{'…' if len(text) > 70 else ''}")


def _follow_up(wb: Workbench, view: PracticeView, evaluation: Evaluation) -> Evaluation | None:
    """Asked after the score is on screen, so waiting for it never delays the score.
    Returns the evaluation if this run stored its follow-up."""
    stored = None
    if evaluation.follow_up_attribution is None and not evaluation.follow_up:
        with st.spinner("The interviewer is thinking of a follow-up…"):
            evaluation = stored = wb.practice.follow_up(current_actor(), evaluation)
    follow_up = evaluation.follow_up
    if not follow_up:
        return stored
    st.info(f"**The interviewer follows up:** {inert(follow_up)}", icon=":material/forum:")
    feedback.attribution_caption(evaluation.follow_up_attribution, "Follow-up")
    existing = {p.question.text for p in view.questions}
    if follow_up not in existing and st.button("Practise this follow-up", key="add-follow-up"):
        question = wb.practice.add_follow_up(current_actor(), view.session.id, follow_up)
        wb.practice.go_to_question(current_actor(), view.session.id, question.id)
        flash("The follow-up is your next question.")
        st.rerun()
    return stored


def _fresh_example(wb: Workbench, question_id: str) -> None:
    asked = st.button("Write me a fresh example answer", key=f"example-{question_id}")
    if asked or example_retry_requested(question_id):
        with st.container(border=True):
            try:
                reply = wb.practice.stream_example_answer(current_actor(), question_id)
                st.write_stream(inert_stream(wb.practice.iterate(reply)))
            except CoachError as error:
                st.error(str(error))
                return
            feedback.attribution_caption(reply.attribution, "Example")
            if reply.attribution.cut_off:
                st.button(
                    "Retry",
                    key=f"example-retry-{question_id}",
                    icon=":material/refresh:",
                    on_click=retry_example,
                    args=(question_id,),
                )


def _spoken_answer(wb: Workbench, view: PracticeView, progress: QuestionProgress) -> bool:
    """Answer out loud: recorded, transcribed when a model can, scored, delivery shown.
    Returns whether this run stored an answer and carries on drawing the page."""
    with st.expander("…or answer out loud", expanded=False):
        if not wb.voice.can_transcribe:
            st.caption(
                "Offline, the coach measures your delivery (speaking time, pauses) but "
                "needs a model to turn speech into words and score them."
            )
        key = f"record-{progress.question.id}-{len(progress.attempts)}"
        recording = st.audio_input("Record your answer", key=key)
        if recording is None:
            return False
        # With a model, a recording becomes a stored answer once; offline nothing is
        # stored, so measuring it again on a rerun is cheap and changes nothing.
        if wb.voice.can_transcribe and st.session_state.get(f"{key}-sent") == recording.file_id:
            return False
        st.session_state[f"{key}-sent"] = recording.file_id
        try:
            result = wb.voice.submit_recording(
                current_actor(), view.session.id, progress.question.id, recording.getvalue()
            )
        except CoachError as error:
            st.error(str(error))
            return True  # it may have stored the answer before it failed
        if result.answer is not None and not result.notice:
            flash("Spoken answer saved and scored.")
            st.rerun()
        if result.notice:
            st.warning(result.notice)
        feedback.delivery(result.delivery)
        return result.answer is not None


def question_panel(
    wb: Workbench, view: PracticeView, progress: QuestionProgress
) -> PracticeView | None:
    """Returns the view as it is after this run's writes when the page can tell without
    reading it again (a follow-up stored here); None when it must read it again."""
    question = progress.question
    followed = None
    st.subheader(inert(question.text))
    st.caption(
        inert(
            f"{question.type.label.capitalize()} · {question.competency}"
            + (f" · {question.rationale}" if question.rationale else "")
        )
    )
    if question.attribution is not None and (
        question.attribution.fallback or question.attribution.checks
    ):
        feedback.attribution_caption(question.attribution, "Questions")
    scored = [a for a in progress.attempts if a.evaluation is not None]
    if scored:
        latest = scored[-1].evaluation
        previous = scored[-2].evaluation if len(scored) > 1 else None
        assert latest is not None
        with st.expander(f"Your answer (attempt {scored[-1].answer.attempt})", expanded=False):
            show(scored[-1].answer.text)
        feedback.evaluation(latest, previous)
        feedback.talking_points(wb.practice.talking_points_of(view, scored[-1].answer))
        if scored[-1].delivery is not None:
            feedback.delivery(scored[-1].delivery)
        feedback.attempts_comparison(progress.attempts)
        followed = _follow_up(wb, view, latest)
        _fresh_example(wb, question.id)

    pending = progress.needs_evaluation
    if pending is not None:
        st.warning(
            "Your last answer is saved but has not been scored yet (the coach was interrupted)."
        )
        if st.button("Score it now", key=f"rescore-{pending.id}"):
            try:
                wb.practice.evaluate(current_actor(), pending.id)
            except CoachError as error:
                st.error(f"Your answer is still saved. {error}")
            else:
                st.rerun()

    attempt_number = len(progress.attempts) + 1
    key = f"answer-{question.id}-{attempt_number}"
    label = "Your answer" if attempt_number == 1 else f"Practise again (attempt {attempt_number})"
    st.text_area(
        label,
        value=progress.draft,
        key=key,
        height=220,
        placeholder="Answer as you would out loud. Situation, task, action, result.",
        on_change=_save_draft,
        args=(wb, view.session.id, question.id, key),
    )
    st.button(
        "Submit answer",
        type="primary",
        key=f"submit-{key}",
        on_click=_submit,
        args=(wb, view, progress, key),
    )
    error = st.session_state.pop("answer-error", None)
    if error:
        st.error(error)
    spoken = _spoken_answer(wb, view, progress)

    with st.popover("Remove this question"):
        st.write("Remove it with all its answers? This cannot be undone.")
        if st.button("Remove question", key=f"remove-{question.id}"):
            wb.practice.remove_question(current_actor(), question.id)
            flash("Question removed.", ":material/delete:")
            st.rerun()
    if spoken:
        return None
    return view if followed is None else view.with_evaluation(followed)


def more_questions(wb: Workbench, view: PracticeView) -> None:
    with st.expander("More questions"):
        count = st.number_input("How many", 1, 10, 3, key="more-count")
        hint = st.text_input("Focus (optional)", key="more-hint")
        types = st.multiselect(
            "Only these types (optional)",
            list(QuestionType),
            format_func=lambda t: t.label.capitalize(),
            key="more-types",
        )
        if st.button("Generate more questions", key="more-generate"):
            with st.spinner("Writing more questions…"):
                added = wb.practice.generate_questions(
                    current_actor(), view.session.id, count=int(count), hint=hint, types=types
                )
            flash(f"Added {len(added)} question(s).")
            st.rerun()
        st.divider()
        custom = st.text_area("Add your own question", key="custom-text", height=80)
        custom_type = st.selectbox(
            "Type",
            [None, *QuestionType],
            format_func=lambda t: "From its wording" if t is None else t.label.capitalize(),
            key="custom-type",
        )
        if st.button("Add question", key="custom-add"):
            try:
                question = wb.practice.add_custom_question(
                    current_actor(), view.session.id, custom, custom_type
                )
            except CoachError as error:
                st.error(str(error))
            else:
                wb.practice.go_to_question(current_actor(), view.session.id, question.id)
                flash("Your question was added.")
                st.rerun()


def summary_section(wb: Workbench, view: PracticeView | None, session_id: str) -> None:
    """``view`` is the session as this run left it, or None: then it is read again (an
    answer stored above in this run is not in the view the page started with, and the
    export below must have it; one row when nothing changed)."""
    if view is None:
        view = wb.practice.view(current_actor(), session_id)
    st.divider()
    st.subheader("Session summary")
    if st.button("Summarise my session", disabled=view.answered_count == 0):
        with st.spinner("Summarising…"):
            wb.practice.summarize(current_actor(), view.session.id)
        st.rerun()
    if view.summary:
        feedback.summary(view.summary)
    elif view.answered_count == 0:
        st.caption("Answer at least one question to get a summary.")
    markdown_col, guide_col = st.columns(2)
    # Made in this run, not on click, and no rerun on click: ui/downloads.py says why.
    export = wb.exports.markdown_of(view)
    markdown_col.download_button(
        "Export as Markdown",
        export.content,
        file_name=export.filename,
        mime=export.media_type,
        on_click="ignore",
    )
    with guide_col:
        downloads.study_guide(wb, current_actor(), view.session.id, key="practice")


def _team_line(wb: Workbench, view: PracticeView) -> str:
    """Who asks and who scores, and on which provider: results never hide their source
    (when the offline coach wrote questions in the model's place, the line says so)."""
    briefing = wb.practice.briefing(view.session)
    stood_in = any(
        p.question.attribution is not None and p.question.attribution.fallback
        for p in view.questions
    )
    parts = []
    for member in briefing.members:
        if member.role not in _JOBS:
            continue
        source = "offline coach" if member.provider == "offline" else member.model
        if member.role is PersonaRole.PRIMARY and stood_in and member.provider != "offline":
            source += "; the offline coach stood in for some questions"
        parts.append(f"{_JOBS[member.role]} by {member.title} ({source})")
    return " · ".join(parts)


def session_page(wb: Workbench, view: PracticeView) -> None:
    session = view.session
    head, actions = st.columns([5, 1])
    with head:
        st.header(inert(session.name))
        names = " · ".join(f"{d.kind.label.capitalize()}: {d.filename}" for d in view.documents)
        if view.practice_field is not None:
            field, level = view.practice_field
            choices = wb.practice.field_choices()
            practised = f"{choices.field(field).label}, {choices.level(level).label.lower()}"
            names = " · ".join(filter(None, [f"By field: {practised}, no posting", names]))
        st.caption(
            f"{inert(names)} · {view.answered_count} of {len(view.questions)} answered · "
            f"coaching level {session.coaching_level.value}"
        )
        st.caption(_team_line(wb, view))
        for warning in view.document_warnings:
            st.warning(inert(warning), icon=":material/description:")
        if view.document(DocumentKind.JOB_DESCRIPTION) is not None:
            feedback.fit(wb.practice.fit_of(view))
    if actions.button("New session"):
        close_session()
        st.rerun()

    if not view.questions:
        st.info("This session has no questions yet. Generate some below.")
        more_questions(wb, view)
        return
    current = view.current
    assert current is not None
    ids = [p.question.id for p in view.questions]
    nav, panel = st.columns([2, 5], gap="large")
    with nav:
        chosen = st.radio(
            "Questions",
            ids,
            index=ids.index(current.question.id),
            format_func=lambda qid: _question_label(view, qid),
            key=f"question-nav-{session.id}-{len(ids)}",
        )
        if chosen != current.question.id:
            wb.practice.go_to_question(current_actor(), session.id, chosen)
            st.rerun()
        more_questions(wb, view)
    with panel:
        after = question_panel(wb, view, current)
    summary_section(wb, after, session.id)


def main() -> None:
    wb = workbench()
    session_id = open_session_id()
    if session_id is None:
        start_form(wb)
        return
    try:
        view = wb.practice.view(current_actor(), session_id)
    except SessionNotFound:
        close_session()
        st.info("That session no longer exists. Start a new one below.")
        start_form(wb)
        return
    session_page(wb, view)


main()
