"""Run every benchmark and compare each with its target.

Usage: ``.venv/bin/python -m benchmarks [--json FILE]``. Exits 1 when a target is missed,
so the command can gate a change.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.cold_start import bench_cold_start
from benchmarks.core import Result
from benchmarks.experiments import bench_experiment_run
from benchmarks.practice import (
    bench_practice_page_rerun,
    bench_question_generation,
    bench_scoring,
)
from benchmarks.realtime import bench_relay_frame
from benchmarks.telemetry import bench_span_export
from benchmarks.telemetry_page import bench_telemetry_page

BENCHMARKS: tuple[Callable[[], Result | list[Result]], ...] = (
    bench_cold_start,
    bench_question_generation,
    bench_scoring,
    bench_practice_page_rerun,
    bench_relay_frame,
    bench_span_export,
    bench_telemetry_page,
    bench_experiment_run,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results: list[Result] = []
    for benchmark in BENCHMARKS:
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
