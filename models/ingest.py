"""The one way a message enters NioChat: webhooks of every provider and history recovery call `ingest`.

All of it runs in the caller's transaction, so a delivery is stored whole or not at all. Idempotency is
the database's: `(inbox_id, provider_message_id)` is unique and the insert is ON CONFLICT DO NOTHING;
the contact upsert takes a row lock, which serialises concurrent first messages from one person, so two
deliveries can never open two conversations. Side effects are outbox rows, relayed after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
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
from models import outbox_ops as topics
from models.base import utcnow
from models.contact import Contact
from models.conversation import Conversation
from models.csat import CsatSurvey
from models.enums import (
    ActorKind,
    ConversationStatus,
    CsatStatus,
    Direction,
    EventKind,
    SenderKind,
)
from models.event import ConversationEvent
from models.inbox import Inbox
from models.message import Message
from models.phones import try_normalize_phone
from models.statuses import apply_status

log = logging.getLogger(__name__)

# Touch the inbox's "last seen" columns at most this often: every delivery updating one hot row would
# serialise all webhooks of a busy number on its row lock.
_INBOX_TOUCH_INTERVAL = timedelta(seconds=5)


@dataclass(frozen=True)
class InboxRef:
    """What ingestion needs of an inbox; cheap to keep between deliveries."""

    id: int
    tenant_id: int
    channel_type: str
    ai_enabled: bool
    default_team_id: int | None

    @classmethod
    def of(cls, inbox: Inbox) -> InboxRef:
        return cls(
            inbox.id, inbox.tenant_id, str(inbox.channel_type), inbox.ai_enabled, inbox.default_team_id
        )


@dataclass
class IngestReport:
    """What one call stored; `outbox_ids` are relayed by the caller after commit."""

    created_messages: list[int] = field(default_factory=list)
    duplicates: int = 0
    ignored: int = 0
    statuses_applied: int = 0
    statuses_unmatched: int = 0
    outbox_ids: list[int] = field(default_factory=list)


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
            _ingest_status(session, inbox, event, report, outbox)
        elif isinstance(event, MessageDeleted):
            _ingest_deletion(session, inbox, event, report, outbox)
        elif isinstance(event, ConnectionUpdate):
            _ingest_connection(session, inbox, event, outbox)
        elif isinstance(event, CallbackAnswerNeeded):
            outbox.append(
                topics.record(
                    session,
                    inbox.tenant_id,
                    topics.TELEGRAM_CALLBACK,
                    inbox_id=inbox.id,
                    callback_query_id=event.callback_query_id,
                )
            )
    if outbox:
        session.flush()
        report.outbox_ids = [row.id for row in outbox]
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
    exists = session.scalar(
        sa.select(Message.id).where(
            Message.inbox_id == inbox.id, Message.provider_message_id == msg.provider_message_id
        )
    )
    if exists is not None:
        report.duplicates += 1
        return
    contact_id = _upsert_contact(session, inbox, msg)
    if contact_id is None:
        report.ignored += 1
        log.warning("message %s ignored: no usable sender address", msg.provider_message_id)
        return
    conversation, created = _conversation_for(session, inbox, contact_id, msg)
    reply_to_id = _message_id_by_provider(
        session, inbox.id, msg.reply_to_provider_id or msg.reaction_to_provider_id
    )
    message_id = session.scalar(
        pg_insert(Message)
        .values(**_message_values(inbox, conversation.id, msg, reply_to_id))
        .on_conflict_do_nothing(index_elements=["inbox_id", "provider_message_id"])
        .returning(Message.id)
    )
    if message_id is None:  # a concurrent delivery of the same message won
        report.duplicates += 1
        return
    report.created_messages.append(message_id)
    _touch_conversation(session, conversation, msg)
    _touch_inbox(session, inbox.id, Inbox.last_inbound_at, msg.timestamp)
    notify = source == "webhook"
    if created:
        outbox.append(
            topics.record(
                session,
                inbox.tenant_id,
                topics.CONVERSATION_CREATED,
                conversation_id=conversation.id,
                notify=notify,
            )
        )
    outbox.append(
        topics.record(
            session,
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
        outbox.append(topics.record(session, inbox.tenant_id, topics.MEDIA_FETCH, message_id=message_id))


def _direction(msg: InboundMessage) -> str:
    return str(Direction.OUTBOUND if msg.from_me else Direction.INBOUND)


def _upsert_contact(session: Session, inbox: InboxRef, msg: InboundMessage) -> int | None:
    """One row per person and tenant; the name comes only from the customer's own messages."""
    name = None if msg.from_me else (msg.contact_name or None)
    now = utcnow()
    if msg.telegram_chat_id is not None:
        key: dict[str, Any] = {"telegram_chat_id": msg.telegram_chat_id}
        conflict = ["tenant_id", "telegram_chat_id"]
    else:
        phone = try_normalize_phone(msg.phone or msg.chat_id)
        if phone is None:
            return None
        key = {"phone_e164": phone, "wa_id": msg.phone or None}
        conflict = ["tenant_id", "phone_e164"]
    stmt = pg_insert(Contact).values(tenant_id=inbox.tenant_id, name=name, last_seen_at=now, **key)
    updates: dict[str, Any] = {
        "name": sa.func.coalesce(Contact.name, stmt.excluded.name),
        "updated_at": now,
    }
    if not msg.from_me:
        updates["last_seen_at"] = now
        if "wa_id" in key:
            updates["wa_id"] = stmt.excluded.wa_id
    upsert = stmt.on_conflict_do_update(index_elements=conflict, set_=updates).returning(Contact.id)
    return session.scalar(upsert)


