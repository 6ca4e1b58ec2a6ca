"""The one way a message enters NioChat: webhooks of every provider and history recovery call `ingest`.

All of it runs in the caller's transaction, so a delivery is stored whole or not at all. Idempotency is
the database's: `(inbox_id, provider_message_id)` is unique and the insert is ON CONFLICT DO NOTHING;
the contact upsert takes a row lock, which serialises concurrent first messages from one person, so two
deliveries can never open two conversations. Side effects are outbox rows, relayed after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.channels.base import MEDIA_TYPES
from integrations.channels.events import (
    CallbackAnswerNeeded,
    ConnectionUpdate,
    ContentType,
    Event,
    InboundMessage,
    MessageDeleted,
    StatusUpdate,
)
from models import ingest_sql as sql
from models import outbox_ops as topics
from models.base import utcnow
from models.csat import CsatSurvey
from models.enums import (
    ActorKind,
    ConversationStatus,
    CsatStatus,
    Direction,
    EventKind,
    SenderKind,
)
from models.inbox import Inbox
from models.ingest_base import InboxRef, IngestReport, message_id_by_provider, touch_inbox
from models.ingest_events import ingest_connection, ingest_deletion, ingest_status
from models.phones import try_normalize_phone

__all__ = ["InboxRef", "IngestReport", "ingest"]

log = logging.getLogger(__name__)


def ingest(
    session: Session, inbox: InboxRef, events: list[Event], *, source: str = "webhook"
) -> IngestReport:
    """Store normalized events for one inbox. `source` is webhook | history (history never notifies)."""
    report = IngestReport()
    outbox: list[Any] = []
    for event in events:
        if isinstance(event, InboundMessage):
            _ingest_message(session, inbox, event, report, outbox, source)
        elif isinstance(event, StatusUpdate):
            ingest_status(session, inbox, event, report, outbox)
        elif isinstance(event, MessageDeleted):
            ingest_deletion(session, inbox, event, report, outbox)
        elif isinstance(event, ConnectionUpdate):
            ingest_connection(session, inbox, event, outbox)
        elif isinstance(event, CallbackAnswerNeeded):
            outbox.append(
                topics.row(
                    inbox.tenant_id,
                    topics.TELEGRAM_CALLBACK,
                    inbox_id=inbox.id,
                    callback_query_id=event.callback_query_id,
                )
            )
    if outbox:
        report.outbox_ids = list(sql.run_many(session, sql.INSERT_OUTBOX, outbox).scalars())
    return report


# --- messages ---------------------------------------------------------------------------------------------


def _ingest_message(
    session: Session,
    inbox: InboxRef,
    msg: InboundMessage,
    report: IngestReport,
    outbox: list[Any],
    source: str,
) -> None:
    if msg.is_group:
        report.ignored += 1  # customer service is one-to-one; group chats are not conversations
        return
    if message_id_by_provider(session, inbox.id, msg.provider_message_id) is not None:
        report.duplicates += 1
        return
    contact_id = _upsert_contact(session, inbox, msg)
    if contact_id is None:
        report.ignored += 1
        log.warning("message %s ignored: no usable sender address", msg.provider_message_id)
        return
    conversation, created = _conversation_for(session, inbox, contact_id, msg)
    reply_to_id = message_id_by_provider(
        session, inbox.id, msg.reply_to_provider_id or msg.reaction_to_provider_id
    )
    values = _message_values(inbox, conversation.id, msg, reply_to_id)
    message_id = sql.run(session, sql.INSERT_MESSAGE, values).scalar()
    if message_id is None:  # a concurrent delivery of the same message won
        report.duplicates += 1
        return
    report.created_messages.append(message_id)
    _touch_conversation(session, conversation, msg)
    touch_inbox(session, inbox.id, Inbox.last_inbound_at, msg.timestamp)
    notify = source == "webhook"
    if created:
        outbox.append(
            topics.row(
                inbox.tenant_id,
                topics.CONVERSATION_CREATED,
                conversation_id=conversation.id,
                # Screens learn of it from the message.created below, which carries the conversation:
                # emitting both doubled Socket.IO traffic for every first message.
                notify=False,
            )
        )
    outbox.append(
        topics.row(
            inbox.tenant_id,
            topics.MESSAGE_CREATED,
            message_id=message_id,
            conversation_id=conversation.id,
            direction=_direction(msg),
            status=str(conversation.status),
            notify=notify,
            csat=conversation.status == ConversationStatus.CLOSED,
        )
    )
    if msg.media is not None and msg.content_type in MEDIA_TYPES:
        outbox.append(topics.row(inbox.tenant_id, topics.MEDIA_FETCH, message_id=message_id))


def _fit(value: str | None, length: int) -> str | None:
    """Provider text into our column widths: an oversized display name or file name must not turn a
    valid delivery into a database error (a 500 the provider would retry forever)."""
    return value[:length] if value else None


def _direction(msg: InboundMessage) -> str:
    return str(Direction.OUTBOUND if msg.from_me else Direction.INBOUND)


def _upsert_contact(session: Session, inbox: InboxRef, msg: InboundMessage) -> int | None:
    """One row per person and tenant; the name comes only from the customer's own messages."""
    now = utcnow()
    params: dict[str, Any] = {
        "tenant_id": inbox.tenant_id,
        "name": None if msg.from_me else _fit(msg.contact_name, 200),
        "last_seen_at": None if msg.from_me else now,
        "updated_at": now,
    }
    if msg.telegram_chat_id is not None:
        params["telegram_chat_id"] = msg.telegram_chat_id
        stmt = sql.CONTACT_BY_TELEGRAM_FROM_ME if msg.from_me else sql.CONTACT_BY_TELEGRAM
    else:
        phone = try_normalize_phone(msg.phone or msg.chat_id)
        if phone is None:
            return None
        params.update(phone_e164=phone, wa_id=_fit(msg.phone, 64))
        stmt = sql.CONTACT_BY_PHONE_FROM_ME if msg.from_me else sql.CONTACT_BY_PHONE
    return sql.run(session, stmt, params).scalar()


