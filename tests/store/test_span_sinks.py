"""Span sinks and the Telemetry queries on both engines: the same spans written through
DuckDB's sink and PostgreSQL's give the same charts, and the rollups each sink keeps
agree with the spans they summarise."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coach import analytics, analytics_rollups
from coach.analytics import SpanFilter
from coach.domain import (
    Attribution,
    DimensionScore,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.services.telemetry import TelemetryService
from coach.settings import StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore, SqlSessionStore
from coach.store.postgres_spans import PostgresSpanSink
from coach.store.postgres_store import PostgresSessionStore
from coach.store.rollups import rollup_sql
from coach.store.spans import DuckDBSpanSink, SpanRow
from coach.users import Actor
from tests.postgres_server import PostgresServer

LOCAL_USER = Actor.local()
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HOURS = 3
DAY = SpanFilter(start=T0 - timedelta(hours=9), end=T0 + timedelta(hours=15))
FILTERS = [
    DAY,
    DAY.model_copy(update={"agents": ("feedback",)}),
    DAY.model_copy(update={"variants": ("B",), "providers": ("offline",)}),
    SpanFilter(start=T0 + timedelta(hours=1), end=T0 + timedelta(hours=2)),
]
AGENTS = ("primary", "feedback", "summary")


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000


def generated_rows(turns: int = 900, seed: int = 7) -> list[SpanRow]:
    """Turns spread over three hours: a root span, then an agent call and the model call
    beneath it, twice; long-tailed latencies, some errors, fallbacks, experiment runs."""
    draw = random.Random(seed)
    rows = []
    for turn in range(turns):
        start = T0 + timedelta(seconds=turn * HOURS * 3600 / turns)
        trace = f"trace-{turn:05d}"
        variant = draw.choice(("A", "B"))
        persona = draw.choice(("primary_coach", "strict"))
        team = "experiment e1" if turn % 10 == 0 else "interview"
        attributes = f'{{"coach.team":"{team}"}}'
        root = _row(
            f"{trace}-root",
            trace,
            None,
            "turn answer_and_evaluate",
            start,
            2400 + 900 * draw.random() ** 3,
            operation="turn",
            persona=persona,
            variant=variant,
            attributes=attributes,
        )
        rows.append(root)
        for call in range(2):
            agent = AGENTS[(turn + call) % len(AGENTS)]
            provider = draw.choice(("openai", "offline"))
            model = "gpt-4o-mini" if provider == "openai" else "offline-coach"
            queue = 30 * draw.random() ** 2
            latency = 150 + 900 * draw.random() ** 3
            agent_start = start + timedelta(milliseconds=1200 * call)
            common: dict[str, Any] = dict(
                persona=persona,
                variant=variant,
                provider=provider,
                request_model=model,
                agent=agent,
                attributes=attributes,
            )
            failed = draw.random() > 0.95
            rows.append(
                _row(
                    f"{trace}-agent-{call}",
                    trace,
                    root.span_id,
                    f"invoke_agent {agent}",
                    agent_start,
                    queue + latency + 5,
                    operation="invoke_agent",
                    queue_ms=queue,
                    fallback=failed,
                    score=round(3 + 6 * draw.random(), 1) if agent == "feedback" else None,
                    **common,
                )
            )
            rows.append(
                _row(
                    f"{trace}-chat-{call}",
                    trace,
                    f"{trace}-agent-{call}",
                    f"chat {model}",
                    agent_start + timedelta(milliseconds=queue),
                    latency,
                    operation="chat",
                    status="error" if failed else "ok",
                    ttft_ms=latency * (0.2 + 0.2 * draw.random()),
                    input_tokens=300 + draw.randrange(2500),
                    output_tokens=40 + draw.randrange(600),
                    **common,
                )
            )
    return rows


def _row(
    span_id: str,
    trace_id: str,
    parent: str | None,
    name: str,
    start: datetime,
    duration_ms: float,
    *,
    operation: str,
    status: str = "ok",
    **fields: Any,
) -> SpanRow:
    values: dict[str, Any] = dict.fromkeys(SpanRow._fields)
    values.update(
        span_id=span_id,
        trace_id=trace_id,
        parent_span_id=parent,
        name=name,
        start_time_ns=_ns(start),
        end_time_ns=_ns(start) + int(duration_ms * 1e6),
        duration_ms=duration_ms,
        status=status,
        operation=operation,
        demo=False,
        attributes="{}",
    )
    values.update(fields)
    return SpanRow(**values)


def write(sink: DuckDBSpanSink | PostgresSpanSink, rows: list[SpanRow]) -> None:
    """In batches of the exporter's size, so buckets are upserted across batches."""
    for start in range(0, len(rows), 512):
        assert sink.write(rows[start : start + 512]) == len(rows[start : start + 512])