def _conversation_for(
    session: Session, inbox: InboxRef, contact_id: int, msg: InboundMessage
) -> tuple[Conversation, bool]:
    """The conversation not closed, or the closed one whose CSAT survey this answers, or a new one."""
    current = session.scalar(
        sa.select(Conversation).where(
            Conversation.inbox_id == inbox.id,
            Conversation.contact_id == contact_id,
            Conversation.status != ConversationStatus.CLOSED,
        )
    )
    if current is not None:
        return current, False
    if not msg.from_me:
        waiting = _conversation_awaiting_csat(session, inbox, contact_id, msg.timestamp)
        if waiting is not None:
            return waiting, False
    status = ConversationStatus.BOT if inbox.ai_enabled else ConversationStatus.PENDING
    now = utcnow()
    conversation = Conversation(
        tenant_id=inbox.tenant_id,
        inbox_id=inbox.id,
        contact_id=contact_id,
        status=status,
        team_id=inbox.default_team_id,
        waiting_since=now if status == ConversationStatus.PENDING else None,
    )
    session.add(conversation)
    session.flush()
    session.add(
        ConversationEvent(
            tenant_id=inbox.tenant_id,
            conversation_id=conversation.id,
            kind=EventKind.CREATED,
            actor_kind=ActorKind.USER if msg.from_me else ActorKind.CONTACT,
            to_status=status,
            to_team_id=inbox.default_team_id,
            data={"first_message": msg.provider_message_id},
        )
    )
    return conversation, True


def _conversation_awaiting_csat(
    session: Session, inbox: InboxRef, contact_id: int, at: datetime
) -> Conversation | None:
    """A survey sent and not expired: the reply is captured on the closed conversation, not a new one."""
    return session.scalar(
        sa.select(Conversation)
        .join(CsatSurvey, CsatSurvey.conversation_id == Conversation.id)
        .where(
            CsatSurvey.contact_id == contact_id,
            CsatSurvey.inbox_id == inbox.id,
            CsatSurvey.status == CsatStatus.SENT,
            sa.or_(CsatSurvey.expires_at.is_(None), CsatSurvey.expires_at > at),
        )
        .order_by(CsatSurvey.sent_at.desc())
        .limit(1)
    )


