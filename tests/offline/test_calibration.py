"""The calibration report: folds keep an interviewee's two interviews together, the
fit never sees the fold it is scored on, and the command prints what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.offline import calibration
from coach.offline.calibration import _grouped_folds, calibrate, main, spearman

FLUENT = (
    "I led the robotics club's move to a new build system. I interviewed the members, "
    "picked a tool we could all learn, and ran two workshops. Build time fell from an hour "
    "to ten minutes, and twice as many students shipped a robot that term."
)
HALTING = (
    "Um so uh I guess I um kind of helped with like the club and stuff, uh, you know, "
    "we did things and um it was like okay I think, uh, yeah."
)


def _write_mit(folder: Path, interviews: int = 30) -> Path:
    """A file in the MIT format: better interviews are fluent, worse ones halting."""
    rows = []
    for i in range(interviews):
        good = i % 3 != 0
        for prefix in ("p", "pp"):
            rating = (5.5 if good else 4.0) + (0.3 if prefix == "pp" else 0.0) + i / 100
            for question in (
                "Tell me about yourself.",
                "Tell me about a time you demonstrated leadership.",
            ):
                rows.append(
                    {
                        "question": question,
                        "answer": FLUENT if good else HALTING,
                        "label_or_score": rating,
                        "question_type": "leadership",
                        "participant": f"{prefix}{i + 1}",
                    }
                )
    path = folder / "mit_interview_qa_pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return folder


def test_spearman_is_rank_correlation_with_shared_ranks_for_ties() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2, 2], [1, 2, 3, 4]) == pytest.approx(0.894, abs=1e-3)


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_an_interviewees_two_interviews_always_share_a_fold(seed: int | None) -> None:
    groups = [calibration._interviewee(p) for p in ("p1", "pp1", "p2", "pp2", "p10", "pp10")]
    folds = _grouped_folds(groups, 3, seed)

    assert sorted(i for fold in folds for i in fold.tolist()) == list(range(len(groups)))
    for fold in folds:
        for i in fold:
            twin = [j for j, g in enumerate(groups) if g == groups[i]]
            assert set(twin) <= set(fold.tolist())


def test_a_seed_deals_the_interviewees_into_other_folds() -> None:
    groups = [str(i) for i in range(40)]

    dealt = [[f.tolist() for f in _grouped_folds(groups, 5, seed)] for seed in (None, 1, 2)]

    assert dealt[0] != dealt[1] != dealt[2]
    assert dealt[1] == [f.tolist() for f in _grouped_folds(groups, 5, 1)]  # repeatable


def test_the_report_measures_held_out_folds_on_a_file_in_the_mit_format(tmp_path: Path) -> None:
    report = calibrate(_write_mit(tmp_path))

    assert report.interviews == 60 and report.interviewees == 30
    assert len(report.fold_rhos) == 5
    assert [seed for seed, _, _ in report.repeats] == [1, 2, 3, 4]  # shuffled repeats
    assert report.held_out_rho > 0.5  # fluent answers are rated higher, and scored higher
    assert set(report.dimension_rhos) == {
        "relevance", "structure", "specificity", "impact", "ownership", "clarity"
    }  # fmt: skip
    text = report.render()
    assert "held out" in text and "folds:" in text and "clarity" in text
    assert "shuffled into folds" in text and "mean over all 5 splits" in text


def test_the_command_says_so_when_the_data_is_missing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--data", str(tmp_path)]) == 2
    assert "No MIT data" in capsys.readouterr().err


@pytest.mark.realdata
def test_the_mit_report_runs_on_the_real_data(realdata: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = realdata / "qa"
    if not (folder / "mit_interview_qa_pairs.jsonl").is_file():
        pytest.skip("MIT question-answer pairs absent")

    assert main(["--data", str(folder)]) == 0

    out = capsys.readouterr().out
    assert "138 interviews" in out and "69 interviewees" in out
    assert "held out" in out


def test_the_feedback_audit_counts_templates_and_checks_quotes(tmp_path: Path) -> None:
    from coach.offline.calibration import audit_feedback, load_mit

    audit = audit_feedback(load_mit(_write_mit(tmp_path, interviews=5)))

    assert audit.evaluations == 20
    assert audit.top_templates and all(0 < share <= 1 for _, share in audit.top_templates)
    assert audit.long_quotes == 0 and audit.filler_led_quotes == 0
    assert audit.unquoted_quotes == 0
    assert audit.result_asked_of_stated == 0
    assert "quotes:" in audit.render() and "p95" in audit.render()
