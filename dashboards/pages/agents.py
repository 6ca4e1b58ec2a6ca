"""Atendentes: per agent and per team, volume, speed, reopens, CSAT and sentiment; a row click drills."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import formats, querying
from dashboards.components import bar, drill_section, filters, set_drill
from dashboards.queries import agents, teams, volumes

f = filters()
st.title("Atendentes")


def _table(df: pd.DataFrame, label: str, key: str, metric: str) -> None:
    if df.empty:
        st.caption("Sem conversas no período.")
        return
    nobody = "Sem atendente" if metric == "agent" else "Sem equipe"
    view = pd.DataFrame(
        {
            label: [nobody if pd.isna(k) else n for k, n in zip(df["key"], df["name"], strict=True)],
            "Conversas": [formats.number(v) for v in df["conversations"]],
            "Encerradas": [formats.number(v) for v in df["closed"]],
            "1ª resposta (mediana)": [formats.duration(v) for v in df["frt_median_s"]],
            "1ª resposta, horário comercial": [formats.duration(v) for v in df["frt_business_median_s"]],
            "Resolução (mediana)": [formats.duration(v) for v in df["resolution_median_s"]],
            "Reabertura": [formats.percent(v) for v in df["reopen_rate"]],
            "CSAT (4–5)": [formats.percent(v) for v in df["csat_score"]],
            "CSAT média": [formats.number(v, 2) for v in df["csat_average"]],
            "Mensagens negativas": [formats.percent(v) for v in df["negative_share"]],
        }
    )
    event = st.dataframe(
        view, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key
    )
    rows = event.selection.rows if event else []
    if rows:
        picked = df.iloc[rows[0]]
        value = None if pd.isna(picked["key"]) else int(picked["key"])
        set_drill(metric, value, f"{label} {picked['name']}")


st.subheader("Por atendente")
_table(querying.run(agents, f), "Atendente", "agents_table", "agent")
st.subheader("Por equipe")
_table(querying.run(teams, f), "Equipe", "teams_table", "team")
bar(
    querying.run(volumes, f, by="agent"),
    "name",
    "conversations",
    "Conversas por atendente",
    "vol_agent",
    {"name": "Atendente", "conversations": "Conversas"},
    "agent",
)
drill_section()
