"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from pydantic import BaseModel


class Result(BaseModel):
    name: str
    target_ms: float
    runs: int
    median_ms: float
    p95_ms: float
    worst_ms: float

    @property
    def passed(self) -> bool:
        return self.p95_ms < self.target_ms

    def line(self) -> str:
        verdict = "ok  " if self.passed else "MISS"
        return (
            f"{verdict} {self.name:<58} median {self.median_ms:8.2f} ms  "
            f"p95 {self.p95_ms:8.2f} ms  (target < {self.target_ms:g} ms, {self.runs} runs)"
        )


def measure(
    name: str,
    target_ms: float,
    work: Callable[[], object],
    runs: int = 30,
    warmup: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> Result:
    """Time ``work`` ``runs`` times after ``warmup`` untimed calls; judge the p95.

    ``clock=time.process_time`` measures the CPU the work used: on a shared machine
    that is what its wall clock would be on a quiet one (single-threaded work).
    """
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(runs):
        started = clock()
        work()
        samples.append((clock() - started) * 1000)
    samples.sort()
    return Result(
        name=name,
        target_ms=target_ms,
        runs=runs,
        median_ms=statistics.median(samples),
        p95_ms=samples[max(0, round(0.95 * len(samples)) - 1)],
        worst_ms=samples[-1],
    )


class Ratio(BaseModel):
    """A figure judged against another measured in the same run (a shared, noisy machine
    slows both alike, so their ratio is what stays comparable between runs)."""

    name: str
    ratio: float
    target_ratio: float
    measured: str  # the two figures, for the reader
    higher_is_better: bool = False  # a speed-up (throughput) rather than a cost

    @property
    def passed(self) -> bool:
        if self.higher_is_better:
            return self.ratio >= self.target_ratio
        return self.ratio <= self.target_ratio

    def line(self) -> str:
        verdict = "ok  " if self.passed else "MISS"
        bound = ">=" if self.higher_is_better else "<="
        return (
            f"{verdict} {self.name:<58} {self.ratio:6.2f}x  "
            f"(target {bound} {self.target_ratio:g}x; {self.measured})"
        )


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``samples``."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered), round(share * len(ordered))) - 1)]
