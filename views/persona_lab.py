"""Persona Lab: A/B test feedback-persona variants on the same items, then ship the winner.

Thin on purpose: ``ui.persona_lab_form`` turns widgets into an ``ExperimentSpec``,
``ExperimentService`` creates, runs (in the background), reports, promotes and rolls
out, and ``ui.persona_lab_charts`` draws. The open experiment's id lives in the session
and the URL (``?experiment=<id>``), so a reload reopens it; a running experiment's
progress is redrawn by a small fragment that only reads the run's in-memory progress.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coach.errors import CoachError, ExperimentError
from coach.experiments.records import ExperimentStatus, Progress
from coach.experiments.report import ExperimentReport
from coach.services.experiments import ExperimentListing, ExperimentService
from coach.workbench import Workbench
from ui import persona_lab_charts as charts
from ui import persona_lab_form as form
from ui.auth import current_actor
from ui.resources import workbench
from ui.state import OpenItem, flash
from ui.text import inert

OPEN_EXPERIMENT = OpenItem("open_experiment_id", "experiment")
EMPTY_GUIDANCE = (
    "No experiments yet. Pick a feedback persona below, change one thing in variant B "
    "(its tone, coaching level or temperature) and press **Create and run**. The offline "
    "coach runs both variants on the 48-answer sample set in about a second."
)
RESUMABLE = frozenset(
    {ExperimentStatus.CANCELLED, ExperimentStatus.INTERRUPTED, ExperimentStatus.FAILED}
)
_REFRESH_SECONDS = 0.5
_REPORT_TTL_SECONDS = 600
_SHIPPED_KEY = "lab-shipped"
_PLOTLY_CONFIG = {"displaylogo": False}


def _service() -> ExperimentService:
    return workbench().experiments


# Keyed by what changes a report (results stored, status), so a rerun for typing in the
# form does not redo the bootstrap; the database is in the key for processes serving two.
@st.cache_data(ttl=_REPORT_TTL_SECONDS, max_entries=32, show_spinner="Summarising results…")
def _report(
    database: str, experiment_id: str, done: int, status: str, updated: str, owner: str
) -> ExperimentReport:
    """``owner`` keys the cache by who reads: a report is never served across people."""
    return _service().report(current_actor(), experiment_id)


def _progress_text(progress: Progress) -> str:
    parts = [f"{progress.done:,} of {progress.total:,} pairs"]
    if progress.cached:
        parts.append(f"{progress.cached:,} from the cache")
    if progress.failed:
        parts.append(f"{progress.failed:,} failed")
    if progress.fallbacks:
        parts.append(f"{progress.fallbacks:,} answered by the offline coach")
    return " · ".join(parts)


@st.fragment(run_every=_REFRESH_SECONDS)
def _live_progress(service: ExperimentService, experiment_id: str) -> None:
    """Only reads the run's in-memory progress: each tick costs microseconds, not a
    query. When the run ends, a full rerun draws the results."""
    progress = service.progress(experiment_id)
    if progress is None or not service.is_running(experiment_id):
        st.rerun()
    st.progress(progress.fraction, text=f"Running: {_progress_text(progress)}")
    if st.button("Cancel", key="lab-cancel", icon=":material/stop:"):
        service.cancel(experiment_id)
        st.caption("Cancelling: the pairs in flight finish and are kept, then the run stops.")


def _status(service: ExperimentService, listing: ExperimentListing) -> None:
    """What state the run is in, and the button that moves it on."""
    experiment = listing.experiment
    status = listing.status
    if status is ExperimentStatus.FINISHED:
        st.caption(inert(experiment.message) if experiment.message else "Finished.")
        return
    done = f"{listing.done:,} of {experiment.pairs_total:,} pairs done."
    if status is ExperimentStatus.RUNNING:  # by another process: the CLI, another server
        st.info(
            f"Running in another process ({experiment.runner}): {done} "
            "Reload the page to see how far it has got."
        )
        return
    if status in RESUMABLE:
        shown = st.error if status is ExperimentStatus.FAILED else st.warning
        # The runner's own message says what happened; an interrupted run has none.
        shown(experiment.message or f"{status.value.capitalize()}: {done}")
        label, help_text = "Resume", "Runs only the missing pairs; finished pairs are kept."
    else:
        st.info(f"Not run yet ({status.value}). {done}")
        label, help_text = "Run", "Runs every pair of the experiment."
    if st.button(
        label, key="lab-resume", type="primary", icon=":material/play_arrow:", help=help_text
    ):
        try:
            service.start(current_actor(), experiment.id)
        except CoachError as error:
            st.error(str(error))
        else:
            st.rerun()


def _results(report: ExperimentReport) -> None:
    st.subheader("Results")
    shown = {1: st.success, -1: st.error, 0: st.info}[report.direction]
    shown(report.verdict)
    for comparison in report.comparisons:
        if comparison.score is not None:
            st.caption(f"How it scores the answers: {comparison.score.verdict}")
        if comparison.unpaired:
            st.caption(
                f"{comparison.unpaired:,} items left out of the {comparison.variant} comparison: "
                "a side failed or has not run yet."
            )
    quality = charts.quality_figure(report)
    if quality is None:
        return
    dimensions = charts.dimensions_figure(report)
    quality_col, dimensions_col = st.columns(2)
    with quality_col:
        st.plotly_chart(quality, config=_PLOTLY_CONFIG)
        control = report.experiment.control.name
        st.caption(
            f"Dots: mean judged quality; each variant is drawn at {control}'s mean plus its "
            f"paired difference. Whiskers: the 95% bootstrap interval of that difference, so "
            f"a whisker crossing the dashed {control} line is no real difference."
        )
    if dimensions is not None:
        with dimensions_col:
            st.plotly_chart(dimensions, config=_PLOTLY_CONFIG)
            st.caption(
                "judge: how good the variant's feedback is; rubric: how the variant scored "
                "the answers on each dimension."
            )
    _costs(report)
    _agreement(report)
    _side_by_side(report)


def _costs(report: ExperimentReport) -> None:
    st.markdown("**Latency and tokens**")
    number = st.column_config.NumberColumn(format="%.2f")
    milliseconds = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(
        charts.summary_rows(report),
        hide_index=True,
        column_config={
            "Mean quality": number,
            "Mean score": number,
            "Latency p50 (ms)": milliseconds,
            "Latency p95 (ms)": milliseconds,
            "Tokens per pair": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    for line in charts.cost_lines(report):
        st.caption(line)
    if not charts.tokens_reported(report):
        provider = report.experiment.provider
        who = "the offline coach" if provider == "offline" else f"the model server ({provider})"
        st.caption(f"Tokens: not reported by {who}.")
    st.caption("Latency excludes pairs copied from the cache.")


def _agreement(report: ExperimentReport) -> None:
    rows = charts.agreement_rows(report)
    st.markdown("**Agreement with the reference scores**")
    if not rows:
        st.caption("This dataset has no reference scores, so agreement cannot be measured.")
        return
    st.dataframe(
        rows,
        hide_index=True,
        column_config={
            "Mean absolute error": st.column_config.NumberColumn(format="%.2f"),
            "Spearman rank correlation": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    st.caption("Lower error and higher rank correlation: closer to the reference ratings.")


def _side_by_side(report: ExperimentReport) -> None:
    comparisons = {c.variant: c for c in report.comparisons}
    if not comparisons:
        return
    control = report.experiment.control.name
    st.markdown("**Item by item**")
    variant = next(iter(comparisons))
    if len(comparisons) > 1:
        variant = st.selectbox(
            f"Compare {control} with",
            list(comparisons),
            key=f"lab-side-{report.experiment.id}",
        )
    rows = charts.side_by_side_rows(comparisons[variant].rows, control, variant)
    score = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(
        rows,
        hide_index=True,
        column_config={
            f"{control} score": score,
            f"{variant} score": score,
            "Disagreement": score,
            "Reference": score,
            f"{control} quality": score,
            f"{variant} quality": score,
        },
    )
    st.caption("Sorted by disagreement: the items where the two variants' scores differ most.")


def _shown_path(path: Path, personas_dir: Path) -> str:
    try:
        return str(path.relative_to(personas_dir.parent))
    except ValueError:
        return str(path)


def _ship(wb: Workbench, report: ExperimentReport) -> None:
    service = wb.experiments
    experiment = report.experiment
    candidates = [variant.name for variant in experiment.variants[1:]]
    st.subheader("Ship it")
    choice_key = f"lab-ship-{experiment.id}"
    if st.session_state.get(choice_key) not in candidates:
        # Only a significant winner is preselected; never a worse variant.
        st.session_state[choice_key] = charts.winner(report.comparisons)
    variant = st.columns([2, 3])[0].selectbox(
        "Variant to ship", candidates, key=choice_key, placeholder="Choose a variant"
    )
    if not report.complete:
        st.caption("The run is not complete: these results may still change.")
    if variant is None:
        st.caption("No variant did significantly better: choose one to ship it anyway.")
        return
    warning = service.ship_warning(current_actor(), experiment.id, variant)
    confirmed = True
    if warning is not None:
        st.warning(warning, icon=":material/warning:")
        confirmed = st.checkbox(
            f"Ship {variant} anyway", key=f"lab-confirm-{experiment.id}-{variant}"
        )
    promote_col, rollout_col = st.columns(2)
    with promote_col:
        st.caption(
            f"Write {variant} as the next version of {experiment.base_persona}; the current "
            "version is kept in personas/versions/."
        )
        if st.button(
            "Promote to a new persona version",
            key="lab-promote",
            icon=":material/upgrade:",
            disabled=not confirmed,
        ):
            try:
                promotion = service.promote(
                    current_actor(), experiment.id, variant, confirmed=confirmed
                )
            except CoachError as error:
                st.error(str(error))
            else:
                persona = promotion.persona
                folder = wb.settings.agent.personas_dir
                message = (
                    f"{persona.name} is now version {persona.version} "
                    f"({_shown_path(promotion.path, folder)}); version {persona.version - 1} "
                    f"is kept in {_shown_path(promotion.previous, folder)}."
                )
                st.session_state[_SHIPPED_KEY] = (experiment.id, message)
                st.rerun()
    with rollout_col:
        share = st.slider(
            "Share of live sessions",
            min_value=1,
            max_value=100,
            value=10,
            format="%d%%",
            key=f"lab-share-{experiment.id}",
            help="Sticky: a session keeps its variant while the rollout runs.",
        )
        if st.button(
            "Roll out live",
            key="lab-roll-out",
            icon=":material/rocket_launch:",
            disabled=not confirmed,
        ):
            try:
                rollout = service.roll_out(
                    current_actor(), experiment.id, variant, share / 100, confirmed=confirmed
                )
            except CoachError as error:
                st.error(str(error))
            else:
                message = (
                    f"Variant {rollout.variant} now serves {rollout.share:.0%} of "
                    f"{rollout.base_persona}'s sessions."
                )
                st.session_state[_SHIPPED_KEY] = (experiment.id, message)
                st.rerun()
    shipped = st.session_state.get(_SHIPPED_KEY)
    if shipped and shipped[0] == experiment.id:
        st.success(shipped[1], icon=":material/check_circle:")


def _open_experiment(wb: Workbench, listing: ExperimentListing) -> None:
    service = wb.experiments
    experiment = listing.experiment
    title_col, close_col = st.columns([6, 1], vertical_alignment="bottom")
    title_col.header(experiment.name)
    if close_col.button("Close", key="lab-close", icon=":material/close:"):
        OPEN_EXPERIMENT.close()
        st.rerun()
    changed = [
        f"{v.name}: {', '.join(f'{k}={val}' for k, val in v.overrides.changed().items())}"
        for v in experiment.variants[1:]
        if v.overrides.changed()
    ]
    st.caption(
        f"{experiment.base_persona} · variants {', '.join(v.name for v in experiment.variants)} "
        f"({experiment.control.name} is the control) · {experiment.dataset_name} · "
        f"{experiment.repeats} repeat{'s' if experiment.repeats > 1 else ''} · judge "
        f"{experiment.judge} · created {experiment.created_at:%d %b %Y %H:%M} UTC"
        + (f"  \nChanges: {'; '.join(changed)}" if changed else "")
    )
    if service.is_running(experiment.id):
        _live_progress(service, experiment.id)
        return
    _status(service, listing)
    if listing.status is ExperimentStatus.RUNNING and not listing.done:
        return  # running elsewhere, nothing stored yet
    report = _report(
        service.where,  # the cache key names the database the report came from
        experiment.id,
        listing.done,
        listing.status.value,
        experiment.updated_at.isoformat(),
        f"{current_actor().issuer} {current_actor().subject}",
    )
    _results(report)
    if len(experiment.variants) > 1:
        _ship(wb, report)


def _rollouts(service: ExperimentService, listings: list[ExperimentListing]) -> None:
    rollouts = service.rollouts()
    if not rollouts:
        return
    names = {listing.experiment.id: listing.experiment.name for listing in listings}
    st.subheader("Live rollouts")
    for rollout in rollouts:
        text_col, stop_col = st.columns([6, 1], vertical_alignment="center")
        source = names.get(rollout.experiment_id or "", "an earlier experiment")
        text_col.markdown(
            f"**{rollout.base_persona}**: variant {rollout.variant} serves "
            f"{rollout.share:.0%} of sessions (from “{source}”)."
        )
        if stop_col.button("Stop", key=f"lab-stop-{rollout.base_persona}", icon=":material/block:"):
            service.stop_rollout(current_actor(), rollout.base_persona)
            flash(
                f"Stopped the {rollout.base_persona} rollout: every session gets the base persona."
            )
            st.rerun()


def _create(service: ExperimentService, draft: form.Draft) -> None:
    spec = draft.spec
    if spec is None:
        st.error("Nothing was created: fix the problems above first.")
        return
    try:
        upload = draft.upload_bytes() if spec.dataset.source == "file" else None
        if spec.dataset.source == "file" and upload is None:
            raise ExperimentError(
                "Upload a CSV, JSONL or JSON file of items first, or choose the sample set."
            )
        dataset = service.dataset(current_actor(), spec.dataset, upload=upload)
        experiment = service.create(current_actor(), spec, dataset)
        service.start(current_actor(), experiment.id)
    except CoachError as error:
        st.error(str(error))
        return
    OPEN_EXPERIMENT.open(experiment.id)
    flash(
        f"Started “{inert(experiment.name)}”: {experiment.pairs_total:,} pairs on {dataset.name}."
    )
    st.rerun()


def _new_experiment(wb: Workbench, expanded: bool) -> None:
    service = wb.experiments
    with st.expander("New experiment", expanded=expanded, icon=":material/add:"):
        personas = service.base_personas()
        if not personas:
            st.warning(
                f"No feedback personas in {wb.settings.agent.personas_dir}: add a persona file "
                "with `role: feedback` to compare its variants."
            )
            return
        draft = form.experiment_form(service, personas)
        if st.button(
            "Create and run", key="lab-create", type="primary", icon=":material/play_arrow:"
        ):
            _create(service, draft)


def _past(listings: list[ExperimentListing], open_id: str | None) -> None:
    st.subheader("Past experiments")
    st.dataframe(
        charts.listing_rows(listings),
        hide_index=True,
        column_config={"Created (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
    )
    by_id = {listing.experiment.id: listing for listing in listings}
    pick_col, open_col = st.columns([5, 1], vertical_alignment="bottom")
    chosen = pick_col.selectbox(
        "Experiment to open",
        list(by_id),
        format_func=lambda experiment_id: (
            f"{by_id[experiment_id].experiment.name} · "
            f"{by_id[experiment_id].experiment.created_at:%d %b %H:%M} · "
            f"{by_id[experiment_id].status.value}"
        ),
        key="lab-pick",
    )
    if open_col.button(
        "Open experiment", key="lab-open", disabled=chosen is None or chosen == open_id
    ):
        OPEN_EXPERIMENT.open(chosen)
        st.rerun()


def _listing(
    service: ExperimentService, listings: list[ExperimentListing], experiment_id: str
) -> ExperimentListing | None:
    """The open experiment's row; older than the list's window, it is looked up alone."""
    for listing in listings:
        if listing.experiment.id == experiment_id:
            return listing
    try:
        experiment = service.get(current_actor(), experiment_id)
    except ExperimentError:
        return None
    return ExperimentListing(experiment=experiment, done=0, failed=0, status=experiment.status)


def main() -> None:
    wb = workbench()
    service = wb.experiments
    st.title("Persona Lab")
    st.caption(
        "Run variants of a feedback coach on the same rated answers, see whether one really "
        "gives better feedback, then promote it or roll it out to a share of sessions."
    )
    try:
        listings = service.list(current_actor())
        open_id = OPEN_EXPERIMENT.get()
        listing = _listing(service, listings, open_id) if open_id else None
        if open_id and listing is None:
            OPEN_EXPERIMENT.close()
            st.warning("That experiment no longer exists; pick another below.")
        if not listings:
            st.info(EMPTY_GUIDANCE, icon=":material/science:")
        if listing is not None:
            _open_experiment(wb, listing)
        _rollouts(service, listings)
        _new_experiment(wb, expanded=listing is None)
        if listings:
            _past(listings, open_id if listing is not None else None)
    except CoachError as error:
        st.error(str(error))


main()
