"""The Coaching Workbench: `streamlit run workbench.py`.

Page config, navigation over pages/, and the sidebar every page shares.
"""

from __future__ import annotations

import streamlit as st

from ui.resources import workbench
from ui.state import show_flash

st.set_page_config(page_title="Coaching Workbench", page_icon="🎯", layout="wide")

pages = [
    st.Page("pages/practice.py", title="Practice", icon=":material/target:", default=True),
    st.Page("pages/voice.py", title="Voice", icon=":material/mic:"),
    st.Page("pages/chat.py", title="Chat", icon=":material/forum:"),
    st.Page("pages/sessions.py", title="Sessions", icon=":material/folder_open:"),
]
page = st.navigation(pages)

wb = workbench()
with st.sidebar:
    if wb.settings.uses_real_model:
        st.caption("Coaching with a real model; the offline coach steps in if it fails.")
    else:
        st.caption("Coaching with the offline coach: no key and no network needed.")
    for notice in wb.notices:
        st.warning(notice)

show_flash()
page.run()
