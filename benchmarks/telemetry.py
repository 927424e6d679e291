"""Tracing's cost (issue 6): < 50 µs per span, amortized, caller and writer together.

Two costs add up to what a span costs the workbench:

- on the calling thread: starting a span with the attributes the team and providers
  set, and ending it into the ``BatchSpanProcessor`` queue (the real ``Telemetry``,
  with its DuckDB exporter running in the background, as in the app);
- on the exporter's thread: mapping a batch of finished spans to rows and writing them
  in one INSERT through the store's lease, which reopens the file for each batch
  because the store releases it when idle (so notebooks can read it).

Each run makes one batch of realistic turns (turn, two agents, two model calls, three
store writes per turn), times both sides and reports their sum per span.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from benchmarks.core import Result
from coach.domain import QuestionDraft, QuestionType
from coach.providers.base import ModelSettings, ProviderRequest
from coach.settings import StoreSettings, TelemetrySettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.tasks import EvaluateAnswer
from coach.telemetry import DuckDBSpanExporter, Telemetry
from coach.telemetry import attributes as names

log = logging.getLogger(__name__)

TARGET_US = 50
SPANS_PER_TURN = 8
_REQUEST = ProviderRequest(
    agent="feedback",
    persona="feedback_coach",
    system_prompt="You are a coach.",
    task=EvaluateAnswer(
        question=QuestionDraft(text="Tell me about a conflict.", type=QuestionType.BEHAVIOURAL),
        answer="I listened first.",
    ),
    settings=ModelSettings(model="gpt-4o-mini", temperature=0.2, max_tokens=1200),
)
_CHAT_ATTRIBUTES = {
    names.OPERATION: names.OPERATION_CHAT,
    names.PROVIDER: "openai",
    names.REQUEST_MODEL: "gpt-4o-mini",
    names.TEMPERATURE: 0.2,
    names.MAX_TOKENS: 1200,
    names.AGENT: "feedback",
    names.PERSONA: "feedback_coach",
    names.TASK: "evaluate_answer",
    names.FALLBACK: False,
}
_STORE_ATTRIBUTES = {
    names.COACH_OPERATION: names.OPERATION_STORE,
    names.DB_SYSTEM: "duckdb",
    names.DB_OPERATION: "add_answer",
}


def _turns(telemetry: Telemetry, turns: int) -> None:
    """``turns`` turns' worth of spans, with the attributes the real code sets."""
    tracer = telemetry.tracer
    for number in range(turns):
        with telemetry.turn("answer_and_evaluate", session_id=f"session-{number}") as turn:
            turn.set_attribute(names.PERSONA, "primary_coach")
            for _ in range(2):
                with telemetry.invoke_agent(
                    _REQUEST, agent_name="feedback_coach", team="interview"
                ) as call:
                    call.queued(0.01)
                    with tracer.start_as_current_span(
                        "chat gpt-4o-mini", attributes=_CHAT_ATTRIBUTES
                    ) as chat:
                        chat.set_attributes(
                            {
                                names.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18",
                                names.INPUT_TOKENS: 812,
                                names.OUTPUT_TOKENS: 240,
                            }
                        )
                    call.span.set_attributes(
                        {
                            names.PROVIDER: "openai",
                            names.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18",
                            names.FALLBACK: False,
                            names.SCORE: 7.5,
                        }
                    )
            for _ in range(3):
                with tracer.start_as_current_span("store add_answer", attributes=_STORE_ATTRIBUTES):
                    pass


def _finished_spans(turns: int) -> Sequence[ReadableSpan]:
    """The same spans, finished and kept in memory, for timing the writer alone."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    _turns(Telemetry(provider.get_tracer("coach")), turns)
    return memory.get_finished_spans()


def bench_span_export(runs: int = 30, batch: int = 512) -> Result:
    """Caller-side cost plus amortized write cost per span; gated at 50 µs."""
    turns = batch // SPANS_PER_TURN
    spans = turns * SPANS_PER_TURN
    caller_us: list[float] = []
    writer_us: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = DuckDBSessionStore(
            StoreSettings(path=Path(folder) / "bench.duckdb", idle_release_seconds=0)
        )
        telemetry = Telemetry.for_store(
            TelemetrySettings(max_export_batch_size=batch, schedule_delay_ms=200), store
        )
        exporter = DuckDBSpanExporter(store)
        finished = _finished_spans(turns)
        with store.transaction():
            pass  # the schema exists before anything is timed
        for run in range(runs + 3):
            started = time.perf_counter()
            _turns(telemetry, turns)
            caller = (time.perf_counter() - started) / spans * 1e6
            telemetry.force_flush()  # the background writes stay out of the next run
            started = time.perf_counter()
            if not exporter.export(finished).name == "SUCCESS":
                raise RuntimeError("the DuckDB exporter failed")
            writer = (time.perf_counter() - started) / spans * 1e6
            _forget(store)
            if run >= 3:  # warm-up
                caller_us.append(caller)
                writer_us.append(writer)
        telemetry.shutdown()
        store.close()
    totals = sorted(c + w for c, w in zip(caller_us, writer_us, strict=True))
    log.info(
        "span export",
        extra={
            "caller_us_median": round(statistics.median(caller_us), 1),
            "writer_us_median": round(statistics.median(writer_us), 1),
            "batch": spans,
        },
    )
    return Result(
        name=(
            f"span: caller {statistics.median(caller_us):.1f} µs + write "
            f"{statistics.median(writer_us):.1f} µs ({spans}/batch)"
        ),
        target_ms=TARGET_US / 1000,
        runs=len(totals),
        median_ms=statistics.median(totals) / 1000,
        p95_ms=totals[max(0, round(0.95 * len(totals)) - 1)] / 1000,
        worst_ms=totals[-1] / 1000,
    )


def _forget(store: DuckDBSessionStore) -> None:
    """Empty the table so every run writes the same spans into the same size of table."""
    with store.transaction() as db:
        db.execute("DELETE FROM spans")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.stdout.write(bench_span_export().line() + "\n")
