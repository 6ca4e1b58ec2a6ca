"""Rebuilding conversation facts from events and messages: for a few conversations (the worker's
incremental refresh) or for a whole tenant (backfill).

One set-based statement reads the events and messages of a batch of conversations and returns the
moments that matter (first customer message, hand-off, first human reply, closes, the waiting
intervals…); Python turns them into calendar and business-hours durations with the tenant's calendar,
and one upsert writes the batch. Rebuilding a fact twice gives the same row, so overlapping refreshes
are harmless. Nothing here reads a conversation's mutable fields for a metric (status, assignee and
`resolved_by_ai` are the inbox's working state; the events are the record).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from models.base import utcnow
from models.business_hours import BusinessCalendar
from models.facts import ConversationFact, FactsWatermark
from models.tenant import Tenant

RETURN_WINDOW = timedelta(hours=72)  # a new conversation this soon after a close: the AI did not resolve
BATCH = 2000  # conversations per statement
# Transactions commit out of order: each incremental pass looks back this far past its cursor, so a row
# written by a transaction that began before the last pass and committed after it is still seen.
LOOKBACK = timedelta(minutes=5)

_REASON_CODE = re.compile(r"\(([a-z_]+)\)")

# The moments of each conversation, from its events and messages (`:tenant`, `:ids`).
MOMENTS = sa.text(
    """
