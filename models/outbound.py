"""Composing outgoing messages: a row first (status pending), then the outbound job sends it.

The row is the promise: the agent sees the message at once, a crash between "clicked send" and "provider
accepted" loses nothing, and retries are keyed by the row id so the customer never gets it twice.
`client_key` makes the composing itself idempotent (a double click, a retried API call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from integrations.channels.base import MEDIA_TYPES
from integrations.channels.limits import limits_for
from models import outbox_ops as topics
from models.base import utcnow
from models.conversation import Conversation
from models.enums import (
    ActorKind,
    ChannelType,
    ContentType,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    SenderKind,
)
from models.inbox import Inbox
from models.lifecycle import Actor, TransitionError
from models.message import Message
from models.outbox import HELD_MESSAGES

META_WINDOW = timedelta(hours=24)
_SENDER = {
    ActorKind.USER: SenderKind.AGENT,
    ActorKind.BOT: SenderKind.BOT,
    ActorKind.SYSTEM: SenderKind.SYSTEM,
}


@dataclass(frozen=True)
class StoredMedia:
    """A file already in media storage (see integrations.storage)."""

    sha256: str
    mime_type: str
    size: int
    filename: str | None = None


@dataclass(frozen=True)
class Draft:
    """What to send. `payload` carries buttons/list/template details for the outbound job."""

    content_type: ContentType = ContentType.TEXT
    text: str | None = None
    media: StoredMedia | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    reply_to_id: int | None = None
    is_private: bool = False  # an agents' note: stored and shown, never sent
    client_key: str | None = None


def window_open(conv: Conversation, channel_type: str) -> bool:
    """Meta allows free-form messages only within 24 hours of the customer's last message."""
    if channel_type != ChannelType.WHATSAPP_CLOUD:
        return True
    return conv.last_inbound_at is not None and utcnow() - conv.last_inbound_at < META_WINDOW


def compose(session: Session, conv: Conversation, draft: Draft, actor: Actor) -> tuple[Message, bool]:
    """Store the message (and schedule its sending). Returns (message, created); created is False when
    `client_key` names a message already composed, which is returned unchanged."""
    _validate(draft)
    if draft.client_key:
        existing = session.scalar(
            sa.select(Message).where(
                Message.conversation_id == conv.id, Message.client_key == draft.client_key
            )
        )
        if existing is not None:
            return existing, False
    _check_sendable(session, conv, [draft])
    reply_provider_id = None
    if draft.reply_to_id is not None:
        quoted = session.get(Message, draft.reply_to_id)
        if quoted is None or quoted.conversation_id != conv.id:
            raise TransitionError("invalid_reply", "A mensagem citada não pertence a esta conversa.")
        reply_provider_id = quoted.provider_message_id
    values = _row(conv, draft, actor, utcnow(), reply_provider_id)
    stmt = pg_insert(Message).values(**values)
    if draft.client_key:
        stmt = stmt.on_conflict_do_nothing(index_elements=["conversation_id", "client_key"])
    message_id = session.scalar(stmt.returning(Message.id))
    if message_id is None:  # a concurrent request with the same client_key won
        winner = session.scalar(
            sa.select(Message).where(
                Message.conversation_id == conv.id, Message.client_key == draft.client_key
            )
        )
        assert winner is not None
        return winner, False
    if not draft.is_private:
        _touch(session, conv, actor, values["created_at"])
    _announce(session, conv, message_id, sent=not draft.is_private)
    message = session.get(Message, message_id)
    assert message is not None
    return message, True


def compose_many(session: Session, conv: Conversation, drafts: list[Draft], actor: Actor) -> list[Message]:
    """Several messages at once, in order (the attendant's turn: the bill, the PIX code, its QR, the
    question that follows): the same checks, rows and events as `compose`, in one INSERT … RETURNING and
    one flush instead of four round trips per message. Drafts that need `compose`'s idempotency or
    quoting (`client_key`, `reply_to_id`) go through it one by one."""
    if any(d.client_key or d.reply_to_id is not None for d in drafts):
        return [compose(session, conv, d, actor)[0] for d in drafts]
    for draft in drafts:
        _validate(draft)
    public = _check_sendable(session, conv, drafts)
    if not drafts:
        return []
    now = utcnow()
    # A microsecond apart, so that every screen ordering by time shows them in the order written.
    rows = [_row(conv, d, actor, now + timedelta(microseconds=i), None) for i, d in enumerate(drafts)]
    # render_nulls: a text's empty media columns and an image's empty text are sent as NULL, so rows of
    # both kinds share one INSERT (by default each run of rows with the same non-NULL keys gets its own).
    insert = sa.insert(Message).returning(Message, sort_by_parameter_order=True)
    messages = list(session.scalars(insert.execution_options(render_nulls=True), rows))
    if public:
        _touch(session, conv, actor, rows[-1]["created_at"])
    session.info.setdefault(HELD_MESSAGES, []).extend(messages)  # their sends' check reads no row again
    for message, draft in zip(messages, drafts, strict=True):
        _announce(session, conv, message.id, sent=not draft.is_private)
    return messages


