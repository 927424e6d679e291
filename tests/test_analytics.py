"""Telemetry aggregation on a real DuckDB file with hand-made spans of known durations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coach import analytics
from coach.analytics import SpanFilter
from coach.domain import (
    Attribution,
    DimensionScore,
    EvaluationDraft,
    QuestionDraft,
    QuestionType,
    RubricDimension,
)
from coach.errors import CoachError
from coach.services.telemetry import TelemetryService, TimeRange
from coach.settings import StoreSettings
from coach.store.duckdb_store import DuckDBSessionStore
from coach.users import Actor
from tests.span_rows import AGENTS, SpanRow, insert_spans, seed_spans

LOCAL_USER = Actor.local()

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
WEEK = SpanFilter(start=T0 - timedelta(days=1), end=T0 + timedelta(days=6))


@pytest.fixture
def store(db_path: Path) -> Iterator[DuckDBSessionStore]:
    with DuckDBSessionStore(StoreSettings(path=db_path, idle_release_seconds=0)) as store:
        yield store


def calls(
    count: int, *, agent: str, start: datetime, trace: str, **fields: object
) -> list[SpanRow]:
    """``count`` agent calls one second apart lasting 0, 1, 2, ... ms, each with its
    model call beneath it (same duration, first token at half of it)."""
    rows = []
    for n in range(count):
        agent_call = SpanRow(
            span_id=f"{trace}-{agent}-{n}",
            trace_id=trace,
            parent_span_id=f"{trace}-root",
            start_time=start + timedelta(seconds=n),
            duration_ms=float(n),
            agent=agent,
            queue_ms=float(n) / 10,
            **fields,  # type: ignore[arg-type]
        )
        model_call = agent_call.model_copy(
            update={
                "span_id": f"{agent_call.span_id}-chat",
                "parent_span_id": agent_call.span_id,
                "name": "chat",
                "operation": "chat",
                "queue_ms": None,
                "ttft_ms": float(n) / 2,
                "input_tokens": 100 + n,
                "output_tokens": 10,
            }
        )
        rows += [agent_call, model_call]
    return rows


def root(trace: str, start: datetime, duration_ms: float, **fields: object) -> SpanRow:
    return SpanRow(
        span_id=f"{trace}-root",
        trace_id=trace,
        name="turn answer_and_evaluate",
        start_time=start,
        duration_ms=duration_ms,
        operation="turn",
        agent=None,
        provider=None,
        request_model=None,
        **fields,  # type: ignore[arg-type]
    )


def changed(rows: list[SpanRow], span_id: str, **update: object) -> None:
    index = next(i for i, row in enumerate(rows) if row.span_id == span_id)
    rows[index] = rows[index].model_copy(update=update)


@pytest.fixture
def known(db_path: Path) -> Path:
    """Hour 9: 101 coach calls of 0..100 ms. Hour 10: 11 writer calls of 0..10 ms, of
    which two model calls failed and one agent call was answered by the fallback."""
    rows = [
        root("t1", T0, 5_000.0, persona="primary_coach", variant="A"),
        *calls(101, agent="primary_coach", start=T0, trace="t1", variant="A"),
        root("t2", T0 + timedelta(hours=1), 900.0, persona="strict", variant="B"),
        *calls(
            11,
            agent="question_writer",
            start=T0 + timedelta(hours=1),
            trace="t2",
            persona="strict",
            variant="B",
            provider="offline",
            request_model="offline-coach",
        ),
    ]
    changed(rows, "t2-question_writer-9-chat", status="error")
    changed(rows, "t2-question_writer-10-chat", status="error")
    changed(rows, "t2-question_writer-10", fallback=True)
    insert_spans(db_path, rows)
    return db_path


def test_percentiles_per_hour_are_exact_on_known_durations(
    known: Path, store: DuckDBSessionStore
) -> None:
    series = analytics.time_series(store, WEEK, timedelta(hours=1))

    first, second = series.points
    assert first.bucket == T0 and second.bucket == T0 + timedelta(hours=1)
    assert (
        first.agent_calls,
        first.latency_p50_ms,
        first.latency_p95_ms,
        first.latency_p99_ms,
    ) == (101, 50.0, 95.0, 99.0)
    assert first.queue_p50_ms == pytest.approx(5.0) and first.ttft_p95_ms == pytest.approx(47.5)
    assert first.input_tokens == pytest.approx(150.0) and first.error_rate == 0.0
    assert second.latency_p50_ms == 5.0 and second.error_rate == pytest.approx(2 / 11)
    assert second.fallback_rate == pytest.approx(1 / 11)
    # Turns are neither agent nor model calls.
    assert series.total is not None
    assert (series.total.agent_calls, series.total.model_calls) == (112, 112)


def test_latency_by_agent_ranks_the_slowest_first(known: Path, store: DuckDBSessionStore) -> None:
    agents = analytics.latency_by_agent(store, WEEK)

    assert [(a.agent, a.calls, a.p50_ms, a.p99_ms) for a in agents] == [
        ("primary_coach", 101, 50.0, 99.0),
        ("question_writer", 11, 5.0, pytest.approx(9.9)),
    ]


def test_filters_change_the_results(known: Path, store: DuckDBSessionStore) -> None:
    writer = SpanFilter(start=WEEK.start, end=WEEK.end, agents=("question_writer",))
    variant_a = SpanFilter(start=WEEK.start, end=WEEK.end, variants=("A",))
    offline = SpanFilter(providers=("offline",), models=("offline-coach",))
    first_hour = SpanFilter(start=T0, end=T0 + timedelta(hours=1))

    writer_points = analytics.time_series(store, writer, timedelta(hours=1)).points
    assert [p.agent_calls for p in writer_points] == [11]
    assert [a.agent for a in analytics.latency_by_agent(store, variant_a)] == ["primary_coach"]
    assert [a.agent for a in analytics.latency_by_agent(store, offline)] == ["question_writer"]
    assert [
        p.agent_calls for p in analytics.time_series(store, first_hour, timedelta(hours=1)).points
    ] == [101]
    # A turn matches when any span of its trace does: the writer's calls sit under t2.
    assert [t.trace_id for t in analytics.slowest_turns(store, writer)] == ["t2"]


def test_slowest_turns_are_root_spans_longest_first(known: Path, store: DuckDBSessionStore) -> None:
    turns = analytics.slowest_turns(store, WEEK)

    assert [(t.trace_id, t.duration_ms, t.spans) for t in turns] == [
        ("t1", 5_000.0, 203),
        ("t2", 900.0, 23),
    ]
    assert analytics.slowest_turns(store, WEEK, limit=1)[0].trace_id == "t1"


def test_waterfall_offsets_from_the_trace_start_with_depth(
    db_path: Path, store: DuckDBSessionStore
) -> None:
    start = T0 + timedelta(minutes=5)
    insert_spans(
        db_path,
        [
            SpanRow(
                span_id="call-2",
                trace_id="w",
                parent_span_id="agent",
                start_time=start + timedelta(milliseconds=250),
                duration_ms=100,
            ),
            root("w", start, 1_000.0),
            SpanRow(
                span_id="agent",
                trace_id="w",
                parent_span_id="w-root",
                name="invoke_agent",
                start_time=start + timedelta(milliseconds=50),
                duration_ms=500,
            ),
            SpanRow(span_id="other", trace_id="x", start_time=start, duration_ms=5),
        ],
    )

    spans = analytics.waterfall(store, "w")

    assert [(s.span_id, s.depth, s.offset_ms, s.duration_ms) for s in spans] == [
        ("w-root", 0, 0.0, 1_000.0),
        ("agent", 1, 50.0, 500.0),
        ("call-2", 2, 250.0, 100.0),
    ]
    assert analytics.waterfall(store, "missing") == []


def test_filter_options_list_each_value_once_within_the_range(
    known: Path, store: DuckDBSessionStore
) -> None:
    everything = analytics.filter_options(store)
    last_hour = analytics.filter_options(store, T0 + timedelta(hours=1), T0 + timedelta(hours=2))

    assert everything.agents == ["primary_coach", "question_writer"]
    assert everything.personas == ["primary_coach", "strict"]
    assert everything.models == ["gpt-4o-mini", "offline-coach"]
    assert last_hour.agents == ["question_writer"] and last_hour.variants == ["B"]


def test_score_distributions_by_persona_and_dimension(store: DuckDBSessionStore) -> None:
    session = store.create_session(LOCAL_USER, "Scores", persona="primary_coach")
    draft = QuestionDraft(text="Why us?", type=QuestionType.BEHAVIOURAL)
    questions = store.add_questions(LOCAL_USER, session.id, [draft] * 3)
    for question, overall, persona in zip(
        questions, (7.5, 7.9, 3.0), ("strict", "strict", None), strict=True
    ):
        answer = store.add_answer(LOCAL_USER, session.id, question.id, "Because.")
        store.add_evaluation(
            LOCAL_USER,
            answer.id,
            EvaluationDraft(
                overall=overall,
                headline="ok",
                dimensions=[
                    DimensionScore(dimension=RubricDimension.CLARITY, score=int(overall)),
                    DimensionScore(dimension=RubricDimension.IMPACT, score=4),
                ],
                attribution=None
                if persona is None
                else Attribution(agent="feedback_coach", persona=persona, provider="x", model="y"),
            ),
        )

    by_persona = analytics.score_distribution_by_persona(store, SpanFilter())
    by_dimension = analytics.score_distribution_by_dimension(store, SpanFilter())
    strict_only = analytics.score_distribution_by_dimension(store, SpanFilter(personas=("strict",)))

    # The unattributed evaluation falls back to the session's persona.
    assert [(b.group, b.score, b.count) for b in by_persona] == [
        ("primary_coach", 3, 1),
        ("strict", 7, 2),
    ]
    assert [(b.group, b.score, b.count) for b in by_dimension] == [
        ("clarity", 3, 1),
        ("clarity", 7, 2),
        ("impact", 4, 3),
    ]
    assert [(b.group, b.score, b.count) for b in strict_only] == [
        ("clarity", 7, 2),
        ("impact", 4, 2),
    ]


def test_an_empty_database_gives_empty_results(store: DuckDBSessionStore) -> None:
    assert analytics.overview(store).spans == 0
    assert analytics.filter_options(store) == analytics.FilterOptions()
    series = analytics.time_series(store, WEEK, timedelta(hours=1))
    assert series.points == [] and series.total is None
    assert analytics.latency_by_agent(store, WEEK) == []
    assert analytics.slowest_turns(store, SpanFilter(agents=("x",))) == []
    assert analytics.score_distribution_by_persona(store, WEEK) == []
    assert analytics.score_distribution_by_dimension(store, SpanFilter(variants=("A",))) == []
    assert TelemetryService(store).dashboard(SpanFilter()).is_empty


def test_queries_release_the_file_and_cannot_write(store: DuckDBSessionStore) -> None:
    store.query(
        "INSERT INTO spans (span_id, trace_id, name, start_time, end_time, duration_ms, "
        "status, attributes) VALUES ('s', 't', 'n', now(), now(), 1, 'ok', '{}')"
    )

    assert analytics.overview(store).spans == 0  # rolled back
    assert not store.is_open  # idle_release_seconds=0: released after every query


def test_buckets_keep_charts_readable() -> None:
    assert analytics.bucket_for(T0, T0 + timedelta(hours=1)) == timedelta(minutes=1)
    assert analytics.bucket_for(T0, T0 + timedelta(days=1)) == timedelta(minutes=15)
    assert analytics.bucket_for(T0, T0 + timedelta(days=7)) == timedelta(hours=1)
    assert analytics.bucket_for(T0, T0 + timedelta(days=365)) == timedelta(days=7)


def test_relative_ranges_are_stable_for_a_whole_chart_bucket(store: DuckDBSessionStore) -> None:
    """A minute passing must not change the filter (the page's cache key), or the page
    would recompute everything once a minute: the range ends at the next bucket boundary."""
    moments = iter(
        [
            T0 + timedelta(seconds=1),
            T0 + timedelta(minutes=14, seconds=59),  # same 15-minute bucket of a day
            T0 + timedelta(seconds=1),
            T0 + timedelta(minutes=59),  # same hour: the bucket of a week
            T0 + timedelta(minutes=15, seconds=1),  # the next bucket of a day
        ]
    )
    service = TelemetryService(store, now=lambda: next(moments))

    first = service.window(TimeRange.LAST_DAY)
    second = service.window(TimeRange.LAST_DAY)
    week_first = service.window(TimeRange.LAST_WEEK)
    week_later = service.window(TimeRange.LAST_WEEK)
    next_bucket = service.window(TimeRange.LAST_DAY)

    day_end = T0 + timedelta(minutes=15)
    assert first == second == (day_end - timedelta(days=1), day_end)
    assert (
        week_first
        == week_later
        == (T0 + timedelta(hours=1) - timedelta(days=7), T0 + timedelta(hours=1))
    )
    assert next_bucket == (
        day_end + timedelta(minutes=15) - timedelta(days=1),
        day_end + timedelta(minutes=15),
    )
    assert service.window(TimeRange.ALL) == (None, None)
    with pytest.raises(CoachError):
        SpanFilter(start=T0, end=T0)


def test_a_filter_is_a_stable_cache_key() -> None:
    one = SpanFilter(agents=("b", "a", "a"))
    assert one.model_dump_json() == SpanFilter(agents=("a", "b")).model_dump_json()
    assert SpanFilter.model_validate_json(one.model_dump_json()) == one


def test_generated_demo_spans_fill_every_chart(db_path: Path, store: DuckDBSessionStore) -> None:
    seed_spans(db_path, 50_000, end=T0, window=timedelta(days=1))

    dashboard = TelemetryService(store).dashboard(SpanFilter(start=T0 - timedelta(days=1), end=T0))

    assert dashboard.series.total is not None and dashboard.series.total.agent_calls == 20_000
    assert len(dashboard.series.points) == 96  # 15-minute buckets over one day
    assert {a.agent for a in dashboard.agents} == set(AGENTS)
    assert dashboard.persona_scores and dashboard.dimension_scores
    assert len(dashboard.slowest_turns) == 20
    assert analytics.overview(store).spans == 50_000
