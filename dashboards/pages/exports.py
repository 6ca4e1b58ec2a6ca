"""Exportar: conversations (every fact), CSAT responses and the agents table, as CSV or Excel, for the
sidebar's period and filters, built in chunks on disk with a progress bar."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboards import data, formats
from dashboards.context import current
from dashboards.exports.run import export, file_name
from dashboards.exports.sources import SOURCES

context = current()
st.title("Exportar dados")
st.caption(
    f"Período: {formats.day(context.period.first_day)} a {formats.day(context.period.last_day)} · "
    f"horários em {context.timezone} · filtros da barra lateral aplicados"
)

key = st.radio(
    "O que exportar",
    list(SOURCES),
    format_func=lambda k: {
        "conversas": "Conversas (uma linha por conversa, com todos os indicadores)",
        "csat": "Respostas CSAT",
        "atendentes": "Atendentes",
    }[k],
    key="export_source",
)
fmt = st.radio(
    "Formato",
    ["xlsx", "csv"],
    format_func=lambda f: {"xlsx": "Excel (.xlsx)", "csv": "CSV (; e vírgula decimal)"}[f],
    horizontal=True,
    key="export_format",
)
source = SOURCES[key]

if st.button("Gerar arquivo", type="primary", key="export_run"):
    bar = st.progress(0.0, text="Contando linhas…")

    def _progress(done: int, total: int) -> None:
        bar.progress(
            min(1.0, done / total) if total else 1.0,
            text=f"{formats.number(done)} de {formats.number(total)} linhas",
        )

    folder = data.settings().instance_path / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / file_name(source, context.period, fmt)  # type: ignore[arg-type]
        rows = export(
            data.readonly_database().engine,
            source,
            fmt,  # type: ignore[arg-type]
            path,
            tenant_id=context.tenant_id,
            state=context.state,
            period=context.period,
            timezone=context.timezone,
            team_scope=context.session.team_scope,
            progress=_progress,
        )
        bar.progress(1.0, text=f"{formats.number(rows)} linhas prontas")
        st.session_state["export_file"] = (path.name, path.read_bytes(), fmt)

ready = st.session_state.get("export_file")
if ready:
    name, content, kind = ready
    mime = (
        "text/csv" if kind == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    st.download_button(f"Baixar {name}", content, file_name=name, mime=mime, key="export_download")
