"""Streamlit helpers shared by the pages: resources, state and common widgets.

This is the page layer: it may import Streamlit and ``coach``, never DuckDB or OpenAI.
"""
