"""History recovery from the back office: start a run on the bulk queue and show its progress.

The run is `jobs.sync.recover` on the `sync` queue (what `niochat inbox sync --background` queues); the
page polls the SyncRun rows, the same progress record the CLI draws its bar from.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from jobs import queues, sync
from jobs.scheduling import enqueue
from models.enums import SyncStatus
from models.history import progress
from models.inbox import SyncRun

RUNS_SHOWN = 10


class SyncStartError(ValueError):
    """The run could not start; the message is for the operator (pt-BR)."""


def parse_day(value: Any, *, end: bool = False) -> datetime | None:
    """A date (or date-time) from a form field, UTC; a bare date covers the whole day."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SyncStartError(_("Data inválida: %(value)s (use AAAA-MM-DD).", value=text)) from None
    if len(text) <= 10:
        parsed = datetime.combine(parsed.date(), time.max if end else time.min)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def active_run(session: Session, inbox_id: int) -> SyncRun | None:
    return session.scalar(
        sa.select(SyncRun)
        .where(SyncRun.inbox_id == inbox_id, SyncRun.status.in_([SyncStatus.QUEUED, SyncStatus.RUNNING]))
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


def start(
    session: Session,
    tenant_id: int,
    inbox_id: int,
    *,
    phone: str | None = None,
    since: Any = None,
    until: Any = None,
) -> int:
    """Queue a recovery run for the inbox (or one contact's chat); refuse a second one at a time."""
    if active_run(session, inbox_id) is not None:
        raise SyncStartError(_("Já há uma recuperação em andamento nesta caixa; aguarde o fim dela."))
    start_at, end_at = parse_day(since), parse_day(until, end=True)
    if start_at and end_at and start_at > end_at:
        raise SyncStartError(_("A data inicial é depois da final."))
    try:
        run_id = sync.start_sync(
            tenant_id, inbox_id, phone=(phone or "").strip() or None, since=start_at, until=end_at
        )
    except sync.SyncError as exc:
        raise SyncStartError(str(exc)) from exc
    enqueue(queues.SYNC, "jobs.sync.recover", tenant_id, run_id, job_id=f"sync-{run_id}-admin")
    return run_id


def runs(session: Session, inbox_id: int, limit: int = RUNS_SHOWN) -> list[dict[str, Any]]:
    """The inbox's latest runs, newest first, in the shape the CLI and the inbox show."""
    rows = session.scalars(
        sa.select(SyncRun).where(SyncRun.inbox_id == inbox_id).order_by(SyncRun.id.desc()).limit(limit)
    )
    return [progress(run) for run in rows]
