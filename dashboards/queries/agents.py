"""Atendentes: one row per agent (or team) with volume, speed, reopens, CSAT and sentiment."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import frame, named
from dashboards.queries.filters import Filters, where

_PERFORMANCE_SQL = """
SELECT {key} AS key,
       count(*) AS conversations,
       count(*) FILTER (WHERE f.closed_at IS NOT NULL) AS closed,
       sum(f.human_messages) AS messages,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_s) AS frt_median_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt_business_s) AS frt_business_median_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_s) AS resolution_median_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_business_s) AS resolution_business_median_s,
       (count(*) FILTER (WHERE f.closed_at IS NOT NULL AND f.reopens > 0))::float
           / nullif(count(*) FILTER (WHERE f.closed_at IS NOT NULL), 0) AS reopen_rate,
       count(f.csat_score) AS csat_responses,
       (count(*) FILTER (WHERE f.csat_score >= 4))::float / nullif(count(f.csat_score), 0) AS csat_score,
       avg(f.csat_score)::float AS csat_average,
       sum(f.negative_messages)::float
           / nullif(sum(f.positive_messages + f.neutral_messages + f.negative_messages), 0)
           AS negative_share
FROM conversation_facts f WHERE {where}
GROUP BY {key}
ORDER BY conversations DESC
"""


def _performance(session: Session, tenant_id: int, filters: Filters, by: str) -> pd.DataFrame:
    sql = where(filters, tenant_id)
    key = {"agent": "f.agent_id", "team": "f.team_id"}[by]
    df = frame(session, _PERFORMANCE_SQL.format(where=sql.text, key=key), sql.params)
    return named(session, tenant_id, df, by)


def agents(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Per agent (the last human assigned): conversations, closes, messages, medians, reopen rate, CSAT."""
    return _performance(session, tenant_id, filters, "agent")


def teams(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """The same table per team (the last team the conversation was routed to)."""
    return _performance(session, tenant_id, filters, "team")
