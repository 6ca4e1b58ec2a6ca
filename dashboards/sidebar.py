"""The sidebar: period (presets or a range), inbox, team, agent, label and channel, seeded from the URL on
a session's first run and written back to it on every run, so the address bar always shares the view."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from dashboards.filters import PRESETS, FilterState, from_query, to_query
from dashboards.options import FilterOptions

_SEEDED = "niochat_filters_seeded"
KEYS = {
    "preset": "f_periodo",
    "range": "f_intervalo",
    "inbox_ids": "f_caixa",
    "team_ids": "f_equipe",
    "agent_ids": "f_agente",
    "label_ids": "f_etiqueta",
    "channels": "f_canal",
}


def seed_from(state: FilterState, options: FilterOptions) -> None:
    """Put a state into the widgets (first run, or a saved report opened); unknown ids are dropped."""
    st.session_state[KEYS["preset"]] = state.preset
    st.session_state[KEYS["range"]] = (state.start, state.end) if state.start and state.end else ()
    st.session_state[KEYS["inbox_ids"]] = [i for i in state.inbox_ids if i in options.inboxes]
    st.session_state[KEYS["team_ids"]] = [i for i in state.team_ids if i in options.teams]
    st.session_state[KEYS["agent_ids"]] = [i for i in state.agent_ids if i in options.agents]
    st.session_state[KEYS["label_ids"]] = [i for i in state.label_ids if i in options.labels]
    st.session_state[KEYS["channels"]] = [c for c in state.channels if c in options.channels]


def _multi(label: str, key: str, choices: dict[int, str] | dict[str, str]) -> list[Any]:
    return st.sidebar.multiselect(
        label, list(choices), format_func=lambda v: choices.get(v, str(v)), key=key, placeholder="Todas"
    )


def render(options: FilterOptions) -> FilterState:
    """Draw the filters and return their state; the URL follows."""
    if not st.session_state.get(_SEEDED):
        seed_from(from_query(st.query_params.to_dict()), options)
        st.session_state[_SEEDED] = True
    st.sidebar.header("Filtros")
    preset = st.sidebar.selectbox(
        "Período", list(PRESETS), format_func=PRESETS.__getitem__, key=KEYS["preset"]
    )
    start = end = None
    if preset == "personalizado":
        picked = st.sidebar.date_input("De — até", key=KEYS["range"], format="DD/MM/YYYY")
        if isinstance(picked, tuple | list) and len(picked) == 2 and all(isinstance(d, date) for d in picked):
            start, end = picked[0], picked[1]
    state = FilterState(
        preset=preset if (preset != "personalizado" or start) else "30d",
        start=start,
        end=end,
        inbox_ids=tuple(sorted(_multi("Caixa de entrada", KEYS["inbox_ids"], options.inboxes))),
        team_ids=tuple(sorted(_multi("Equipe", KEYS["team_ids"], options.teams))),
        agent_ids=tuple(sorted(_multi("Atendente", KEYS["agent_ids"], options.agents))),
        label_ids=tuple(sorted(_multi("Etiqueta", KEYS["label_ids"], options.labels))),
        channels=tuple(sorted(_multi("Canal", KEYS["channels"], options.channels))),
    )
    state = from_query(to_query(state)) if state.preset == "personalizado" else replace(state)
    sync_url(state)
    return state


def sync_url(state: FilterState) -> None:
    """Replace the filter keys of the URL, keeping any other (none today) untouched."""
    wanted = to_query(state)
    current = st.query_params.to_dict()
    for key in ("periodo", "de", "ate", "caixa", "equipe", "agente", "etiqueta", "canal"):
        if key in current and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if current.get(key) != value:
            st.query_params[key] = value
