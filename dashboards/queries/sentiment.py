"""Sentimento: customers' messages as the attendant understood them (`messages.sentiment`, written by
`assistant.runner`), counted per conversation in the facts: over time, by agent and team, negative
themes (the intent of the first negative message), and the worst conversations."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import dimension_names, frame, named
from dashboards.queries.filters import Filters, where

_SHARES = """
       sum(f.positive_messages) AS positive, sum(f.neutral_messages) AS neutral,
       sum(f.negative_messages) AS negative,
       sum(f.negative_messages)::float
           / nullif(sum(f.positive_messages + f.neutral_messages + f.negative_messages), 0) AS negative_share,
       count(*) FILTER (WHERE f.negative_messages > 0) AS conversations_with_negative,
       avg(f.sentiment_avg) AS average_score
"""


def sentiment_trend(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Per local day: positive, neutral, negative messages, negative share, conversations with a
    negative message, average score."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"SELECT f.local_date AS day, {_SHARES} FROM conversation_facts f WHERE {sql.text}"
        " GROUP BY f.local_date ORDER BY f.local_date",
        sql.params,
    )


def sentiment_by(session: Session, tenant_id: int, filters: Filters, by: str) -> pd.DataFrame:
    """The same counts per agent or team."""
    key = {"agent": "f.agent_id", "team": "f.team_id"}[by]
    sql = where(filters, tenant_id)
    df = frame(
        session,
        f"SELECT {key} AS key, count(*) AS conversations, {_SHARES} FROM conversation_facts f"
        f" WHERE {sql.text} GROUP BY {key} ORDER BY negative_share DESC NULLS LAST",
        sql.params,
    )
    return named(session, tenant_id, df, by)


def negative_themes(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """What negative messages were about: theme (intent), conversations."""
    sql = where(filters, tenant_id)
    return frame(
        session,
        f"""
        SELECT coalesce(f.negative_intent, f.intent, 'não identificado') AS theme, count(*) AS conversations
        FROM conversation_facts f WHERE {sql.text} AND f.negative_messages > 0
        GROUP BY 1 ORDER BY conversations DESC
        """,
        sql.params,
    )


def worst_conversations(session: Session, tenant_id: int, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """The conversations with the most negative messages (then the lowest average score)."""
    sql = where(filters, tenant_id)
    df = frame(
        session,
        f"""
        SELECT f.conversation_id, f.started_at, f.channel, f.agent_id, f.team_id, f.status,
               f.negative_messages, f.customer_messages, f.sentiment_avg,
               coalesce(f.negative_intent, f.intent) AS theme
        FROM conversation_facts f WHERE {sql.text} AND f.negative_messages > 0
        ORDER BY f.negative_messages DESC, f.sentiment_avg ASC NULLS LAST, f.conversation_id
        LIMIT :limit
        """,
        {**sql.params, "limit": int(limit)},
    )
    agents = dimension_names(session, tenant_id, "agent")
    teams = dimension_names(session, tenant_id, "team")
    df.insert(4, "agent", [agents.get(a, "—") for a in df["agent_id"]])
    df.insert(6, "team", [teams.get(t, "—") for t in df["team_id"]])
    return df
