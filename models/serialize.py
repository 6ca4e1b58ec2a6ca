"""Plain-dict views of messages and conversations: one shape for the REST API, Socket.IO and the inbox.

Each function reads plain attributes only, so it takes an ORM entity (the API) or a Core row of the same
columns (the outbox relay, which cannot afford the ORM per row: `models.serialize_sql`). The `*Row` and
`*Fields` tuples name exactly what the functions read, so the Core queries load nothing more; a test
serialises messages and conversations both ways and compares.

Secrets never appear here (no credentials, no raw payloads); media is a URL the web app serves to
logged-in users only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple, TypeAlias

from sqlalchemy import Row

from models.ai_activity import ai_view
from models.contact import Contact
from models.conversation import Conversation
from models.label import Label
from models.message import Message

CoreRow: TypeAlias = Row[*tuple[Any, ...]]  # a Core result row of any columns


class MessageRow(NamedTuple):
    """What `message_dict` reads, as the relay loads it with Core (`models.serialize_sql`)."""

    id: int
    conversation_id: int
    direction: str
    sender_kind: str
    sender_user_id: int | None
    content_type: str
    text: str | None
    payload: dict[str, Any]
    is_private: bool
    media_sha256: str | None
    media_mime: str | None
    media_size: int | None
    media_filename: str | None
    media_meta: dict[str, Any]
    media_status: str | None
    status: str | None
    error_code: str | None
    error_text: str | None
    error_retryable: bool
    provider_message_id: str | None
    reply_to_id: int | None
    client_key: str | None
    created_at: datetime
    provider_timestamp: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    deleted_at: datetime | None
    transcription: str | None
    intent: str | None
    sentiment: str | None
    sentiment_score: Decimal | None


class ConversationRow(NamedTuple):
    """What `conversation_view` reads, plus the tenant for the rooms, as the relay loads it with Core."""

    id: int
    status: str
    inbox_id: int
    assignee_id: int | None
    team_id: int | None
    priority: str
    unread_count: int
    waiting_since: datetime | None
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    handoff_reason: str | None
    snoozed_until: datetime | None
    ai_activity: dict[str, Any] | None
    tenant_id: int


class LabelFields(NamedTuple):
    """What `label_dict` reads, for labels aggregated into their conversation's Core row."""

    id: int
    name: str
    color: str


class ContactFields(NamedTuple):
    """What `contact_dict` reads, for a contact loaded by Core next to its conversation."""

    id: int
    name: str | None
    phone_e164: str | None
    telegram_chat_id: int | None
    cpf_cnpj: str | None
    email: str | None
    attributes: dict[str, Any]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def media_url(message: Message | MessageRow) -> str | None:
    if message.media_sha256 is None or message.media_status != "ready":
        return None
    return f"/media/{message.id}"


def message_dict(message: Message | MessageRow) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "direction": str(message.direction),
        "sender_kind": str(message.sender_kind),
        "sender_user_id": message.sender_user_id,
        "content_type": str(message.content_type),
        "text": None if message.deleted_at else message.text,
        "payload": message.payload,
        "is_private": message.is_private,
        "media": None
        if message.media_mime is None and message.media_sha256 is None
        else {
            "url": media_url(message),
            "mime_type": message.media_mime,
            "size": message.media_size,
            "filename": message.media_filename,
            "status": message.media_status,
            "seconds": message.media_meta.get("seconds"),
            "voice": bool(message.media_meta.get("voice")),
        },
        "status": str(message.status) if message.status else None,
        # `retryable`: decided on the server (models.delivery), so the page never guesses from the text.
        "error": {
            "code": message.error_code,
            "text": message.error_text,
            "retryable": message.error_retryable,
        }
        if message.error_text
        else None,
        "provider_message_id": message.provider_message_id,
        "reply_to_id": message.reply_to_id,
        # The sender's idempotency key: the browser that sent it swaps its optimistic copy for this one.
        "client_key": message.client_key,
        "created_at": iso(message.created_at),
        "provider_timestamp": iso(message.provider_timestamp),
        "sent_at": iso(message.sent_at),
        "delivered_at": iso(message.delivered_at),
        "read_at": iso(message.read_at),
        "deleted": message.deleted_at is not None,
        "transcription": message.transcription,
        # The offline reading of a customer's message (assistant.insight); null until it is read.
        "intent": message.intent,
        "sentiment": message.sentiment,
        "sentiment_score": float(message.sentiment_score) if message.sentiment_score is not None else None,
    }


def contact_dict(contact: Contact | ContactFields) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone_e164,
        "telegram_chat_id": contact.telegram_chat_id,
        "cpf_cnpj": contact.cpf_cnpj,
        "email": contact.email,
        "attributes": contact.attributes,
    }


def label_dict(label: Label | LabelFields) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "color": label.color}


def conversation_dict(conv: Conversation) -> dict[str, Any]:
    inbox = conv.inbox
    return conversation_view(conv, conv.contact, str(inbox.channel_type), inbox.name, conv.labels)


def conversation_view(
    conv: Conversation | ConversationRow,
    contact: Contact | ContactFields,
    channel: str,
    inbox_name: str,
    labels: Iterable[Label | LabelFields],
) -> dict[str, Any]:
    """`conversation_dict` from its parts, which the relay loads as Core rows. Labels are listed by name,
    as everywhere else, whatever order they were loaded in."""
    return {
        "id": conv.id,
        "status": str(conv.status),
        "inbox_id": conv.inbox_id,
        "channel": channel,
        "inbox_name": inbox_name,
        "contact": contact_dict(contact),
        "assignee_id": conv.assignee_id,
        "team_id": conv.team_id,
        "priority": str(conv.priority),
        "labels": [label_dict(label) for label in sorted(labels, key=attrgetter("name"))],
        "unread_count": conv.unread_count,
        "waiting_since": iso(conv.waiting_since),
        "last_message_at": iso(conv.last_message_at),
        "last_inbound_at": iso(conv.last_inbound_at),
        "created_at": iso(conv.created_at),
        "closed_at": iso(conv.closed_at),
        "close_reason": conv.close_reason,
        "handoff_reason": conv.handoff_reason,
        "snoozed_until": iso(conv.snoozed_until),
        "ai": ai_view(conv.ai_activity),
    }
