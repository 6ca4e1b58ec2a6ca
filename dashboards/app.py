"""Streamlit entry: `streamlit run dashboards/app.py` (or `niochat dashboards`)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="NioChat — Dashboards", page_icon="📊", layout="wide")

pages = [st.Page("pages/status.py", title="Status", icon="🩺", default=True)]
st.navigation(pages).run()
