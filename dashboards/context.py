"""What a page needs for this run: the verified session, the filters and their period. Set by app.py
before the page runs; pages read it with `current()`, never from the URL themselves."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboards.auth import DashboardSession
from dashboards.filters import FilterState, Period
from dashboards.options import FilterOptions

_KEY = "niochat_page_context"


@dataclass(frozen=True)
class PageContext:
    session: DashboardSession
    state: FilterState
    period: Period
    options: FilterOptions

    @property
    def tenant_id(self) -> int:
        return self.session.tenant_id

    @property
    def timezone(self) -> str:
        return self.session.timezone


def set_current(context: PageContext) -> None:
    st.session_state[_KEY] = context


def current() -> PageContext:
    context = st.session_state.get(_KEY)
    if not isinstance(context, PageContext):  # a page run on its own, outside app.py
        st.error("Abra os dashboards pelo endereço principal.")
        st.stop()
    return context
