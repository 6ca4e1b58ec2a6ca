"""CSAT: score (share of 4–5), average, response rate and coverage; by agent, team, channel and AI vs
human; trend, comment themes, alerts and recoveries."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import formats, querying
from dashboards.components import bar, chart, drill_section, filters, inbox_link, kpi, set_drill
from dashboards.context import current
from dashboards.queries import csat_alerts, csat_by, csat_summary, csat_themes, csat_trend

f = filters()
st.title("CSAT")
st.caption("Conversas encerradas no período e as avaliações dos clientes sobre elas.")
now = querying.run(csat_summary, f)
before = querying.run(csat_summary, f.previous())
row = st.columns(4)
kpi(row[0], "CSAT (notas 4–5)", now.score, before.score, formats.percent, rate=True)
kpi(row[1], "Nota média", now.average, before.average, lambda v: formats.number(v, 2))
kpi(
    row[2],
    "Taxa de resposta",
    now.response_rate,
    before.response_rate,
    formats.percent,
    rate=True,
    help="Respostas / pesquisas enviadas.",
)
kpi(
    row[3],
    "Cobertura",
    now.coverage,
    before.coverage,
    formats.percent,
    rate=True,
    help="Respostas / conversas encerradas.",
)
row = st.columns(4)
kpi(row[0], "Respostas", now.responses, before.responses, formats.number)
kpi(row[1], "Pesquisas enviadas", now.surveys_sent, before.surveys_sent, formats.number)
kpi(row[2], "Alertas (nota baixa)", now.alerts, before.alerts, formats.number, lower_is_better=True)
kpi(row[3], "Recuperados", now.recovered, before.recovered, formats.number)

trend = querying.run(csat_trend, f)
if not trend.empty:
    fig = px.line(
        trend.assign(pct=trend["score"] * 100),
        x="day",
        y="pct",
        markers=True,
        title="CSAT por dia (% de notas 4–5)",
        labels={"day": "Dia", "pct": "%"},
    )
    chart(fig, "csat_trend")

dims = {"agent": "Atendente", "team": "Equipe", "channel": "Canal", "ai": "IA × Humano"}
tabs = st.tabs(list(dims.values()))
for tab, (by, label) in zip(tabs, dims.items(), strict=True):
    with tab:
        df = querying.run(csat_by, f, by=by)
        if df.empty:
            st.caption("Sem avaliações no período.")
            continue
        chartable = df.dropna(subset=["average"])
        bar(
            chartable,
            "name",
            "average",
            f"Nota média por {label.lower()}",
            f"csat_by_{by}",
            {"name": label, "average": "Nota média"},
            by if by in ("agent", "team", "channel") else None,
        )
        st.dataframe(
            pd.DataFrame(
                {
                    label: df["name"],
                    "Encerradas": [formats.number(v) for v in df["closed"]],
                    "Respostas": [formats.number(v) for v in df["responses"]],
                    "CSAT (4–5)": [formats.percent(v) for v in df["score"]],
                    "Média": [formats.number(v, 2) for v in df["average"]],
                    "Taxa de resposta": [formats.percent(v) for v in df["response_rate"]],
                    "Cobertura": [formats.percent(v) for v in df["coverage"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )

left, right = st.columns(2)
with left:
    themes = querying.run(csat_themes, f)
    st.subheader("Temas dos comentários")
    if themes.empty:
        st.caption("Nenhum comentário com tema no período.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Tema": themes["theme"],
                    "Respostas": themes["responses"],
                    "Média": [formats.number(v, 2) for v in themes["average"]],
                    "Notas ≤ 3": themes["low"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
with right:
    st.subheader("Notas por valor")
    for score in (1, 2, 3, 4, 5):
        if st.button(f"Ver conversas com nota {score}", key=f"csat_score_{score}"):
            set_drill("csat_score", score, f"nota {score}")

st.subheader("Alertas")
alerts = querying.run(csat_alerts, f)
if alerts.empty:
    st.caption("Nenhuma nota baixa no período.")
else:
    timezone = current().timezone
    st.dataframe(
        pd.DataFrame(
            {
                "Conversa": [inbox_link(i) for i in alerts["conversation_id"]],
                "Respondida em": [formats.when(t, timezone) for t in alerts["answered_at"]],
                "Nota": alerts["score"],
                "Comentário": alerts["comment"],
                "Atendente": alerts["agent"],
                "Equipe": alerts["team"],
                "Recuperado": ["Sim" if r else "Não" for r in alerts["recovered"]],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Conversa": st.column_config.LinkColumn("Conversa", display_text=r"#/c/(\d+)$")},
    )
drill_section()
