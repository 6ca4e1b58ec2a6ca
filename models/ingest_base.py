"""What the ingestion modules share: the inbox snapshot, the report, and two small helpers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import ingest_sql as sql
from models.inbox import Inbox

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


def message_id_by_provider(session: Session, inbox_id: int, provider_id: str | None) -> int | None:
    if not provider_id:
        return None
    params = {"inbox_id": inbox_id, "provider_id": provider_id}
    return sql.run(session, sql.MESSAGE_ID_BY_PROVIDER, params).scalar()


_last_touch: dict[tuple[int, str], float] = {}


def touch_inbox(session: Session, inbox_id: int, column: Any, at: datetime) -> None:
    """Health columns ("last inbound", "last status") to within a few seconds, not per delivery.

    The in-process memory skips the statement entirely for a busy inbox; the WHERE clause keeps
    several processes from rewriting the row more often than the interval either.
    """
    key = (inbox_id, column.key)
    now = time.monotonic()
    if now - _last_touch.get(key, -1e9) < _INBOX_TOUCH_INTERVAL.total_seconds():
        return
    _last_touch[key] = now
    session.execute(
        sa.update(Inbox)
        .where(Inbox.id == inbox_id, sa.or_(column.is_(None), column < at - _INBOX_TOUCH_INTERVAL))
        .values({column.key: at})
        .execution_options(synchronize_session=False)
    )
