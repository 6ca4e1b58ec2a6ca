"""Pages run the query functions through here: the read-only role, the verified session's tenant and
team scope, and a short cache keyed by tenant and filters (a warm page re-reads nothing for a minute)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import streamlit as st

from dashboards import data
from dashboards.context import current
from dashboards.queries.filters import Filters

T = TypeVar("T")
CACHE_SECONDS = 60


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=500)
def _cached(
    name: str, _fn: Callable[..., Any], tenant_id: int, filters: Any, kwargs: tuple[tuple[str, Any], ...]
) -> Any:
    with data.readonly_database().tenant_session(tenant_id) as session:
        return _fn(session, tenant_id, filters, **dict(kwargs))


def run(fn: Callable[..., T], filters: Filters, **kwargs: Any) -> T:
    """fn(session, tenant_id, filters, **kwargs) for the current tenant; `filters` is the queries'
    Filters value (hashable), so the cache never mixes tenants or views.

    The session's team scope replaces whatever `filters` carries (a drill's or an insight's stored
    Filters included): whatever a page, a click or the URL built, a supervisor reads the conversations
    of their own teams only, and the cache key holds the scope, so it never serves one viewer's rows to
    another."""
    context = current()
    scoped = replace(filters, team_scope=context.session.team_scope)
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(name, fn, context.tenant_id, scoped, tuple(sorted(kwargs.items())))
