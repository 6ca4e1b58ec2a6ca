"""Waking snoozed conversations at their time ("Adiar até…", `models.snooze`).

Two paths, both idempotent (`models.snooze.wake_if_due` wakes only a snooze that is due, on a locked
row): `wake`, an RQ job the outbox relay schedules for the snooze's `until` (topic `conversation.wake`,
so a snooze recorded while Redis was down is scheduled when the relay catches up), and `watch_snoozed`,
a sweep in the live worker that wakes whatever is past due, for a job lost with Redis's data or a worker
that was down at the time. A customer's message wakes the conversation without either (`ingest_messages`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy.orm import Session

from jobs.context import get_db
from jobs.scheduling import relay_now
from models import snooze
from models.base import utcnow
from models.lifecycle import lock
from models.outbox import OutboxEvent

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0


def seconds_until(until: str) -> float:
    """The relay's delay for a `conversation.wake` row: from now to the snooze's end (0 if past)."""
    return max(0.0, (datetime.fromisoformat(until) - utcnow()).total_seconds())


def _wake_locked(session: Session, conversation_id: int, now: datetime | None = None) -> list[int]:
    """Wake one conversation if due; the ids of the outbox rows that tell the screens."""
    try:
        conv = lock(session, conversation_id)
    except LookupError:  # deleted meanwhile
        return []
    if not snooze.wake_if_due(session, conv, now):
        return []
    recorded = [obj for obj in session.new if isinstance(obj, OutboxEvent)]
    session.flush()
    return [row.id for row in recorded]


def wake(tenant_id: int, conversation_id: int, until: str | None = None) -> bool:
    """The scheduled job. `until` is the snooze it was scheduled for (logs only: a later snooze of the
    same conversation has its own job, and this one then finds nothing due)."""
    with get_db().tenant_session(tenant_id) as session:
        outbox_ids = _wake_locked(session, conversation_id)
    relay_now(outbox_ids)
    if not outbox_ids:
        log.debug("conversation %s: nothing due for the snooze until %s", conversation_id, until)
    return bool(outbox_ids)


def wake_due(now: datetime | None = None) -> int:
    """The sweep: wake every snooze past due, each in its tenant's session; returns how many woke."""
    db = get_db()
    with db.platform_session() as session:
        pending = snooze.due(session, now)
    woken = 0
    for tenant_id, conversation_id in pending:
        with db.tenant_session(tenant_id) as session:
            outbox_ids = _wake_locked(session, conversation_id, now)
        relay_now(outbox_ids)
        woken += bool(outbox_ids)
    return woken


def watch_snoozed(stop: threading.Event, interval: float = SWEEP_SECONDS) -> None:
    """The live worker's safety net, every `interval` s until `stop` is set."""
    while not stop.wait(interval):
        try:
            woken = wake_due()
            if woken:
                log.info("snooze sweep woke %s conversation(s) the scheduler had not", woken)
        except Exception as exc:  # the database may be briefly away; the next round retries
            log.warning("snooze sweep failed: %s", exc)
