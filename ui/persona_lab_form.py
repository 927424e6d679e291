"""The Persona Lab's new-experiment form: widgets in, a validated ``ExperimentSpec`` out.

Every value lives in ``st.session_state`` under a ``lab-`` key and is copied into a
plain draft after each run, because Streamlit forgets a widget's value as soon as a run
does not draw it (another page, the YAML editor, a removed variant tab): the draft puts
it back. Variant fields start from the base persona's values, and only the fields a
person changed become overrides, so the spec says exactly what differs from the control.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from coach.domain import CoachingLevel
from coach.errors import CoachError, ExperimentError
from coach.experiments.spec import ExperimentSpec, parse_spec, read_yaml
from coach.experiments.variants import TUNABLE, Variant
from coach.personas import Persona
from coach.services.experiments import ExperimentService

LETTERS = ("A", "B", "C", "D")
MIN_VARIANTS = 2
MAX_VARIANTS = len(LETTERS)
MAX_REPEATS = 5
DATASET_LABELS = {
    "sample": "Sample set (48 rated answers)",
    "sessions": "My sessions",
    "file": "Upload CSV/JSONL",
}
UPLOAD_TYPES = ["csv", "jsonl", "json"]
# Stands in for the uploaded file's name until there is one; never read from disk.
NO_FILE_YET = "(upload a file)"

BASE_KEY = "lab-base"
NAME_KEY = "lab-name"
DATASET_KEY = "lab-dataset"
UPLOAD_KEY = "lab-upload"
REPEATS_KEY = "lab-repeats"
JUDGE_KEY = "lab-judge"
YAML_MODE_KEY = "lab-yaml-mode"
YAML_KEY = "lab-yaml"
_COUNT_KEY = "lab-count"
_DRAFT_KEY = "lab-draft"
_LAST_YAML_KEY = "lab-yaml-last"
_FIXED_KEYS = (NAME_KEY, BASE_KEY, DATASET_KEY, REPEATS_KEY, JUDGE_KEY, YAML_MODE_KEY, YAML_KEY)


@dataclass(frozen=True)
class Draft:
    """What the form holds now: a spec when it is valid, else the problems to show."""

    spec: ExperimentSpec | None
    problems: tuple[str, ...]
    upload: UploadedFile | None

    def upload_bytes(self) -> tuple[str, bytes] | None:
        """Read only when creating: a large upload is not copied on every rerun."""
        if self.upload is None:
            return None
        return self.upload.name, self.upload.getvalue()


def field_key(letter: str, field: str) -> str:
    return f"lab-{letter}-{field}"


def _variant_keys(letter: str) -> list[str]:
    return [field_key(letter, field) for field in TUNABLE]


def _form_keys() -> list[str]:
    return [*_FIXED_KEYS, *(key for letter in LETTERS[1:] for key in _variant_keys(letter))]


def _restore_draft() -> None:
    for key, value in st.session_state.get(_DRAFT_KEY, {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


def _save_draft() -> None:
    """Merged, not replaced: values of widgets this run did not draw stay in the draft."""
    draft = dict(st.session_state.get(_DRAFT_KEY, {}))
    draft.update({key: st.session_state[key] for key in _form_keys() if key in st.session_state})
    st.session_state[_DRAFT_KEY] = draft


def _forget(keys: list[str]) -> None:
    draft = st.session_state.get(_DRAFT_KEY, {})
    for key in keys:
        st.session_state.pop(key, None)
        draft.pop(key, None)


def _forget_variants() -> None:
    """A new base persona: every variant starts again from its values."""
    _forget([key for letter in LETTERS[1:] for key in _variant_keys(letter)])


def _add_variant() -> None:
    st.session_state[_COUNT_KEY] = min(MAX_VARIANTS, _count() + 1)


def _remove_variant() -> None:
    count = _count()
    if count > MIN_VARIANTS:
        _forget(_variant_keys(LETTERS[count - 1]))
        st.session_state[_COUNT_KEY] = count - 1


def _count() -> int:
    return int(st.session_state.get(_COUNT_KEY, MIN_VARIANTS))


def _enter_yaml_mode() -> None:
    """The editor starts from the spec the form last showed."""
    if st.session_state.get(YAML_MODE_KEY):
        st.session_state[YAML_KEY] = st.session_state.get(_LAST_YAML_KEY, "")


# --- the form -------------------------------------------------------------------------


def experiment_form(service: ExperimentService, personas: list[Persona]) -> Draft:
    """Draw the form (or the YAML editor) and return what it holds."""
    _restore_draft()
    yaml_mode = st.toggle(
        "Edit the spec as YAML",
        key=YAML_MODE_KEY,
        on_change=_enter_yaml_mode,
        help="The same spec `coach experiment run spec.yaml` reads. Switching back to the "
        "form drops the edits made here.",
    )
    draft = _yaml_editor(service) if yaml_mode else _fields(service, personas)
    _save_draft()
    return draft


def _fields(service: ExperimentService, personas: list[Persona]) -> Draft:
    by_name = {persona.name: persona for persona in personas}
    if st.session_state.get(BASE_KEY) not in by_name:
        st.session_state[BASE_KEY] = next(iter(by_name))
    name_col, base_col = st.columns(2)
    name_col.text_input("Experiment name", key=NAME_KEY, placeholder="e.g. stricter feedback")
    base_col.selectbox(
        "Base persona",
        list(by_name),
        format_func=lambda name: by_name[name].label,
        key=BASE_KEY,
        on_change=_forget_variants,
        help="The feedback coach to tune. Variant A runs it as it is.",
    )
    base = by_name[st.session_state[BASE_KEY]]
    letters = LETTERS[: _count()]
    tabs = st.tabs([f"{letters[0]} (control)", *letters[1:]])
    with tabs[0]:
        _control_summary(base)
    variants: list[dict[str, Any]] = [{"name": letters[0]}]
    for letter, tab in zip(letters[1:], tabs[1:], strict=True):
        with tab:
            changed = _variant_fields(base, letter)
        variants.append({"name": letter, "overrides": changed} if changed else {"name": letter})
    add_col, remove_col, _ = st.columns([1, 1, 3])
    add_col.button(
        "Add variant",
        key="lab-add-variant",
        icon=":material/add:",
        on_click=_add_variant,
        disabled=len(letters) >= MAX_VARIANTS,
    )
    remove_col.button(
        f"Remove variant {letters[-1]}",
        key="lab-remove-variant",
        icon=":material/remove:",
        on_click=_remove_variant,
        disabled=len(letters) <= MIN_VARIANTS,
    )
    dataset, upload = _dataset_fields()
    repeats_col, judge_col = st.columns(2)
    st.session_state.setdefault(REPEATS_KEY, 1)
    repeats_col.number_input(
        "Repeats",
        min_value=1,
        max_value=MAX_REPEATS,
        step=1,
        key=REPEATS_KEY,
        help="Run every item this many times per variant; repeats are averaged per item.",
    )
    judges = service.judges()
    if st.session_state.get(JUDGE_KEY) not in judges:
        st.session_state[JUDGE_KEY] = judges[0]
    judge_col.selectbox(
        "Judge",
        judges,
        key=JUDGE_KEY,
        help="Who rates each variant's feedback. 'offline' checks it against the rubric rules.",
    )
    raw = {
        "name": st.session_state.get(NAME_KEY, "").strip() or f"{base.name} A/B",
        "base_persona": base.name,
        "variants": variants,
        "dataset": dataset,
        "repeats": int(st.session_state[REPEATS_KEY]),
        "judge": st.session_state[JUDGE_KEY],
    }
    spec, problems = validate(service, raw)
    st.markdown("**The spec**")
    if spec is not None:
        text = spec.to_yaml()
        st.session_state[_LAST_YAML_KEY] = text
        st.code(text, language="yaml")
        _same_as_control(spec)
    for problem in problems:
        st.error(problem)
    return Draft(spec=spec, problems=problems, upload=upload)


def _same_as_control(spec: ExperimentSpec) -> None:
    """An A/A run is allowed (it shows the noise between runs), but rarely meant."""
    control = spec.control.overrides
    for variant in spec.variants[1:]:
        if variant.overrides == control:
            st.caption(
                f"Variant {variant.name} changes nothing from {spec.control.name}: this is an "
                "A/A run, which shows how much results vary by chance. Change a field in its "
                "tab to compare something."
            )


def _control_summary(base: Persona) -> None:
    st.caption(f"The control: {base.label} exactly as it is. Change things in the other tabs.")
    st.markdown(
        f"**{base.title}** · tone *{base.tone}* · coaching level **{base.coaching_level.value}**"
        f"  \nmodel `{base.model}` · temperature {base.temperature:g} · top_p "
        f"{'default' if base.top_p is None else f'{base.top_p:g}'} · max tokens "
        f"{base.max_tokens:,} · voice {base.voice}"
    )
    st.code(base.prompt, language=None, wrap_lines=True)


def _variant_fields(base: Persona, letter: str) -> dict[str, Any]:
    for field in TUNABLE:
        st.session_state.setdefault(field_key(letter, field), getattr(base, field))
    st.text_area("Prompt", key=field_key(letter, "prompt"), height=140)
    tone_col, level_col = st.columns(2)
    tone_col.text_input("Tone", key=field_key(letter, "tone"))
    level_col.selectbox(
        "Coaching level",
        list(CoachingLevel),
        format_func=lambda level: level.value,
        key=field_key(letter, "coaching_level"),
        help="help: encourages and explains; strict: scores as a demanding interviewer.",
    )
    model_col, voice_col = st.columns(2)
    model_col.text_input("Model", key=field_key(letter, "model"))
    voice_col.text_input("Voice", key=field_key(letter, "voice"))
    temperature_col, top_p_col, tokens_col = st.columns(3)
    temperature_col.number_input(
        "Temperature",
        min_value=0.0,
        max_value=2.0,
        step=0.1,
        key=field_key(letter, "temperature"),
    )
    top_p_col.number_input(
        "top_p (optional)",
        min_value=0.01,
        max_value=1.0,
        step=0.05,
        value=None,
        placeholder="the base persona's",
        key=field_key(letter, "top_p"),
    )
    tokens_col.number_input(
        "Max tokens", min_value=1, max_value=32_000, step=100, key=field_key(letter, "max_tokens")
    )
    changed = changed_fields(
        base, {field: st.session_state.get(field_key(letter, field)) for field in TUNABLE}
    )
    if changed:
        st.caption(f"Differs from the control in: {', '.join(changed)}.")
    else:
        st.caption("Same as the control so far: change a field to give this variant a difference.")
    return changed


def changed_fields(base: Persona, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from ``base``, as plain spec values (enums as strings).

    An empty optional field keeps the base value; floats are compared at the precision a
    number input shows, so 0.1 + 0.2 is not a change from 0.3."""
    changed: dict[str, Any] = {}
    for field in TUNABLE:
        value = values.get(field)
        if value is None:
            continue
        if isinstance(value, float):
            value = round(value, 6)
        current = getattr(base, field)
        if isinstance(current, float):
            current = round(current, 6)
        if value != current:
            changed[field] = value.value if isinstance(value, Enum) else value
    return changed


