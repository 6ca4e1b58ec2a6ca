"""A snoozed conversation wakes: when the customer writes (a real webhook through `ingest_messages`), at
its time (the scheduled RQ job, run by a real worker with its scheduler), or by the worker's sweep — once,
whichever comes first, back to the same queue."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from models import Conversation, ConversationEvent
from models.base import utcnow
from models.enums import ConversationStatus
from models.lifecycle import SYSTEM, lock
from models.snooze import snooze
from tests.webhooks.test_pipeline import evolution_text


def _pending_and_snoozed(db, inbox, post, *, seconds: float = 3600) -> int:  # type: ignore[no-untyped-def]
    """A customer's conversation waiting for a human, snoozed by nobody in particular."""
    assert post(inbox, evolution_text("Estou sem internet")).json["stored"] == 1
    with db.tenant_session(inbox.tenant_id) as session:
        conv_id = session.scalar(sa.select(Conversation.id))
        conv = lock(session, conv_id)
        conv.status = ConversationStatus.PENDING
        snooze(session, conv, utcnow() + timedelta(seconds=seconds), SYSTEM)
    return int(conv_id)


def _state(db, tenant_id: int, conv_id: int) -> tuple[str, object, list[tuple[str, str, object]]]:  # type: ignore[no-untyped-def]
    with db.tenant_session(tenant_id) as session:
        conv = session.get(Conversation, conv_id)
        events = session.execute(
            sa.select(ConversationEvent.kind, ConversationEvent.actor_kind, ConversationEvent.data)
            .where(ConversationEvent.kind.in_(["snoozed", "unsnoozed"]))
            .order_by(ConversationEvent.id)
        ).all()
        return str(conv.status), conv.snoozed_until, [(str(k), str(a), d.get("cause")) for k, a, d in events]


def test_the_customer_writing_wakes_it_at_once(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Our own message (fromMe) leaves it snoozed; the customer's next message wakes it, in its queue."""
    inbox = inboxes["evolution"]
    conv_id = _pending_and_snoozed(db, inbox, post)
    post(inbox, evolution_text("Já estamos verificando", from_me=True))
    assert _state(db, inbox.tenant_id, conv_id)[1] is not None
    assert post(inbox, evolution_text("Alguma novidade?")).json["stored"] == 1
    status, until, events = _state(db, inbox.tenant_id, conv_id)
    assert (status, until) == ("pending", None)
    assert events == [("snoozed", "system", None), ("unsnoozed", "contact", "message")]
    post(inbox, evolution_text("Oi?"))  # awake already: no second event
    assert len(_state(db, inbox.tenant_id, conv_id)[2]) == 2


def test_the_wake_job_and_the_sweep_wake_it_once_when_due(db, inboxes, post, redis_url) -> None:  # type: ignore[no-untyped-def]
    """Called early the job does nothing; once due it wakes the conversation; again, nothing. The sweep
    wakes another due snooze whose job was lost."""
    from jobs.snooze import wake, wake_due

    inbox = inboxes["evolution"]
    conv_id = _pending_and_snoozed(db, inbox, post, seconds=1.5)
    assert wake(inbox.tenant_id, conv_id) is False
    time.sleep(1.6)
    assert wake(inbox.tenant_id, conv_id) is True
    assert wake(inbox.tenant_id, conv_id) is False
    status, until, events = _state(db, inbox.tenant_id, conv_id)
    assert (status, until, events[-1]) == ("pending", None, ("unsnoozed", "system", "time"))

    with db.tenant_session(inbox.tenant_id) as session:
        snooze(session, lock(session, conv_id), utcnow() + timedelta(seconds=1.2), SYSTEM)
    assert wake_due() == 0
    assert wake_due(utcnow() + timedelta(seconds=2)) == 1
    assert _state(db, inbox.tenant_id, conv_id)[1] is None


def test_a_real_worker_wakes_it_at_its_time(db, inboxes, post, redis_url) -> None:  # type: ignore[no-untyped-def]
    """The relay schedules `jobs.snooze.wake` for the snooze's end (RQ's scheduled registry); the live
    worker, with its scheduler, runs it once due."""
    from rq.registry import ScheduledJobRegistry

    from jobs.queues import DEFAULT, connect
    from jobs.relay import Relay
    from jobs.worker import run_worker

    inbox = inboxes["evolution"]
    conv_id = _pending_and_snoozed(db, inbox, post, seconds=2)
    conn = connect(redis_url)
    Relay(db, conn).relay()
    registry = ScheduledJobRegistry(DEFAULT, connection=conn)
    [job_id] = registry.get_job_ids()
    assert job_id.endswith("-wake")
    run_worker(redis_url, "live", burst=True)  # not due yet: stays scheduled
    assert _state(db, inbox.tenant_id, conv_id)[1] is not None and registry.get_job_ids() == [job_id]
    time.sleep(2.2)
    run_worker(redis_url, "live", burst=True)
    status, until, events = _state(db, inbox.tenant_id, conv_id)
    assert (status, until, events[-1]) == ("pending", None, ("unsnoozed", "system", "time"))
