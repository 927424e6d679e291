"""The Persona Lab page (AppTest): create, run, read, reopen, promote, roll out, cancel.

Each test copies the repo's personas into its temporary folder, so a promotion writes
there and never into the repo. The offline coach runs the 96 pairs of a two-variant
sample experiment in well under a second; tests wait on the workbench's own service,
the same object the page drives.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from coach.domain import CoachingLevel
from coach.experiments.records import ExperimentStatus
from coach.experiments.spec import parse_spec
from coach.experiments.store import build_experiment_store
from coach.services.experiments import ExperimentService
from coach.settings import PROJECT_ROOT
from coach.users import Actor
from tests.pages.conftest import APP
from tests.postgres_server import PostgresServer
from ui.persona_lab_charts import DIMENSIONS_TITLE, QUALITY_TITLE
from ui.resources import workbench

LOCAL_USER = Actor.local()

PAGE = "views/persona_lab.py"
# The page's words, written out: importing views/persona_lab.py would run the page.
EMPTY_GUIDANCE = (
    "No experiments yet. Pick a feedback persona below, change one thing in variant B "
    "(its tone, coaching level or temperature) and press **Create and run**. The offline "
    "coach runs both variants on the 48-answer sample set in about a second."
)


@pytest.fixture
def personas_dir(app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", folder)
    monkeypatch.setenv("COACH_AGENT__PERSONAS_DIR", str(folder))
    yield folder
    st.cache_resource.clear()  # stops this test's workbench: its agent loop and database


def open_lab(experiment_id: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    if experiment_id is not None:
        at.query_params["experiment"] = experiment_id
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def service() -> ExperimentService:
    """The page's own service: ``workbench()`` is cached per process and settings."""
    return workbench().experiments


def rerun(at: AppTest | Any) -> AppTest:
    """Run the script again (given the AppTest, or a widget just set or clicked)."""
    app: AppTest = at.run()
    assert not app.exception, app.exception
    return app


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def alerts(at: AppTest) -> list[str]:
    return [
        *(s.value for s in at.success),
        *(i.value for i in at.info),
        *(e.value for e in at.error),
    ]


def choose_to_ship(at: AppTest, experiment_id: str, variant: str) -> AppTest:
    """Pick the variant to ship (only a significant winner is preselected) and, when the
    page warns (a worse variant, or the current base), confirm it."""
    report = service().report(LOCAL_USER, experiment_id)
    picker = at.selectbox(key=f"lab-ship-{experiment_id}")
    if report.direction != 1:
        assert picker.value is None, "nothing is preselected without a winner"
    rerun(picker.select(variant))
    warning = service().ship_warning(LOCAL_USER, experiment_id, variant)
    if warning is not None:
        assert warning in [w.value for w in at.warning]
        assert at.button(key="lab-promote").disabled and at.button(key="lab-roll-out").disabled
        rerun(at.checkbox(key=f"lab-confirm-{experiment_id}-{variant}").check())
    assert not at.button(key="lab-promote").disabled
    return at


def verdict_colour(at: AppTest, experiment_id: str) -> str:
    """Which alert shows the verdict: it follows the direction of the difference."""
    verdict = service().report(LOCAL_USER, experiment_id).verdict
    for colour, shown in (("green", at.success), ("blue", at.info), ("red", at.error)):
        if verdict in [alert.value for alert in shown]:
            return colour
    raise AssertionError(f"the verdict is not shown: {verdict}")


COLOURS = {1: "green", 0: "blue", -1: "red"}


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def create(at: AppTest) -> str:
    """Press Create and run; the id of the experiment the page opened."""
    rerun(at.button(key="lab-create").click())
    assert not errors(at), errors(at)
    return str(at.query_params["experiment"])


def experiment_via_service(**overrides: Any) -> str:
    """A finished experiment made without the page (B: strict coaching level)."""
    svc = service()
    spec = parse_spec(
        {
            "name": "made by the service",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B", "overrides": {"coaching_level": "strict"}}],
            **overrides,
        }
    )
    experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
    svc.start(LOCAL_USER, experiment.id)
    svc.wait(experiment.id, timeout=30)
    return experiment.id


