"""Ingestion of what is not a new message: delivery statuses, deletions, connection changes.

Split from `models.ingest` (which dispatches here) so each module reads as one concern.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.channels.events import ConnectionUpdate, MessageDeleted, StatusUpdate
from models import outbox_ops as topics
from models.inbox import Inbox
from models.ingest_base import InboxRef, IngestReport, message_id_by_provider, touch_inbox
from models.message import Message
from models.statuses import apply_status


def ingest_status(
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
    touch_inbox(session, inbox.id, Inbox.last_status_at, event.timestamp)
    if applied is None:
        # Either already at or past this status (a repeat, or out of order: nothing to do), or the
        # message is not known yet: a status can overtake the commit of our own send.
        known = message_id_by_provider(session, inbox.id, event.provider_message_id)
        if known is None:
            report.statuses_unmatched += 1
            outbox.append(
                topics.row(
                    inbox.tenant_id,
                    topics.STATUS_UNMATCHED,
                    inbox_id=inbox.id,
                    provider_message_id=event.provider_message_id,
                    status=str(event.status),
                    timestamp=event.timestamp.isoformat(),
                    error_code=event.error_code,
                    error_text=event.error_text,
                    client_message_id=event.client_message_id,
                    attempt=0,
                )
            )
        return
    report.statuses_applied += 1
    message_id, conversation_id = applied
    outbox.append(
        topics.row(
            inbox.tenant_id,
            topics.MESSAGE_STATUS,
            message_id=message_id,
            conversation_id=conversation_id,
            status=str(event.status),
        )
    )


def ingest_deletion(
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
        topics.row(
            inbox.tenant_id,
            topics.MESSAGE_UPDATED,
            message_id=row[0],
            conversation_id=row[1],
            change="deleted",
        )
    )


def ingest_connection(session: Session, inbox: InboxRef, event: ConnectionUpdate, outbox: list[Any]) -> None:
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
                topics.row(
                    inbox.tenant_id,
                    topics.INBOX_RECONNECTED,
                    inbox_id=inbox.id,
                    since=gap_start.isoformat(),
                    until=event.timestamp.isoformat(),
                )
            )
    elif previous == "open":
        row.last_disconnected_at = event.timestamp
    outbox.append(topics.row(inbox.tenant_id, topics.INBOX_CONNECTION, inbox_id=inbox.id, state=state))