WITH conv AS (
    SELECT c.id, c.inbox_id, i.channel_type AS channel, c.contact_id, c.created_at, c.status
    FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
    WHERE c.tenant_id = :tenant AND c.id = ANY(:ids)
), ev AS (
    SELECT e.*,
           lead(e.created_at) OVER (PARTITION BY e.conversation_id ORDER BY e.created_at, e.id) AS next_at,
           row_number() OVER (PARTITION BY e.conversation_id ORDER BY e.created_at DESC, e.id DESC) AS rn
    FROM conversation_events e
    WHERE e.tenant_id = :tenant AND e.conversation_id = ANY(:ids) AND e.to_status IS NOT NULL
), evs AS (
    SELECT conversation_id,
        min(created_at) FILTER (WHERE kind = 'created') AS created_event_at,
        bool_or(to_status = 'bot') AS handled_by_ai,
        min(created_at) FILTER (WHERE from_status = 'bot' AND to_status <> 'bot') AS ai_until,
        min(created_at) FILTER (WHERE kind = 'handoff') AS handoff_at,
        (array_agg(reason ORDER BY created_at, id) FILTER (WHERE kind = 'handoff'))[1] AS handoff_reason,
        count(*) FILTER (WHERE kind = 'handoff' AND reason LIKE '%(ai_guardrail)%') AS guardrails,
        count(*) FILTER (WHERE kind = 'reopened') AS reopens,
        count(*) FILTER (WHERE kind = 'transferred') AS transfers,
        max(to_status) FILTER (WHERE rn = 1) AS last_status,
        max(created_at) FILTER (WHERE rn = 1 AND to_status = 'closed') AS closed_at,
        max(actor_kind) FILTER (WHERE rn = 1 AND to_status = 'closed') AS closed_by,
        max(actor_user_id) FILTER (WHERE rn = 1 AND to_status = 'closed') AS closed_by_user,
        (array_agg(to_assignee_id ORDER BY created_at DESC, id DESC)
            FILTER (WHERE kind IN ('assigned', 'transferred', 'reopened', 'unassigned')))[1] AS agent_id,
        (array_agg(to_team_id ORDER BY created_at DESC, id DESC) FILTER (WHERE to_team_id IS NOT NULL))[1]
            AS team_id,
        array_agg(created_at ORDER BY created_at, id)
            FILTER (WHERE to_status = 'pending' AND next_at IS NOT NULL) AS pending_from,
        array_agg(next_at ORDER BY created_at, id)
            FILTER (WHERE to_status = 'pending' AND next_at IS NOT NULL) AS pending_to
    FROM ev GROUP BY conversation_id
), tools AS (
    SELECT conversation_id,
        array_agg(left(data->>'tool', 64) ORDER BY id) AS tools,
        count(*) FILTER (WHERE (data->>'ok') = 'false') AS tool_failures,
        -- The POP of the contract the AI identified, as the newest tool call that named one says.
        (array_agg(left(btrim(data->>'pop'), 64) ORDER BY created_at DESC, id DESC)
            FILTER (WHERE btrim(data->>'pop') <> ''))[1] AS pop
    FROM conversation_events
    WHERE tenant_id = :tenant AND conversation_id = ANY(:ids) AND kind = 'tool_call'
    GROUP BY conversation_id
), msg AS (
    SELECT conversation_id, id, created_at, direction, sender_kind, sender_user_id, sentiment,
           sentiment_score, intent
    FROM messages
    WHERE tenant_id = :tenant AND conversation_id = ANY(:ids) AND NOT is_private
), first_in AS (
    SELECT conversation_id, min(created_at) AS first_customer_at
    FROM msg WHERE direction = 'inbound' GROUP BY conversation_id
), msgs AS (
    SELECT m.conversation_id AS msgs_conversation_id,  -- not `conversation_id`: `msgs.*` would shadow conv.id
        count(*) FILTER (WHERE direction = 'inbound') AS customer_messages,
        count(*) FILTER (WHERE direction = 'outbound' AND sender_kind = 'agent') AS human_messages,
        count(*) FILTER (WHERE direction = 'outbound' AND sender_kind = 'bot') AS bot_messages,
        min(m.created_at) FILTER (WHERE sender_kind = 'bot' AND m.created_at >= f.first_customer_at)
            AS first_bot_reply_at,
        min(m.created_at) FILTER (WHERE direction = 'outbound' AND sender_kind = 'agent'
                                  AND m.created_at >= f.first_customer_at) AS first_human_reply_at,
        (array_agg(sender_user_id ORDER BY m.created_at, m.id)
            FILTER (WHERE direction = 'outbound' AND sender_kind = 'agent'
                    AND m.created_at >= f.first_customer_at))[1] AS first_agent_id,
        count(*) FILTER (WHERE direction = 'inbound' AND sentiment = 'positive') AS positive_messages,
        count(*) FILTER (WHERE direction = 'inbound' AND sentiment = 'neutral') AS neutral_messages,
        count(*) FILTER (WHERE direction = 'inbound' AND sentiment = 'negative') AS negative_messages,
        avg(sentiment_score) FILTER (WHERE direction = 'inbound') AS sentiment_avg,
        (array_agg(intent ORDER BY m.id) FILTER (WHERE direction = 'inbound' AND intent IS NOT NULL))[1]
            AS intent,
        (array_agg(intent ORDER BY m.id)
            FILTER (WHERE direction = 'inbound' AND sentiment = 'negative' AND intent IS NOT NULL))[1]
            AS negative_intent
    FROM msg m LEFT JOIN first_in f USING (conversation_id)
    GROUP BY m.conversation_id
), csat AS (
    SELECT s.conversation_id, s.sent_at AS csat_sent_at, r.score AS csat_score,
           r.created_at AS csat_answered_at,
           CASE WHEN jsonb_typeof(r.themes) = 'array'
                THEN ARRAY(SELECT left(x, 64) FROM jsonb_array_elements_text(r.themes) AS t(x)) END
               AS csat_themes,
           r.score <= 3 AND EXISTS (
               SELECT 1 FROM csat_surveys s2 JOIN csat_responses r2 ON r2.survey_id = s2.id
               WHERE s2.tenant_id = :tenant AND s2.contact_id = s.contact_id
                 AND r2.created_at > r.created_at AND r2.created_at <= r.created_at + interval '30 days'
                 AND r2.score >= 4) AS csat_recovered
    FROM csat_surveys s LEFT JOIN csat_responses r ON r.survey_id = s.id AND r.tenant_id = :tenant
    WHERE s.tenant_id = :tenant AND s.conversation_id = ANY(:ids)
)
SELECT conv.id AS conversation_id, conv.inbox_id, conv.channel, conv.contact_id,
       coalesce(evs.created_event_at, conv.created_at) AS started_at,
       coalesce(evs.last_status, conv.status) AS status,
       evs.handled_by_ai, evs.ai_until, evs.handoff_at, evs.handoff_reason, evs.guardrails, evs.reopens,
       evs.transfers, evs.closed_at, evs.closed_by, evs.closed_by_user, evs.agent_id, evs.team_id,
       evs.pending_from, evs.pending_to,
       tools.tools, tools.tool_failures, tools.pop,
       first_in.first_customer_at, msgs.*,
       csat.csat_sent_at, csat.csat_score, csat.csat_answered_at, csat.csat_themes, csat.csat_recovered,
       ARRAY(SELECT cl.label_id FROM conversation_labels cl
             WHERE cl.conversation_id = conv.id ORDER BY cl.label_id) AS label_ids,
       (SELECT min(n.created_at) FROM conversations n
        WHERE evs.closed_at IS NOT NULL AND n.tenant_id = :tenant AND n.contact_id = conv.contact_id
          AND n.id <> conv.id AND n.created_at > evs.closed_at
          AND n.created_at <= evs.closed_at + interval '72 hours') AS returned_at