def test_an_empty_database_shows_guidance(personas_dir: Path) -> None:
    at = open_lab()

    assert [info.value for info in at.info] == [EMPTY_GUIDANCE]
    assert not at.error and not at.warning and not at.get("plotly_chart")
    # The form is there, prefilled from the base persona, and its spec is valid.
    assert at.text_input(key="lab-B-tone").value == "honest, specific and encouraging"
    assert "base_persona: feedback_coach" in at.code[-1].value
    assert at.button(key="lab-create")
    # B starts as a copy of A, and the page says what running that would show.
    assert any("this is an A/A run" in caption.value for caption in at.caption)
    at.selectbox(key="lab-B-coaching_level").select(CoachingLevel.STRICT).run()
    assert not any("this is an A/A run" in caption.value for caption in at.caption)


def test_create_run_read_reopen_and_promote(personas_dir: Path) -> None:
    at = open_lab()
    at.text_input(key="lab-name").input("stricter feedback")
    at.selectbox(key="lab-B-coaching_level").select(CoachingLevel.STRICT)
    rerun(at)
    assert "coaching_level: strict" in at.code[-1].value  # the spec follows the form

    experiment_id = create(at)
    service().wait(experiment_id, timeout=30)
    rerun(at)

    report = service().report(LOCAL_USER, experiment_id)
    assert report.complete and report.experiment.name == "stricter feedback"
    assert report.verdict in alerts(at)
    assert verdict_colour(at, experiment_id) == COLOURS[report.direction]
    assert " B " in report.verdict and "quality points" in report.verdict
    shown = figures(at)
    assert set(shown) == {QUALITY_TITLE, DIMENSIONS_TITLE}
    quality = shown[QUALITY_TITLE]["data"]
    assert [trace["x"] for trace in quality] == [["A"], ["B"]]
    (comparison,) = report.comparisons
    assert comparison.quality is not None
    assert quality[1]["error_y"]["array"][0] == pytest.approx(
        comparison.quality.ci_high - comparison.quality.mean_difference
    )
    assert len(shown[DIMENSIONS_TITLE]["data"][0]["x"]) == len(comparison.dimensions)
    (side_by_side,) = [d.value for d in at.dataframe if "Disagreement" in d.value.columns]
    assert len(side_by_side) == 48
    assert side_by_side["Disagreement"].iloc[0] == side_by_side["Disagreement"].max()
    assert any("Tokens: not reported by the offline coach" in c.value for c in at.caption)

    # Another browser session: nothing open, so the past-experiments list reopens it.
    again = open_lab()
    assert report.verdict not in alerts(again)
    assert again.selectbox(key="lab-pick").value == experiment_id
    rerun(again.button(key="lab-open").click())
    assert report.verdict in alerts(again)
    assert again.query_params["experiment"] == experiment_id

    choose_to_ship(again, experiment_id, "B")
    rerun(again.button(key="lab-promote").click())
    assert [s.value for s in again.success][-1] == (
        "feedback_coach is now version 2 (personas/feedback_coach.yaml); version 1 is kept "
        "in personas/versions/feedback_coach.v1.yaml."
    )
    promoted = yaml.safe_load((personas_dir / "feedback_coach.yaml").read_text())
    assert promoted["version"] == 2 and promoted["coaching_level"] == "strict"
    kept = yaml.safe_load((personas_dir / "versions" / "feedback_coach.v1.yaml").read_text())
    assert kept["coaching_level"] == "help" and kept.get("version", 1) == 1
    assert "feedback_coach (v2)" in again.selectbox(key="lab-base").options
    assert (PROJECT_ROOT / "personas" / "versions").exists() is False


def test_a_link_with_the_experiment_id_opens_it(personas_dir: Path) -> None:
    experiment_id = experiment_via_service()

    at = open_lab(experiment_id)

    assert service().report(LOCAL_USER, experiment_id).verdict in alerts(at)
    assert at.header[0].value == "made by the service"


def test_a_bad_override_is_named_and_nothing_is_created(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.text_input(key="lab-name").input("too hot"))
    rerun(at.toggle(key="lab-yaml-mode").set_value(True))
    assert "name: too hot" in at.text_area(key="lab-yaml").value  # starts from the form
    spec = yaml.safe_load(at.text_area(key="lab-yaml").value)
    spec["variants"] = [
        {"name": "A"},
        {"name": "B", "overrides": {"temperature": 7}},
        {"name": "C", "overrides": {"temprature": 0.3}},
    ]
    rerun(at.text_area(key="lab-yaml").input(yaml.safe_dump(spec)))

    assert errors(at) == [
        "In variant B: 'temperature' input should be less than or equal to 2.",
        "In variant C: 'temprature' is not a parameter a variant can change (it can change: "
        "prompt, tone, coaching_level, model, temperature, top_p, max_tokens, voice).",
    ]
    rerun(at.button(key="lab-create").click())
    assert "Nothing was created: fix the problems above first." in errors(at)
    assert service().list(LOCAL_USER) == []

    # Back in the form, what was typed there is still there.
    rerun(at.toggle(key="lab-yaml-mode").set_value(False))
    assert at.text_input(key="lab-name").value == "too hot"
    assert not at.error


