"""Visão geral: KPI cards against the previous period, the Insights list (with the model engine's
checked summary on request), daily trends, volumes and the hour-of-week heatmap; every chart drills into
its conversations."""

from __future__ import annotations

from datetime import date

import plotly.express as px
import streamlit as st

from dashboards import formats, insight_panel, querying
from dashboards.components import bar, chart, drill_section, filters, kpi, set_drill
from dashboards.context import current
from dashboards.queries import daily_trend, heatmap, insights, kpis, volumes

context = current()
f = filters()
st.title("Visão geral")
st.caption(
    f"{formats.day(context.period.first_day)} a {formats.day(context.period.last_day)} · comparado com "
    f"{formats.day(context.period.previous.first_day)} a {formats.day(context.period.previous.last_day)}"
)

k = querying.run(kpis, f)
now, before = k.current, k.previous
row = st.columns(4)
kpi(row[0], "Conversas", now.conversations, before.conversations, formats.number)
kpi(
    row[1],
    "1ª resposta humana (mediana)",
    now.frt_median_s,
    before.frt_median_s,
    formats.duration,
    lower_is_better=True,
    help="Sem o tempo com a IA.",
)
kpi(
    row[2],
    "Resolução (mediana)",
    now.resolution_median_s,
    before.resolution_median_s,
    formats.duration,
    lower_is_better=True,
)
kpi(
    row[3],
    "Espera na fila (média)",
    now.queue_avg_s,
    before.queue_avg_s,
    formats.duration,
    lower_is_better=True,
)
row = st.columns(4)
kpi(
    row[0],
    "Resolvidas pela IA (verificadas)",
    now.ai_resolution_rate,
    before.ai_resolution_rate,
    formats.percent,
    rate=True,
    help="Encerradas pela IA, sem mensagem humana e sem nova conversa do contato em 72 h.",
)
kpi(
    row[1],
    "Transferências para humanos",
    now.handoff_rate,
    before.handoff_rate,
    formats.percent,
    rate=True,
    lower_is_better=True,
)
kpi(
    row[2],
    "Reabertura",
    now.reopen_rate,
    before.reopen_rate,
    formats.percent,
    rate=True,
    lower_is_better=True,
)
kpi(row[3], "CSAT (notas 4–5)", now.csat_score, before.csat_score, formats.percent, rate=True)

st.subheader("Insights")
found = querying.run(insights, f)
if not found:
    st.caption("Nada fora do comum neste período.")
insight_panel.render(found, context.tenant_id, f)
for n, item in enumerate(found):
    left, right = st.columns([5, 1])
    left.markdown(f"• {item.text}")
    if right.button("Ver conversas", key=f"insight_{n}"):
        set_drill(item.drill.metric, item.drill.value, item.text, item.filters)

trend = querying.run(daily_trend, f)
left, right = st.columns(2)
with left:
    if trend.empty:
        st.caption("Sem conversas no período.")
    else:
        fig = px.line(
            trend,
            x="day",
            y=["conversations", "closed"],
            title="Conversas por dia",
            markers=True,
            labels={"day": "Dia", "value": "Conversas", "variable": ""},
        )
        fig.for_each_trace(
            lambda t: t.update(name={"conversations": "Abertas", "closed": "Encerradas"}[t.name])
        )
        chart(
            fig,
            "trend_volume",
            lambda p: set_drill("day", date.fromisoformat(str(p["x"])[:10]), f"dia {str(p['x'])[:10]}"),
        )
with right:
    if not trend.empty:
        minutes = trend.assign(frt=trend["frt_median_s"] / 60, res=trend["resolution_median_s"] / 60)
        fig = px.line(
            minutes,
            x="day",
            y=["frt", "res"],
            title="Tempos medianos por dia (min)",
            markers=True,
            labels={"day": "Dia", "value": "Minutos", "variable": ""},
        )
        fig.for_each_trace(lambda t: t.update(name={"frt": "1ª resposta", "res": "Resolução"}[t.name]))
        chart(
            fig,
            "trend_times",
            lambda p: set_drill("day", date.fromisoformat(str(p["x"])[:10]), f"dia {str(p['x'])[:10]}"),
        )

left, right = st.columns(2)
with left:
    channel = querying.run(volumes, f, by="channel")
    bar(
        channel,
        "name",
        "conversations",
        "Por canal",
        "vol_channel",
        {"name": "Canal", "conversations": "Conversas"},
        "channel",
    )
with right:
    inbox = querying.run(volumes, f, by="inbox")
    bar(
        inbox,
        "name",
        "conversations",
        "Por caixa de entrada",
        "vol_inbox",
        {"name": "Caixa", "conversations": "Conversas"},
        "inbox",
    )
label = querying.run(volumes, f, by="label")
bar(
    label,
    "name",
    "conversations",
    "Por etiqueta",
    "vol_label",
    {"name": "Etiqueta", "conversations": "Conversas"},
    "label",
)

heat = querying.run(heatmap, f)
if not heat.empty:
    days = ["Seg", "Ter", "Qua", "Qui", "Sex", "Sáb", "Dom"]
    grid = heat.pivot_table(index="dow", columns="hour", values="conversations", fill_value=0).reindex(
        index=range(1, 8), columns=range(24), fill_value=0
    )
    fig = px.imshow(
        grid.values,
        x=[f"{h}h" for h in range(24)],
        y=days,
        aspect="auto",
        color_continuous_scale="Blues",
        title="Conversas por hora da semana",
        labels={"x": "Hora", "y": "Dia", "color": "Conversas"},
    )
    chart(
        fig,
        "heatmap",
        lambda p: set_drill(
            "dow_hour", (days.index(p["y"]) + 1, int(str(p["x"]).rstrip("h"))), f"{p['y']} {p['x']}"
        ),
    )

drill_section()
