"""Synthetic telemetry for tests and benchmarks: span rows straight into a DuckDB file.

Two ways in: ``insert_spans`` writes a handful of hand-made ``SpanRow``s (unit tests that
check percentiles on known data), and ``seed_spans`` generates millions of plausible
rows in one ``INSERT ... SELECT ... FROM range(n)`` (benchmarks, browser tests), which
takes seconds where a Python loop would take minutes. Every generated row is marked
``demo = true``. Both migrate the file first, add the rows to the rollups the page
reads (``coach.store.rollups.rollup_sql``, as the span sink would) and release the file
before returning, so the workbench (or a store in the same test) can open it afterwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from pydantic import BaseModel, Field

from coach.domain import RubricDimension
from coach.store.migrations import migrate
from coach.store.rollups import rollup_sql

AGENTS = ("primary", "feedback", "summary", "general_chat")  # the team's seats
PERSONAS = ("primary_coach", "friendly_mentor", "strict_interviewer")
VARIANTS = ("A", "B")
PROVIDERS = ("openai", "offline")
MODELS = ("gpt-4o-mini", "offline-coach")
SPANS_PER_TURN = 5  # a turn, and two agent calls with a model call beneath each


class SpanRow(BaseModel):
    """One row of the ``spans`` table; defaults make a successful agent call."""

    span_id: str
    trace_id: str
    parent_span_id: str | None = None
    name: str = "invoke_agent primary"
    start_time: datetime
    duration_ms: float
    status: str = "ok"
    operation: str | None = "invoke_agent"
    provider: str | None = "openai"
    request_model: str | None = "gpt-4o-mini"
    agent: str | None = "primary"
    persona: str | None = "primary_coach"
    variant: str | None = None
    session_id: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    queue_ms: float | None = None
    ttft_ms: float | None = None
    fallback: bool | None = False
    score: float | None = None
    demo: bool = False
    attributes: dict[str, str] = Field(default_factory=dict)


@contextmanager
def _migrated(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(path))
    try:
        connection.execute("SET TimeZone = 'UTC'")
        migrate(connection)
        yield connection
    finally:
        connection.close()


def roll_up(db: duckdb.DuckDBPyConnection, source: str = "spans") -> None:
    """Adds the spans of ``source`` to the rollups (``spans``: rebuilds them all)."""
    if source == "spans":
        db.execute("DELETE FROM span_rollups")
        db.execute("DELETE FROM span_latency_bins")
    for statement in rollup_sql(source):
        db.execute(statement)


def insert_spans(path: Path, rows: Sequence[SpanRow]) -> None:
    """Writes the given rows exactly as they are (and rebuilds the rollups)."""
    with _migrated(path) as db:
        _insert_rows(db, rows)
        roll_up(db)


def _insert_rows(db: duckdb.DuckDBPyConnection, rows: Sequence[SpanRow]) -> None:
    for row in rows:
        end = row.start_time + timedelta(milliseconds=row.duration_ms)
        db.execute(
            "INSERT INTO spans (span_id, trace_id, parent_span_id, name, start_time, "
            "end_time, duration_ms, status, operation, provider, request_model, "
            "response_model, agent, persona, variant, session_id, input_tokens, "
            "output_tokens, queue_ms, ttft_ms, fallback, score, demo, attributes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                row.span_id,
                row.trace_id,
                row.parent_span_id,
                row.name,
                row.start_time,
                end,
                row.duration_ms,
                row.status,
                row.operation,
                row.provider,
                row.request_model,
                row.request_model,
                row.agent,
                row.persona,
                row.variant,
                row.session_id,
                row.input_tokens,
                row.output_tokens,
                row.queue_ms,
                row.ttft_ms,
                row.fallback,
                row.score,
                row.demo,
                json.dumps(row.attributes),
            ],
        )


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


# Row i belongs to turn i // 5, in the shape ``coach.telemetry`` writes: position 0 is
# the turn (the root span the candidate waited for), positions 1 and 3 are
# ``invoke_agent`` spans 1.2 s apart, and 2 and 4 the ``chat`` span beneath each. An
# agent span and its chat span share their random draws (hashes of the call), so the
# chat sits inside the agent's span after its queue time. Turns are spread evenly over
# the window in time order, as a real exporter appends them.
_SEED_SPANS_SQL = f"""
INSERT INTO seeded_spans (span_id, trace_id, parent_span_id, name, start_time, end_time,
    duration_ms, status, status_message, operation, provider, request_model, response_model,
    temperature, max_tokens, agent, persona, variant, session_id, input_tokens,
    output_tokens, queue_ms, ttft_ms, fallback, score, demo, attributes)
