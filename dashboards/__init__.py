"""Streamlit dashboards. Queries are plain functions returning DataFrames, so they are tested alone."""
