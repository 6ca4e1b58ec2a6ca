"""History recovery: page an inbox's (or one contact's) history from Evolution/Uazapi into `ingest`.

The same `ingest` as webhooks (source="history": no AI replies, no notifications; media fetched later),
so a recovered message is indistinguishable from a delivered one and a message we already have is a
duplicate the database drops. Each page is ingested and the run's cursor moved in one transaction
(`models.history`): a crash resumes after the last stored page. A run works for `TIME_BUDGET` seconds and
then re-enqueues itself, which keeps it under RQ's job timeout and lets other inboxes' runs take turns.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.channels.base import HistorySource, ProviderError
from integrations.channels.credentials import CredentialError
from integrations.channels.registry import client_for, get_adapter
from jobs import queues
from jobs.context import get_db
from jobs.scheduling import backoff, enqueue, relay_now
from models import history
from models.contact import Contact
from models.inbox import Inbox, SyncRun
from models.ingest import InboxRef, ingest
from models.phones import try_normalize_phone

log = logging.getLogger(__name__)

PAGE_SIZE = 50
TIME_BUDGET = 120.0
HISTORY_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class SyncError(ValueError):
    """A run that cannot start; the message is for the operator."""


def start_sync(
    tenant_id: int,
    inbox_id: int,
    *,
    phone: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    reason: str = "manual",
) -> int:
    """Create a run (queued) and return its id; `phone` limits it to one contact's chat."""
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        if inbox is None:
            raise SyncError(f"Caixa de entrada {inbox_id} não encontrada.")
        if not get_adapter(str(inbox.channel_type)).has_history:
            raise SyncError("Este canal não guarda histórico para recuperar (só Evolution e Uazapi).")
        contact_id = None
        if phone:
            contact_id = _contact_for(session, tenant_id, phone)
        run = history.start_run(
            session, inbox, reason=reason, since=since, until=until, contact_id=contact_id
        )
        return run.id


def _contact_for(session: Session, tenant_id: int, phone: str) -> int:
    e164 = try_normalize_phone(phone)
    if e164 is None:
        raise SyncError(f"Telefone inválido: {phone}")
    contact = session.scalar(sa.select(Contact).where(Contact.phone_e164 == e164))
    if contact is None:  # recovering a chat we never saw: the contact starts here
        contact = Contact(tenant_id=tenant_id, phone_e164=e164, wa_id=e164.lstrip("+"))
        session.add(contact)
        session.flush()
    return contact.id


def recover_gap(tenant_id: int, inbox_id: int, since_iso: str, until_iso: str) -> str:
    """After a connection drop and return (`inbox.reconnected`): recover what arrived in between."""
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        if inbox is None:
            return "skip"
        if not get_adapter(str(inbox.channel_type)).has_history:
            log.info("inbox %s reconnected but its channel keeps no history", inbox_id)
            return "unsupported"
        run = history.run_for_gap(
            session, inbox, datetime.fromisoformat(since_iso), datetime.fromisoformat(until_iso)
        )
        run_id = run.id
    log.info("inbox %s reconnected: recovering %s → %s (run %s)", inbox_id, since_iso, until_iso, run_id)
    return recover(tenant_id, run_id)


def recover(
    tenant_id: int, sync_run_id: int, *, budget: float | None = TIME_BUDGET, reschedule: bool = True
) -> str:
    """Run (or resume) one SyncRun until its history is exhausted or `budget` seconds are spent.

    As a job it re-enqueues itself to continue or to retry after a provider hiccup; the CLI runs it in
    the foreground with `reschedule=False` (and no budget) and retries by itself.
    """
    db = get_db()
    with db.tenant_session(tenant_id) as session:
        run = history.begin(session, sync_run_id)
        if run is None:
            return "skip"
        inbox = session.get(Inbox, run.inbox_id)
        if inbox is None:
            return "skip"
        ref = InboxRef.of(inbox)
        chat = history.contact_chat(session, run.contact_id)
        since, until = run.since, run.until
        cursor = (run.cursor or {}).get("next")
        finished_pages = bool((run.cursor or {}).get("pages")) and cursor is None
        try:
            client = client_for(
                ref.channel_type,
                inbox.credentials,
                webhook_secret=inbox.webhook_secret,
                timeout=HISTORY_TIMEOUT,
            )
        except CredentialError as exc:  # no retry fixes an inbox's settings
            history.fail(session, sync_run_id, exc.message_pt)
            return "failed"
    try:
        if not isinstance(client, HistorySource):
            with db.tenant_session(tenant_id) as session:
                history.fail(session, sync_run_id, "Este canal não guarda histórico para recuperar.")
            return "unsupported"
        deadline = time.monotonic() + budget if budget is not None else None
        while not finished_pages:
            try:
                page = client.fetch_history(chat, since, until, cursor, page_size=PAGE_SIZE)
            except ProviderError as exc:
                return _interrupted(tenant_id, sync_run_id, exc, reschedule)
            with db.tenant_session(tenant_id) as session:
                report = ingest(session, ref, list(page.events), source="history")
                history.record_page(
                    session,
                    sync_run_id,
                    next_cursor=page.next_cursor,
                    seen=len(page.events) + page.skipped,
                    imported=len(report.created_messages),
                    total=page.total,
                )
            relay_now(report.outbox_ids)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            if deadline is not None and time.monotonic() > deadline:
                if not reschedule:
                    return "continued"
                enqueue(
                    queues.SYNC,
                    "jobs.sync.recover",
                    tenant_id,
                    sync_run_id,
                    job_id=f"sync-{sync_run_id}-{cursor}",
                )
                return "continued"
    finally:
        client.close()
    with db.tenant_session(tenant_id) as session:
        history.finish(session, sync_run_id)
    return "done"


def _interrupted(tenant_id: int, run_id: int, exc: ProviderError, reschedule: bool) -> str:
    with get_db().tenant_session(tenant_id) as session:
        if not exc.retryable:
            history.fail(session, run_id, exc.reason)
            return "failed"
        failures = history.pause(session, run_id, exc.reason)
        if failures >= history.MAX_PAUSES:
            history.fail(session, run_id, f"{exc.reason} (desistimos após {failures} falhas seguidas)")
            return "failed"
    delay = backoff(failures, exc.retry_after)
    if not reschedule:
        return "paused"
    enqueue(
        queues.SYNC,
        "jobs.sync.recover",
        tenant_id,
        run_id,
        delay=delay,
        job_id=f"sync-{run_id}-retry-{failures}",
    )
    log.info("history run %s paused (%s); resuming in %.0f s", run_id, exc.reason, delay)
    return "paused"


def retry_delay(tenant_id: int, run_id: int) -> float:
    """How long a paused run should wait before the next try (for callers that retry by themselves)."""
    with get_db().tenant_session(tenant_id) as session:
        run = session.get(SyncRun, run_id)
        failures = int((run.cursor or {}).get("failures", 1)) if run is not None else 1
    return backoff(failures)
