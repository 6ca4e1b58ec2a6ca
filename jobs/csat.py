"""CSAT jobs on the sending side: the surveys' send at their time, and the sweep that expires unanswered
surveys and catches scheduled ones whose job was lost.

A close records `csat.send` in its transaction (`models.csat_surveys.schedule_on_close`); the outbox
relay schedules `send_due` with RQ's scheduler for the second the survey is due (rounded up, so never
early; a close recorded while Redis was down is scheduled when the relay catches up). One job per tenant
and second, whatever the number of closes in it: the job id names both, so RQ keeps one. A forked work
horse per survey cost more than the send itself (bench/csat.py); one per second sends them all. Each
survey message is sent by the ordinary outbound job's code in this process (`jobs.outbound.send_message`):
its claim makes the send exactly-once, its retries back off, and a refused WhatsApp list falls back to the
emoji text line. The survey follows its message's status through a database trigger (migration c12s).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime

from jobs import queues
from jobs.context import get_db
from jobs.scheduling import enqueue, relay_now
from models import csat_surveys
from models.base import utcnow

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0
BATCH = 500


def due_second(scheduled_for: str) -> int:
    """The whole second a survey is due, rounded up: RQ keeps whole seconds, so the job is never early."""
    return math.ceil(datetime.fromisoformat(scheduled_for).timestamp())


def send_due(tenant_id: int, due: int | None = None) -> dict[str, int]:
    """The scheduled job: send the tenant's surveys due in the second ending at `due` (every due one
    without it). Returns outcome counts."""
    if due is not None and 0 < due - time.time() <= csat_surveys.ON_TIME_SLACK:
        time.sleep(due - time.time())  # RQ's scheduler looks once a second
    second = datetime.fromtimestamp(due, UTC) if due is not None else None
    with get_db().tenant_session(tenant_id) as session:
        ids = csat_surveys.due_ids(session, second, limit=BATCH)
    outcomes: dict[str, int] = {}
    for survey_id in ids:  # one after another: the relay's Socket.IO emitter is not shared across threads
        outcome = _send_one(tenant_id, survey_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if len(ids) == BATCH:  # more are due: the next batch at once
        more = f"csat-due-{tenant_id}-more-{ids[-1]}"
        enqueue(queues.CSAT, "jobs.csat.send_due", tenant_id, due, job_id=more)
    return outcomes


def _send_one(tenant_id: int, survey_id: int) -> str:
    try:
        return send_survey(tenant_id, survey_id)
    except Exception:  # one survey's trouble must not stop the others; the sweep tries it again
        log.exception("CSAT survey %s could not be sent", survey_id)
        return "error"


def send_survey(tenant_id: int, survey_id: int, scheduled_for: str | None = None) -> str:
    """The scheduled job. Returns what happened (for logs, tests and the benchmark): the outbound job's
    outcome (`sent`, `retry`, `failed`…) or why nothing was sent (`skipped`, `cancelled`, `done`…)."""
    when = datetime.fromisoformat(scheduled_for) if scheduled_for else None
    db = get_db()
    while True:
        with db.tenant_session(tenant_id) as session:
            prepared = csat_surveys.prepare_send(session, survey_id, when)
        relay_now(prepared.outbox_ids)
        if prepared.action != "wait":
            break
        if prepared.wait_seconds > csat_surveys.ON_TIME_SLACK:
            enqueue(
                queues.CSAT, "jobs.csat.send_survey", tenant_id, survey_id, scheduled_for,
                delay=prepared.wait_seconds, job_id=f"csat-{survey_id}-{scheduled_for}-retimed",
            )  # fmt: skip
            return "later"
        time.sleep(prepared.wait_seconds)
    if prepared.action != "send" or prepared.message_id is None:
        if prepared.reason:
            log.info("CSAT survey %s %s: %s", survey_id, prepared.action, prepared.reason)
        return prepared.action
    from jobs.outbound import send_message

    return send_message(tenant_id, prepared.message_id)


def expire_surveys() -> int:
    """Unanswered surveys past their expiry become `expired`; returns how many."""
    expired = 0
    with get_db().platform_session() as session:
        expired = csat_surveys.expire_due(session)
    return expired


def send_overdue() -> int:
    """Scheduled surveys well past their time had their job lost: schedule it again (idempotent)."""
    with get_db().platform_session() as session:
        overdue = csat_surveys.overdue(session)
    bucket = int(utcnow().timestamp() // 60)
    for tenant_id, survey_id, scheduled_for in overdue:
        enqueue(
            queues.CSAT, "jobs.csat.send_survey", tenant_id, survey_id, scheduled_for,
            job_id=f"csat-{survey_id}-overdue-{bucket}",
        )  # fmt: skip
    return len(overdue)


def watch_surveys(stop: threading.Event, interval: float = SWEEP_SECONDS) -> None:
    """The live worker's sweep, every `interval` s until `stop` is set: expiry and lost sends."""
    while not stop.wait(interval):
        try:
            expired, late = expire_surveys(), send_overdue()
            if expired or late:
                log.info("CSAT sweep: %s expired, %s overdue survey(s) rescheduled", expired, late)
        except Exception as exc:  # the database may be briefly away; the next round retries
            log.warning("CSAT sweep failed: %s", exc)
