"""Pages run the query functions through here: the read-only role, the verified session's tenant, and a
short cache keyed by tenant and filters (a warm page re-reads nothing for a minute)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dashboards import data
from dashboards.context import current

T = TypeVar("T")
CACHE_SECONDS = 60


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=500)
def _cached(
    name: str, _fn: Callable[..., Any], tenant_id: int, filters: Any, kwargs: tuple[tuple[str, Any], ...]
) -> Any:
    with data.readonly_database().tenant_session(tenant_id) as session:
        return _fn(session, tenant_id, filters, **dict(kwargs))


def run(fn: Callable[..., T], filters: Any, **kwargs: Any) -> T:
    """fn(session, tenant_id, filters, **kwargs) for the current tenant; `filters` is the queries'
    Filters value (hashable), so the cache never mixes tenants or views."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(name, fn, current().tenant_id, filters, tuple(sorted(kwargs.items())))
