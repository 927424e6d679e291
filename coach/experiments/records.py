"""What an experiment stores: the experiment with its exact variants, and one result per
(variant, item, repeat) pair, failures and fallbacks included."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from coach.domain import EvaluationDraft
from coach.experiments.spec import ExperimentSpec
from coach.experiments.variants import PersonaOverrides
from coach.personas import Persona

__all__ = [
    "Experiment",
    "ExperimentStatus",
    "PairKey",
    "PairResult",
    "Progress",
    "VariantRecord",
]


class ExperimentStatus(StrEnum):
    READY = "ready"  # created, nothing run yet
    RUNNING = "running"
    CANCELLED = "cancelled"  # stopped by a person; resumable
    INTERRUPTED = "interrupted"  # the process stopped mid-run; resumable
    FINISHED = "finished"
    FAILED = "failed"  # the run itself broke (not single pairs); resumable


class VariantRecord(BaseModel):
    """A variant as it ran: the persona it produced, not just its overrides."""

    model_config = ConfigDict(frozen=True)

    name: str
    position: int
    overrides: PersonaOverrides
    persona: Persona
    fingerprint: str


class Experiment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    base_persona: str
    spec: ExperimentSpec
    variants: tuple[VariantRecord, ...]
    dataset_name: str
    dataset_source: str
    item_count: int
    repeats: int
    judge: str
    provider: str
    status: ExperimentStatus
    message: str = ""
    runner: str = ""  # "host:pid" of the process that last ran it
    created_at: datetime
    updated_at: datetime

    @property
    def control(self) -> VariantRecord:
        return self.variants[0]

    @property
    def pairs_total(self) -> int:
        return len(self.variants) * self.item_count * self.repeats

    def variant(self, name: str) -> VariantRecord | None:
        return next((v for v in self.variants if v.name == name), None)


class PairKey(NamedTuple):
    variant: str
    item_id: str
    repeat: int


class PairResult(BaseModel):
    """One variant's output for one item (one repeat), and how it was judged."""

    model_config = ConfigDict(frozen=True)

    experiment_id: str
    variant: str
    item_id: str
    repeat: int
    fingerprint: str
    item_hash: str
    ok: bool
    score: float | None = None  # the variant's overall score of the answer
    quality: float | None = None  # the judge's rating of the variant's feedback
    quality_dimensions: dict[str, float] = Field(default_factory=dict)
    rubric: dict[str, float] = Field(default_factory=dict)  # the variant's dimension scores
    output: EvaluationDraft | None = None
    error: str = ""
    fallback: bool = False
    notice: str = ""
    latency_ms: float = 0.0
    queue_ms: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached: bool = False
    judge: str = ""
    created_at: datetime

    @property
    def key(self) -> PairKey:
        return PairKey(self.variant, self.item_id, self.repeat)


class Progress(BaseModel):
    """A run's progress, as the page's progress bar and the CLI's show it."""

    model_config = ConfigDict(frozen=True)

    experiment_id: str
    total: int
    done: int = 0  # stored results, from earlier runs and cache hits included
    cached: int = 0
    failed: int = 0
    fallbacks: int = 0
    status: ExperimentStatus = ExperimentStatus.RUNNING
    message: str = ""
    elapsed_seconds: float = 0.0

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def finished(self) -> bool:
        return self.status is not ExperimentStatus.RUNNING