def score(store: SqlSessionStore) -> None:
    """Three evaluations, so the score charts have something to compare."""
    session = store.create_session(LOCAL_USER, "Scores", persona="primary_coach")
    draft = QuestionDraft(text="Why us?", type=QuestionType.BEHAVIOURAL)
    questions = store.add_questions(LOCAL_USER, session.id, [draft] * 3)
    for question, overall in zip(questions, (7.5, 7.9, 3.0), strict=True):
        answer = store.add_answer(LOCAL_USER, session.id, question.id, "Because.")
        store.add_evaluation(
            LOCAL_USER,
            answer.id,
            EvaluationDraft(
                overall=overall,
                headline="ok",
                dimensions=[DimensionScore(dimension=RubricDimension.CLARITY, score=int(overall))],
                attribution=Attribution(
                    agent="feedback", persona="strict", provider="x", model="y"
                ),
            ),
        )


@pytest.fixture(scope="module")
def rows() -> list[SpanRow]:
    return generated_rows()


@pytest.fixture
def duck(tmp_path: Path, rows: list[SpanRow]) -> Iterator[DuckDBSessionStore]:
    with DuckDBSessionStore(StoreSettings(path=tmp_path / "spans.duckdb")) as store:
        write(DuckDBSpanSink(store), rows)
        score(store)
        yield store


@pytest.fixture
def postgres(
    postgres_server: PostgresServer, rows: list[SpanRow]
) -> Iterator[PostgresSessionStore]:
    with postgres_server.database() as url, PostgresSessionStore(StoreSettings(url=url)) as store:
        write(PostgresSpanSink(store), rows)
        score(store)
        yield store


def test_a_sinks_rollups_are_what_sql_over_its_spans_gives(
    duck: DuckDBSessionStore, tmp_path: Path
) -> None:
    """The sink sums batches in Python; the migration and seeding scripts in SQL. Both
    must write the same rows, or the page would change with how spans arrived."""
    tables = ("span_rollups", "span_latency_bins")
    from_sink = {table: sorted(duck.query(f"SELECT * FROM {table}")) for table in tables}
    duck.close()
    with duckdb.connect(str(tmp_path / "spans.duckdb")) as db:
        db.execute("DELETE FROM span_rollups")
        db.execute("DELETE FROM span_latency_bins")
        for statement in rollup_sql("spans"):
            db.execute(statement)
        from_sql = {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall()) for table in tables
        }

    assert from_sink["span_rollups"] and same(from_sink, from_sql)  # score sums: float order


def test_postgresql_gives_the_same_telemetry_as_duckdb(
    duck: DuckDBSessionStore, postgres: PostgresSessionStore, rows: list[SpanRow]
) -> None:
    assert analytics.overview(duck).spans == len(rows)
    assert same(analytics.overview(postgres), analytics.overview(duck))
    assert same(
        analytics.filter_options(postgres, DAY.start, DAY.end),
        analytics.filter_options(duck, DAY.start, DAY.end),
    )
    assert same(analytics.filter_options(postgres), analytics.filter_options(duck))
    quarter = timedelta(minutes=15)
    for span_filter in FILTERS:
        for chart in (
            analytics.latency_by_agent,
            analytics.latency_and_scores_by_variant,
            analytics.slowest_turns,
            analytics.score_distribution_by_persona,
            analytics.score_distribution_by_dimension,
        ):
            assert same(chart(postgres, span_filter), chart(duck, span_filter)), chart
        assert same(
            analytics.time_series(postgres, span_filter, quarter),
            analytics.time_series(duck, span_filter, quarter),
        )
        for width in (900, 3600):
            bucket = timedelta(seconds=width)
            assert same(
                analytics_rollups.time_series(postgres, span_filter, bucket, width),
                analytics_rollups.time_series(duck, span_filter, bucket, width),
            )
            for rolled in (
                analytics_rollups.latency_by_agent,
                analytics_rollups.latency_and_scores_by_variant,
            ):
                assert same(rolled(postgres, span_filter, width), rolled(duck, span_filter, width))
    trace = analytics.slowest_turns(duck, DAY)[0].trace_id
    assert same(analytics.waterfall(postgres, trace), analytics.waterfall(duck, trace))
    exclude = {"computed_at", "seconds"}
    assert same(
        TelemetryService(postgres).dashboard(DAY).model_dump(exclude=exclude),
        TelemetryService(duck).dashboard(DAY).model_dump(exclude=exclude),
    )


