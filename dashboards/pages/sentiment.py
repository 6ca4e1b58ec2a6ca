"""Sentimento: the customers' messages over time, negative themes, by agent and team, worst
conversations (each a link into the inbox)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import formats, querying
from dashboards.components import bar, chart, drill_section, filters, inbox_link, set_drill
from dashboards.context import current
from dashboards.queries import negative_themes, sentiment_by, sentiment_trend, worst_conversations

f = filters()
st.title("Sentimento")
trend = querying.run(sentiment_trend, f)
if trend.empty:
    st.caption("Sem mensagens classificadas no período.")
else:
    long = trend.melt(
        id_vars="day", value_vars=["positive", "neutral", "negative"], var_name="kind", value_name="n"
    )
    long["kind"] = long["kind"].map({"positive": "Positivas", "neutral": "Neutras", "negative": "Negativas"})
    fig = px.bar(
        long,
        x="day",
        y="n",
        color="kind",
        title="Mensagens dos clientes por sentimento",
        labels={"day": "Dia", "n": "Mensagens", "kind": ""},
        color_discrete_map={"Positivas": "#16a34a", "Neutras": "#94a3b8", "Negativas": "#dc2626"},
    )
    chart(fig, "sentiment_trend")

themes = querying.run(negative_themes, f)
if not themes.empty:
    fig = px.bar(
        themes.head(15),
        x="conversations",
        y="theme",
        orientation="h",
        title="Temas negativos",
        labels={"conversations": "Conversas", "theme": "Tema"},
    )
    chart(fig, "negative_themes", lambda p: set_drill("theme", p["y"], f"tema {p['y']}"))

left, right = st.columns(2)
for column, by, label in ((left, "agent", "Atendente"), (right, "team", "Equipe")):
    with column:
        df = querying.run(sentiment_by, f, by=by)
        bar(
            df.assign(pct=df["negative_share"] * 100) if not df.empty else df,
            "name",
            "pct",
            f"% de mensagens negativas por {label.lower()}",
            f"sentiment_{by}",
            {"name": label, "pct": "%"},
            by,
        )

st.subheader("Piores conversas")
worst = querying.run(worst_conversations, f)
if worst.empty:
    st.caption("Nenhuma conversa com mensagens negativas no período.")
else:
    timezone = current().timezone
    st.dataframe(
        pd.DataFrame(
            {
                "Conversa": [inbox_link(i) for i in worst["conversation_id"]],
                "Início": [formats.when(t, timezone) for t in worst["started_at"]],
                "Atendente": worst["agent"],
                "Equipe": worst["team"],
                "Tema": worst["theme"],
                "Negativas": worst["negative_messages"],
                "Mensagens do cliente": worst["customer_messages"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Conversa": st.column_config.LinkColumn("Conversa", display_text=r"#/c/(\d+)$")},
    )
drill_section()