def _message_id_by_provider(session: Session, inbox_id: int, provider_id: str | None) -> int | None:
    if not provider_id:
        return None
    return session.scalar(
        sa.select(Message.id).where(Message.inbox_id == inbox_id, Message.provider_message_id == provider_id)
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
        "reply_to_provider_id": msg.reply_to_provider_id or msg.reaction_to_provider_id,
        "raw": msg.raw,
        "status": "sent" if msg.from_me else None,
        "sent_at": msg.timestamp if msg.from_me else None,
    }
    if media is not None:
        values.update(
            media_mime=media.mime_type,
            media_size=media.size,
            media_filename=media.filename,
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


def _touch_conversation(session: Session, conversation: Conversation, msg: InboundMessage) -> None:
    values: dict[str, Any] = {"last_message_at": msg.timestamp}
    if msg.from_me:
        values["last_outbound_at"] = msg.timestamp
        values["first_reply_at"] = sa.func.coalesce(Conversation.first_reply_at, msg.timestamp)
    elif conversation.status != ConversationStatus.CLOSED:
        values["last_inbound_at"] = msg.timestamp
        values["unread_count"] = Conversation.unread_count + 1
    session.execute(sa.update(Conversation).where(Conversation.id == conversation.id).values(**values))


def _touch_inbox(session: Session, inbox_id: int, column: Any, at: datetime) -> None:
    session.execute(
        sa.update(Inbox)
        .where(Inbox.id == inbox_id, sa.or_(column.is_(None), column < at - _INBOX_TOUCH_INTERVAL))
        .values({column.key: at})
        .execution_options(synchronize_session=False)
    )


# --- statuses, deletions, connection -----------------------------------------------------------------------


def _ingest_status(
    session: Session, inbox: InboxRef, event: StatusUpdate, report: IngestReport, outbox: list[Any]
) -> None:
    applied = apply_status(
        session,
        inbox.id,
        event.provider_message_id,
        event.status,
        event.timestamp,
        error_code=event.error_code,
        error_text=event.error_text,
    )
    _touch_inbox(session, inbox.id, Inbox.last_status_at, event.timestamp)
    if applied is None:
        # Either already at or past this status (a repeat, or out of order: nothing to do), or the
        # message is not known yet: a status can overtake the commit of our own send.
        known = _message_id_by_provider(session, inbox.id, event.provider_message_id)
        if known is None:
            report.statuses_unmatched += 1
            outbox.append(
                topics.record(
                    session,
                    inbox.tenant_id,
                    topics.STATUS_UNMATCHED,
                    inbox_id=inbox.id,
                    provider_message_id=event.provider_message_id,
                    status=str(event.status),
                    timestamp=event.timestamp.isoformat(),
                    error_code=event.error_code,
                    error_text=event.error_text,
                    attempt=0,
                )
            )
        return
    report.statuses_applied += 1
    message_id, conversation_id = applied
    outbox.append(
        topics.record(
            session,
            inbox.tenant_id,
            topics.MESSAGE_STATUS,
            message_id=message_id,
            conversation_id=conversation_id,
            status=str(event.status),
        )
    )


def _ingest_deletion(
    session: Session, inbox: InboxRef, event: MessageDeleted, report: IngestReport, outbox: list[Any]
) -> None:
    row = session.execute(
        sa.update(Message)
        .where(
            Message.inbox_id == inbox.id,
            Message.provider_message_id == event.provider_message_id,
            Message.deleted_at.is_(None),
        )
        .values(deleted_at=event.timestamp)
        .returning(Message.id, Message.conversation_id)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        report.ignored += 1
        return
    outbox.append(
        topics.record(
            session,
            inbox.tenant_id,
            topics.MESSAGE_UPDATED,
            message_id=row[0],
            conversation_id=row[1],
            change="deleted",
        )
    )


def _ingest_connection(session: Session, inbox: InboxRef, event: ConnectionUpdate, outbox: list[Any]) -> None:
    row = session.get(Inbox, inbox.id, with_for_update=True)
    if row is None:
        return
    previous = row.connection_state
    state = event.state
    if state == previous and not event.qr_code:
        return
    row.connection_state = state
    row.connection_changed_at = event.timestamp
    if event.qr_code or event.pair_code:
        row.settings = {
            **row.settings,
            "qr_code": event.qr_code,
            "pair_code": event.pair_code,
            "qr_at": event.timestamp.isoformat(),
        }
    if state == "open":
        gap_start = row.last_disconnected_at
        row.last_connected_at = event.timestamp
        row.settings = {k: v for k, v in row.settings.items() if k not in ("qr_code", "pair_code", "qr_at")}
        if previous != "open" and gap_start is not None:
            outbox.append(
                topics.record(
                    session,
                    inbox.tenant_id,
                    topics.INBOX_RECONNECTED,
                    inbox_id=inbox.id,
                    since=gap_start.isoformat(),
                    until=event.timestamp.isoformat(),
                )
            )
    elif previous == "open":
        row.last_disconnected_at = event.timestamp
    outbox.append(
        topics.record(session, inbox.tenant_id, topics.INBOX_CONNECTION, inbox_id=inbox.id, state=state)
    )
