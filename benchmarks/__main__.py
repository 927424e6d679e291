"""Run every benchmark and compare each with its target.

Usage: ``.venv/bin/python -m benchmarks [--only NAME] [--json FILE]``. Exits 1 when a
target is missed, so the command can gate a change. ``--only pause`` runs the benchmarks
whose function name contains "pause" (``concurrent``, ``through_page``, ``telemetry``...).
Ratios (``Ratio``) compare two figures measured in the same run: on a shared machine
they are what stays comparable between runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.cold_start import bench_cold_start
from benchmarks.concurrency import bench_concurrent_evaluations
from benchmarks.core import Ratio, Result
from benchmarks.experiments import bench_experiment_run
from benchmarks.practice import (
    bench_practice_page_rerun,
    bench_question_generation,
    bench_scoring,
)
from benchmarks.practice_page import bench_pause_and_search, bench_practice_through_page
from benchmarks.realtime import bench_relay_frame
from benchmarks.replicas import bench_two_replicas_throughput
from benchmarks.telemetry import bench_span_export
from benchmarks.telemetry_page import bench_telemetry_page

Outcome = Result | Ratio
BENCHMARKS: tuple[Callable[[], Outcome | list[Outcome]], ...] = (
    bench_cold_start,
    bench_question_generation,
    bench_scoring,
    bench_practice_page_rerun,
    bench_practice_through_page,
    bench_pause_and_search,
    bench_concurrent_evaluations,
    bench_two_replicas_throughput,
    bench_relay_frame,
    bench_span_export,
    bench_telemetry_page,
    bench_experiment_run,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--only", default="", help="run benchmarks whose name contains this")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results: list[Outcome] = []
    for benchmark in BENCHMARKS:
        if args.only not in benchmark.__name__:
            continue
        outcome = benchmark()
        for result in outcome if isinstance(outcome, list) else [outcome]:
            results.append(result)
            sys.stdout.write(result.line() + "\n")
            sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps([r.model_dump() for r in results], indent=2))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
