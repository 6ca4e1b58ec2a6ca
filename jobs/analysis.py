"""Reading each customer message (intent, sentiment) on the `analysis` queue, off the outbox relay.

The relay routes every inbound `message.created` here, whatever the conversation's status, so a
message a person is handling is read too; the webhook request never waits for it. Idempotent: a
message already read keeps its reading (`assistant.insight.mark`).
"""

from __future__ import annotations

import sqlalchemy as sa

from jobs.context import get_db
from models.ai import AISettings
from models.enums import Direction, SenderKind
from models.message import Message


def analyse_message(tenant_id: int, message_id: int) -> str:
    from assistant.insight import mark

    with get_db().tenant_session(tenant_id) as session:
        row = session.execute(
            sa.select(Message.direction, Message.sender_kind, Message.text, Message.transcription,
                      Message.intent, Message.sentiment, Message.deleted_at)
            .where(Message.id == message_id)
        ).first()  # fmt: skip
        if row is None or row.direction != Direction.INBOUND or row.sender_kind != SenderKind.CONTACT:
            return "skip"
        if row.intent is not None and row.sentiment is not None:
            return "done"
        text = (row.text or row.transcription or "").strip()
        if not text:
            return "no_text"  # media without words; a voice note is read when its transcript is stored
        enabled = session.scalar(sa.select(AISettings.analyse_sentiment))
        reading = mark(session, message_id, text, with_sentiment=enabled is not False)
    return reading.intent if reading else "no_text"
