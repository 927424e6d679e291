"""My progress: scores per rubric dimension across sessions and attempts, fillers and
most-used words over time, and the questions you keep struggling with."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach import figures
from ui.auth import current_actor
from ui.resources import workbench

_PLOTLY_CONFIG = {"displaylogo": False}

wb = workbench()
st.title("My progress")
report = wb.progress.report(current_actor())

if report.is_empty:
    st.info(
        "Nothing to chart yet: your progress appears here once you have answered and been "
        "scored on a few questions."
    )
    st.page_link("views/practice.py", label="Start practising", icon=":material/target:")
    st.stop()

scores = [a.overall for a in report.attempts]
recent, first = scores[-5:], scores[:5]
total, sessions, average = st.columns(3)
total.metric("Answers scored", len(scores))
sessions.metric("Sessions", report.sessions_read)
average.metric(
    "Average of your last 5",
    f"{sum(recent) / len(recent):.1f} / 10",
    delta=round(sum(recent) / len(recent) - sum(first) / len(first), 1)
    if len(scores) > 5
    else None,
    help="The change is against your first 5 scored answers.",
)

st.plotly_chart(figures.scores_by_session(report), config=_PLOTLY_CONFIG)
attempts_col, fillers_col = st.columns(2)
with attempts_col:
    st.plotly_chart(figures.scores_by_attempt(report), config=_PLOTLY_CONFIG)
with fillers_col:
    st.plotly_chart(figures.fillers_by_session(report), config=_PLOTLY_CONFIG)

st.subheader("Questions you keep struggling with")
if report.struggling:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Question": q.question_text,
                    "Attempts": q.attempts,
                    "Sessions": q.sessions,
                    "Average": q.average,
                    "Best": q.best,
                    "Latest": q.latest,
                }
                for q in report.struggling
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Practise them again on the Practice page: add one as your own question.")
else:
    st.caption("None: no question has averaged under 6 over two or more attempts.")

if report.top_words:
    words_col, sessions_col = st.columns(2)
    with words_col:
        st.plotly_chart(figures.top_words(report), config=_PLOTLY_CONFIG)
    with sessions_col:
        st.markdown("**Most-used words, session by session**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Session": f"{s.session_started:%d %b} · {s.session_name}",
                        "Words": ", ".join(f"{w.word} ({w.count})" for w in s.words),
                    }
                    for s in report.words_by_session
                ]
            ),
            hide_index=True,
            width="stretch",
        )