def _dataset_fields() -> tuple[dict[str, str] | str, UploadedFile | None]:
    st.session_state.setdefault(DATASET_KEY, "sample")
    source = st.radio(
        "Items to run on",
        list(DATASET_LABELS),
        format_func=DATASET_LABELS.__getitem__,
        key=DATASET_KEY,
        horizontal=True,
    )
    if source != "file":
        return source, None
    upload = st.file_uploader(
        "CSV, JSONL or JSON file of items",
        type=UPLOAD_TYPES,
        key=UPLOAD_KEY,
        help="Columns 'question' and 'answer'; optional 'id', 'resume', 'job_description' "
        "and 'reference_score' (0-10, for agreement with your own ratings).",
    )
    return {"file": upload.name if upload is not None else NO_FILE_YET}, upload


def _yaml_editor(service: ExperimentService) -> Draft:
    st.text_area(
        "Spec (YAML)",
        key=YAML_KEY,
        height=320,
        help="name, base_persona, variants (the first is the control), dataset, repeats, judge.",
    )
    upload = st.file_uploader(
        "Items file, for `dataset: {file: …}`",
        type=UPLOAD_TYPES,
        key="lab-yaml-upload",
        help="The page reads only uploaded files, never a path on the server.",
    )
    text = st.session_state.get(YAML_KEY, "")
    try:
        raw = read_yaml(text, where="The spec")
    except ExperimentError as error:
        problems: tuple[str, ...] = (str(error),)
        spec = None
    else:
        spec, problems = validate(service, raw)
    for shown in problems:
        st.error(shown)
    return Draft(spec=spec, problems=problems, upload=upload)


def validate(
    service: ExperimentService, raw: object
) -> tuple[ExperimentSpec | None, tuple[str, ...]]:
    """The spec, or every problem found: each variant on its own (so two bad variants
    give two messages), then the spec as a whole, then each variant as a persona."""
    problems: list[str] = []
    variants = raw.get("variants") if isinstance(raw, dict) else None
    if isinstance(variants, list):
        for position, item in enumerate(variants):
            name = item.get("name") if isinstance(item, dict) else None
            try:
                Variant.parse(item, where=f"variant {name or position + 1}")
            except ExperimentError as error:
                problems.append(str(error))
    if problems:
        return None, tuple(problems)
    try:
        spec = parse_spec(raw, where="The experiment")
    except ExperimentError as error:
        return None, (str(error),)
    for variant in spec.variants[1:]:
        pair = spec.model_copy(update={"variants": (spec.control, variant)})
        try:
            service.variants(pair)
        except CoachError as error:
            if str(error) not in problems:
                problems.append(str(error))
    return (None, tuple(problems)) if problems else (spec, ())
