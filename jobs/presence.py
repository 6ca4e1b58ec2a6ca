"""Read marks and "typing…" presence: small conversational signals, best effort, one attempt each.

Enqueue them on the outbound queue when an agent opens a conversation (`mark_read`) or starts writing
(`send_typing`). A failure is logged and forgotten: the next signal supersedes it, and retrying a
"typing" indicator after the answer was sent would be worse than not showing it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from integrations.channels.base import ProviderError
from jobs.context import get_db
from jobs.outbound import inbox_client
from models import delivery
from models.conversation import Conversation
from models.enums import Direction
from models.message import Message

log = logging.getLogger(__name__)


def _conversation_target(tenant_id: int, conversation_id: int) -> tuple[int, str, list[str]] | None:
    with get_db().tenant_session(tenant_id) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return None
        address = delivery.address_for(str(conv.inbox.channel_type), conv.contact)
        ids = session.scalars(
            sa.select(Message.provider_message_id)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == Direction.INBOUND,
                Message.provider_message_id.is_not(None),
            )
            .order_by(Message.id.desc())
            .limit(20)
        ).all()
    if address is None:
        return None
    return conv.inbox_id, address, [i for i in reversed(ids) if i]


def mark_read(tenant_id: int, conversation_id: int) -> bool:
    """Blue ticks for the customer's latest messages (an agent opened the conversation)."""
    target = _conversation_target(tenant_id, conversation_id)
    client = inbox_client(tenant_id, target[0]) if target else None
    if target is None or client is None or not target[2]:
        return False
    try:
        client.mark_read(target[1], target[2])
        return True
    except ProviderError as exc:
        log.info("mark read failed for conversation %s: %s", conversation_id, exc.reason)
        return False
    finally:
        client.close()


def send_typing(tenant_id: int, conversation_id: int) -> bool:
    """ "Digitando…" while an agent or the AI writes; harmless when it fails."""
    target = _conversation_target(tenant_id, conversation_id)
    client = inbox_client(tenant_id, target[0]) if target else None
    if target is None or client is None:
        return False
    try:
        client.send_typing(target[1], last_inbound_id=target[2][-1] if target[2] else None)
        return True
    except ProviderError as exc:
        log.info("typing presence failed for conversation %s: %s", conversation_id, exc.reason)
        return False
    finally:
        client.close()
