"""``coach experiment run | show | list`` on a real DuckDB file with the offline coach:
the verdict and a table per variant, specs and datasets refused with a message that
names the field or the row (exit 2), Ctrl-C that keeps finished pairs, and --resume."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from coach.analysis import open_analysis
from coach.cli import EXIT_CANCELLED, _ProgressBar, main
from coach.experiments.records import ExperimentStatus, Progress
from coach.experiments.spec import parse_spec
from coach.providers.offline import OfflineProvider
from coach.settings import PROJECT_ROOT, CoachSettings, StoreSettings
from coach.users import Actor
from coach.workbench import build_workbench
from tests.postgres_server import PostgresServer

LOCAL_USER = Actor.local()

STRICTER = """\
name: stricter coaching
base_persona: feedback_coach
variants:
  - name: A
  - name: B
    overrides: {coaching_level: strict}
dataset: sample
"""


@pytest.fixture(autouse=True)
def personas_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repo's personas, so nothing here reads or writes the real folder."""
    folder = tmp_path / "personas"
    shutil.copytree(PROJECT_ROOT / "personas", folder)
    monkeypatch.setenv("COACH_AGENT__PERSONAS_DIR", str(folder))
    return folder


def _spec(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _experiment(db: Path, *argv: str) -> int:
    return main(["experiment", *argv, "--db", str(db)])


def _id_prefix(report: str) -> str:
    found = re.search(r"^Experiment ([0-9a-f]{8}): ", report, re.MULTILINE)
    assert found, report
    return found.group(1)


def _verdict(report: str) -> str:
    return next(line for line in report.splitlines() if line.startswith("Verdict: "))


def _variant_rows(report: str) -> dict[str, list[str]]:
    lines = report.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("variant "))
    rows = {}
    for line in lines[header + 1 :]:
        if not line.strip():
            break
        cells = line.split()
        rows[cells[0]] = cells
    return rows


