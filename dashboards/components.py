"""Pieces the pages share: the queries' Filters for this view, KPI cards with the change against the
previous period, plotly charts whose clicks drill down, and the conversation list behind a number with
links into the inbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import data, formats, querying
from dashboards.context import current
from dashboards.queries import Drill, Filters, conversations, count

_DRILL = "niochat_drill"
Formatter = Callable[[Any], str]


def filters() -> Filters:
    """The sidebar's view as the queries' value: the period in the tenant's calendar, the dimensions, and
    the session's team scope (`querying.run` stamps it again on every query)."""
    context = current()
    state = context.state
    return Filters(
        start=context.period.start,
        end=context.period.end,
        inbox_ids=state.inbox_ids,
        team_ids=state.team_ids,
        agent_ids=state.agent_ids,
        label_ids=state.label_ids,
        channels=state.channels,
        team_scope=context.session.team_scope,
    )


def inbox_link(conversation_id: int) -> str:
    """The inbox opens a conversation from its hash route."""
    return f"{data.settings().public_url.rstrip('/')}/#/c/{int(conversation_id)}"


def kpi(
    column: Any,
    label: str,
    now: float | int | None,
    before: float | int | None,
    show: Formatter,
    *,
    rate: bool = False,
    lower_is_better: bool = False,
    help: str | None = None,
) -> None:
    """A card: the value, and its change against the previous period (relative, or in points for rates)."""
    delta = formats.change(now, before, relative=not rate)
    column.metric(
        label,
        show(now),
        delta=delta,
        delta_color="inverse" if lower_is_better else "normal",
        help=(help + " " if help else "") + f"Período anterior: {show(before)}",
        border=True,
    )


def set_drill(metric: str, value: Any, label: str, scope: Filters | None = None) -> None:
    """`scope`: the period and dimensions the drill lists (an insight's own: its spike hour, its team's
    last 30 days); None: the sidebar's, whatever it becomes."""
    st.session_state[_DRILL] = (metric, value, label, scope)


def drill_button(label: str, metric: str, value: Any, title: str, key: str) -> None:
    if st.button(label, key=key):
        set_drill(metric, value, title)


def chart(fig: Any, key: str, on_pick: Callable[[dict[str, Any]], None] | None = None) -> None:
    """A plotly chart; with `on_pick`, clicking a bar or point drills into its conversations."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, separators=",.", height=320)
    first_x = next((t.x[0] for t in fig.data if getattr(t, "x", None) is not None and len(t.x)), None)
    if isinstance(first_x, date | datetime | pd.Timestamp):
        fig.update_xaxes(tickformat="%d/%m")  # pt-BR days, not plotly's English month names
    if on_pick is None:
        st.plotly_chart(fig, key=key, width="stretch")
        return
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch")
    selection = event.get("selection") if event else None
    points = selection.get("points", []) if selection else []
    if points:
        on_pick(points[0])


def bar(
    df: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    key: str,
    labels: dict[str, str],
    drill_metric: str | None = None,
    **kwargs: Any,
) -> None:
    """A bar chart of a (key, name, value) frame; with `drill_metric`, a click lists that bar's
    conversations (the bar's key is the drill's value)."""
    if df.empty:
        st.caption(f"{title}: sem dados no período.")
        return
    custom = {"custom_data": ["key"]} if drill_metric and "key" in df else {}
    fig = px.bar(df, x=x, y=y, title=title, labels=labels, **custom, **kwargs)

    def pick(point: dict[str, Any]) -> None:
        value = (point.get("customdata") or [None])[0]
        value = (
            None if value is None or pd.isna(value) else (int(value) if isinstance(value, float) else value)
        )
        set_drill(str(drill_metric), value, f"{title}: {point.get('x')}")

    chart(fig, key, pick if custom else None)


def drill_section() -> None:
    """The conversations behind the last click, with links into the inbox."""
    picked = st.session_state.get(_DRILL)
    if not picked:
        st.caption("Clique num gráfico, numa tabela ou num insight para ver as conversas por trás do número.")
        return
    metric, value, label, *scope = picked  # `scope`: the drill's own Filters, if `set_drill` gave one
    drill = Drill(metric, value)
    f = scope[0] if scope and scope[0] is not None else filters()
    total = querying.run(count, f, drill=drill)
    df = querying.run(conversations, f, drill=drill, limit=500)
    head = st.columns([4, 1])
    head[0].subheader(f"Conversas: {label} ({formats.number(total)})")
    if head[1].button("Limpar", key="drill_clear"):
        st.session_state.pop(_DRILL, None)
        st.rerun()
    conversation_table(df)
    if total > len(df):
        st.caption(f"Mostrando as {formats.number(len(df))} mais recentes. A lista completa sai em Exportar.")


def conversation_table(df: pd.DataFrame) -> None:
    if df.empty:
        st.caption("Nenhuma conversa.")
        return
    timezone = current().timezone
    view = pd.DataFrame(
        {
            "Conversa": [inbox_link(i) for i in df["conversation_id"]],
            "Início": [formats.when(t, timezone) for t in df["started_at"]],
            "Contato": df.get("contact"),
            "Canal": df.get("channel"),
            "Caixa": df.get("inbox"),
            "Equipe": df.get("team"),
            "Atendente": df.get("agent"),
            "1ª resposta": [formats.duration(v) for v in df["frt_s"]],
            "Resolução": [formats.duration(v) for v in df["resolution_s"]],
            "Situação": df.get("status"),
        }
    )
    if "pop" in df and df["pop"].notna().any():  # only where the SGP told the AI the customers' POPs
        view.insert(5, "POP", df["pop"].fillna("—"))
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        column_config={
            "Conversa": st.column_config.LinkColumn(
                "Conversa", display_text=r"#/c/(\d+)$", help="Abrir na caixa de entrada"
            )
        },
    )
