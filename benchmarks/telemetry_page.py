"""The Telemetry page's speed targets (issue 6), with 1,000,000 spans in the database.

- the page's first run, every chart computed from SQL (no cached results): < 1 s
- a rerun with the same filters (results cached by ``st.cache_data``): < 200 ms

"First run" is a new browser session opening the page on a warm server: a fresh
``AppTest`` each time, with every ``st.cache_data`` entry cleared, while the process
(imports, the workbench behind ``st.cache_resource``) stays warm.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.core import Result, measure
from coach.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

SPANS = 1_000_000
PAGE = "views/telemetry.py"


def _open_page() -> object:
    """A new session's first look at the Telemetry page; fails loudly if it broke."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "workbench.py"), default_timeout=60)
    at.switch_page(PAGE).run()
    if at.exception:
        raise RuntimeError(f"the telemetry page failed: {at.exception}")
    charts = len(at.get("plotly_chart"))
    if charts < 9:
        raise RuntimeError(f"the telemetry page drew {charts} charts, expected 9")
    return at


def _first_run() -> None:
    import streamlit as st

    st.cache_data.clear()
    _open_page()


def bench_telemetry_page(spans: int = SPANS) -> list[Result]:
    from tests.span_rows import seed_spans

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        # Six days, so the page's default range (the last seven) holds every span.
        seed_spans(path, spans, window=timedelta(days=6))
        logger.info(
            "seeded spans",
            extra={"spans": spans, "seconds": round(time.perf_counter() - started, 2)},
        )
        os.environ["COACH_STORE__PATH"] = str(path)
        os.environ.setdefault("COACH_LOG_LEVEL", "WARNING")  # keep the table readable
        first = measure(
            f"Telemetry page first run (no cache), {spans:,} spans", 1000, _first_run, runs=10
        )
        at = _open_page()
        rerun = measure(
            f"Telemetry page rerun (cached), {spans:,} spans",
            200,
            at.run,  # type: ignore[attr-defined]
            runs=20,
        )
        return [first, rerun]


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for result in bench_telemetry_page():
        sys.stdout.write(result.line() + "\n")
