"""Statuses that arrived before we knew the message they are about.

A provider can report "delivered" before our send job has committed the provider id (the webhook wins
the race), and Meta can report on a send whose answer we lost. `ingest` leaves such a status in the outbox
as `status.unmatched`; this job applies it again a few times, waiting longer each time, then lets it go.
When the status carries our own id (Meta's biz_opaque_callback_data) the message is found by it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from integrations.channels.events import DeliveryStatus
from jobs import queues
from jobs.context import get_db
from jobs.scheduling import enqueue, relay_now
from models import delivery
from models import outbox_ops as topics
from models.message import Message
from models.statuses import apply_status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # the relay's first try after 2 s, then 4, 8, 16, 32 s: about a minute in all


def retry_unmatched(tenant_id: int, payload: dict[str, Any]) -> str:
    inbox_id = int(payload["inbox_id"])
    provider_id = str(payload["provider_message_id"])
    status = DeliveryStatus(payload["status"])
    at = datetime.fromisoformat(str(payload["timestamp"]))
    attempt = int(payload.get("attempt", 0))
    outbox_ids: list[int] = []
    with get_db().tenant_session(tenant_id) as session:
        client_id = payload.get("client_message_id")
        if client_id:
            outbox_ids += delivery.adopt_provider_id(session, inbox_id, str(client_id), provider_id)
        applied = apply_status(
            session,
            inbox_id,
            provider_id,
            status,
            at,
            error_code=payload.get("error_code"),
            error_text=payload.get("error_text"),
        )
        if applied is not None:
            row = topics.record(
                session,
                tenant_id,
                topics.MESSAGE_STATUS,
                message_id=applied[0],
                conversation_id=applied[1],
                status=str(status),
            )
            session.flush()
            outbox_ids.append(row.id)
        known = applied is not None or session.scalar(
            sa.select(Message.id).where(
                Message.inbox_id == inbox_id, Message.provider_message_id == provider_id
            )
        )
    relay_now(outbox_ids)
    if known:
        return "applied" if applied else "stale"  # stale: the message is already at or past this status
    if attempt + 1 >= MAX_ATTEMPTS:
        log.info(
            "status %s for unknown message %s (inbox %s) dropped after %s attempts",
            status,
            provider_id,
            inbox_id,
            attempt + 1,
        )
        return "dropped"
    retry = {**payload, "attempt": attempt + 1}
    enqueue(
        queues.DEFAULT,
        "jobs.statuses.retry_unmatched",
        tenant_id,
        retry,
        delay=2.0 * 2 ** (attempt + 1),
        job_id=f"status-{inbox_id}-{provider_id}-{status}-{attempt + 1}",
    )
    return "later"
