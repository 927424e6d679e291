"""Telemetry: latency percentiles, queue time, tokens, error rates, scores, trace waterfall.

Thin on purpose: widgets build a ``SpanFilter``, ``TelemetryService`` does the SQL, and
``ui.telemetry_charts`` draws. Results are cached keyed by the database and the filter's
JSON, whose relative range only moves once per chart bucket (an hour for the last 7
days): a rerun with the same filters does no SQL, and a minute passing recomputes
nothing. Newer spans appear when the bucket moves, after ten minutes, or on "Refresh".
"""

from __future__ import annotations

import streamlit as st

from coach.analytics import FilterOptions, SpanFilter, WaterfallSpan
from coach.errors import CoachError
from coach.services.telemetry import TelemetryDashboard, TelemetryService, TimeRange
from ui import telemetry_charts as charts
from ui.resources import workbench

EMPTY_GUIDANCE = (
    "No telemetry yet: practise a question or chat — or run `coach seed-demo --sessions 20` "
    "to see full charts"
)
_TTL_SECONDS = 600
_PLOTLY_CONFIG = {"displaylogo": False}
_FILTERS = (
    ("personas", "Persona"),
    ("variants", "Variant"),
    ("agents", "Agent"),
    ("providers", "Provider"),
    ("models", "Model"),
)


def _service() -> TelemetryService:
    return TelemetryService.for_store(workbench().span_reader)


# The database path is part of every key: one process may serve several databases.
@st.cache_data(ttl=_TTL_SECONDS, show_spinner=False)
def _options(database: str, window_json: str) -> FilterOptions:
    window = SpanFilter.model_validate_json(window_json)
    return _service().options(window.start, window.end)


@st.cache_data(ttl=_TTL_SECONDS, show_spinner="Crunching telemetry…")
def _dashboard(database: str, filter_json: str) -> TelemetryDashboard:
    return _service().dashboard(SpanFilter.model_validate_json(filter_json))


@st.cache_data(ttl=_TTL_SECONDS, show_spinner=False)
def _waterfall(database: str, trace_id: str) -> list[WaterfallSpan]:
    return _service().waterfall(trace_id)


def _chosen_window(service: TelemetryService) -> SpanFilter | None:
    """The time range widgets as a filter; None while a custom range is half picked."""
    range_col, custom_col = st.columns([2, 3])
    choice = range_col.selectbox(
        "Time range",
        list(TimeRange),
        index=list(TimeRange).index(TimeRange.LAST_WEEK),
        format_func=lambda option: option.label,
        key="telemetry-range",
    )
    custom = None
    if choice is TimeRange.CUSTOM:
        days = custom_col.date_input("From – to (UTC days)", value=(), key="telemetry-days")
        if not isinstance(days, tuple) or len(days) != 2:
            st.info("Pick the first and the last day of the range.")
            return None
        custom = (days[0], days[1])
    start, end = service.window(choice, custom=custom)
    return SpanFilter(start=start, end=end)


def _chosen_filter(window: SpanFilter, options: FilterOptions) -> SpanFilter:
    chosen: dict[str, tuple[str, ...]] = {}
    for column, (field, label) in zip(st.columns(len(_FILTERS)), _FILTERS, strict=True):
        key = f"telemetry-{field}"
        # Keep a selection visible even when the new range has no such spans.
        selected = st.session_state.get(key, [])
        values = sorted({*getattr(options, field), *selected})
        chosen[field] = tuple(column.multiselect(label, values, key=key, placeholder="All"))
    return window.model_copy(update=chosen)


def _headline(dashboard: TelemetryDashboard) -> None:
    total = dashboard.series.total
    if total is None:
        return
    calls, p95, errors, fallbacks = st.columns(4)
    calls.metric("Agent calls", f"{total.agent_calls:,}")
    p95.metric("p95 agent latency", f"{total.latency_p95_ms or 0:,.0f} ms")
    errors.metric("Model error rate", f"{100 * (total.error_rate or 0):.1f}%")
    fallbacks.metric("Fallback rate", f"{100 * (total.fallback_rate or 0):.1f}%")


# Figures are shared objects, not copies: building nine Plotly figures costs more than
# unpickling the cached results, and st.plotly_chart only reads a figure (it serialises
# a copy). The key includes when the results were computed, so figures never outlive
# their data; the dashboard itself is passed unhashed (leading underscore).
@st.cache_resource(ttl=_TTL_SECONDS, max_entries=32, show_spinner=False)
def _figures(
    database: str, filter_json: str, computed_at: str, _dashboard: TelemetryDashboard
) -> charts.DashboardFigures:
    return charts.dashboard_figures(_dashboard)


