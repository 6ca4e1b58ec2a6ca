"""The dashboards' handles, one per Streamlit server process: the app database (logins, saved reports),
the read-only database every metric and export reads through, and Redis (one-use tokens, TOTP replay)."""

from __future__ import annotations

import streamlit as st
from redis import Redis

from models.db import Database
from niochat.config import Settings, get_settings
from niochat.readonly_role import readonly_database_url
from niochat.runtime import resolve_urls


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """Logins (audit rows, lockout counts) and saved reports: the only writes the dashboards make."""
    urls = resolve_urls(get_settings())
    return Database(urls.database_url, pool_size=5, max_overflow=5)


@st.cache_resource(show_spinner=False)
def readonly_database() -> Database:
    """Metrics and exports: the read-only role, so no dashboard query can ever write."""
    current = get_settings()
    urls = resolve_urls(current)
    return Database(readonly_database_url(current, urls.database_url), pool_size=5, max_overflow=5)


@st.cache_resource(show_spinner=False)
def redis_url() -> str:
    return resolve_urls(get_settings()).redis_url


@st.cache_resource(show_spinner=False)
def redis() -> Redis:
    return Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=5)
