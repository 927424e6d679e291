"""The ``coach`` command: demo data through the real services, Markdown export, and
exit codes a script can rely on (0 done, 1 a problem the user can fix, 2 bad usage)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pypdfium2 as pdfium
import pytest

from coach.analysis import open_analysis
from coach.cli import main
from coach.settings import PROJECT_ROOT
from tests.postgres_server import PostgresServer


def _seed(db: Path, sessions: int, *extra: str) -> int:
    return main(["seed-demo", "--sessions", str(sessions), "--db", str(db), *extra])


def test_seed_demo_fills_n_labelled_sessions_with_questions_answers_and_evaluations(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _seed(db_path, 3)

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Seeded 3 demo practice sessions and 2 chats")
    with open_analysis(db_path) as analysis:
        sessions = analysis.sessions()
        metadata = analysis.sql("SELECT metadata FROM sessions")["metadata"]
        summaries = analysis.sql("SELECT count(*) AS n FROM summaries")["n"].iloc[0]
        spans = analysis.spans()
    practice = sessions[sessions["kind"] == "interview"]
    chats = sessions[sessions["kind"] == "chat"]
    assert len(practice) == 3
    assert len(chats) == 2
    assert sessions["name"].str.startswith("[demo] ").all()
    assert all(json.loads(m)["demo"] == "true" for m in metadata)
    assert (practice["questions"] >= 3).all()
    assert (practice["answers"] > 0).all()
    assert (practice["evaluations"] == practice["answers"]).all()
    assert (chats["chat_messages"] >= 4).all()
    assert summaries > 0
    # Everything tracing recorded during the demo is labelled demo, and counted.
    assert not spans.empty and spans["demo"].all()
    assert f", {len(spans)} spans" in out


def test_seed_demo_on_postgresql_labels_its_spans_and_their_rollups_demo(
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with postgres_server.database() as url:
        monkeypatch.setenv("COACH_STORE__URL", url)
        assert _seed(tmp_path / "unused.duckdb", 2, "--no-experiment") == 0
        out = capsys.readouterr().out
        with psycopg.connect(url) as connection:
            spans, demo = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE demo) FROM spans"
            ).fetchone()
            (rolled_up,) = connection.execute(
                "SELECT sum(demo_spans) FROM span_rollups WHERE width_s = 900"
            ).fetchone()
    assert spans > 0 and demo == spans
    assert rolled_up == spans  # the Telemetry page's demo counts come from the rollups
    assert f", {spans} spans" in out
    assert not list(tmp_path.glob("*.duckdb*"))  # nothing went to a DuckDB file


def test_demo_answers_vary_in_quality_mode_and_attempts(db_path: Path) -> None:
    assert _seed(db_path, 6) == 0

    with open_analysis(db_path) as analysis:
        answers = analysis.answers_with_scores()

    assert answers["overall"].max() - answers["overall"].min() >= 4  # strong and weak
    assert answers["non_answer"].any()
    assert (answers["attempt"] > 1).any()  # some questions practised again
    spoken = answers[answers["mode"] == "voice"]
    assert not spoken.empty and spoken["words_per_minute"].notna().all()


def test_the_same_seed_writes_the_same_demo(tmp_path: Path) -> None:
    first, second = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    assert _seed(first, 2, "--seed", "11") == 0
    assert _seed(second, 2, "--seed", "11") == 0

    def scores(path: Path) -> list[tuple[str, float]]:
        with open_analysis(path) as analysis:
            frame = analysis.answers_with_scores()
        return list(zip(frame["question"], frame["overall"], strict=True))

    assert scores(first) == scores(second)


def test_seed_demo_runs_one_labelled_demo_experiment_unless_told_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_experiment, without = tmp_path / "with.duckdb", tmp_path / "without.duckdb"

    assert _seed(with_experiment, 1, "--chats", "0") == 0
    assert "; and a demo experiment of 96 pairs (" in capsys.readouterr().out
    assert _seed(without, 1, "--chats", "0", "--no-experiment") == 0

    with open_analysis(with_experiment) as analysis:
        experiments = analysis.experiments()
        results = analysis.experiment_results()
        spans = analysis.spans()
    assert len(experiments) == 1
    assert experiments["name"].iloc[0].startswith("[demo] ")
    assert experiments["status"].iloc[0] == "finished"
    assert len(results) == 96 and results["ok"].all()
    assert sorted(results["variant"].unique()) == ["A", "B"]
    # The experiment's calls are traced with their variant, and labelled demo too.
    assert spans["variant"].isin(["A", "B"]).any()
    assert spans["demo"].all()
    with open_analysis(without) as analysis:
        assert analysis.experiments().empty


def test_export_writes_the_session_as_markdown(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _seed(db_path, 1, "--chats", "0") == 0
    with open_analysis(db_path) as analysis:
        session = analysis.sessions().iloc[0]
    out = tmp_path / "export.md"
    capsys.readouterr()

    code = main(
        ["export", "--session", session["session_id"], "--db", str(db_path), "--out", str(out)]
    )

    text = out.read_text(encoding="utf-8")
    assert code == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"
    assert text.startswith("# ")
    assert session["name"] in text
    assert "Score" in text or "score" in text


def test_export_into_a_folder_uses_the_session_name_and_to_stdout_without_out(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _seed(db_path, 1, "--chats", "0") == 0
    with open_analysis(db_path) as analysis:
        session_id = analysis.sessions()["session_id"].iloc[0]
    capsys.readouterr()

    assert (
        main(["export", "--session", session_id, "--db", str(db_path), "--out", str(tmp_path)]) == 0
    )
    assert main(["export", "--session", session_id, "--db", str(db_path)]) == 0

    written = [p for p in tmp_path.glob("*.md")]
    printed = capsys.readouterr().out
    assert len(written) == 1 and written[0].name.startswith("demo")
    assert written[0].read_text(encoding="utf-8") in printed


def test_export_pdf_writes_the_study_guide_and_asks_for_a_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _seed(db_path, 1, "--chats", "0") == 0
    with open_analysis(db_path) as analysis:
        session = analysis.sessions().iloc[0]
    argv = ["export", "--pdf", "--session", session["session_id"], "--db", str(db_path)]
    capsys.readouterr()

    assert main([*argv, "--out", str(tmp_path)]) == 0
    (guide,) = tmp_path.glob("*-study-guide.pdf")
    assert guide.read_bytes().startswith(b"%PDF-")
    text = " ".join(
        pdfium.PdfDocument(guide.read_bytes())[0].get_textpage().get_text_range().split()
    )
    assert f"Study guide: {session['name']}" in text
    assert main(argv) == 1
    assert "give --out FILE or --out FOLDER" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["seed-demo"],
        ["seed-demo", "--sessions", "0"],
        ["seed-demo", "--sessions", "many"],
        ["export"],
    ],
    ids=["no-command", "unknown-command", "no-sessions", "zero-sessions", "not-a-number", "no-id"],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)

    assert caught.value.code == 2
    assert "usage: coach" in capsys.readouterr().err


def test_a_missing_session_exits_1_with_a_message(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--session", "no-such-session", "--db", str(db_path)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"coach: There is no session with id 'no-such-session' in {db_path}.")
    assert "Traceback" not in err


def test_the_module_runs_as_a_command(db_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "seed-demo", "--sessions", "1", "--db", str(db_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Seeded 1 demo practice session and 2 chats" in done.stdout
    assert done.stderr == ""  # the store's INFO lines stay out of a command's output