def _charts(database: str, dashboard: TelemetryDashboard) -> None:
    shown = _figures(
        database,
        dashboard.filter.model_dump_json(),
        dashboard.computed_at.isoformat(),
        dashboard,
    )
    for start in range(0, len(shown.figures), 2):
        for column, figure in zip(st.columns(2), shown.figures[start : start + 2], strict=False):
            with column:
                st.plotly_chart(figure, config=_PLOTLY_CONFIG)
    if shown.missing:
        # An empty frame looks like a bug; say what was not recorded instead.
        st.caption(f"Not recorded in this range: {', '.join(shown.missing)}.")


def _variants(dashboard: TelemetryDashboard) -> None:
    """Variants side by side: a rollout's share against its control, experiment arms."""
    if not dashboard.variants:
        return
    st.subheader("Variants")
    st.caption(
        "Agent calls per persona variant. *live*: sessions a rollout serves (the variant) "
        "or leaves on the base persona (*control*); *experiment*: Persona Lab runs."
    )
    st.dataframe(
        [
            {
                "Variant": v.variant,
                "Where": v.source,
                "Calls": v.calls,
                "p50 (ms)": round(v.p50_ms, 1),
                "p95 (ms)": round(v.p95_ms, 1),
                "Errors": f"{v.error_rate:.0%}",
                "Fallbacks": f"{v.fallback_rate:.0%}",
                "Mean score": None if v.mean_score is None else round(v.mean_score, 2),
            }
            for v in dashboard.variants
        ],
        hide_index=True,
    )


def _slowest_turns(database: str, dashboard: TelemetryDashboard) -> None:
    turns = dashboard.slowest_turns
    if not turns:
        return
    st.subheader("Slowest turns")
    st.dataframe(
        [
            {
                "Started (UTC)": turn.start_time,
                "Turn": turn.name,
                "Duration (ms)": round(turn.duration_ms),
                "Status": turn.status,
                "Persona": turn.persona,
                "Variant": turn.variant,
                "Spans": turn.spans,
                "Trace": turn.trace_id,
            }
            for turn in turns
        ],
        hide_index=True,
        column_config={
            "Started (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm:ss")
        },
    )
    by_trace = {turn.trace_id: turn for turn in turns}
    trace_id = st.selectbox(
        "Trace to inspect",
        list(by_trace),
        format_func=lambda trace: (
            f"{by_trace[trace].name} · {by_trace[trace].duration_ms:,.0f} ms · "
            f"{by_trace[trace].start_time:%d %b %H:%M:%S} · {trace}"
        ),
        key="telemetry-trace",
    )
    spans = _waterfall(database, trace_id) if trace_id else []
    if spans:
        st.plotly_chart(charts.trace_waterfall(spans), config=_PLOTLY_CONFIG)


def main() -> None:
    wb = workbench()
    database = wb.database
    st.title("Telemetry")
    try:
        service = _service()
        known = service.overview()
        if known.spans == 0:
            st.info(EMPTY_GUIDANCE, icon=":material/monitoring:")
            return
        if known.demo_spans:
            st.caption(
                f"{known.demo_spans:,} of the {known.spans:,} spans are demo data "
                "(`coach seed-demo`)."
            )
        window = _chosen_window(service)
        if window is None:
            return
        if st.button("Refresh", key="telemetry-refresh", help="Recompute with the newest spans."):
            for cached in (_options, _dashboard, _waterfall, _figures):
                cached.clear()
        options = _options(database, window.model_dump_json())
        span_filter = _chosen_filter(window, options)
        dashboard = _dashboard(database, span_filter.model_dump_json())
    except CoachError as error:
        st.error(str(error))
        return
    if dashboard.is_empty:
        st.info(
            "No spans match this time range and these filters. Widen the range or clear a filter."
        )
        return
    _headline(dashboard)
    bucket_minutes = dashboard.series.bucket_seconds / 60
    step = f"{bucket_minutes:g} min" if bucket_minutes < 60 else f"{bucket_minutes / 60:g} h"
    st.caption(
        f"One point per {step}. Latency, queue and fallbacks are agent calls; first token, "
        "tokens and errors are model calls (each attempt); scores come from stored evaluations. "
        f"Computed at {dashboard.computed_at:%H:%M:%S} UTC in {dashboard.seconds:.2f} s; "
        "press Refresh for spans recorded since."
    )
    _charts(database, dashboard)
    _variants(dashboard)
    _slowest_turns(database, dashboard)


main()
