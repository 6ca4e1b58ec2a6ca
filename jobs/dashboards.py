"""Keeping the dashboards' facts current (`models.facts`, `models.facts_refresh`).

A sweep in the bulk worker, every `REFRESH_SECONDS`: for each active tenant, the facts of every
conversation touched since the tenant's cursor are rebuilt from its events and messages. A periodic
pass rather than a job per message: one pass rebuilds a burst of a conversation's messages once, costs
nothing on the ingestion path, and catches up by itself after the worker was down (the cursor waits).
`refresh_tenant` is also an RQ job (queue `reporting`) and `niochat backfill-facts` rebuilds all.
"""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jobs.context import get_db
from models.db import Database
from models.facts_refresh import active_tenants, backfill, refresh_incremental

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
_LOCK_CLASS = 1913  # pg advisory lock namespace: one facts pass per tenant at a time, across workers


def _claimed(session: Session, tenant_id: int) -> bool:
    """Another worker refreshing this tenant right now makes this pass skip it (its cursor covers us)."""
    return bool(
        session.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:cls, :tenant)"),
                       {"cls": _LOCK_CLASS, "tenant": tenant_id})
    )  # fmt: skip


def refresh_tenant(tenant_id: int, db: Database | None = None) -> int:
    """The incremental pass for one tenant; returns how many facts were rebuilt."""
    db = db or get_db()
    with db.tenant_session(tenant_id) as session:
        if not _claimed(session, tenant_id):
            return 0
        return refresh_incremental(session, tenant_id)


def refresh_all(db: Database | None = None) -> int:
    db = db or get_db()
    with db.platform_session() as session:
        tenants = active_tenants(session)
    done = 0
    for tenant_id in tenants:
        try:
            done += refresh_tenant(tenant_id, db)
        except Exception:  # one tenant's failure must not stall the others' dashboards
            log.exception("facts refresh failed for tenant %s", tenant_id)
    return done


def backfill_tenant(tenant_id: int, db: Database | None = None) -> int:
    """Rebuild every fact of the tenant (after changing its business hours, or on an old database)."""
    db = db or get_db()
    with db.tenant_session(tenant_id) as session:
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:cls, :tenant)"), {"cls": _LOCK_CLASS, "tenant": tenant_id}
        )
        return backfill(session, tenant_id)


def watch_facts(stop: threading.Event, interval: float = REFRESH_SECONDS) -> None:
    """The bulk worker's sweep, every `interval` s until `stop` is set."""
    while not stop.wait(interval):
        try:
            done = refresh_all()
            if done:
                log.info("dashboard facts: %s conversation(s) refreshed", done)
        except Exception as exc:  # the database may be briefly away; the next round retries
            log.warning("dashboard facts refresh failed: %s", exc)
