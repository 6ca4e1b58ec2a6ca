"""CSAT: score (% of 4–5), average, response rate, coverage, by dimension, themes, alerts, recoveries.

Aligned on the conversation's close: the period selects conversations closed in it, so coverage
(answered / closed) and response rate (answered / sent) divide numbers about the same conversations.
An alert is a rating at or below the tenant's `alert_threshold`; it is recovered when the same contact
later rated 4 or 5 within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import CHANNEL_NAMES, dimension_names, frame, one, ratio
from dashboards.queries.filters import Filters, where

RECOVERY_DAYS = 30  # models.facts_refresh computes csat_recovered

# The CSAT columns of the facts under the names the queries below use.
_BASE = """
WITH rated AS (
    SELECT f.*, f.csat_sent_at AS sent_at, f.csat_score AS score, f.csat_answered_at AS answered_at,
           f.csat_themes AS themes
    FROM conversation_facts f WHERE {where}
)
"""

# The free-text comment, read for the few rows listed (alerts, the export), not for aggregates.
_COMMENT = (
    "(SELECT r.comment FROM csat_surveys s JOIN csat_responses r ON r.survey_id = s.id"
    " WHERE s.tenant_id = :tenant_id AND s.conversation_id = rated.conversation_id LIMIT 1)"
)
_THRESHOLD = "coalesce((SELECT cs.alert_threshold FROM csat_settings cs WHERE cs.tenant_id = :tenant_id), 2)"


@dataclass(frozen=True)
class CsatSummary:
    closed: int
    surveys_sent: int
    responses: int
    score: float | None  # share of 4–5 among responses
    average: float | None
    response_rate: float | None  # responses / surveys sent
    coverage: float | None  # responses / closed conversations
    alerts: int
    recovered: int


def _closed(filters: Filters, tenant_id: int) -> tuple[str, dict[str, object]]:
    sql = where(filters, tenant_id, period_on="closed_at")
    return sql.text, sql.params


def csat_summary(session: Session, tenant_id: int, filters: Filters) -> CsatSummary:
    """The CSAT cards for conversations closed in the period."""
    text, params = _closed(filters, tenant_id)
    row = one(
        session,
        _BASE.format(where=text)
        + f"""
        SELECT count(*) AS closed, count(sent_at) AS sent, count(score) AS responses,
               count(*) FILTER (WHERE score >= 4) AS good, avg(score)::float AS average,
               count(*) FILTER (WHERE score <= {_THRESHOLD}) AS alerts,
               count(*) FILTER (WHERE score <= {_THRESHOLD} AND csat_recovered) AS recovered
        FROM rated
        """,
        params,
    )
    return CsatSummary(
        closed=int(row["closed"]),
        surveys_sent=int(row["sent"]),
        responses=int(row["responses"]),
        score=ratio(row["good"], row["responses"]),
        average=row["average"],
        response_rate=ratio(row["responses"], row["sent"]),
        coverage=ratio(row["responses"], row["closed"]),
        alerts=int(row["alerts"]),
        recovered=int(row["recovered"]),
    )


_BY = {
    "agent": "agent_id",
    "team": "team_id",
    "channel": "channel",
    "inbox": "inbox_id",
    "ai": "CASE WHEN handled_by_ai AND human_messages = 0 THEN 'IA' ELSE 'Humano' END",
}


def csat_by(session: Session, tenant_id: int, filters: Filters, by: str) -> pd.DataFrame:
    """Per agent, team, channel, inbox or "ai" (IA vs Humano): key, name, closed, sent, responses,
    score, average, response_rate, coverage."""
    if by not in _BY:
        raise ValueError(f"unknown dimension {by!r}; one of {sorted(_BY)}")
    text, params = _closed(filters, tenant_id)
    df = frame(
        session,
        _BASE.format(where=text)
        + f"""
        SELECT {_BY[by]} AS key, count(*) AS closed, count(sent_at) AS sent, count(score) AS responses,
               (count(*) FILTER (WHERE score >= 4))::float / nullif(count(score), 0) AS score,
               avg(score)::float AS average,
               count(score)::float / nullif(count(sent_at), 0) AS response_rate,
               count(score)::float / nullif(count(*), 0) AS coverage
        FROM rated GROUP BY 1 ORDER BY responses DESC, closed DESC
        """,
        params,
    )
    if by == "ai":
        names = {"IA": "IA", "Humano": "Humano"}
    elif by == "channel":
        names = dict(CHANNEL_NAMES)
    else:
        names = dimension_names(session, tenant_id, by)
    df.insert(1, "name", [names.get(k, "—") for k in df["key"]])
    return df


def csat_trend(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Per local day of the close: responses, score, average."""
    text, params = _closed(filters, tenant_id)
    return frame(
        session,
        _BASE.format(where=text)
        + """
        SELECT (closed_at AT TIME ZONE (SELECT timezone FROM tenants WHERE id = :tenant_id))::date AS day,
               count(*) AS closed, count(score) AS responses,
               (count(*) FILTER (WHERE score >= 4))::float / nullif(count(score), 0) AS score,
               avg(score)::float AS average
        FROM rated GROUP BY 1 ORDER BY 1
        """,
        params,
    )


def csat_themes(session: Session, tenant_id: int, filters: Filters) -> pd.DataFrame:
    """Themes of the comments: theme, responses, average score, low (≤ 3) responses."""
    text, params = _closed(filters, tenant_id)
    return frame(
        session,
        _BASE.format(where=text)
        + """
        SELECT theme, count(*) AS responses, avg(score)::float AS average,
               count(*) FILTER (WHERE score <= 3) AS low
        FROM rated CROSS JOIN LATERAL unnest(themes) AS t(theme)
        WHERE score IS NOT NULL
        GROUP BY theme ORDER BY responses DESC
        """,
        params,
    )


def csat_alerts(session: Session, tenant_id: int, filters: Filters, limit: int = 200) -> pd.DataFrame:
    """Ratings at or below the alert threshold, newest first, and whether a later rating recovered."""
    text, params = _closed(filters, tenant_id)
    df = frame(
        session,
        _BASE.format(where=text)
        + f"""
        SELECT conversation_id, answered_at, score, {_COMMENT} AS comment, agent_id, team_id, channel,
               csat_recovered AS recovered
        FROM rated WHERE score <= {_THRESHOLD}
        ORDER BY answered_at DESC LIMIT :limit
        """,
        {**params, "limit": int(limit)},
    )
    agents = dimension_names(session, tenant_id, "agent")
    teams = dimension_names(session, tenant_id, "team")
    df.insert(5, "agent", [agents.get(a, "—") for a in df["agent_id"]])
    df.insert(7, "team", [teams.get(t, "—") for t in df["team_id"]])
    return df


def csat_responses(
    session: Session, tenant_id: int, filters: Filters, limit: int | None = None
) -> pd.DataFrame:
    """Every response of conversations closed in the period (the CSAT export's rows)."""
    text, params = _closed(filters, tenant_id)
    return frame(
        session,
        _BASE.format(where=text)
        + f"""
        SELECT conversation_id, sent_at, answered_at, score, {_COMMENT} AS comment, themes, agent_id,
               team_id, channel, inbox_id, handled_by_ai AND human_messages = 0 AS ai_only
        FROM rated WHERE score IS NOT NULL ORDER BY answered_at, conversation_id
        """
        + (" LIMIT :limit" if limit else ""),
        {**params, "limit": limit},
    )
