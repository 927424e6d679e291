"""The Coaching Workbench: `streamlit run workbench.py`.

Page config, navigation over views/, and the sidebar every page shares.

The pages live in views/, not pages/: Streamlit treats a folder named pages/ as an old-style
multipage app until st.navigation has run once, so a deep link (/voice) opened first on a
fresh server would show the wrong sidebar and skip this script.
"""

from __future__ import annotations

import streamlit as st

from coach.errors import CoachError
from ui import auth
from ui.resources import workbench
from ui.state import show_flash

st.set_page_config(page_title="Coaching Workbench", page_icon="🎯", layout="wide")

actor = auth.require_sign_in()  # a visitor sees the sign-in screen and nothing else
pages = [
    st.Page("views/practice.py", title="Practice", icon=":material/target:", default=True),
    st.Page("views/voice.py", title="Voice", icon=":material/mic:"),
    st.Page("views/chat.py", title="Chat", icon=":material/forum:"),
    st.Page("views/sessions.py", title="Sessions", icon=":material/folder_open:"),
    st.Page("views/progress.py", title="My progress", icon=":material/trending_up:"),
]
if actor.is_admin:
    # Not listed means not reachable: /telemetry from a non-admin is "page not found".
    pages += [
        st.Page("views/telemetry.py", title="Telemetry", icon=":material/monitoring:"),
        st.Page("views/persona_lab.py", title="Persona Lab", icon=":material/science:"),
    ]
page = st.navigation(pages)

try:
    wb = workbench()
except CoachError as error:  # e.g. COACH_STORE__URL names a server that is not there
    st.error(str(error))
    st.stop()
with st.sidebar:
    auth.sidebar(actor)
    if wb.settings.uses_real_model:
        st.caption("Coaching with a real model; the offline coach steps in if it fails.")
    else:
        st.caption("Coaching with the offline coach: no key and no network needed.")
    for notice in wb.notices:
        st.warning(notice)

show_flash()
page.run()
