"""History recovery runs ("recuperador de conversas"): the progress record a run leaves behind.

A `SyncRun` is both the resume point and the progress bar: the job (`jobs/sync.py`) does the HTTP, and
after each page it ingests the page and moves the cursor in the same transaction, so a crash resumes
exactly after the last stored page and never counts a page twice. The UI and `niochat inbox sync` read
the same row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import utcnow
from models.contact import Contact
from models.enums import SyncStatus
from models.inbox import Inbox, SyncRun

# A drop is noticed late: recover a little before it and after the return (duplicates cost nothing).
GAP_MARGIN = timedelta(minutes=5)
MAX_PAUSES = 8  # consecutive provider failures before a run gives up


def start_run(
    session: Session,
    inbox: Inbox,
    *,
    reason: str,
    since: datetime | None = None,
    until: datetime | None = None,
    contact_id: int | None = None,
) -> SyncRun:
    run = SyncRun(
        tenant_id=inbox.tenant_id,
        inbox_id=inbox.id,
        contact_id=contact_id,
        reason=reason,
        since=since,
        until=until,
        status=SyncStatus.QUEUED,
        cursor={},
    )
    session.add(run)
    session.flush()
    return run


def run_for_gap(session: Session, inbox: Inbox, since: datetime, until: datetime) -> SyncRun:
    """The run recovering a disconnection; the same gap reported twice (a relay repeat) is one run."""
    since, until = since - GAP_MARGIN, until + GAP_MARGIN
    existing = session.scalar(
        sa.select(SyncRun).where(
            SyncRun.inbox_id == inbox.id,
            SyncRun.reason == "reconnect",
            SyncRun.since == since,
            SyncRun.until == until,
        )
    )
    return existing or start_run(session, inbox, reason="reconnect", since=since, until=until)


def begin(session: Session, run_id: int) -> SyncRun | None:
    """Lock the run and mark it running; None when it is finished (a repeated job) or gone."""
    run = session.get(SyncRun, run_id, with_for_update=True)
    if run is None or run.status in (SyncStatus.DONE, SyncStatus.FAILED):
        return None
    run.status = SyncStatus.RUNNING
    run.started_at = run.started_at or utcnow()
    return run


def record_page(
    session: Session,
    run_id: int,
    *,
    next_cursor: str | None,
    seen: int,
    imported: int,
    total: int | None,
) -> None:
    """After ingesting one page, in the same transaction."""
    run = session.get(SyncRun, run_id, with_for_update=True)
    if run is None:
        return
    cursor = dict(run.cursor or {})
    cursor.update(next=next_cursor, pages=int(cursor.get("pages", 0)) + 1, failures=0)
    run.cursor = cursor
    run.processed += seen
    run.imported += imported
    if total is not None:
        run.total = max(total, run.processed)
    run.error = None


def finish(session: Session, run_id: int) -> None:
    run = session.get(SyncRun, run_id, with_for_update=True)
    if run is not None:
        run.status = SyncStatus.DONE
        run.finished_at = utcnow()
        run.total = run.processed if run.total is None else max(run.total, run.processed)


def pause(session: Session, run_id: int, reason: str) -> int:
    """A provider hiccup: back to queued with the reason shown; returns consecutive failures so far."""
    run = session.get(SyncRun, run_id, with_for_update=True)
    if run is None:
        return MAX_PAUSES
    cursor = dict(run.cursor or {})
    failures = int(cursor.get("failures", 0)) + 1
    cursor["failures"] = failures
    run.cursor = cursor
    run.status = SyncStatus.QUEUED
    run.error = reason
    return failures


def fail(session: Session, run_id: int, reason: str) -> None:
    run = session.get(SyncRun, run_id, with_for_update=True)
    if run is not None:
        run.status = SyncStatus.FAILED
        run.error = reason
        run.finished_at = utcnow()


def contact_chat(session: Session, contact_id: int | None) -> str | None:
    """The chat to page for a one-contact run: its WhatsApp number (as WhatsApp reported it)."""
    if contact_id is None:
        return None
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    if contact.wa_id:
        return contact.wa_id
    return contact.phone_e164.lstrip("+") if contact.phone_e164 else None


def progress(run: SyncRun) -> dict[str, Any]:
    """The shape the UI and the CLI show."""
    fraction = None
    if run.total:
        fraction = 1.0 if run.status == SyncStatus.DONE else min(1.0, run.processed / run.total)
    return {
        "id": run.id,
        "inbox_id": run.inbox_id,
        "contact_id": run.contact_id,
        "reason": run.reason,
        "status": str(run.status),
        "since": run.since.isoformat() if run.since else None,
        "until": run.until.isoformat() if run.until else None,
        "processed": run.processed,
        "imported": run.imported,
        "total": run.total,
        "fraction": fraction,
        "error": run.error,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