FROM conv
LEFT JOIN evs ON evs.conversation_id = conv.id
LEFT JOIN tools ON tools.conversation_id = conv.id
LEFT JOIN first_in ON first_in.conversation_id = conv.id
LEFT JOIN msgs ON msgs.msgs_conversation_id = conv.id
LEFT JOIN csat ON csat.conversation_id = conv.id
"""
).bindparams(sa.bindparam("ids", type_=sa.ARRAY(sa.BigInteger)))


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _business(cal: BusinessCalendar, start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return cal.business_seconds(start, end)


def reason_code(reason: str | None) -> str | None:
    """The policy's code from a hand-off event's reason ("Pedido de cancelamento (cancellation) — …")."""
    if not reason:
        return None
    found = _REASON_CODE.search(reason)
    return found.group(1)[:40] if found else "other"


def build_fact(tenant_id: int, cal: BusinessCalendar, m: dict[str, Any]) -> dict[str, Any]:
    """One fact row from the moments of one conversation."""
    started = m["started_at"]
    local = started.astimezone(cal.tz)
    first_in = m["first_customer_at"]
    handled_by_ai = bool(m["handled_by_ai"])
    ai_until = m["ai_until"]
    closed_at = m["closed_at"] if m["status"] == "closed" else None
    if handled_by_ai and ai_until is None:
        ai_until = closed_at  # closed while with the AI: all of it was the AI's time
    human_reply = m["first_human_reply_at"]
    # The human clock starts when the AI let go (or at the customer's message, if the AI never had it).
    human_from = max(first_in, ai_until) if first_in and ai_until and handled_by_ai else first_in
    human_messages = int(m["human_messages"] or 0)
    reopens = int(m["reopens"] or 0)
    queue = list(zip(m["pending_from"] or [], m["pending_to"] or [], strict=True))
    ai_end = ai_until or (human_reply if handled_by_ai else None)
    return {
        "tenant_id": tenant_id,
        "conversation_id": m["conversation_id"],
        "inbox_id": m["inbox_id"],
        "channel": str(m["channel"]),
        "contact_id": m["contact_id"],
        "team_id": m["team_id"],
        "agent_id": (m["closed_by_user"] if closed_at and m["closed_by_user"] else None) or m["agent_id"],
        "first_agent_id": m["first_agent_id"],
        "label_ids": list(m["label_ids"] or []),
        "status": str(m["status"]),
        "started_at": started,
        "local_date": local.date(),
        "local_dow": local.isoweekday(),
        "local_hour": local.hour,
        "first_customer_at": first_in,
        "ai_until": ai_until if handled_by_ai else None,
        "first_bot_reply_at": m["first_bot_reply_at"],
        "first_human_reply_at": human_reply,
        "closed_at": closed_at,
        "closed_by": str(m["closed_by"]) if closed_at and m["closed_by"] else None,
        "frt_s": _seconds(human_from, human_reply),
        "frt_business_s": _business(cal, human_from, human_reply),
        "frt_total_s": _seconds(first_in, human_reply),
        "frt_total_business_s": _business(cal, first_in, human_reply),
        "ai_s": _seconds(first_in or started, ai_end) if handled_by_ai else None,
        "first_bot_reply_s": _seconds(first_in, m["first_bot_reply_at"]),
        "resolution_s": _seconds(first_in or started, closed_at),
        "resolution_business_s": _business(cal, first_in or started, closed_at),
        "queue_s": sum((b - a).total_seconds() for a, b in queue),
        "queue_business_s": sum(cal.business_seconds(a, b) for a, b in queue),
        "customer_messages": int(m["customer_messages"] or 0),
        "human_messages": human_messages,
        "bot_messages": int(m["bot_messages"] or 0),
        "reopens": reopens,
        "transfers": int(m["transfers"] or 0),
        "handled_by_ai": handled_by_ai,
        "handoff": m["handoff_at"] is not None,
        "handoff_reason": reason_code(m["handoff_reason"]),
        "ai_closed": bool(closed_at and m["closed_by"] == "bot" and human_messages == 0 and reopens == 0),
        "returned_at": m["returned_at"] if closed_at else None,
        "tools": [t for t in (m["tools"] or []) if t],
        "tool_failures": int(m["tool_failures"] or 0),
        "guardrail_triggers": int(m["guardrails"] or 0),
        "intent": m["intent"],
        "pop": m["pop"],
        "positive_messages": int(m["positive_messages"] or 0),
        "neutral_messages": int(m["neutral_messages"] or 0),
        "negative_messages": int(m["negative_messages"] or 0),
        "sentiment_avg": float(m["sentiment_avg"]) if m["sentiment_avg"] is not None else None,
        "negative_intent": m["negative_intent"],
        "csat_sent_at": m["csat_sent_at"],
        "csat_score": m["csat_score"],
        "csat_answered_at": m["csat_answered_at"] if m["csat_score"] is not None else None,
        "csat_themes": [t for t in (m["csat_themes"] or []) if t],
        "csat_recovered": bool(m["csat_recovered"]),
        "refreshed_at": utcnow(),
    }


def calendar_of(session: Session, tenant_id: int) -> BusinessCalendar:
    row = session.execute(
        sa.select(Tenant.business_hours, Tenant.timezone).where(Tenant.id == tenant_id)
    ).one()
    return BusinessCalendar.from_config(row.business_hours, row.timezone)


_fact_table = cast(sa.Table, ConversationFact.__table__)
_UPSERT = pg_insert(_fact_table)
UPSERT = _UPSERT.on_conflict_do_update(
    index_elements=["conversation_id"],
    set_={c.name: _UPSERT.excluded[c.name] for c in _fact_table.columns if c.name != "conversation_id"},
)


def refresh(session: Session, tenant_id: int, ids: Iterable[int], cal: BusinessCalendar | None = None) -> int:
    """Rebuild the facts of these conversations of the tenant (ids of other tenants are ignored)."""
    ids = sorted(set(ids))
    cal = cal or calendar_of(session, tenant_id)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = session.execute(MOMENTS, {"tenant": tenant_id, "ids": chunk}).mappings().all()
        facts = [build_fact(tenant_id, cal, dict(r)) for r in rows]
        if facts:
            session.execute(UPSERT, facts)
        done += len(facts)
    return done


def backfill(session: Session, tenant_id: int, since: datetime | None = None) -> int:
    """Rebuild every fact of the tenant (or of conversations created since a moment)."""
    query = sa.text(
        "SELECT id FROM conversations WHERE tenant_id = :tenant"
        " AND (CAST(:since AS timestamptz) IS NULL OR created_at >= :since) ORDER BY id"
    )
    ids = list(session.scalars(query, {"tenant": tenant_id, "since": since}))
    return refresh(session, tenant_id, ids)


# Conversations touched since a moment: a message, an event (label changes included), a CSAT survey sent
# or answered; and, for the contacts of those, their earlier conversations closed within 72 h before a
# new one (their "returned" changes) and their low ratings of the last 30 days (their "recovered" does).
TOUCHED = sa.text(
    """