def test_an_emptied_prompt_is_named_in_the_form(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.text_area(key="lab-B-prompt").input(""))

    assert errors(at) == ["In variant B: 'prompt' string should have at least 1 character."]
    assert not [code for code in at.code if "base_persona" in code.value]  # no spec to show


def test_bad_uploads_are_explained_and_nothing_is_created(personas_dir: Path) -> None:
    at = open_lab()
    at.text_input(key="lab-name").input("my items")
    rerun(at.radio(key="lab-dataset").set_value("file"))
    rerun(at.button(key="lab-create").click())
    assert errors(at) == [
        "Upload a CSV, JSONL or JSON file of items first, or choose the sample set."
    ]

    at.file_uploader(key="lab-upload").set_value(("empty.csv", b"", "text/csv"))
    rerun(at.button(key="lab-create").click())
    assert errors(at) == [
        "The file has no items: empty.csv needs a header row with 'question' and 'answer' "
        "columns and one row per item (optional: 'id', 'resume', 'job_description', "
        "'reference_score')."
    ]

    malformed = b'{"question": "Why us?", "answer": "I like it."}\n{"question": oops}\n'
    at.file_uploader(key="lab-upload").set_value(("items.jsonl", malformed, "text/plain"))
    rerun(at.button(key="lab-create").click())
    (message,) = errors(at)
    assert message.startswith("1 row of items.jsonl cannot be used")
    assert "line 2 is not a JSON object" in message

    assert service().list(LOCAL_USER) == []
    assert at.text_input(key="lab-name").value == "my items"
    assert at.radio(key="lab-dataset").value == "file"


def test_a_good_upload_runs_without_reference_scores(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.radio(key="lab-dataset").set_value("file"))
    rows = "\n".join(
        f'{{"question": "Tell me about a time you led a project ({n}).", '
        f'"answer": "I led a migration of {n} services and cut costs by {n}0%."}}'
        for n in range(1, 7)
    )
    at.file_uploader(key="lab-upload").set_value(("mine.jsonl", rows.encode(), "text/plain"))
    rerun(at)
    assert "file: mine.jsonl" in at.code[-1].value

    experiment_id = create(at)
    service().wait(experiment_id, timeout=30)
    rerun(at)

    assert service().get(LOCAL_USER, experiment_id).dataset_name == "mine.jsonl"
    assert any("has no reference scores" in c.value for c in at.caption)


def test_cancel_keeps_finished_pairs_and_resume_does_the_rest(personas_dir: Path) -> None:
    at = open_lab()
    at.text_input(key="lab-B-tone").input("blunt")  # results no earlier test has cached
    at.number_input(key="lab-repeats").set_value(5)
    experiment_id = create(at)  # 480 pairs: a few seconds with the offline coach
    assert at.get("progress"), "the run is shown while it runs"

    rerun(at.button(key="lab-cancel").click())
    svc = service()
    svc.wait(experiment_id, timeout=30)
    rerun(at)

    (listing,) = svc.list(LOCAL_USER)
    assert listing.status is ExperimentStatus.CANCELLED
    assert 0 < listing.done < 480
    assert any(f"Cancelled after {listing.done} of 480 pairs" in w.value for w in at.warning)
    assert any("So far (the run is not complete)" in a for a in alerts(at))

    rerun(at.button(key="lab-resume").click())
    svc.wait(experiment_id, timeout=30)
    rerun(at)

    (listing,) = svc.list(LOCAL_USER)
    assert listing.status is ExperimentStatus.FINISHED and listing.done == 480
    assert svc.report(LOCAL_USER, experiment_id).complete
    assert not at.warning
    assert not any("So far" in a for a in alerts(at))