WITH rows AS (
    SELECT i, i // {SPANS_PER_TURN} AS turn, i % {SPANS_PER_TURN} AS position,
           (i % {SPANS_PER_TURN} + 1) // 2 AS pair
    FROM range($count) AS t(i)
),
draws AS (
    SELECT *,
        (hash(turn * 3 + pair) % 1000003) / 1000003.0 AS u1,
        (hash(turn * 3 + pair + 7919) % 1000003) / 1000003.0 AS u2,
        (hash(turn * 3 + pair + 104729) % 1000003) / 1000003.0 AS u3,
        (hash(turn) % 1000003) / 1000003.0 AS u_turn
    FROM rows
),
shaped AS (
    SELECT *,
        $start::TIMESTAMPTZ
            + to_microseconds((turn * $window_us // greatest($turns, 1))::BIGINT) AS turn_start,
        position IN (1, 3) AS is_agent,
        position IN (2, 4) AS is_chat,
        round(30 * u3 * u3, 3) AS queue,
        -- a long right tail, so p99 is well above p50
        round(150 + 900 * u1 * u1 * u1 + 40 * u2, 3) AS call,
        u3 > 0.95 AS fell_back,
        {_sql_list(AGENTS)}[((turn + pair - 1) % {len(AGENTS)})::INTEGER + 1] AS seat,
        (hash(turn + 1) % {len(PERSONAS)})::INTEGER + 1 AS persona_i,
        (hash(turn + 2) % {len(VARIANTS)})::INTEGER + 1 AS variant_i,
        (hash(turn * 3 + pair + 3) % {len(PROVIDERS)})::INTEGER + 1 AS provider_i
    FROM draws
),
timed AS (
    SELECT *,
        CASE
            WHEN position = 0 THEN turn_start
            WHEN is_agent THEN turn_start + to_microseconds(((pair - 1) * 1200000)::BIGINT)
            ELSE turn_start + to_microseconds(((pair - 1) * 1200000 + queue * 1000)::BIGINT)
        END AS span_start,
        CASE
            WHEN position = 0 THEN round(2400 + 900 * u_turn * u_turn * u_turn, 3)
            WHEN is_agent THEN queue + call + 5
            ELSE call
        END AS span_ms,
        CASE WHEN fell_back THEN 'offline' ELSE {_sql_list(PROVIDERS)}[provider_i] END AS answered
    FROM shaped
)
SELECT
    printf('%s-span-%010d', $batch, i),
    printf('%s-trace-%09d', $batch, turn),
    CASE
        WHEN position = 0 THEN NULL
        WHEN is_agent THEN printf('%s-span-%010d', $batch, turn * {SPANS_PER_TURN})
        ELSE printf('%s-span-%010d', $batch, i - 1)
    END,
    CASE
        WHEN position = 0 THEN 'turn answer_and_evaluate'
        WHEN is_agent THEN 'invoke_agent ' || seat
        ELSE 'chat ' || {_sql_list(MODELS)}[provider_i]
    END,
    span_start,
    span_start + to_microseconds((span_ms * 1000)::BIGINT),
    span_ms,
    CASE WHEN is_chat AND u3 > 0.97 THEN 'error' ELSE 'ok' END,
    CASE WHEN is_chat AND u3 > 0.97 THEN 'synthetic failure' END,
    CASE WHEN position = 0 THEN 'turn' WHEN is_agent THEN 'invoke_agent' ELSE 'chat' END,
    CASE WHEN position = 0 THEN NULL WHEN is_agent THEN answered
        ELSE {_sql_list(PROVIDERS)}[provider_i] END,
    CASE WHEN position > 0 THEN {_sql_list(MODELS)}[provider_i] END,
    CASE WHEN position > 0 THEN {_sql_list(MODELS)}[provider_i] END,
    CASE WHEN position > 0 THEN 0.7 END,
    CASE WHEN position > 0 THEN 800 END,
    CASE WHEN position > 0 THEN seat END,
    {_sql_list(PERSONAS)}[persona_i],
    {_sql_list(VARIANTS)}[variant_i],
    printf('demo-session-%s-%05d', $batch, turn // 20),
    CASE WHEN position > 0 THEN (300 + 2500 * u2)::INTEGER END,
    CASE WHEN position > 0 THEN (40 + 600 * u1)::INTEGER END,
    CASE WHEN is_agent THEN queue END,
    CASE WHEN is_chat THEN round(call * (0.2 + 0.2 * u2), 3) END,
    CASE WHEN position > 0 THEN fell_back END,
    CASE WHEN is_agent AND seat = 'feedback' THEN round(3 + 6 * u2, 1) END,
    TRUE,
    '{{}}'
FROM timed
ORDER BY i
"""

_SEED_EVALUATIONS_SQL = f"""
INSERT INTO evaluations (id, answer_id, session_id, question_id, overall, headline, strengths,
    improvements, example_answer, non_answer, coaching_level, agent, persona, provider, model,
    fallback, notice, created_at, follow_up)
SELECT printf('demo-evaluation-%s-%07d', $batch, i), printf('demo-answer-%s-%07d', $batch, i),
       printf('demo-session-%s-%05d', $batch, i // 5),
       printf('demo-question-%s-%07d', $batch, i),
       round(least(10, greatest(0, 2 + 6 * (hash(i) % 1000003) / 1000003.0 + i % 3)), 1),
       'Synthetic evaluation', '[]', '[]', '', FALSE, 'help',
       'feedback_coach', {_sql_list(PERSONAS)}[(i % {len(PERSONAS)})::INTEGER + 1],
       'offline', 'offline-coach', FALSE, '',
       $start::TIMESTAMPTZ + to_microseconds((i * $window_us // greatest($count, 1))::BIGINT),
       ''
FROM range($count) AS t(i)
"""

_SEED_DIMENSIONS_SQL = f"""
INSERT INTO evaluation_dimensions (evaluation_id, session_id, position, dimension, score, comment)
SELECT printf('demo-evaluation-%s-%07d', $batch, i),
       printf('demo-session-%s-%05d', $batch, i // 5), d,
       {_sql_list([dimension.value for dimension in RubricDimension])}[d + 1],
       least(10, greatest(1, (1 + 7 * (hash(i * 8 + d) % 1000003) / 1000003.0 + d % 3)::INTEGER)),
       ''
FROM range($count) AS t(i), range({len(RubricDimension)}) AS dims(d)
"""


def seed_spans(
    path: Path,
    count: int,
    *,
    end: datetime | None = None,
    window: timedelta = timedelta(days=7),
    evaluations: int | None = None,
) -> None:
    """Appends ``count`` demo spans (turns of five) ending at ``end``, plus evaluations.

    ``evaluations`` defaults to one per 50 spans, so the score charts have data too.
    """
    end = end or datetime.now(UTC)
    start = end - window
    window_us = int(window.total_seconds() * 1_000_000)
    turns = max(count // SPANS_PER_TURN, 1)
    evaluation_count = count // 50 if evaluations is None else evaluations
    batch = uuid.uuid4().hex[:8]  # ids stay unique when a file is seeded twice
    with _migrated(path) as db:
        db.execute("CREATE TEMP TABLE seeded_spans AS SELECT * FROM spans LIMIT 0")
        db.execute(
            _SEED_SPANS_SQL,
            {
                "count": count,
                "start": start,
                "window_us": window_us,
                "turns": turns,
                "batch": batch,
            },
        )
        db.execute("INSERT INTO spans SELECT * FROM seeded_spans ORDER BY start_time")
        roll_up(db, "seeded_spans")
        db.execute("DROP TABLE seeded_spans")
        if evaluation_count:
            db.execute(
                _SEED_EVALUATIONS_SQL,
                {
                    "count": evaluation_count,
                    "start": start,
                    "window_us": window_us,
                    "batch": batch,
                },
            )
            db.execute(_SEED_DIMENSIONS_SQL, {"count": evaluation_count, "batch": batch})
