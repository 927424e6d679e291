"""The Coaching Workbench's reusable core: no Streamlit in here, ever."""
