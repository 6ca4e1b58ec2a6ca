"""Plain-dict views of messages and conversations: one shape for the REST API, Socket.IO and the inbox.

Secrets never appear here (no credentials, no raw payloads); media is a URL the web app serves to
logged-in users only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.contact import Contact
from models.conversation import Conversation
from models.message import Message


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def media_url(message: Message) -> str | None:
    if message.media_sha256 is None or message.media_status != "ready":
        return None
    return f"/media/{message.id}"


def message_dict(message: Message) -> dict[str, Any]:
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
        "error": {"code": message.error_code, "text": message.error_text} if message.error_text else None,
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
    }


def contact_dict(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone_e164,
        "telegram_chat_id": contact.telegram_chat_id,
        "cpf_cnpj": contact.cpf_cnpj,
        "email": contact.email,
        "attributes": contact.attributes,
    }


def conversation_dict(conv: Conversation) -> dict[str, Any]:
    return {
        "id": conv.id,
        "status": str(conv.status),
        "inbox_id": conv.inbox_id,
        "channel": str(conv.inbox.channel_type),
        "inbox_name": conv.inbox.name,
        "contact": contact_dict(conv.contact),
        "assignee_id": conv.assignee_id,
        "team_id": conv.team_id,
        "priority": str(conv.priority),
        "labels": [{"id": label.id, "name": label.name, "color": label.color} for label in conv.labels],
        "unread_count": conv.unread_count,
        "waiting_since": iso(conv.waiting_since),
        "last_message_at": iso(conv.last_message_at),
        "last_inbound_at": iso(conv.last_inbound_at),
        "created_at": iso(conv.created_at),
        "closed_at": iso(conv.closed_at),
        "close_reason": conv.close_reason,
        "handoff_reason": conv.handoff_reason,
    }
