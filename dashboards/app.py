"""Streamlit entry: `streamlit run dashboards/app.py` (or `niochat dashboards`).

Order matters: the visitor is verified first (inbox token or login form); only then are the tenant's
filter options read (read-only role), the sidebar drawn and a page run. The tenant, and a supervisor's
teams, come from the verified session alone."""

from __future__ import annotations

import streamlit as st

from dashboards import auth, data, saved_reports, sidebar
from dashboards.context import PageContext, set_current
from dashboards.filters import resolve
from dashboards.options import load_options

st.set_page_config(page_title="NioChat — Dashboards", page_icon=":material/bar_chart:", layout="wide")

PAGES = {
    "visao-geral": st.Page(
        "pages/overview.py",
        title="Visão geral",
        icon=":material/monitoring:",
        url_path="visao-geral",
        default=True,
    ),
    "atendentes": st.Page(
        "pages/agents.py", title="Atendentes", icon=":material/support_agent:", url_path="atendentes"
    ),
    "csat": st.Page("pages/csat.py", title="CSAT", icon=":material/star:", url_path="csat"),
    "sentimento": st.Page(
        "pages/sentiment.py", title="Sentimento", icon=":material/sentiment_satisfied:", url_path="sentimento"
    ),
    "ia": st.Page("pages/ai.py", title="IA", icon=":material/smart_toy:", url_path="ia"),
    "exportar": st.Page(
        "pages/exports.py", title="Exportar", icon=":material/download:", url_path="exportar"
    ),
    "status": st.Page("pages/status.py", title="Status", icon=":material/monitor_heart:", url_path="status"),
}


def _go_to(page_key: str) -> None:
    st.switch_page(PAGES.get(page_key, PAGES["visao-geral"]))


session = auth.authenticate()
if session is None:
    gate = auth.pick_tenant_page if auth.signed_in() else auth.login_page
    if auth.signed_in():
        auth.sign_out_button()
    st.navigation([st.Page(gate, title="Entrar", url_path="entrar")], position="hidden").run()
    st.stop()
assert session is not None

with data.readonly_database().tenant_session(session.tenant_id) as db:
    options = load_options(db, session.tenant_id, session.team_scope)
st.sidebar.caption(f"{session.tenant_name} · {session.viewer.name}")
if session.team_scope is not None:
    st.sidebar.caption(
        "Mostrando apenas as equipes que você supervisiona: " + ", ".join(options.teams.values()) + "."
    )
saved_reports.apply_pending(options)
navigation = st.navigation(list(PAGES.values()))
state = sidebar.render(options)
period = resolve(state, session.timezone)
set_current(PageContext(session, state, period, options))
page_key = next((k for k, p in PAGES.items() if p.url_path == navigation.url_path), "visao-geral")
saved_reports.render(session, state, page_key, _go_to)
auth.sign_out_button()
navigation.run()
