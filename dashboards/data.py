"""The dashboards' database handle: one engine per Streamlit server process."""

from __future__ import annotations

import streamlit as st

from models.db import Database
from niochat.config import get_settings
from niochat.runtime import resolve_urls


@st.cache_resource(show_spinner=False)
def database() -> Database:
    settings = get_settings()
    urls = resolve_urls(settings)
    return Database(urls.database_url, pool_size=5, max_overflow=5)


@st.cache_resource(show_spinner=False)
def redis_url() -> str:
    return resolve_urls(get_settings()).redis_url