def test_run_prints_the_verdict_and_a_row_per_variant_and_show_and_list_read_it_back(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _experiment(db_path, "run", str(_spec(tmp_path, STRICTER)))

    run = capsys.readouterr()
    assert code == 0, run.err
    assert "difference" in _verdict(run.out)
    assert "(finished)" in run.out
    rows = _variant_rows(run.out)
    assert set(rows) == {"A", "B"}
    assert rows["A"][1] == rows["B"][1] == "48"  # pairs: every sample item, each side
    assert rows["B"][-1] == "coaching_level=strict"
    assert "ref MAE" in run.out  # the sample items carry reference scores
    # Progress went to stderr as plain lines (not a terminal), ending at every pair.
    assert "96/96 pairs 100%" in run.err
    assert "\r" not in run.err
    assert "Traceback" not in run.err
    with open_analysis(db_path) as analysis:
        results = analysis.experiment_results()
    assert len(results) == 96 and results["ok"].all()

    prefix = _id_prefix(run.out)
    assert _experiment(db_path, "show", prefix[:6]) == 0
    shown = capsys.readouterr().out
    assert _verdict(shown) == _verdict(run.out)
    assert _variant_rows(shown)["B"][:4] == rows["B"][:4]

    assert _experiment(db_path, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == ["id", "name", "status", "done/total", "created"]
    assert listed[1].startswith(f"{prefix}  stricter coaching  finished  96/96")


def test_a_dataset_file_is_read_relative_to_the_spec_file(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    rows = [
        {"id": f"q{n}", "question": "Tell me about a time you fixed a slow job.", "answer": a}
        for n, a in enumerate(
            [
                "I profiled the nightly job, rewrote two joins and cut it from 9 to 4 hours.",
                "We made it faster somehow, the team did most of it.",
                "I don't know.",
            ]
        )
    ]
    (folder / "items.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    spec = _spec(folder, STRICTER.replace("dataset: sample", "dataset: {file: items.jsonl}"))
    monkeypatch.chdir(tmp_path)  # not the spec's folder

    assert _experiment(db_path, "run", str(spec)) == 0

    out = capsys.readouterr().out
    assert "on items.jsonl, 6/6 pairs" in out
    assert "ref MAE" not in out  # no reference scores, so no agreement columns


@pytest.mark.parametrize(
    ("spec", "files", "expected"),
    [
        (
            STRICTER.replace("{coaching_level: strict}", "{temperature: 7}"),
            {},
            ["variant B", "'temperature'", "less than or equal to 2"],
        ),
        (STRICTER + "repeat: 2\n", {}, ["'repeat' is not a spec field"]),
        (
            "name: no arms\nbase_persona: feedback_coach\ndataset: sample\n",
            {},
            ["'variants' is required"],
        ),
        (
            "name: [stricter\nbase_persona: feedback_coach\n",
            {},
            ["spec.yaml is not valid YAML at line"],
        ),
        (
            STRICTER.replace("dataset: sample", "dataset: {file: nowhere.jsonl}"),
            {},
            ["nowhere.jsonl could not be read"],
        ),
        (
            STRICTER.replace("dataset: sample", "dataset: {file: items.jsonl}"),
            {
                "items.jsonl": '{"question": "Why us?", "answer": "I like the product."}\n'
                '{"question": "Why us?", "answer": \n'
            },
            ["items.jsonl", "line 2 is not a JSON object"],
        ),
        (
            STRICTER.replace("base_persona: feedback_coach", "base_persona: feedbak_coach"),
            {},
            ["no persona called 'feedbak_coach'"],
        ),
    ],
    ids=[
        "temperature-7",
        "misspelt-field",
        "no-variants",
        "bad-yaml",
        "missing-dataset-file",
        "malformed-jsonl",
        "unknown-persona",
    ],
)
def test_a_bad_spec_or_dataset_exits_2_with_one_line_naming_the_problem(
    spec: str,
    files: dict[str, str],
    expected: list[str],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    code = _experiment(db_path, "run", str(_spec(tmp_path, spec)))

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("coach: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in expected:
        assert fragment in err


def test_nothing_is_stored_for_a_refused_spec_and_list_says_there_is_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _spec(tmp_path, STRICTER.replace("dataset: sample", "dataset: {file: none.csv}"))
    assert _experiment(db_path, "run", str(bad)) == 2

    assert _experiment(db_path, "list") == 0
    assert capsys.readouterr().out.startswith(f"No experiments in {db_path} yet")


def test_ctrl_c_keeps_the_finished_pairs_and_resume_does_the_rest(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        "\n".join(
            json.dumps(
                {
                    "question": "Tell me about a time you improved a slow process.",
                    "answer": f"Answer {n}: I led the migration and cut the run time by {n}%.",
                }
            )
            for n in range(500)
        ),
        encoding="utf-8",
    )
    spec = _spec(tmp_path, STRICTER.replace("dataset: sample", "dataset: {file: items.jsonl}"))
    command = [sys.executable, "-m", "coach.cli", "experiment", "run", str(spec)]
    process = subprocess.Popen(
        [*command, "--db", str(db_path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("Running experiment ")
    assert process.stderr.readline().startswith("0/1000 pairs")  # the run has begun
    assert process.stderr.readline().startswith("100/1000 pairs")  # a tenth is done
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == EXIT_CANCELLED, err
    assert "Traceback" not in err
    assert "Cancelled after " in err
    resume = re.search(r"Resume with: (coach experiment run --resume ([0-9a-f]{32}) .*)$", err)
    assert resume, err
    assert "(cancelled)" in out and "So far" in out
    with open_analysis(db_path) as analysis:
        kept = len(analysis.experiment_results())
    assert 0 < kept < 1000

    code = main(resume.group(1).split()[1:])

    resumed = capsys.readouterr()
    assert code == 0, resumed.err
    assert f"= 1000 pairs, {kept} done before" in resumed.err
    assert "(finished)" in resumed.out
    with open_analysis(db_path) as analysis:
        results = analysis.experiment_results()
    assert len(results) == 1000
    assert not results.duplicated(["variant", "item_id", "repeat"]).any()


def test_resume_accepts_an_id_prefix_and_refuses_a_spec_that_differs(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = CoachSettings(store=StoreSettings(path=db_path))
    workbench = build_workbench(settings, provider=OfflineProvider())
    try:
        spec = parse_spec(
            {
                "name": "cooler",
                "base_persona": "feedback_coach",
                "variants": [{"name": "A"}, {"name": "B", "overrides": {"temperature": 0.0}}],
            }
        )
        experiment = workbench.experiments.create(
            LOCAL_USER, spec, workbench.experiments.dataset(LOCAL_USER, spec.dataset)
        )
    finally:
        workbench.close()

    other = _spec(tmp_path, STRICTER)
    assert _experiment(db_path, "run", str(other), "--resume", experiment.id[:8]) == 2
    assert "does not describe experiment" in capsys.readouterr().err

    assert _experiment(db_path, "run", "--resume", experiment.id[:8]) == 0
    resumed = capsys.readouterr()
    assert resumed.err.startswith(f"Resuming experiment {experiment.id[:8]} ('cooler')")
    assert f"Experiment {experiment.id[:8]}: cooler (finished)" in resumed.out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["show", "abc"], 2, "too short: give at least 6 characters"),
        (["show", "0123456789"], 1, "There is no experiment whose id starts with '0123456789'"),
        (["run"], 2, "Give the spec file to run"),
    ],
    ids=["short-id", "unknown-id", "nothing-to-run"],
)
def test_ids_and_missing_arguments_are_explained(
    argv: list[str], code: int, message: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _experiment(db_path, *argv) == code

    err = capsys.readouterr().err
    assert err.startswith("coach: ") and message in err


def test_the_progress_bar_redraws_one_line_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = _ProgressBar(screen)
    for done in (0, 50, 100):
        bar(Progress(experiment_id="x", total=100, done=done, elapsed_seconds=done / 10))
    bar(Progress(experiment_id="x", total=100, done=100, status=ExperimentStatus.FINISHED))
    bar.close()

    text = screen.getvalue()
    assert text.startswith("\r[") and text.endswith("\n")
    assert text.count("\n") == 1
    assert "[" + "#" * 24 + "] 100/100 pairs 100%" in text


def test_run_sends_every_pair_to_the_configured_server(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 15: with a base URL set, ``coach experiment run`` asks that server for every
    pair (a non-answer is scored by the offline coach, labelled, without a call), and a
    persona judge named in the spec is asked there too."""
    from coach.experiments.datasets import sample_dataset
    from coach.offline.scoring import detect_non_answer
    from tests.fake_model_server import fake_model_server, task_kind

    items = sample_dataset().items[:6]
    answers = [i for i in items if detect_non_answer(i.answer, i.question) is None]
    assert answers, "the first sample items include real answers"
    lines = (PROJECT_ROOT / "coach/experiments/data/sample_items.jsonl").read_text().splitlines()
    dataset = tmp_path / "six.jsonl"
    dataset.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    spec = _spec(
        tmp_path,
        STRICTER.replace("dataset: sample", f"dataset: {{file: {dataset}}}")
        + "judge: feedback_coach\n",
    )
    with fake_model_server("none") as server:
        monkeypatch.setenv("COACH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("COACH_MODEL_DEADLINE_SECONDS", "5")
        assert _experiment(db_path, "run", str(spec)) == 0
        kinds = [task_kind(r) for r in server.requests]
    assert kinds.count("evaluate_answer") == 2 * len(answers)
    assert kinds.count("judge_feedback") == 2 * len(items)
    assert "model failed" not in caplog.text
    report = capsys.readouterr().out
    assert "provider openai" in report


def test_on_postgresql_runs_go_there_and_messages_name_the_database_not_the_file(
    db_path: Path,
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with postgres_server.database() as url:
        monkeypatch.setenv("COACH_STORE__URL", url)
        where = f"database {url.rsplit('/', 1)[1]} on 127.0.0.1:{postgres_server.port}"

        assert _experiment(db_path, "list") == 0
        assert capsys.readouterr().out.startswith(f"No experiments in {where} yet")
        assert _experiment(db_path, "show", "0123456789") == 1
        assert f"starts with '0123456789' in {where}. " in capsys.readouterr().err
        assert main(["export", "--session", "nope", "--db", str(db_path)]) == 1
        assert f"There is no session with id 'nope' in {where}. " in capsys.readouterr().err

        assert _experiment(db_path, "run", str(_spec(tmp_path, STRICTER))) == 0
        prefix = _id_prefix(capsys.readouterr().out)
        assert _experiment(db_path, "list") == 0
        listed = capsys.readouterr().out
        assert prefix in listed and "finished" in listed and "96/96" in listed
        with psycopg.connect(url) as connection:
            (stored,) = connection.execute("SELECT count(*) FROM experiment_results").fetchone()
        assert stored == 96, "the results are in PostgreSQL"
    assert str(db_path) not in listed
