"""Saved reports in the sidebar: the current page and filters under a name, per user; opening one puts
its filters back in the widgets (and so in the URL) and goes to its page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import streamlit as st

from dashboards import data, sidebar
from dashboards.auth import DashboardSession
from dashboards.filters import FilterState, from_query, query_string
from dashboards.options import FilterOptions
from models.saved_report import ReportError, delete_report, list_reports, save_report

_PENDING = "niochat_open_report"


def apply_pending(options: FilterOptions) -> None:
    """Before the widgets are drawn: a report opened on the previous run seeds them now."""
    query = st.session_state.pop(_PENDING, None)
    if query is not None:
        sidebar.seed_from(from_query(dict(parse_qsl(query))), options)


def render(
    session: DashboardSession, state: FilterState, page_key: str, go_to: Callable[[str], None]
) -> None:
    viewer = session.viewer
    with st.sidebar.expander("Relatórios salvos"):
        with data.database().tenant_session(session.tenant_id) as db:
            reports = [(r.id, r.name, r.page, r.query) for r in list_reports(db, viewer.user_id)]
        if reports:
            names = {r[0]: r[1] for r in reports}
            chosen = st.selectbox(
                "Meus relatórios", list(names), format_func=names.__getitem__, key="niochat_report_pick"
            )
            left, right = st.columns(2)
            if left.button("Abrir", key="niochat_report_open"):
                _, _, page, query = next(r for r in reports if r[0] == chosen)
                st.session_state[_PENDING] = query
                go_to(page)
            if right.button("Excluir", key="niochat_report_delete"):
                with data.database().tenant_session(session.tenant_id) as db:
                    delete_report(db, viewer.user_id, int(chosen))
                st.rerun()
        else:
            st.caption("Nenhum relatório salvo ainda.")
        with st.form("niochat-save-report", clear_on_submit=True):
            name = st.text_input("Nome", max_chars=80, placeholder="Ex.: CSAT do Financeiro, mês passado")
            if st.form_submit_button("Salvar esta visão"):
                try:
                    with data.database().tenant_session(session.tenant_id) as db:
                        save_report(
                            db,
                            tenant_id=session.tenant_id,
                            user_id=viewer.user_id,
                            name=name,
                            page=page_key,
                            query=query_string(state),
                        )
                except ReportError as error:
                    st.error(str(error))
                else:
                    st.success("Relatório salvo.")
