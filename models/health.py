"""Ingestion health per inbox, and the outbound dead letters an operator must look at.

"Is this number working?" is answered by facts we already store: the session state and when it changed,
when the last message and the last delivery status arrived, outbound messages that failed and nobody has
acknowledged yet (dead letters), how long the oldest unsent message has waited, and outbox rows not yet
relayed. `replay_failed` puts dead letters back in line (an explicit decision to send again);
`acknowledge_failed` files them away without sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models.base import utcnow
from models.enums import DeliveryStatus, Direction
from models.history import progress
from models.inbox import Inbox, SyncRun
from models.message import Message
from models.outbox import OutboxEvent


@dataclass(frozen=True)
class InboxHealth:
    inbox_id: int
    tenant_id: int
    name: str
    channel_type: str
    is_active: bool
    connection_state: str
    connection_changed_at: datetime | None
    last_inbound_at: datetime | None
    last_status_at: datetime | None
    dead_letters: int
    pending_outbound: int
    oldest_pending_seconds: float | None
    unrelayed_outbox: int  # of the inbox's tenant: outbox rows carry no inbox
    last_sync: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        return data


def _not_acknowledged() -> sa.ColumnElement[bool]:
    return sa.or_(Message.raw.is_(None), sa.not_(Message.raw.has_key("acknowledged_at")))


def _is_dead_letter() -> sa.ColumnElement[bool]:
    return sa.and_(
        Message.direction == Direction.OUTBOUND,
        Message.status == DeliveryStatus.FAILED,
        Message.is_private.is_(False),
        _not_acknowledged(),
    )


def ingestion_health(session: Session, inbox_ids: Sequence[int] | None = None) -> list[InboxHealth]:
    """One entry per inbox the session can see (a tenant session: that tenant's; platform: all)."""
    now = utcnow()
    stmt = sa.select(Inbox).order_by(Inbox.tenant_id, Inbox.id)
    if inbox_ids is not None:
        stmt = stmt.where(Inbox.id.in_(list(inbox_ids)))
    inboxes = list(session.scalars(stmt))
    if not inboxes:
        return []
    ids = [i.id for i in inboxes]
    pending = Message.status == DeliveryStatus.PENDING
    counts = {
        row.inbox_id: row
        for row in session.execute(
            sa.select(
                Message.inbox_id,
                sa.func.count().filter(_is_dead_letter()).label("dead"),
                sa.func.count().filter(pending).label("pending"),
                sa.func.min(Message.created_at).filter(pending).label("oldest"),
            )
            .where(
                Message.inbox_id.in_(ids),
                Message.direction == Direction.OUTBOUND,
                Message.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
                Message.is_private.is_(False),
            )
            .group_by(Message.inbox_id)
        )
    }
    tenants = sorted({i.tenant_id for i in inboxes})
    unrelayed: dict[int | None, int] = dict(
        session.execute(
            sa.select(OutboxEvent.tenant_id, sa.func.count())
            .where(OutboxEvent.relayed_at.is_(None), OutboxEvent.tenant_id.in_(tenants))
            .group_by(OutboxEvent.tenant_id)
        ).all()
    )
    latest = {
        run.inbox_id: progress(run)
        for run in session.scalars(
            sa.select(SyncRun)
            .where(SyncRun.inbox_id.in_(ids))
            .order_by(SyncRun.inbox_id, SyncRun.created_at.desc(), SyncRun.id.desc())
            .ext(distinct_on(SyncRun.inbox_id))
        )
    }
    out = []
    for inbox in inboxes:
        row = counts.get(inbox.id)
        oldest = row.oldest if row is not None else None
        out.append(
            InboxHealth(
                inbox_id=inbox.id,
                tenant_id=inbox.tenant_id,
                name=inbox.name,
                channel_type=str(inbox.channel_type),
                is_active=inbox.is_active,
                connection_state=inbox.connection_state,
                connection_changed_at=inbox.connection_changed_at,
                last_inbound_at=inbox.last_inbound_at,
                last_status_at=inbox.last_status_at,
                dead_letters=int(row.dead) if row is not None else 0,
                pending_outbound=int(row.pending) if row is not None else 0,
                oldest_pending_seconds=(now - oldest).total_seconds() if oldest else None,
                unrelayed_outbox=int(unrelayed.get(inbox.tenant_id, 0)),
                last_sync=latest.get(inbox.id),
            )
        )
    return out


def dead_letters(session: Session, inbox_id: int | None = None, limit: int = 100) -> list[Message]:
    stmt = sa.select(Message).where(_is_dead_letter()).order_by(Message.failed_at.desc()).limit(limit)
    if inbox_id is not None:
        stmt = stmt.where(Message.inbox_id == inbox_id)
    return list(session.scalars(stmt))


def replay_failed(session: Session, message_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Failed outbound messages back to pending and queued for sending. Returns (replayed ids, outbox
    ids to relay). A message that was sent and later failed (Meta's 131047) goes out as a new send."""
    rows = session.scalars(
        sa.select(Message)
        .where(
            Message.id.in_(list(message_ids)),
            Message.direction == Direction.OUTBOUND,
            Message.status == DeliveryStatus.FAILED,
            Message.is_private.is_(False),
        )
        .with_for_update()
    ).all()
    replayed: list[int] = []
    outbox = []
    now = utcnow()
    for msg in rows:
        raw = {k: v for k, v in (msg.raw or {}).items() if k not in ("sending", "acknowledged_at", "tries")}
        raw["last_error"] = {"code": msg.error_code, "reason": msg.error_text, "at": now.isoformat()}
        raw["replays"] = int(raw.get("replays", 0)) + 1
        if msg.provider_message_id:
            raw["previous_provider_ids"] = [*raw.get("previous_provider_ids", []), msg.provider_message_id]
        msg.raw = raw
        msg.status = DeliveryStatus.PENDING
        msg.provider_message_id = None
        msg.error_code = msg.error_text = None
        msg.error_retryable = False
        msg.failed_at = msg.sent_at = msg.delivered_at = msg.read_at = None
        replayed.append(msg.id)
        outbox.append(topics.record(session, msg.tenant_id, topics.MESSAGE_SEND, message_id=msg.id))
        outbox.append(
            topics.record(
                session,
                msg.tenant_id,
                topics.MESSAGE_STATUS,
                message_id=msg.id,
                conversation_id=msg.conversation_id,
                status=str(DeliveryStatus.PENDING),
            )
        )
    session.flush()
    return replayed, [row.id for row in outbox]


def acknowledge_failed(session: Session, message_ids: Sequence[int], user_id: int | None = None) -> int:
    """Someone has seen these failures (and told the customer another way): no longer dead letters."""
    rows = session.scalars(
        sa.select(Message).where(Message.id.in_(list(message_ids)), _is_dead_letter())
    ).all()
    stamp = {"at": utcnow().isoformat(), "by": user_id}
    for msg in rows:
        msg.raw = {**(msg.raw or {}), "acknowledged_at": stamp}
    return len(rows)