def test_roll_out_a_variant_and_stop_it(personas_dir: Path) -> None:
    experiment_id = experiment_via_service()
    at = open_lab(experiment_id)

    choose_to_ship(at, experiment_id, "B")
    at.slider(key=f"lab-share-{experiment_id}").set_value(25)
    rerun(at.button(key="lab-roll-out").click())

    assert "Variant B now serves 25% of feedback_coach's sessions." in [s.value for s in at.success]
    (rollout,) = service().rollouts()
    assert rollout.variant == "B" and rollout.share == pytest.approx(0.25)
    assert "Live rollouts" in [s.value for s in at.subheader]

    rerun(at.button(key="lab-stop-feedback_coach").click())
    assert service().rollouts() == []
    assert "Live rollouts" not in [s.value for s in at.subheader]


def test_a_third_variant_gets_its_own_tab_and_comparison(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.button(key="lab-add-variant").click())
    at.selectbox(key="lab-B-coaching_level").select(CoachingLevel.STRICT)
    at.number_input(key="lab-C-temperature").set_value(0.9)
    rerun(at)
    assert "temperature: 0.9" in at.code[-1].value

    experiment_id = create(at)
    service().wait(experiment_id, timeout=30)
    rerun(at)

    quality = figures(at)[QUALITY_TITLE]["data"]
    assert [trace["x"] for trace in quality] == [["A"], ["B"], ["C"]]
    assert at.selectbox(key=f"lab-side-{experiment_id}").options == ["B", "C"]


def test_what_was_typed_survives_a_visit_to_another_page(personas_dir: Path) -> None:
    at = open_lab()
    at.text_input(key="lab-name").input("warmer tone")
    at.text_input(key="lab-B-tone").input("warm and patient")
    rerun(at.button(key="lab-add-variant").click())
    at.number_input(key="lab-C-temperature").set_value(1.1)
    rerun(at)

    rerun(at.switch_page("views/sessions.py"))
    assert "lab-B-tone" not in [widget.key for widget in at.text_input]
    rerun(at.switch_page(PAGE))

    assert at.text_input(key="lab-name").value == "warmer tone"
    assert at.text_input(key="lab-B-tone").value == "warm and patient"
    assert at.number_input(key="lab-C-temperature").value == pytest.approx(1.1)
    assert "tone: warm and patient" in at.code[-1].value


def test_a_new_base_persona_refills_the_variants(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.text_input(key="lab-B-tone").input("warm and patient"))

    rerun(at.selectbox(key="lab-base").select("strict_feedback_coach"))

    assert at.text_input(key="lab-B-tone").value == "direct and exacting"
    assert at.selectbox(key="lab-B-coaching_level").value is CoachingLevel.STRICT
    assert "overrides" not in at.code[-1].value


def test_an_experiment_never_run_can_be_run_from_the_page(personas_dir: Path) -> None:
    svc = service()
    spec = parse_spec(
        {
            "name": "not yet",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B"}],
        }
    )
    experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
    at = open_lab(experiment.id)
    assert any("Not run yet" in info.value for info in at.info)
    assert "No results to compare yet: run the experiment." in alerts(at)

    rerun(at.button(key="lab-resume").click())
    svc.wait(experiment.id, timeout=30)
    rerun(at)

    assert "they scored the same on every item" in svc.report(LOCAL_USER, experiment.id).verdict
    assert svc.report(LOCAL_USER, experiment.id).verdict in alerts(at)


def test_my_sessions_without_answers_says_what_to_do(personas_dir: Path) -> None:
    at = open_lab()
    rerun(at.radio(key="lab-dataset").set_value("sessions"))
    rerun(at.button(key="lab-create").click())

    assert errors(at) == [
        "No answered questions in your sessions yet: practise a few questions first, "
        "or use the sample set or a file."
    ]
    assert service().list(LOCAL_USER) == []


def test_a_run_cut_off_by_a_restart_is_interrupted_and_resumable(personas_dir: Path) -> None:
    svc = service()
    spec = parse_spec(
        {
            "name": "cut off",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B"}],
        }
    )
    experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
    # What a stopped app leaves behind: "running" in the database, no run in the process.
    build_experiment_store(workbench().store).set_status(experiment.id, ExperimentStatus.RUNNING)

    at = open_lab(experiment.id)

    assert [w.value for w in at.warning] == ["Interrupted: 0 of 96 pairs done."]
    rerun(at.button(key="lab-resume").click())
    svc.wait(experiment.id, timeout=30)
    rerun(at)
    assert not at.warning and svc.list(LOCAL_USER)[0].status is ExperimentStatus.FINISHED


