"""The dashboards' queries: plain functions of (session, tenant_id, filters, …) returning DataFrames or
small dataclasses, over the fact table (`models.facts`). No Streamlit here: pages call these, tests
call them alone, exports page through `fact_chunks`.

Every function takes the tenant explicitly and filters by it (`filters.where` puts it first), whatever
the session; `QUERY_FUNCTIONS` lists them all for the tenant-isolation test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboards.queries.agents import agents, teams
from dashboards.queries.ai import REASON_LABELS, AiSummary, ai_summary, ai_trend, handoff_reasons, tools_used
from dashboards.queries.base import CHANNEL_NAMES, dimension_names
from dashboards.queries.csat import (
    CsatSummary,
    csat_alerts,
    csat_by,
    csat_responses,
    csat_summary,
    csat_themes,
    csat_trend,
)
from dashboards.queries.drilldown import DRILLS, EXPORT_COLUMNS, Drill, conversations, count, fact_chunks
from dashboards.queries.filters import Filters
from dashboards.queries.insights import FINDERS, Insight, insights
from dashboards.queries.overview import KpiComparison, Kpis, daily_trend, heatmap, kpis, volumes
from dashboards.queries.sentiment import negative_themes, sentiment_by, sentiment_trend, worst_conversations

# name -> (function, extra keyword arguments for one representative call)
QUERY_FUNCTIONS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "kpis": (kpis, {}),
    "daily_trend": (daily_trend, {}),
    "volumes_channel": (volumes, {"by": "channel"}),
    "volumes_inbox": (volumes, {"by": "inbox"}),
    "volumes_team": (volumes, {"by": "team"}),
    "volumes_agent": (volumes, {"by": "agent"}),
    "volumes_label": (volumes, {"by": "label"}),
    "heatmap": (heatmap, {}),
    "agents": (agents, {}),
    "teams": (teams, {}),
    "csat_summary": (csat_summary, {}),
    "csat_by_agent": (csat_by, {"by": "agent"}),
    "csat_by_team": (csat_by, {"by": "team"}),
    "csat_by_channel": (csat_by, {"by": "channel"}),
    "csat_by_ai": (csat_by, {"by": "ai"}),
    "csat_trend": (csat_trend, {}),
    "csat_themes": (csat_themes, {}),
    "csat_alerts": (csat_alerts, {}),
    "csat_responses": (csat_responses, {}),
    "sentiment_trend": (sentiment_trend, {}),
    "sentiment_by_agent": (sentiment_by, {"by": "agent"}),
    "sentiment_by_team": (sentiment_by, {"by": "team"}),
    "negative_themes": (negative_themes, {}),
    "worst_conversations": (worst_conversations, {}),
    "ai_summary": (ai_summary, {}),
    "handoff_reasons": (handoff_reasons, {}),
    "tools_used": (tools_used, {}),
    "ai_trend": (ai_trend, {}),
    "conversations": (conversations, {}),
    "count": (count, {}),
    "fact_chunks": (lambda s, t, f: list(fact_chunks(s, t, f)), {}),
    "insights": (insights, {}),
    **{f"insight_{fn.__name__}": (fn, {}) for fn in FINDERS},
}

# The queries each page runs (the benchmark times them per page).
PAGES: dict[str, list[str]] = {
    "overview": ["kpis", "daily_trend", "volumes_channel", "volumes_inbox", "volumes_label", "heatmap",
                 "insights"],
    "agents": ["agents", "teams", "volumes_agent"],
    "csat": ["csat_summary", "csat_by_agent", "csat_by_team", "csat_by_channel", "csat_by_ai", "csat_trend",
             "csat_themes", "csat_alerts"],
    "sentiment": ["sentiment_trend", "sentiment_by_agent", "sentiment_by_team", "negative_themes",
                  "worst_conversations"],
    "ai": ["ai_summary", "handoff_reasons", "tools_used", "ai_trend"],
}  # fmt: skip

__all__ = [
    "CHANNEL_NAMES",
    "DRILLS",
    "EXPORT_COLUMNS",
    "PAGES",
    "QUERY_FUNCTIONS",
    "REASON_LABELS",
    "AiSummary",
    "CsatSummary",
    "Drill",
    "Filters",
    "Insight",
    "KpiComparison",
    "Kpis",
    "agents",
    "ai_summary",
    "ai_trend",
    "conversations",
    "count",
    "csat_alerts",
    "csat_by",
    "csat_responses",
    "csat_summary",
    "csat_themes",
    "csat_trend",
    "daily_trend",
    "dimension_names",
    "fact_chunks",
    "handoff_reasons",
    "heatmap",
    "insights",
    "kpis",
    "negative_themes",
    "sentiment_by",
    "sentiment_trend",
    "teams",
    "tools_used",
    "volumes",
    "worst_conversations",
]