@dataclass(frozen=True)
class _Conv:
    """The two facts ingestion needs; loading the whole entity (and its eager relationships) per
    delivery cost more than every other statement together."""

    id: int
    status: ConversationStatus


def _conversation_for(
    session: Session, inbox: InboxRef, contact_id: int, msg: InboundMessage
) -> tuple[_Conv, bool]:
    """The conversation not closed, or the closed one whose CSAT survey this answers, or a new one."""
    current = sql.run(
        session, sql.ACTIVE_CONVERSATION, {"inbox_id": inbox.id, "contact_id": contact_id}
    ).first()
    if current is not None:
        return _Conv(current.id, ConversationStatus(current.status)), False
    if not msg.from_me:
        waiting = _conversation_awaiting_csat(session, inbox, contact_id, msg.timestamp)
        if waiting is not None:
            return _Conv(waiting, ConversationStatus.CLOSED), False
    status = ConversationStatus.BOT if inbox.ai_enabled else ConversationStatus.PENDING
    now = utcnow()
    conversation_id = sql.run(
        session,
        sql.INSERT_CONVERSATION,
        {
            "tenant_id": inbox.tenant_id,
            "inbox_id": inbox.id,
            "contact_id": contact_id,
            "status": status,
            "team_id": inbox.default_team_id,
            "waiting_since": now if status == ConversationStatus.PENDING else None,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar()
    assert conversation_id is not None
    sql.run(
        session,
        sql.INSERT_EVENT,
        {
            "tenant_id": inbox.tenant_id,
            "conversation_id": conversation_id,
            "kind": EventKind.CREATED,
            "actor_kind": ActorKind.USER if msg.from_me else ActorKind.CONTACT,
            "to_status": status,
            "to_team_id": inbox.default_team_id,
            "data": {"first_message": msg.provider_message_id},
            "created_at": now,
        },
    )
    return _Conv(conversation_id, status), True


def _conversation_awaiting_csat(
    session: Session, inbox: InboxRef, contact_id: int, at: datetime
) -> int | None:
    """A survey sent and not expired: the reply is captured on the closed conversation, not a new one."""
    return session.scalar(
        sa.select(CsatSurvey.conversation_id)
        .where(
            CsatSurvey.contact_id == contact_id,
            CsatSurvey.inbox_id == inbox.id,
            CsatSurvey.status == CsatStatus.SENT,
            sa.or_(CsatSurvey.expires_at.is_(None), CsatSurvey.expires_at > at),
        )
        .order_by(CsatSurvey.sent_at.desc())
        .limit(1)
    )


def _message_values(
    inbox: InboxRef, conversation_id: int, msg: InboundMessage, reply_to_id: int | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if msg.location is not None:
        loc = msg.location
        payload["location"] = {
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "name": loc.name,
            "address": loc.address,
        }
    if msg.contacts:
        payload["contacts"] = msg.contacts
    if msg.interactive_reply_id is not None:
        payload["reply_id"] = msg.interactive_reply_id
    if msg.content_type == ContentType.REACTION:
        payload["emoji"] = msg.reaction_emoji or ""
    if msg.reply_to_provider_id and reply_to_id is None:
        payload["quoted_unknown"] = True  # the quoted message predates us; history recovery may bring it
    media = msg.media
    values: dict[str, Any] = {
        "tenant_id": inbox.tenant_id,
        "conversation_id": conversation_id,
        "inbox_id": inbox.id,
        "direction": Direction.OUTBOUND if msg.from_me else Direction.INBOUND,
        # fromMe: typed by the business on its own phone (or another tool): an agent's message, not ours
        "sender_kind": SenderKind.AGENT if msg.from_me else SenderKind.CONTACT,
        "content_type": msg.content_type,
        "text": msg.text,
        "payload": payload,
        "provider_message_id": msg.provider_message_id,
        "provider_timestamp": msg.timestamp,
        "reply_to_id": reply_to_id,
        "reply_to_provider_id": _fit(msg.reply_to_provider_id or msg.reaction_to_provider_id, 255),
        "raw": msg.raw,
        "status": "sent" if msg.from_me else None,
        "sent_at": msg.timestamp if msg.from_me else None,
    }
    if media is not None:
        values.update(
            media_mime=_fit(media.mime_type, 128),
            media_size=media.size,
            media_filename=_fit(media.filename, 255),
            media_status="pending",
            media_meta={
                k: v
                for k, v in {
                    "provider_media_id": media.provider_media_id,
                    "url": media.url,
                    "provider_sha256": media.sha256,
                    "seconds": media.seconds,
                    "voice": media.voice or None,
                    "inline": bool(media.inline_base64) or None,
                }.items()
                if v is not None
            },
        )
    return values


def _touch_conversation(session: Session, conversation: _Conv, msg: InboundMessage) -> None:
    if msg.from_me:
        stmt = sql.TOUCH_CONVERSATION_FROM_ME
    elif conversation.status == ConversationStatus.CLOSED:
        stmt = sql.TOUCH_CONVERSATION_CLOSED  # a CSAT answer: no unread badge, no 24-hour window
    else:
        stmt = sql.TOUCH_CONVERSATION_INBOUND
    sql.run(session, stmt, {"conversation_id": conversation.id, "at": msg.timestamp})
