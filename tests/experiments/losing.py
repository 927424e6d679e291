"""An experiment whose variant B is clearly worse, with results written to the real
store as a run would write them (the offline judge no longer tells strict coaching
apart reliably, and a test of "a loser asks first" needs a loser it can count on)."""

from __future__ import annotations

from coach.domain import utc_now
from coach.experiments.records import PairResult
from coach.experiments.spec import parse_spec
from coach.experiments.store import build_experiment_store
from coach.services.experiments import ExperimentService
from coach.store.base import SessionStore
from coach.users import Actor


def experiment_with_a_loser(service: ExperimentService, store: SessionStore, actor: Actor) -> str:
    spec = parse_spec(
        {
            "name": "terse loses",
            "base_persona": "feedback_coach",
            "variants": [{"name": "A"}, {"name": "B", "overrides": {"tone": "curt"}}],
        }
    )
    experiment = service.create(actor, spec, service.dataset(actor, spec.dataset))
    items = build_experiment_store(store).items(experiment.id)
    results = [
        PairResult(
            experiment_id=experiment.id,
            variant=variant.name,
            item_id=item.id,
            repeat=0,
            fingerprint=variant.fingerprint,
            item_hash=item.content_hash(),
            ok=True,
            score=6.0,
            quality=(8.0 if variant.name == "A" else 5.0) + (number % 3) * 0.1,
            created_at=utc_now(),
        )
        for variant in experiment.variants
        for number, item in enumerate(items)
    ]
    build_experiment_store(store).add_results(results)
    return experiment.id
