"""Recording side effects in the outbox, inside the caller's transaction.

Topics are the contract between the domain and the relay (`jobs/relay.py`): each names what happened,
the payload carries ids only, and consumers look the rows up again (they may run after further changes).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.outbox import OutboxEvent

MESSAGE_CREATED = "message.created"
MESSAGE_UPDATED = "message.updated"
MESSAGE_STATUS = "message.status"
MESSAGE_SEND = "message.send"
MEDIA_FETCH = "media.fetch"
CONVERSATION_CREATED = "conversation.created"
CONVERSATION_UPDATED = "conversation.updated"
INBOX_CONNECTION = "inbox.connection"
INBOX_RECONNECTED = "inbox.reconnected"
STATUS_UNMATCHED = "status.unmatched"
TELEGRAM_CALLBACK = "telegram.callback"
CSAT_REPLY = "csat.reply"
CSAT_SEND = "csat.send"  # {survey_id, scheduled_for}: `jobs.csat.send_survey` is scheduled for that time
CONTACT_UPDATED = "contact.updated"  # {contact_id, change}: its labels (contact_labels) or csat_opt_out
USER_ACCESS = "user.access"  # a user's role, teams or activation changed: their sockets' rooms follow
SNOOZE_WAKE = "conversation.wake"  # a snooze's end: `jobs.snooze.wake` is scheduled for `until`
USER_AVAILABILITY = "user.availability"  # an agent went Online / Ausente: colleagues' screens update
CSAT_ALERT = "csat.alert"  # a bad rating: supervisors' and admins' screens show it live (models.csat_answers)


RECORDED = "niochat.outbox_recorded"  # session.info: the OutboxEvents `record` added in this session


def record(session: Session, tenant_id: int | None, topic: str, **payload: Any) -> OutboxEvent:
    event = OutboxEvent(tenant_id=tenant_id, topic=topic, payload=payload)
    session.add(event)
    # Held here too: after a flush the session's identity map keeps rows only weakly, and a caller that
    # relays what the transaction recorded (`web.api.access.writing`) must find every one.
    session.info.setdefault(RECORDED, []).append(event)
    return event


def row(tenant_id: int | None, topic: str, **payload: Any) -> dict[str, Any]:
    """An outbox row for the ingestion hot path, which inserts them all in one statement
    (`models.ingest_sql.INSERT_OUTBOX`)."""
    return {"tenant_id": tenant_id, "topic": topic, "payload": payload}
