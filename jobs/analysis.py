"""Reading each customer message (intent, sentiment) on the `analysis` queue, off the outbox relay.

The relay hands over every inbound `message.created` of a batch in one job per tenant (a job per message
would cost the web process's relay more than the reading itself), whatever the conversation's status,
so a message a person is handling is read too; the webhook request never waits for it. Idempotent: a
message already read keeps its reading (`assistant.insight.mark`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from jobs.context import get_db
from models.ai import AISettings
from models.enums import Direction, SenderKind
from models.message import Message


def analyse_messages(tenant_id: int, message_ids: Sequence[int]) -> int:
    """Returns how many messages were read."""
    from assistant.insight import mark

    ids = [int(i) for i in message_ids if i is not None]
    if not ids:
        return 0
    read = 0
    with get_db().tenant_session(tenant_id) as session:
        rows = session.execute(
            sa.select(Message.id, Message.text, Message.transcription)
            .where(
                Message.id.in_(ids),
                Message.direction == Direction.INBOUND,
                Message.sender_kind == SenderKind.CONTACT,
                sa.or_(Message.intent.is_(None), Message.sentiment.is_(None)),
            )
            .order_by(Message.id)
        ).all()
        if not rows:
            return 0
        with_sentiment = session.scalar(sa.select(AISettings.analyse_sentiment)) is not False
        for row in rows:
            # Media without words is skipped: a voice note is read when its transcript is stored.
            if mark(session, row.id, (row.text or row.transcription or ""), with_sentiment=with_sentiment):
                read += 1
    return read


def analyse_message(tenant_id: int, message_id: int) -> int:
    """One message (tools, tests): the same reading as a relayed batch."""
    return analyse_messages(tenant_id, [message_id])
