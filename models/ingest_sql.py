"""Prebuilt statements for the ingestion hot path.

Building an INSERT … ON CONFLICT with SQLAlchemy costs more Python than the database spends running it
(each `.excluded` builds a table alias, each `.values()` a new statement and cache key). These are built
once with bind parameters and executed with plain dicts; they still go through the tenant-scoped session,
so `models.scoping` checks every row's tenant_id as usual.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from models.contact import Contact
from models.conversation import Conversation
from models.enums import ConversationStatus
from models.event import ConversationEvent
from models.message import Message


def _contact_upsert(conflict: list[str], *, refresh: bool, wa_id: bool) -> sa.Executable:
    """refresh: the customer wrote (update last seen, WhatsApp id); not for messages the business sent."""
    stmt = pg_insert(Contact)
    updates: dict[str, object] = {
        "name": sa.func.coalesce(Contact.name, stmt.excluded.name),
        "updated_at": stmt.excluded.updated_at,
    }
    if refresh:
        updates["last_seen_at"] = stmt.excluded.last_seen_at
        if wa_id:
            updates["wa_id"] = stmt.excluded.wa_id
    return stmt.on_conflict_do_update(index_elements=conflict, set_=updates).returning(Contact.id)


CONTACT_BY_PHONE = _contact_upsert(["tenant_id", "phone_e164"], refresh=True, wa_id=True)
CONTACT_BY_PHONE_FROM_ME = _contact_upsert(["tenant_id", "phone_e164"], refresh=False, wa_id=True)
CONTACT_BY_TELEGRAM = _contact_upsert(["tenant_id", "telegram_chat_id"], refresh=True, wa_id=False)
CONTACT_BY_TELEGRAM_FROM_ME = _contact_upsert(["tenant_id", "telegram_chat_id"], refresh=False, wa_id=False)

MESSAGE_ID_BY_PROVIDER = sa.select(Message.id).where(
    Message.inbox_id == sa.bindparam("inbox_id"), Message.provider_message_id == sa.bindparam("provider_id")
)

ACTIVE_CONVERSATION = sa.select(Conversation.id, Conversation.status).where(
    Conversation.inbox_id == sa.bindparam("inbox_id"),
    Conversation.contact_id == sa.bindparam("contact_id"),
    Conversation.status != ConversationStatus.CLOSED,
)

INSERT_CONVERSATION = pg_insert(Conversation).returning(Conversation.id)
INSERT_EVENT = sa.insert(ConversationEvent)
INSERT_MESSAGE = (
    pg_insert(Message)
    .on_conflict_do_nothing(index_elements=["inbox_id", "provider_message_id"])
    .returning(Message.id)
)

_conv: sa.BindParameter[int] = sa.bindparam("conversation_id")
_at = sa.bindparam("at", type_=sa.DateTime(timezone=True))


def _latest(column: Any) -> Any:
    """History arrives newest first: "last … at" columns only ever move forward."""
    return sa.func.greatest(sa.func.coalesce(column, _at), _at)


TOUCH_CONVERSATION_INBOUND = (
    sa.update(Conversation)
    .where(Conversation.id == _conv)
    .values(
        last_message_at=_latest(Conversation.last_message_at),
        last_inbound_at=_latest(Conversation.last_inbound_at),
        unread_count=Conversation.unread_count + 1,
    )
    .execution_options(synchronize_session=False)
)
TOUCH_CONVERSATION_CLOSED = (
    sa.update(Conversation)
    .where(Conversation.id == _conv)
    .values(last_message_at=_latest(Conversation.last_message_at))
    .execution_options(synchronize_session=False)
)
TOUCH_CONVERSATION_FROM_ME = (
    sa.update(Conversation)
    .where(Conversation.id == _conv)
    .values(
        last_message_at=_latest(Conversation.last_message_at),
        last_outbound_at=_latest(Conversation.last_outbound_at),
        first_reply_at=sa.func.coalesce(Conversation.first_reply_at, _at),
    )
    .execution_options(synchronize_session=False)
)
