"""IA: verified AI resolutions (closed by the AI, no human, no return within 72 h), hand-offs and their
reasons, tools used, guardrail triggers; each number drills into its conversations."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboards import formats, querying
from dashboards.components import chart, drill_button, drill_section, filters, kpi, set_drill
from dashboards.queries import ai_summary, ai_trend, handoff_reasons, tools_used

f = filters()
st.title("IA")
now = querying.run(ai_summary, f)
before = querying.run(ai_summary, f.previous())
row = st.columns(4)
kpi(row[0], "Atendidas pela IA", now.handled, before.handled, formats.number)
kpi(
    row[1],
    "Resolução verificada",
    now.verified_rate,
    before.verified_rate,
    formats.percent,
    rate=True,
    help="Encerradas pela IA, sem mensagem humana, e o contato não voltou em 72 h.",
)
kpi(
    row[2],
    "Transferências",
    now.handoff_rate,
    before.handoff_rate,
    formats.percent,
    rate=True,
    lower_is_better=True,
)
kpi(
    row[3],
    "Acionamentos de proteção",
    now.guardrail_triggers,
    before.guardrail_triggers,
    formats.number,
    lower_is_better=True,
)
row = st.columns(4)
kpi(row[0], "Resolvidas (verificadas)", now.verified, before.verified, formats.number)
kpi(row[1], "Voltaram em 72 h", now.returned, before.returned, formats.number, lower_is_better=True)
kpi(row[2], "Aguardando verificação", now.pending_verification, before.pending_verification, formats.number)
kpi(
    row[3],
    "1ª resposta da IA (mediana)",
    now.first_bot_reply_median_s,
    before.first_bot_reply_median_s,
    formats.duration,
    lower_is_better=True,
)
buttons = st.columns(4)
with buttons[0]:
    drill_button(
        "Ver resolvidas", "ai_verified", None, "resolvidas pela IA (verificadas)", "drill_ai_verified"
    )
with buttons[1]:
    drill_button(
        "Ver as que voltaram", "ai_returned", None, "encerradas pela IA que voltaram", "drill_ai_returned"
    )
with buttons[2]:
    drill_button("Ver transferências", "handoff", None, "transferidas para humanos", "drill_handoff")
with buttons[3]:
    drill_button("Ver proteções", "guardrail", None, "com proteção acionada", "drill_guardrail")

trend = querying.run(ai_trend, f)
if not trend.empty:
    long = trend.melt(
        id_vars="day", value_vars=["handled", "ai_closed", "handoffs"], var_name="kind", value_name="n"
    )
    long["kind"] = long["kind"].map(
        {"handled": "Atendidas", "ai_closed": "Encerradas pela IA", "handoffs": "Transferidas"}
    )
    chart(
        px.line(
            long,
            x="day",
            y="n",
            color="kind",
            markers=True,
            title="IA por dia",
            labels={"day": "Dia", "n": "Conversas", "kind": ""},
        ),
        "ai_trend",
    )

left, right = st.columns(2)
with left:
    reasons = querying.run(handoff_reasons, f)
    if reasons.empty:
        st.caption("Nenhuma transferência no período.")
    else:
        fig = px.bar(
            reasons,
            x="conversations",
            y="label",
            orientation="h",
            title="Motivos de transferência",
            labels={"conversations": "Conversas", "label": "Motivo"},
            custom_data=["reason"],
        )
        chart(
            fig,
            "handoff_reasons",
            lambda p: set_drill("handoff_reason", p["customdata"][0], f"motivo {p['y']}"),
        )
with right:
    tools = querying.run(tools_used, f)
    if tools.empty:
        st.caption("Nenhuma ferramenta usada no período.")
    else:
        fig = px.bar(
            tools,
            x="calls",
            y="tool",
            orientation="h",
            title="Ferramentas usadas",
            labels={"calls": "Chamadas", "tool": "Ferramenta"},
        )
        chart(fig, "tools_used", lambda p: set_drill("tool", p["y"], f"ferramenta {p['y']}"))
drill_section()
