"""The Telemetry page's speed targets (issues 6 and 13), with 5,000,000 spans, on the
DuckDB file and on PostgreSQL (``--engine postgresql``: a server the benchmark starts on
loopback, as the tests do, filled from the same seeded file).

- the page's first run, every chart computed from SQL (no cached results): < 1.5 s
- a rerun with the same filters (results cached by ``st.cache_data``): < 150 ms
- the process's peak resident memory while doing so: <= 1 GB (the spans are seeded by
  another process, so the peak is the page's own; PostgreSQL's server is not counted)

"First run" is a new browser session opening the page on a warm server: a fresh
``AppTest`` each time, with every ``st.cache_data`` entry cleared, while the process
(imports, the workbench behind ``st.cache_resource``) stays warm.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.core import Ratio, Result, measure
from coach.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

SPANS = 5_000_000
FIRST_TARGET_MS = 1500
CACHED_TARGET_MS = 150
RSS_TARGET_BYTES = 1024**3
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


def bench_telemetry_page(spans: int = SPANS, engine: str = "duckdb") -> list[Result | Ratio]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        # Six days, so the page's default range (the last seven) holds every span.
        _seed_elsewhere(path, spans)
        logger.info(
            "seeded spans",
            extra={"spans": spans, "seconds": round(time.perf_counter() - started, 2)},
        )
        os.environ.setdefault("COACH_LOG_LEVEL", "WARNING")  # keep the table readable
        if engine == "postgresql":
            with _postgres_copy_of(path, Path(folder)) as url:
                os.environ["COACH_STORE__PATH"] = str(Path(folder) / "local.duckdb")
                os.environ["COACH_STORE__URL"] = url
                try:
                    return _measure_page(spans, engine)
                finally:
                    del os.environ["COACH_STORE__URL"]
        os.environ["COACH_STORE__PATH"] = str(path)
        return _measure_page(spans, engine)


def _measure_page(spans: int, engine: str) -> list[Result | Ratio]:
    first = measure(
        f"Telemetry page first run (no cache), {spans:,} spans, {engine}",
        FIRST_TARGET_MS,
        _first_run,
        runs=5,
        warmup=1,
    )
    at = _open_page()
    rerun = measure(
        f"Telemetry page rerun (cached), {spans:,} spans, {engine}",
        CACHED_TARGET_MS,
        at.run,  # type: ignore[attr-defined]
        runs=20,
    )
    peak = _peak_rss_bytes()
    memory = Ratio(
        name=f"Telemetry page peak RSS / 1 GB, {spans:,} spans, {engine}",
        ratio=peak / RSS_TARGET_BYTES,
        target_ratio=1.0,
        measured=f"peak {peak / 1024**2:.0f} MiB",
    )
    return [first, rerun, memory]


def _seed_elsewhere(path: Path, spans: int) -> None:
    """Six days of spans (the default range, the last seven, holds them all), written by
    another process so this one's peak memory is the page's."""
    code = (
        "import sys; from datetime import timedelta; from pathlib import Path; "
        "from tests.span_rows import seed_spans; "
        "seed_spans(Path(sys.argv[1]), int(sys.argv[2]), window=timedelta(days=6))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(path), str(spans)],
        check=True,
        cwd=PROJECT_ROOT,
    )


@contextmanager
def _postgres_copy_of(path: Path, folder: Path) -> Iterator[str]:
    """A PostgreSQL server on loopback with the seeded file's spans, rollups and
    evaluations (CSV through ``COPY``); its URL."""
    from coach.settings import StoreSettings
    from coach.store.postgres_store import PostgresSessionStore
    from tests.postgres_server import fill_from_duckdb, running_postgres

    started = time.perf_counter()
    with running_postgres() as server, server.database() as url:
        PostgresSessionStore(StoreSettings(url=url)).close()  # migrated
        fill_from_duckdb(path, url, folder)
        logger.warning(
            "postgresql filled", extra={"seconds": round(time.perf_counter() - started, 1)}
        )
        yield url


def _peak_rss_bytes() -> int:
    """The process's peak resident set (VmHWM), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("duckdb", "postgresql"), default="duckdb")
    parser.add_argument("--spans", type=int, default=SPANS)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for result in bench_telemetry_page(arguments.spans, arguments.engine):
        sys.stdout.write(result.line() + "\n")
