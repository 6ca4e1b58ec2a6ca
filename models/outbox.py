"""The transactional outbox: side effects (Socket.IO emits, RQ jobs) are recorded as rows in the same
transaction as the change that causes them, then relayed. Redis down loses nothing; a relay retry
runs nothing twice because consumers key on the row id.

One invariant is kept here, at the last step before a message can reach a provider: a `message.send`
row is never written for a private note (see `refuse_private_send`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, object_session
from sqlalchemy.orm.util import identity_key

from models.base import Base, IdMixin, utcnow
from models.message import Message


class OutboxEvent(IdMixin, Base):
    """tenant_id is nullable and not `TenantScoped`: the relay reads every tenant's rows."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.Index("ix_outbox_events_unrelayed", "id", postgresql_where=sa.text("relayed_at IS NULL")),
    )

    # Not indexed: every message writes a row and the relay rewrites it, while reads by tenant (the
    # health page) go through the small unrelayed index; only deleting a tenant scans the table.
    tenant_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("tenants.id", ondelete="CASCADE")
    )
    topic: Mapped[str] = mapped_column(sa.String(64))  # e.g. message.created, conversation.updated
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
    relayed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)


SEND_TOPIC = "message.send"  # models.outbox_ops.MESSAGE_SEND, named here to keep this module at the bottom

_IS_PRIVATE = sa.text("SELECT is_private FROM messages WHERE id = :id")
# `session.info` key: messages a caller just read back from the database (RETURNING) and keeps alive for
# the flush's check below, which the identity map alone cannot promise (it holds rows weakly).
HELD_MESSAGES = "niochat.held_messages"


class PrivateMessageNotSendable(RuntimeError):
    """Someone tried to queue an agents' note to the provider: a bug upstream, never a user error."""


@sa.event.listens_for(OutboxEvent, "before_insert")
def refuse_private_send(_mapper: Mapper[Any], connection: Connection, target: OutboxEvent) -> None:
    """A private note must never reach the customer, whatever a client sends or a caller forgets.
    `compose` and `replay_failed` already skip notes; this refuses the outbox row itself (the flush
    fails, the transaction rolls back), and the send job checks `is_private` again when it claims the
    message. A `message.send` row without a message id is refused too: the job could not check it."""
    if target.topic != SEND_TOPIC:
        return
    message_id = (target.payload or {}).get("message_id")
    private = None
    if isinstance(message_id, int):
        private = _known_private(target, message_id)
        if private is None:
            private = connection.scalar(_IS_PRIVATE, {"id": message_id})
    if private is None or private:
        raise PrivateMessageNotSendable(
            f"refused to queue message {message_id!r} to a provider: it is a private note or unknown"
        )


def _known_private(target: OutboxEvent, message_id: int) -> bool | None:
    """The message's `is_private` as this transaction already read it from the database (a message
    just inserted with RETURNING, as `compose_many` does, or loaded), so a turn's six replies cost no
    six extra round trips. None (ask the database) unless the loaded value is the stored one: not
    expired and with no change pending."""
    session = object_session(target)
    message = session.identity_map.get(identity_key(Message, message_id)) if session is not None else None
    if not isinstance(message, Message):
        return None
    state = sa.inspect(message)
    if "is_private" in state.unloaded or state.attrs.is_private.history.has_changes():
        return None
    return bool(message.is_private)
