"""The offline judge rates feedback a candidate can use above feedback they cannot, and
the report pairs items, leaves out failures and sorts disagreements first."""

from __future__ import annotations

from coach.domain import DimensionScore, EvaluationDraft, RubricDimension, new_id, utc_now
from coach.experiments.datasets import DatasetItem
from coach.experiments.judging import judge_feedback
from coach.experiments.records import Experiment, ExperimentStatus, PairResult, VariantRecord
from coach.experiments.report import build_report
from coach.experiments.spec import ExperimentSpec
from coach.experiments.variants import Variant
from coach.personas import Persona, PersonaRole

ITEM = DatasetItem(
    id="i1",
    question="Tell me about a time you cut costs.",
    answer=(
        "At Northwind I audited our cloud invoices, found idle staging clusters and moved "
        "batch jobs to spot instances, which cut the monthly bill from 80k to 52k dollars."
    ),
    reference_score=8,
)


def evaluation(overall: float, **fields: object) -> EvaluationDraft:
    return EvaluationDraft.model_validate(
        {
            "overall": overall,
            "headline": "A specific answer with a measured result.",
            "dimensions": [DimensionScore(dimension=d, score=7) for d in RubricDimension],
            **fields,
        }
    )


USEFUL = evaluation(
    8,
    strengths=["You quantified it: the bill fell from 80k to 52k after the spot instances."],
    improvements=["Name who approved the move to spot instances and how you handled risk."],
    example_answer="At Northwind I audited...",
)
USELESS = evaluation(3, strengths=["Good."], improvements=[], example_answer="")


def test_useful_feedback_outrates_useless_feedback_on_every_rule() -> None:
    good, bad = judge_feedback(ITEM, USEFUL), judge_feedback(ITEM, USELESS)
    assert good.quality > bad.quality + 4
    for dimension in ("calibration", "specificity", "actionability", "completeness"):
        assert good.dimensions[dimension] > bad.dimensions[dimension], dimension
    assert good.dimensions["calibration"] == 10 and bad.dimensions["calibration"] == 0


def test_calibration_is_rated_only_against_a_reference() -> None:
    unrated = ITEM.model_copy(update={"reference_score": None})
    assert "calibration" not in judge_feedback(unrated, USEFUL).dimensions


def result(variant: str, item_id: str, quality: float | None, *, ok: bool = True) -> PairResult:
    return PairResult(
        experiment_id="e",
        variant=variant,
        item_id=item_id,
        repeat=0,
        fingerprint=variant,
        item_hash=item_id,
        ok=ok,
        score=quality,
        quality=quality,
        quality_dimensions={"specificity": quality} if quality is not None else {},
        rubric={"impact": quality} if quality is not None else {},
        error="" if ok else "The model server timed out.",
        latency_ms=100 if variant == "A" else 150,
        created_at=utc_now(),
    )


def experiment(items: int) -> Experiment:
    base = Persona(name="f", role=PersonaRole.FEEDBACK, prompt="p")
    spec = ExperimentSpec(
        name="x", base_persona="f", variants=(Variant(name="A"), Variant(name="B"))
    )
    return Experiment(
        id=new_id(),
        name="x",
        base_persona="f",
        spec=spec,
        variants=tuple(
            VariantRecord(name=v, position=i, overrides={}, persona=base, fingerprint=v)
            for i, v in enumerate("AB")
        ),
        dataset_name="d",
        dataset_source="file",
        item_count=items,
        repeats=1,
        judge="offline",
        provider="p",
        status=ExperimentStatus.FINISHED,
        created_at=utc_now(),
        updated_at=utc_now(),
    )


def test_the_report_pairs_items_and_sorts_disagreements_first() -> None:
    items = [DatasetItem(id=f"i{n}", question="q", answer="a") for n in range(4)]
    results = [
        result("A", "i0", 5), result("B", "i0", 6),
        result("A", "i1", 5), result("B", "i1", 9),
        result("A", "i2", 5), result("B", "i2", None, ok=False),
        result("A", "i3", 5), result("B", "i3", 5.5),
    ]  # fmt: skip
    report = build_report(experiment(4), items, results)
    (comparison,) = report.comparisons
    assert comparison.unpaired == 1, "the failed item is left out of the paired statistics"
    assert comparison.quality is not None and comparison.quality.items == 3
    assert comparison.quality.wins == 3
    assert [row.item_id for row in comparison.rows][:2] == ["i1", "i0"]
    assert comparison.rows[-1].variant_error == "The model server timed out."
    assert comparison.latency is not None and comparison.latency.mean_difference == 50
    dims = {(d.source, d.dimension): d.difference for d in comparison.dimensions}
    assert dims[("judge", "specificity")] > 0 and ("rubric", "impact") in dims
    a, b = report.summaries
    assert (a.failed, b.failed) == (0, 1)
    assert report.complete and "B" in report.verdict


def test_an_experiment_without_results_says_so() -> None:
    report = build_report(experiment(2), [], [])
    assert not report.complete
    assert report.verdict == "No results to compare yet: run the experiment."
