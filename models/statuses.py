"""Delivery statuses only move forward: sent < delivered < read, and failed is terminal.

Providers repeat statuses, skip `delivered` and deliver them out of order; one conditional UPDATE makes
every order converge to the same row, without reading it first and without a lock held across calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.channels.events import STATUS_RANK, DeliveryStatus
from models.enums import Direction
from models.message import Message


def status_rank(column: Any) -> sa.Case[int]:
    return sa.case(
        *[(column == status.value, rank) for status, rank in STATUS_RANK.items()],
        else_=-1,
    )


def apply_status(
    session: Session,
    inbox_id: int,
    provider_message_id: str,
    status: DeliveryStatus,
    at: datetime,
    *,
    error_code: str | None = None,
    error_text: str | None = None,
) -> tuple[int, int] | None:
    """Move the message forward to `status`; (message id, conversation id) when it moved, else None."""
    rank = STATUS_RANK[status]
    values: dict[str, Any] = {"status": status}
    if status == DeliveryStatus.FAILED:
        values.update(failed_at=at, error_code=error_code, error_text=error_text)
    else:
        # A later status implies the earlier ones (Meta may skip `delivered`).
        if rank >= STATUS_RANK[DeliveryStatus.SENT]:
            values["sent_at"] = sa.func.coalesce(Message.sent_at, at)
        if rank >= STATUS_RANK[DeliveryStatus.DELIVERED]:
            values["delivered_at"] = sa.func.coalesce(Message.delivered_at, at)
        if rank >= STATUS_RANK[DeliveryStatus.READ]:
            values["read_at"] = sa.func.coalesce(Message.read_at, at)
    row = session.execute(
        sa.update(Message)
        .where(
            Message.inbox_id == inbox_id,
            Message.provider_message_id == provider_message_id,
            Message.direction == Direction.OUTBOUND,
            status_rank(Message.status) < rank,
        )
        .values(**values)
        .returning(Message.id, Message.conversation_id)
        .execution_options(synchronize_session=False)
    ).first()
    return (row[0], row[1]) if row is not None else None
