"""Is this number working? The inbox's health card and its failed sends, as `niochat inbox health` shows.

Built on `models.health` (connection, last inbound, dead letters, waiting sends, last recovery) plus the
ingestion lag: how long after the provider's timestamp our recent inbound messages were stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from statistics import median
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import utcnow
from models.enums import Direction
from models.health import acknowledge_failed, dead_letters, ingestion_health, replay_failed
from models.message import Message

LAG_SAMPLE = 50
LAG_WINDOW = timedelta(days=1)


def ingestion_lag(session: Session, inbox_id: int, sample: int = LAG_SAMPLE) -> dict[str, float] | None:
    """Median and worst seconds between the provider's timestamp and our row, over the latest inbound
    messages of the last day (older ones say nothing about today; a recovered gap counts: it was late)."""
    rows = session.execute(
        sa.select(Message.created_at, Message.provider_timestamp)
        .where(
            Message.inbox_id == inbox_id,
            Message.direction == Direction.INBOUND,
            Message.provider_timestamp.is_not(None),
            Message.provider_timestamp >= utcnow() - LAG_WINDOW,
        )
        .order_by(Message.id.desc())
        .limit(sample)
    ).all()
    lags = [max(0.0, (created - sent).total_seconds()) for created, sent in rows if created and sent]
    if not lags:
        return None
    return {"median_seconds": round(median(lags), 1), "max_seconds": round(max(lags), 1), "sample": len(lags)}


def card(session: Session, inbox_id: int) -> dict[str, Any] | None:
    """The health of one inbox of the session's tenant; None when it is not this tenant's."""
    found = ingestion_health(session, [inbox_id])
    if not found:
        return None
    data = found[0].as_dict()
    data["lag"] = ingestion_lag(session, inbox_id)
    data["ok"] = data["connection_state"] in ("open", "unknown") and not data["dead_letters"]
    return data


def failed_sends(session: Session, inbox_id: int, limit: int = 100) -> list[dict[str, Any]]:
    return [
        {
            "id": m.id,
            "conversation_id": m.conversation_id,
            "failed_at": m.failed_at,
            "error_code": m.error_code,
            "error": m.error_text,
            "text": (m.text or "")[:120],
        }
        for m in dead_letters(session, inbox_id, limit=limit)
    ]


def _of_inbox(session: Session, inbox_id: int, message_ids: Sequence[int]) -> list[int]:
    """Only this inbox's dead letters among the ids a form sent (anything else is ignored)."""
    wanted = {int(i) for i in message_ids}
    return [m.id for m in dead_letters(session, inbox_id, limit=10_000) if m.id in wanted]


def replay(session: Session, inbox_id: int, message_ids: Sequence[int] | None) -> tuple[list[int], list[int]]:
    """Send failed messages again (None: all of the inbox's). Returns (replayed ids, outbox ids to relay
    once the transaction commits)."""
    ids = (
        [m.id for m in dead_letters(session, inbox_id, limit=10_000)]
        if message_ids is None
        else _of_inbox(session, inbox_id, message_ids)
    )
    return replay_failed(session, ids) if ids else ([], [])


def acknowledge(session: Session, inbox_id: int, message_ids: Sequence[int], user_id: int | None) -> int:
    """File failures away without sending (the customer was told another way)."""
    ids = _of_inbox(session, inbox_id, message_ids)
    return acknowledge_failed(session, ids, user_id) if ids else 0
