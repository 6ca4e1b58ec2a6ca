"""The conversations behind a number, and every fact row in chunks (the export's source).

A `Drill` names what was clicked: a metric ("ai_verified", "handoff_reason", "dow_hour"…) and its
value. `conversations` returns the rows behind it with the inbox link of each; the same conditions the
aggregate queries use, so a card's number and the length of its drill-down agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from dashboards.queries.base import dimension_names, frame
from dashboards.queries.filters import Filters, Sql, where

INBOX_LINK = "/#/c/{id}"  # the inbox's own route to one conversation


@dataclass(frozen=True)
class Drill:
    """metric: one of DRILLS; value: its parameter (an id, a code, a (dow, hour) pair, a date…)."""

    metric: str = "all"
    value: Any = None


# metric -> (condition on the fact row `f`, needs a value)
DRILLS: dict[str, tuple[str, bool]] = {
    "all": ("TRUE", False),
    "closed": ("f.closed_at IS NOT NULL", False),
    "open": ("f.closed_at IS NULL", False),
    "reopened": ("f.closed_at IS NOT NULL AND f.reopens > 0", False),
    "returned": ("f.closed_at IS NOT NULL AND f.returned_at IS NOT NULL", False),
    "ai_handled": ("f.handled_by_ai", False),
    "ai_closed": ("f.ai_closed", False),
    "ai_verified": (
        "f.ai_closed AND f.returned_at IS NULL AND f.closed_at <= now() - interval '72 hours'",
        False,
    ),
    "ai_returned": ("f.ai_closed AND f.returned_at IS NOT NULL", False),
    "ai_pending": (
        "f.ai_closed AND f.returned_at IS NULL AND f.closed_at > now() - interval '72 hours'",
        False,
    ),
    "handoff": ("f.handoff", False),
    "handoff_reason": ("f.handoff AND coalesce(f.handoff_reason, 'other') = :drill", True),
    "tool": ("CAST(:drill AS varchar) = ANY(f.tools)", True),
    "guardrail": ("f.guardrail_triggers > 0", False),
    "negative": ("f.negative_messages > 0", False),
    "theme": (
        "f.negative_messages > 0 AND coalesce(f.negative_intent, f.intent, 'não identificado') = :drill",
        True,
    ),
    "intent": ("f.intent = :drill", True),
    "intent_pop": ("f.intent = :drill_intent AND f.pop = :drill_pop", True),
    "day": ("f.local_date = :drill", True),
    "dow_hour": ("f.local_dow = :drill_dow AND f.local_hour = :drill_hour", True),
    "dow_hours": (
        "f.local_dow = :drill_dow AND f.local_hour >= :drill_hour AND f.local_hour < :drill_hour_end",
        True,
    ),
    "agent": ("f.agent_id IS NOT DISTINCT FROM :drill", True),
    "team": ("f.team_id IS NOT DISTINCT FROM :drill", True),
    "inbox": ("f.inbox_id = :drill", True),
    "channel": ("f.channel = :drill", True),
    "label": ("CAST(:drill AS bigint) = ANY(f.label_ids)", True),
    "frt_over": ("f.frt_s > :drill", True),
    "csat_score": ("f.csat_score = :drill", True),
    "csat_low": ("f.csat_score <= 3", False),
    "csat_alert": (
        "f.csat_score <= coalesce((SELECT cs.alert_threshold FROM csat_settings cs"
        " WHERE cs.tenant_id = :tenant_id), 2)",
        False,
    ),
}
# CSAT drills select by the close, like the CSAT page; the others by the start, like their pages.
CLOSE_PERIOD = {"csat_score", "csat_alert", "csat_low"}


def drill_sql(filters: Filters, tenant_id: int, drill: Drill) -> Sql:
    if drill.metric not in DRILLS:
        raise ValueError(f"unknown drill {drill.metric!r}")
    condition, needs_value = DRILLS[drill.metric]
    period_on = "closed_at" if drill.metric in CLOSE_PERIOD else "started_at"
    sql = where(filters, tenant_id, period_on=period_on)
    params: dict[str, Any] = {}
    if needs_value:
        if drill.metric in ("dow_hour", "dow_hours"):
            dow, hour, *rest = drill.value
            params = {"drill_dow": int(dow), "drill_hour": int(hour)}
            if drill.metric == "dow_hours":
                params["drill_hour_end"] = int(rest[0])
        elif drill.metric == "intent_pop":
            intent, pop = drill.value
            params = {"drill_intent": str(intent), "drill_pop": str(pop)}
        else:
            params = {"drill": drill.value}
    return sql.add(condition, **params)


def conversations(
    session: Session, tenant_id: int, filters: Filters, drill: Drill | None = None, limit: int = 500
) -> pd.DataFrame:
    """The conversations behind a number, newest first: id, start, channel, inbox, agent, team, status,
    first response, resolution, queue time, AI outcome, hand-off reason, intent and POP, link into the
    inbox."""
    sql = drill_sql(filters, tenant_id, drill or Drill())
    df = frame(
        session,
        f"""
        SELECT f.conversation_id, f.started_at, f.channel, f.inbox_id, f.agent_id, f.team_id, f.status,
               f.frt_s, f.frt_business_s, f.resolution_s, f.resolution_business_s, f.queue_s,
               f.handled_by_ai, f.ai_closed, f.returned_at, f.handoff_reason, f.intent, f.pop,
               f.negative_messages, f.closed_at,
               (SELECT coalesce(c.name, c.phone_e164) FROM contacts c
                WHERE c.id = f.contact_id AND c.tenant_id = :tenant_id) AS contact
        FROM conversation_facts f WHERE {sql.text}
        ORDER BY f.started_at DESC, f.conversation_id DESC LIMIT :limit
        """,
        {**sql.params, "limit": int(limit)},
    )
    inboxes = dimension_names(session, tenant_id, "inbox")
    agents = dimension_names(session, tenant_id, "agent")
    teams = dimension_names(session, tenant_id, "team")
    df["inbox"] = [inboxes.get(i, "—") for i in df["inbox_id"]]
    df["agent"] = [agents.get(a, "—") for a in df["agent_id"]]
    df["team"] = [teams.get(t, "—") for t in df["team_id"]]
    df["link"] = [INBOX_LINK.format(id=i) for i in df["conversation_id"]]
    return df


def count(session: Session, tenant_id: int, filters: Filters, drill: Drill | None = None) -> int:
    """How many conversations a drill holds (what the card showed)."""
    sql = drill_sql(filters, tenant_id, drill or Drill())
    return int(
        frame(session, f"SELECT count(*) AS n FROM conversation_facts f WHERE {sql.text}", sql.params)["n"][0]
    )


EXPORT_COLUMNS = [
    "conversation_id", "started_at", "channel", "inbox_id", "contact_id", "team_id", "agent_id",
    "first_agent_id", "label_ids", "status", "first_customer_at", "ai_until", "first_bot_reply_at",
    "first_human_reply_at", "closed_at", "closed_by", "frt_s", "frt_business_s", "frt_total_s",
    "frt_total_business_s", "ai_s", "first_bot_reply_s", "resolution_s", "resolution_business_s",
    "queue_s", "queue_business_s", "customer_messages", "human_messages", "bot_messages", "reopens",
    "transfers", "handled_by_ai", "handoff", "handoff_reason", "ai_closed", "returned_at", "tools",
    "tool_failures", "guardrail_triggers", "intent", "pop", "positive_messages", "neutral_messages",
    "negative_messages", "sentiment_avg", "negative_intent", "csat_sent_at", "csat_score", "csat_answered_at",
    "csat_themes", "csat_recovered",
]  # fmt: skip


def fact_chunks(
    session: Session, tenant_id: int, filters: Filters, chunk_size: int = 10_000
) -> Iterator[pd.DataFrame]:
    """Every fact row of the period in chunks of `chunk_size`, by conversation id (keyset paging: each
    chunk is one indexed query, and no more than one chunk is in memory)."""
    sql = where(filters, tenant_id)
    after = 0
    columns = ", ".join(f"f.{c}" for c in EXPORT_COLUMNS)
    while True:
        df = frame(
            session,
            f"SELECT {columns} FROM conversation_facts f WHERE {sql.text} AND f.conversation_id > :after"
            " ORDER BY f.conversation_id LIMIT :chunk",
            {**sql.params, "after": after, "chunk": int(chunk_size)},
        )
        if df.empty:
            return
        yield df
        after = int(df["conversation_id"].iloc[-1])
        if len(df) < chunk_size:
            return