def test_a_run_in_another_process_is_shown_running_and_not_started_again(
    personas_dir: Path,
) -> None:
    svc = service()
    spec = parse_spec(
        {
            "name": "elsewhere",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B"}],
        }
    )
    experiment = svc.create(LOCAL_USER, spec, svc.dataset(LOCAL_USER, spec.dataset))
    # What `coach experiment run` in another live process leaves in the database.
    elsewhere = f"{socket.gethostname()}:{os.getppid()}"
    build_experiment_store(workbench().store).set_status(
        experiment.id, ExperimentStatus.RUNNING, runner=elsewhere
    )

    at = open_lab(experiment.id)

    assert [i.value for i in at.info] == [
        f"Running in another process ({elsewhere}): 0 of 96 pairs done. "
        "Reload the page to see how far it has got."
    ]
    assert "lab-resume" not in [button.key for button in at.button]


def test_the_page_runs_experiments_on_the_configured_model(
    personas_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: with a base URL set, the page's experiments ask that server for every
    answer pair (a non-answer is scored offline, labelled, without a call)."""
    from coach.experiments.datasets import sample_dataset
    from coach.offline.scoring import detect_non_answer
    from tests.fake_model_server import fake_model_server, task_kind

    answers = [i for i in sample_dataset().items if detect_non_answer(i.answer, i.question) is None]
    with fake_model_server("none") as server:
        monkeypatch.setenv("COACH_OPENAI_BASE_URL", server.base_url)
        experiment_id = experiment_via_service()
        at = open_lab(experiment_id)
        kinds = [task_kind(r) for r in server.requests]
    assert kinds.count("evaluate_answer") == 2 * len(answers)
    assert service().get(LOCAL_USER, experiment_id).provider == "openai"
    assert not any("answered by the offline coach" in c.value for c in at.caption)


def test_a_worse_variant_is_red_never_preselected_and_shipping_it_asks_first(
    personas_dir: Path,
) -> None:
    from tests.experiments.losing import experiment_with_a_loser

    experiment_id = experiment_with_a_loser(service(), workbench().store, LOCAL_USER)
    at = open_lab(experiment_id)

    assert verdict_colour(at, experiment_id) == "red"
    assert at.selectbox(key=f"lab-ship-{experiment_id}").value is None
    assert not any(b.key == "lab-promote" for b in at.button), "nothing to ship until chosen"
    rerun(at.selectbox(key=f"lab-ship-{experiment_id}").select("B"))
    assert "Variant B gave significantly worse feedback than A." in [w.value for w in at.warning]
    assert at.button(key="lab-promote").disabled and at.button(key="lab-roll-out").disabled
    rerun(at.checkbox(key=f"lab-confirm-{experiment_id}-B").check())
    rerun(at.button(key="lab-roll-out").click())
    (rollout,) = service().rollouts()
    assert rollout.variant == "B"


def test_on_postgresql_the_lab_runs_reads_and_reopens_its_results(
    personas_dir: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_server.database() as url:
        monkeypatch.setenv("COACH_STORE__URL", url)
        try:
            at = open_lab()
            assert [info.value for info in at.info] == [EMPTY_GUIDANCE]
            at.selectbox(key="lab-B-coaching_level").select(CoachingLevel.STRICT)
            experiment_id = create(rerun(at))
            service().wait(experiment_id, timeout=30)
            rerun(at)

            report = service().report(LOCAL_USER, experiment_id)
            assert report.complete and report.verdict in alerts(at)
            assert set(figures(at)) == {QUALITY_TITLE, DIMENSIONS_TITLE}
            (side_by_side,) = [d.value for d in at.dataframe if "Disagreement" in d.value.columns]
            assert len(side_by_side) == 48
            again = open_lab()  # another browser session reopens it from the list
            assert again.selectbox(key="lab-pick").value == experiment_id
            rerun(again.button(key="lab-open").click())
            assert report.verdict in alerts(again)
            with psycopg.connect(url) as connection:
                rows = connection.execute(
                    "SELECT count(*) FROM experiment_results WHERE experiment_id = %s",
                    [experiment_id],
                ).fetchone()
            assert rows == (96,), "the results are in PostgreSQL"
        finally:
            st.cache_resource.clear()  # the workbench lets go before the database goes