def _check_sendable(session: Session, conv: Conversation, drafts: list[Draft]) -> list[Draft]:
    """What goes to the customer (notes never do) needs an open conversation, Meta's 24-hour window
    for anything but a template, and the channel's length limit. Returns those drafts."""
    public = [d for d in drafts if not d.is_private]
    if not public:
        return public
    if conv.status == ConversationStatus.CLOSED:
        raise TransitionError("closed", "Conversa encerrada: reabra para enviar mensagens.")
    inbox = session.get(Inbox, conv.inbox_id)
    assert inbox is not None
    channel = str(inbox.channel_type)
    if any(d.content_type != ContentType.TEMPLATE for d in public) and not window_open(conv, channel):
        raise TransitionError(
            "window_closed",
            "Fora da janela de 24 horas do WhatsApp: o cliente não escreve há mais de 24 horas. "
            "Envie um modelo de mensagem (template) aprovado.",
        )
    for draft in public:
        _check_length(draft, channel)
    return public


def _row(
    conv: Conversation, draft: Draft, actor: Actor, now: Any, reply_provider_id: str | None
) -> dict[str, Any]:
    media = draft.media
    return {
        "tenant_id": conv.tenant_id,
        "conversation_id": conv.id,
        "inbox_id": conv.inbox_id,
        "direction": Direction.OUTBOUND,
        "sender_kind": _SENDER[actor.kind],
        "sender_user_id": actor.user_id,
        "content_type": draft.content_type,
        "text": draft.text,
        "payload": draft.payload,
        "is_private": draft.is_private,
        "client_key": draft.client_key,
        "reply_to_id": draft.reply_to_id,
        "reply_to_provider_id": reply_provider_id,
        "status": None if draft.is_private else DeliveryStatus.PENDING,
        "media_sha256": media.sha256 if media else None,
        "media_mime": media.mime_type if media else None,
        "media_size": media.size if media else None,
        "media_filename": media.filename if media else None,
        "media_status": "ready" if media else None,
        "created_at": now,
    }


def _announce(session: Session, conv: Conversation, message_id: int, *, sent: bool) -> None:
    """The outbox events of a new message: the send job (unless a private note) and the screens."""
    if sent:
        topics.record(session, conv.tenant_id, topics.MESSAGE_SEND, message_id=message_id)
    topics.record(
        session,
        conv.tenant_id,
        topics.MESSAGE_CREATED,
        message_id=message_id,
        conversation_id=conv.id,
        direction=str(Direction.OUTBOUND),
        status=str(conv.status),
        notify=True,
    )


def _validate(draft: Draft) -> None:
    kind = draft.content_type
    if kind == ContentType.TEXT and not (draft.text and draft.text.strip()):
        raise TransitionError("empty", "Escreva uma mensagem.")
    if kind in MEDIA_TYPES and draft.media is None:
        raise TransitionError("media_required", "Anexe o arquivo a enviar.")
    if kind == ContentType.TEMPLATE and not draft.payload.get("template_name"):
        raise TransitionError("template_required", "Escolha o modelo de mensagem.")
    if kind == ContentType.INTERACTIVE and not (
        draft.payload.get("buttons") or draft.payload.get("sections")
    ):
        raise TransitionError("buttons_required", "Mensagem interativa sem botões ou lista.")
    if draft.is_private and kind != ContentType.TEXT:
        raise TransitionError("note_text_only", "Notas internas são apenas texto.")
    by_channel = not draft.is_private and kind in (ContentType.TEXT, *MEDIA_TYPES)  # see _check_length
    if draft.text and len(draft.text) > 4096 and not by_channel:
        raise TransitionError("too_long", "Mensagem longa demais (máximo de 4096 caracteres).")


def _check_length(draft: Draft, channel_type: str) -> None:
    """The channel's own limit (a caption is shorter than a text), refused here with a sentence the agent
    can act on, rather than by the provider minutes later as a failed send."""
    if draft.content_type not in (ContentType.TEXT, *MEDIA_TYPES) or not draft.text:
        return
    limits = limits_for(channel_type)
    caption = draft.content_type in MEDIA_TYPES
    limit = limits.caption if caption else limits.text
    length = len(draft.text)
    if length > limit:
        channel = "Telegram" if channel_type == "telegram" else "WhatsApp"
        what = "Legenda" if caption else "Mensagem"
        raise TransitionError(
            "too_long",
            f"{what} longa demais para o {channel}: {length} caracteres, o máximo é {limit}.",
        )


def _touch(session: Session, conv: Conversation, actor: Actor, at: Any) -> None:
    conv.last_message_at = at
    conv.last_outbound_at = at
    if conv.first_reply_at is None:
        conv.first_reply_at = at
    if actor.kind == ActorKind.USER and conv.first_human_reply_at is None:
        conv.first_human_reply_at = at
    if conv.assignee_id == actor.user_id:
        conv.unread_count = 0
