"""How an evaluation, a comparison of attempts and a summary look on a page."""

from __future__ import annotations

import streamlit as st

from coach.domain import (
    Attempt,
    Attribution,
    DeliveryMetrics,
    Evaluation,
    RubricDimension,
    SessionSummary,
)
from coach.offline.fit import Fit
from coach.offline.talking_points import TalkingPoints
from ui.text import inert, show


def attribution_caption(attribution: Attribution | None, what: str = "Feedback") -> None:
    if attribution is None:
        return
    st.caption(f"{what} by {attribution.label}")
    if (attribution.fallback or attribution.cut_off) and attribution.notice:
        st.warning(attribution.notice, icon="⚠️")
    for check in attribution.checks:
        st.caption(f"Checked: {check}")


def evaluation(result: Evaluation, previous: Evaluation | None = None) -> None:
    """Score, verdict, rubric, strengths, improvements, example answer."""
    delta = None if previous is None else round(result.overall - previous.overall, 1)
    score_col, verdict_col = st.columns([1, 4])
    score_col.metric("Score", f"{result.overall:.1f} / 10", delta=delta)
    with verdict_col:
        if result.non_answer:
            st.error(inert(result.headline), icon="🚫")
        elif result.overall >= 7:
            st.success(inert(result.headline))
        elif result.overall >= 4.5:
            st.info(inert(result.headline))
        else:
            st.warning(inert(result.headline))
        attribution_caption(result.attribution)

    import pyarrow as pa  # only once there is feedback to show: not on a first page load

    st.dataframe(
        # An Arrow table is what the browser gets: no pandas frame on the way (~1.5 ms
        # of every rerun that shows a score).
        pa.Table.from_pylist(
            [
                {"Dimension": d.dimension.label, "Score": d.score, "Comment": d.comment}
                for d in result.dimensions
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Dimension": st.column_config.TextColumn(width="medium"),
            "Score": st.column_config.ProgressColumn(
                min_value=0, max_value=10, format="%d", width="small"
            ),
            "Comment": st.column_config.TextColumn(width="large"),
        },
    )
    strengths, improvements = st.columns(2)
    with strengths:
        st.markdown("**What worked**")
        for line in result.strengths or ["Nothing stood out yet — see the improvements."]:
            st.markdown(f"- {inert(line)}")
    with improvements:
        st.markdown("**What to improve**")
        for line in result.improvements or ["Keep doing what you did."]:
            st.markdown(f"- {inert(line)}")
    if result.example_answer:
        with st.expander("Example answer (STAR, from your resume)"):
            show(result.example_answer)


def attempts_comparison(attempts: list[Attempt]) -> None:
    """A table of every scored attempt at one question, and how the latest moved."""
    scored = [a for a in attempts if a.evaluation is not None]
    if len(scored) < 2:
        return
    rows = []
    for attempt in scored:
        assert attempt.evaluation is not None
        row: dict[str, object] = {
            "Attempt": attempt.answer.attempt,
            "Overall": attempt.evaluation.overall,
        }
        for dimension in RubricDimension:
            score = attempt.evaluation.dimension(dimension)
            row[dimension.value.capitalize()] = score.score if score else None
        rows.append(row)
    first, last = scored[0].evaluation, scored[-1].evaluation
    assert first is not None and last is not None
    change = last.overall - first.overall
    direction = "up" if change > 0 else "down" if change < 0 else "level"
    st.markdown(
        f"**Your attempts compared** — {direction} {abs(change):.1f} points "
        f"from attempt {scored[0].answer.attempt} to {scored[-1].answer.attempt}."
    )
    import pandas as pd

    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def summary(result: SessionSummary) -> None:
    cols = st.columns(3)
    average = "—" if result.average_score is None else f"{result.average_score:.1f} / 10"
    cols[0].metric("Average score", average)
    cols[1].metric("Answered", f"{result.questions_answered} of {result.questions_total}")
    cols[2].metric("Weakest", result.weakest[0].value.capitalize() if result.weakest else "—")
    if result.strongest:
        st.markdown("**Strongest:** " + ", ".join(d.label for d in result.strongest))
    if result.weakest:
        st.markdown("**Weakest:** " + ", ".join(d.label for d in result.weakest))
    for line in result.highlights:
        st.markdown(f"- {inert(line)}")
    if result.next_steps:
        st.markdown("**Next steps**")
        for step in result.next_steps:
            st.markdown(f"1. {inert(step)}")
    attribution_caption(result.attribution, "Summary")


def delivery(metrics: DeliveryMetrics) -> None:
    """Pace, fillers and pauses of a spoken answer, with plain-language guidance."""
    st.markdown("**How you said it**")
    cols = st.columns(4)
    wpm = metrics.words_per_minute
    cols[0].metric("Pace", "—" if wpm is None else f"{wpm:.0f} wpm", help="140–160 is comfortable")
    fillers = metrics.fillers_per_minute
    cols[1].metric("Fillers", "—" if fillers is None else f"{fillers:.1f} / min")
    pause = metrics.longest_pause_seconds
    cols[2].metric("Longest pause", "—" if pause is None else f"{pause:.1f} s")
    cols[3].metric("Speaking time", f"{metrics.speaking_seconds:.0f} s")
    for line in metrics.guidance:
        st.markdown(f"- {line}")


def talking_points(points: TalkingPoints) -> None:
    """Interview Warmup's talking points: job terms used, and the posting's left out."""
    if points.is_empty:
        return
    with st.container(border=True):
        st.markdown("**Talking points**")
        used_col, missed_col = st.columns(2)
        with used_col:
            st.caption("Job-related terms you used")
            st.text(", ".join(points.used) if points.used else "None yet.")
        with missed_col:
            st.caption("From the posting, you could also bring in")
            if points.could_use:
                marked = [
                    f"{term} (on your resume)" if term in points.on_resume else term
                    for term in points.could_use
                ]
                st.text(", ".join(marked))
            else:
                st.text("You covered the posting's terms.")


def fit(result: Fit) -> None:
    """What the resume and the posting share, and the requirements it doesn't show."""
    if not result.posting_terms and not result.missing and not result.gaps:
        return
    with st.expander("How your resume fits this posting", expanded=result.career_change):
        if result.career_change:
            st.info(
                f"Your resume reads as {result.resume_field} and the posting as "
                f"{result.job_field}: expect “why the change?” and show what carries over."
            )
        if result.shared_terms:
            st.caption("In both")
            st.text(", ".join(result.shared_terms))
        if result.missing:
            st.caption("The posting asks for these; your resume doesn't mention them")
            for item in result.missing:
                st.text(f"• {item.requirement}  (missing: {', '.join(item.terms)})")
        for gap in result.gaps:
            until = "until now" if gap.end is None else f"until {gap.end:%b %Y}"
            after = f" after {gap.after}" if gap.after else ""
            st.text(f"• No role from {gap.start:%b %Y} {until}{after} ({gap.months} months)")
