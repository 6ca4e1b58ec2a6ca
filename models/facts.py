"""The dashboards' fact table: one row per conversation, derived from its events and messages.

Every number a dashboard shows is an aggregate of these rows, so a page reads one narrow, indexed table
instead of scanning millions of messages. The rows are derived data: `models.facts_refresh` rebuilds any
of them from the events and messages (never from the conversation's mutable fields), the worker keeps
them current (`jobs.dashboards`), and `niochat backfill-facts` rebuilds them all.
Durations are seconds; each has a calendar and a business-hours (`models.business_hours`) version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped, utcnow


class ConversationFact(TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "conversation_facts"
    __table_args__ = (
        # Every page filters by tenant and period: this index serves them all.
        sa.Index("ix_conversation_facts_tenant_id_started_at", "tenant_id", "started_at"),
        sa.Index("ix_conversation_facts_tenant_id_closed_at", "tenant_id", "closed_at"),
        sa.Index("ix_conversation_facts_contact_id", "contact_id"),
    )

    conversation_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    inbox_id: Mapped[int] = mapped_column(sa.BigInteger)
    channel: Mapped[str] = mapped_column(sa.String(32))
    contact_id: Mapped[int] = mapped_column(sa.BigInteger)
    team_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # the last team it was routed to
    agent_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # the last human it was assigned to
    first_agent_id: Mapped[int | None] = mapped_column(sa.BigInteger)  # who answered first
    label_ids: Mapped[list[int]] = mapped_column(
        ARRAY(sa.BigInteger), default=list, server_default=sa.text("'{}'::bigint[]")
    )
    status: Mapped[str] = mapped_column(sa.String(16))

    started_at: Mapped[datetime]  # the conversation's creation (its `created` event)
    local_date: Mapped[date] = mapped_column(sa.Date)  # started_at in the tenant's timezone
    local_dow: Mapped[int] = mapped_column(sa.SmallInteger)  # ISO weekday, 1 = Monday
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    first_customer_at: Mapped[datetime | None]
    ai_until: Mapped[datetime | None]  # when it left the AI (hand-off, taken, closed by it)
    first_bot_reply_at: Mapped[datetime | None]
    first_human_reply_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # the last close, if closed now
    closed_by: Mapped[str | None] = mapped_column(sa.String(16))  # user | bot | system

    # First response: the customer's first message -> the first human reply. `frt_s` leaves out the
    # time with the AI (it counts from the hand-off); `frt_total_s` includes it; `ai_s` is that time.
    frt_s: Mapped[float | None]
    frt_business_s: Mapped[float | None]
    frt_total_s: Mapped[float | None]
    frt_total_business_s: Mapped[float | None]
    ai_s: Mapped[float | None]
    first_bot_reply_s: Mapped[float | None]
    resolution_s: Mapped[float | None]
    resolution_business_s: Mapped[float | None]
    queue_s: Mapped[float] = mapped_column(default=0.0, server_default="0")  # time waiting (pending)
    queue_business_s: Mapped[float] = mapped_column(default=0.0, server_default="0")

    customer_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    human_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    bot_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    reopens: Mapped[int] = mapped_column(default=0, server_default="0")
    transfers: Mapped[int] = mapped_column(default=0, server_default="0")
    handled_by_ai: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    handoff: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    handoff_reason: Mapped[str | None] = mapped_column(sa.String(40))  # the policy's code
    ai_closed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # by the AI, alone
    returned_at: Mapped[datetime | None]  # the contact's next conversation, if within 72 h of the close
    tools: Mapped[list[str]] = mapped_column(
        ARRAY(sa.String(64)), default=list, server_default=sa.text("'{}'::varchar[]")
    )
    tool_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    guardrail_triggers: Mapped[int] = mapped_column(default=0, server_default="0")
    intent: Mapped[str | None] = mapped_column(sa.String(64))  # the first one understood
    # The POP (the ISP's network node) of the contract the AI identified, from its tool calls: an outage
    # shows as a spike of one intent at one POP. NULL when no contract was identified.
    pop: Mapped[str | None] = mapped_column(sa.String(64))
    positive_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    neutral_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    negative_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    sentiment_avg: Mapped[float | None]  # mean of the messages' sentiment scores
    negative_intent: Mapped[str | None] = mapped_column(sa.String(64))  # what the first negative was about
    # CSAT of this conversation (`csat_surveys` / `csat_responses`), so CSAT pages read the facts alone.
    csat_sent_at: Mapped[datetime | None]
    csat_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    csat_answered_at: Mapped[datetime | None]
    csat_themes: Mapped[list[str]] = mapped_column(
        ARRAY(sa.String(64)), default=list, server_default=sa.text("'{}'::varchar[]")
    )
    # A rating at or below 3 followed, within 30 days, by a 4 or 5 from the same contact.
    csat_recovered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    refreshed_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)


class FactsWatermark(Base):
    """Up to when each tenant's facts reflect the events and messages (the worker's incremental cursor)."""

    __tablename__ = "facts_watermarks"

    tenant_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    refreshed_until: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)


FACT_COLUMNS: list[str] = [c.name for c in ConversationFact.__table__.columns]


def fact_table() -> Any:
    return ConversationFact.__table__
