"""The one way a message enters NioChat: webhooks of every provider and history recovery call `ingest`.

All of it runs in the caller's transaction, so a delivery is stored whole or not at all. Idempotency is
the database's: `(inbox_id, provider_message_id)` is unique and the insert is ON CONFLICT DO NOTHING;
the contact upsert takes a row lock, which serialises concurrent first messages from one person, so two
deliveries can never open two conversations. Side effects are outbox rows, relayed after commit.

New messages are normalised here and stored by the database function `ingest_messages` (migration
0003) in one round trip per delivery; statuses, deletions and connection changes go through
`models.ingest_events`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

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
from models.csat_answers import ReplyReader, settle_pending
from models.db import Database
from models.enums import ConversationStatus
from models.ingest_base import InboxRef, IngestReport
from models.ingest_events import ingest_connection, ingest_deletion, ingest_status
from models.phones import try_normalize_phone

__all__ = ["InboxRef", "IngestReport", "StoreMessages", "ingest", "ingest_delivery", "store_messages"]

log = logging.getLogger(__name__)


def ingest(
    session: Session,
    inbox: InboxRef,
    events: list[Event],
    *,
    source: str = "webhook",
    reader: ReplyReader | None = None,
) -> IngestReport:
    """Store normalized events for one inbox. `source` is webhook | history (history never notifies).
    `reader` tells a CSAT rating from a new request (models.csat_answers)."""
    report = IngestReport()
    outbox: list[Any] = []
    batch: list[dict[str, Any]] = []  # new messages, stored together in one round trip
    for event in events:
        if isinstance(event, InboundMessage):
            row = _message_row(event, report)
            if row is not None:
                batch.append(row)
            continue
        _store_messages(session, inbox, batch, report, source, reader)  # in order: a status may name one
        batch = []
        if isinstance(event, StatusUpdate):
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
    _store_messages(session, inbox, batch, report, source, reader)
    if outbox:
        report.outbox_ids += list(sql.run_many(session, sql.INSERT_OUTBOX, outbox).scalars())
    return report


# Stores message rows of one inbox; one result row per message, in order (see `store_messages`).
StoreMessages = Callable[[InboxRef, list[dict[str, Any]]], list[tuple[Any, ...]]]


def ingest_delivery(
    db: Database,
    inbox: InboxRef,
    events: list[Event],
    *,
    store: StoreMessages | None = None,
    reader: ReplyReader | None = None,
) -> IngestReport:
    """`ingest` for one webhook delivery, in its own transaction.

    The usual delivery holds only new messages: they are one `ingest_messages` statement, atomic by
    itself, sent on an autocommit connection without the ORM. That is one round trip instead of three
    (BEGIN, statement, COMMIT), and a fraction of the client CPU; webhook throughput rests on it.
    `store` may combine concurrent deliveries into one statement (web.webhooks.batching). Anything
    else (statuses, deletions, connection changes) goes through a tenant session. A message answering a
    CSAT survey is stored by a second statement, with `reader`'s verdict (models.csat_answers)."""
    messages = [event for event in events if isinstance(event, InboundMessage)]
    if len(messages) != len(events):
        with db.tenant_session(inbox.tenant_id) as session:
            return ingest(session, inbox, events, reader=reader)
    report = IngestReport()
    batch = [row for message in messages if (row := _message_row(message, report)) is not None]
    if batch:
        results = store(inbox, batch) if store else store_messages(db, inbox, batch)
        _collect(settle_pending(batch, results, lambda rows: store_messages(db, inbox, rows), reader), report)
    return report


def store_messages(db: Database, inbox: InboxRef, batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """One `ingest_messages` statement (autocommit) for message rows of `_message_row`; one result row
    per message, in order. The inbox's own tenant goes first: the function refuses a mismatch."""
    return db.execute_statement(sql.INGEST_MESSAGES, (inbox.tenant_id, *_params(inbox, batch, "webhook")))


# --- messages ---------------------------------------------------------------------------------------------


def _store_messages(
    session: Session,
    inbox: InboxRef,
    batch: list[dict[str, Any]],
    report: IngestReport,
    source: str,
    reader: ReplyReader | None = None,
) -> None:
    """Contact, conversation, message and outbox rows for every message of the batch, in the database
    (`ingest_messages`, migration 0003): one round trip instead of six to eight statements each."""
    if batch:
        results = sql.run_ingest_messages(session, _params(inbox, batch, source))
        again = lambda rows: sql.run_ingest_messages(session, _params(inbox, rows, source))  # noqa: E731
        _collect(settle_pending(batch, results, again, reader), report)


def _params(inbox: InboxRef, batch: list[dict[str, Any]], source: str) -> tuple[Any, ...]:
    """`ingest_messages` arguments after the tenant."""
    status = ConversationStatus.BOT if inbox.ai_enabled else ConversationStatus.PENDING
    return (inbox.id, status.value, inbox.default_team_id, source == "webhook", _encode(batch))


def _collect(rows: list[Any], report: IngestReport) -> None:
    """Rows of `ingest_messages`: (message_id, conversation_id, outcome, outbox_ids)."""
    for message_id, _conversation_id, outcome, outbox_ids in rows:
        if outcome == "created":
            report.created_messages.append(message_id)
            report.outbox_ids += outbox_ids
        else:
            report.duplicates += 1


def _encode(batch: list[dict[str, Any]]) -> str:
    encoded = json.dumps(batch, ensure_ascii=False, separators=(",", ":"))
    if "\\u0000" in encoded:  # jsonb (like text) cannot hold NUL: drop it rather than refuse the message
        encoded = json.dumps(_without_nul(batch), ensure_ascii=False, separators=(",", ":"))
    return encoded


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _message_row(msg: InboundMessage, report: IngestReport) -> dict[str, Any] | None:
    """What `ingest_messages` stores for one message, normalised here (phones, payload, column widths);
    None when there is nothing to store."""
    if msg.is_group:
        report.ignored += 1  # customer service is one-to-one; group chats are not conversations
        return None
    row: dict[str, Any] = {
        "provider_message_id": msg.provider_message_id,
        "from_me": msg.from_me,
        "timestamp": msg.timestamp.isoformat(),
        # The name comes only from the customer's own messages.
        "name": None if msg.from_me else _fit(msg.contact_name, 200),
        "content_type": str(msg.content_type),
        "text": msg.text,
        "payload": _payload(msg),
        "raw": msg.raw or None,
        "reply_to_provider_id": msg.reply_to_provider_id or msg.reaction_to_provider_id,
        "quoted": bool(msg.reply_to_provider_id),
    }
    if msg.telegram_chat_id is not None:
        row["telegram_chat_id"] = msg.telegram_chat_id
    else:
        phone = try_normalize_phone(msg.phone or msg.chat_id)
        if phone is None:
            report.ignored += 1
            log.warning("message %s ignored: no usable sender address", msg.provider_message_id)
            return None
        row["phone_e164"] = phone
        row["wa_id"] = _fit(msg.phone, 64)
    media = msg.media
    if media is not None:
        row["media"] = {
            "mime": _fit(media.mime_type, 128),
            "size": media.size,
            "filename": _fit(media.filename, 255),
            "meta": {
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
        }
        row["fetch_media"] = msg.content_type in MEDIA_TYPES
    return row


def _fit(value: str | None, length: int) -> str | None:
    """Provider text into our column widths: an oversized display name or file name must not turn a
    valid delivery into a database error (a 500 the provider would retry forever)."""
    return value[:length] if value else None


def _payload(msg: InboundMessage) -> dict[str, Any]:
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
    return payload
