"""The "Resumir com IA" button of the Insights section, and the summary (or the note) above the list.

The tenant's engine comes from the same settings the attendant reads (`assistant.context`): on the
built-in engine, or with the AI switched off, the button is shown disabled with a hint and nothing is
sent anywhere. A summary is kept in this Streamlit session per tenant, filters and insight sentences,
so reruns (a filter touched and put back, a drill click) show it again without asking the model; the
button only asks again when there is no accepted summary for the view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from assistant.context import EngineConfig, ai_settings, engine_config
from dashboards import data
from dashboards.insight_summary import Summary, summarize
from dashboards.queries.insights import Insight

_KEY = "niochat_insight_summaries"
_KEEP = 20  # views remembered per session
LABEL = "Resumir com IA"
OFFLINE_HINT = (
    "Disponível quando a IA do provedor usa um modelo de linguagem (Configurações de IA). "
    "Com o motor offline, nada é enviado."
)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#$~|])")


def tenant_engine(tenant_id: int) -> EngineConfig:
    """The tenant's engine as the attendant would use it; the built-in one when the AI is switched off."""
    with data.readonly_database().tenant_session(tenant_id) as session:
        settings = ai_settings(session, tenant_id)
        return engine_config(settings) if settings.enabled else EngineConfig("builtin")


def _plain(text: str) -> str:
    """The model's words shown as words: no markdown links, images, HTML or "$…$" formulas."""
    return _MARKDOWN.sub(r"\\\1", text)


def render(found: Sequence[Insight], tenant_id: int, filters: Any) -> None:
    """Button and summary for this view's insights (nothing when there are none)."""
    if not found:
        return
    config = tenant_engine(tenant_id)
    if config.engine != "model":
        st.button(LABEL, key="insight_summary", disabled=True, help=OFFLINE_HINT)
        return
    store: dict[Any, Summary] = st.session_state.setdefault(_KEY, {})
    view = (tenant_id, filters, tuple(i.text for i in found))
    outcome = store.get(view)
    if (outcome is None or not outcome.ok) and st.button(LABEL, key="insight_summary"):
        with st.spinner("Resumindo os insights…"):
            outcome = summarize(found, config)
        store[view] = outcome
        for old in list(store)[:-_KEEP]:
            del store[old]
    if outcome is None:
        return
    if outcome.ok and outcome.text:
        st.info(_plain(outcome.text), icon=":material/auto_awesome:")
        st.caption("Resumo escrito pela IA a partir dos insights abaixo; os números foram conferidos.")
    elif outcome.note:
        st.warning(outcome.note)