WITH touched AS (
    SELECT conversation_id FROM messages WHERE tenant_id = :tenant AND created_at >= :since
    UNION
    SELECT conversation_id FROM conversation_events
    WHERE tenant_id = :tenant AND kind = ANY(:kinds) AND created_at >= :since
    UNION
    SELECT conversation_id FROM csat_surveys WHERE tenant_id = :tenant AND sent_at >= :since
    UNION
    SELECT s.conversation_id FROM csat_responses r JOIN csat_surveys s ON s.id = r.survey_id
    WHERE r.tenant_id = :tenant AND r.created_at >= :since
), contacts AS (
    SELECT n.contact_id, n.created_at FROM conversations n
    WHERE n.tenant_id = :tenant AND n.id IN (SELECT conversation_id FROM touched)
)
SELECT conversation_id FROM touched
UNION
SELECT f.conversation_id FROM conversation_facts f JOIN contacts n ON n.contact_id = f.contact_id
WHERE f.tenant_id = :tenant AND f.closed_at IS NOT NULL
  AND f.closed_at >= n.created_at - interval '72 hours' AND f.closed_at < n.created_at
UNION
SELECT f.conversation_id FROM conversation_facts f JOIN contacts n ON n.contact_id = f.contact_id
WHERE f.tenant_id = :tenant AND f.csat_score <= 3
  AND f.csat_answered_at >= CAST(:since AS timestamptz) - interval '30 days'
"""
).bindparams(sa.bindparam("kinds", type_=sa.ARRAY(sa.String)))


def touched_since(session: Session, tenant_id: int, since: datetime) -> list[int]:
    from models.enums import EventKind

    kinds = [str(k) for k in EventKind]
    return list(session.scalars(TOUCHED, {"tenant": tenant_id, "since": since, "kinds": kinds}))


def refresh_incremental(session: Session, tenant_id: int, now: datetime | None = None) -> int:
    """The worker's pass for one tenant: facts of everything touched since the cursor (minus the
    look-back), then the cursor moves to the start of this pass. The first pass is a backfill."""
    now = now or session.scalar(sa.select(sa.func.now()))
    assert now is not None
    mark = session.get(FactsWatermark, tenant_id)
    if mark is None:
        done = backfill(session, tenant_id)
        session.add(FactsWatermark(tenant_id=tenant_id, refreshed_until=now))
        return done
    done = refresh(session, tenant_id, touched_since(session, tenant_id, mark.refreshed_until - LOOKBACK))
    mark.refreshed_until = now
    mark.updated_at = utcnow()
    return done


def active_tenants(session: Session) -> Sequence[int]:
    return list(session.scalars(sa.text("SELECT id FROM tenants WHERE status = 'active' ORDER BY id")))