def test_rollup_charts_match_the_exact_ones_within_the_stated_bound(
    duck: DuckDBSessionStore,
) -> None:
    """Counts, rates, tokens and scores are exact; percentiles within 9% (a bin's half
    width in ratio: bins are 2^(1/4) wide and report their geometric middle)."""
    for span_filter in FILTERS:
        exact = analytics.time_series(duck, span_filter, timedelta(hours=1))
        rolled = analytics_rollups.time_series(duck, span_filter, timedelta(hours=1), 3600)
        assert len(rolled.points) == len(exact.points)
        for mine, truth in zip(
            [*rolled.points, rolled.total], [*exact.points, exact.total], strict=True
        ):
            assert mine is not None and truth is not None
            assert (mine.bucket, mine.agent_calls, mine.model_calls) == (
                truth.bucket,
                truth.agent_calls,
                truth.model_calls,
            )
            for rate in ("error_rate", "fallback_rate", "input_tokens", "output_tokens"):
                assert getattr(mine, rate) == pytest.approx(getattr(truth, rate))
            for name in (
                "latency_p50_ms",
                "latency_p95_ms",
                "latency_p99_ms",
                "queue_p95_ms",
                "ttft_p50_ms",
                "ttft_p95_ms",
            ):
                value, expected = getattr(mine, name), getattr(truth, name)
                if expected is not None and expected >= 1:
                    assert value == pytest.approx(expected, rel=0.091), name
        exact_agents = analytics.latency_by_agent(duck, span_filter)
        rolled_agents = analytics_rollups.latency_by_agent(duck, span_filter, 900)
        assert {(a.agent, a.calls, round(a.error_rate, 9)) for a in rolled_agents} == {
            (a.agent, a.calls, round(a.error_rate, 9)) for a in exact_agents
        }
        for mine_agent, truth_agent in zip(
            sorted(rolled_agents, key=lambda a: a.agent),
            sorted(exact_agents, key=lambda a: a.agent),
            strict=True,
        ):
            assert mine_agent.p95_ms == pytest.approx(truth_agent.p95_ms, rel=0.091)
        exact_variants = analytics.latency_and_scores_by_variant(duck, span_filter)
        rolled_variants = analytics_rollups.latency_and_scores_by_variant(duck, span_filter, 900)
        assert [(v.variant, v.source, v.calls) for v in rolled_variants] == [
            (v.variant, v.source, v.calls) for v in exact_variants
        ]
        assert {v.source for v in exact_variants} == {"live", "experiment"}
        for mine_variant, truth_variant in zip(rolled_variants, exact_variants, strict=True):
            assert mine_variant.mean_score == pytest.approx(truth_variant.mean_score)
            assert mine_variant.fallback_rate == pytest.approx(truth_variant.fallback_rate)
            assert mine_variant.p50_ms == pytest.approx(truth_variant.p50_ms, rel=0.091)


def same(mine: Any, theirs: Any) -> bool:
    """Models (or lists of them) equal field by field, floats within 1e-9 (the engines
    sum and interpolate in their own order)."""
    return bool(_plain(mine) == _approx(_plain(theirs)))


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _approx(value: Any) -> Any:
    if isinstance(value, list):
        return [_approx(item) for item in value]
    if isinstance(value, dict):
        return {key: _approx(item) for key, item in value.items()}
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9)
    return value
