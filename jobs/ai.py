"""The attendant's jobs on the `ai` queue: a burst is answered once, one run per conversation at a time.

`on_messages` is relayed for the customer messages of conversations with the AI (one job per tenant and
relayed batch). It pushes each conversation's "run due at" (Redis, `ai:due:<id>`) to now + the tenant's
burst window and schedules `run` for then. A run whose due time was pushed later by a newer message
does nothing: the newer message's own run comes at the new due time and reads the whole burst ("oi" /
"tudo bem?" / "preciso da fatura" → one answer).

`run` takes a per-conversation lock (`ai:lock:<id>`, SET NX with an expiry beyond the run's time
budget). A run that finds the lock taken leaves a flag (`ai:again:<id>`) and returns; the running one,
when done, sees the flag and schedules a follow-up run for the messages that arrived meanwhile. The
runner re-reads the conversation, so nothing runs after it left `bot`.

A customer's voice note is transcribed by the run itself (`assistant.voice`); a run that finds one still
downloading (`jobs.media`) looks again a second later, for up to `MEDIA_WAIT_SECONDS`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence

from jobs import queues
from jobs.context import get_db, get_redis, get_storage
from jobs.scheduling import enqueue, relay_now

log = logging.getLogger(__name__)

DEFAULT_BURST = 4.0
LOCK_MARGIN = 30  # seconds beyond the run budget before a dead worker's lock expires
MEDIA_POLL = 1.0  # seconds between looks at a voice note still downloading
SCHEDULER_SLACK = 2.5  # how early RQ's scheduler may hand over a delayed job (whole seconds, 1 s polls)


def _key(kind: str, conversation_id: int) -> str:
    return f"ai:{kind}:{conversation_id}"


_SETTINGS = "SELECT burst_seconds, run_budget_seconds FROM ai_settings WHERE tenant_id = %s"


def _settings(tenant_id: int) -> tuple[float, int]:
    """The burst window and run budget: one autocommit round trip, as this runs for every message."""
    rows = get_db().execute_statement(_SETTINGS, (tenant_id,))
    row = rows[0] if rows else None
    if row is None:
        return DEFAULT_BURST, 45
    return float(row[0] if row[0] is not None else DEFAULT_BURST), int(row[1] or 45)


def on_messages(tenant_id: int, items: Sequence[Sequence[int]]) -> str:
    """The relay's one job per tenant and relayed batch: `items` are (conversation id, message id) of the
    customer messages to conversations with the AI. Each conversation's run is due at the end of its
    burst window. With no window, the first conversation is answered here (no queue hop) and the others
    get their own run jobs, so that every worker shares them."""
    latest: dict[int, int] = {}
    for conversation_id, message_id in items:
        latest[int(conversation_id)] = max(latest.get(int(conversation_id), 0), int(message_id))
    if not latest:
        return "idle"
    burst, budget = _settings(tenant_id)
    due = repr(time.time() + burst)
    conversations = list(latest.items())
    now, later = (conversations[0], conversations[1:]) if burst <= 0 else (None, conversations)
    with get_redis().pipeline() as pipe:  # the due times and the runs: one round trip
        pipe.multi()  # before RQ's enqueue, which would start one itself after the SETs (refused)
        for conversation_id in latest:
            pipe.set(_key("due", conversation_id), due, ex=3600)
        for conversation_id, message_id in later:
            enqueue(
                queues.AI, "jobs.ai.run", tenant_id, conversation_id,
                delay=max(burst, 0.0), job_id=f"ai-run-{conversation_id}-{message_id}", pipeline=pipe,
            )  # fmt: skip
        pipe.execute()
    if now is None:
        return "scheduled"
    return run(tenant_id, now[0], budget=budget)


def on_message(tenant_id: int, conversation_id: int, message_id: int) -> str:
    """One message: jobs queued by a relay of an earlier version (one job per message)."""
    return on_messages(tenant_id, [(conversation_id, message_id)])


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def run(tenant_id: int, conversation_id: int, *, budget: int | None = None) -> str:
    """`budget`: the run's time budget when the caller has just read it (`on_messages`), else read here."""
    redis = get_redis()
    due = float(redis.get(_key("due", conversation_id)) or 0)
    early = due - time.time()
    if early > SCHEDULER_SLACK:
        return "not_due"  # a newer message moved the run; its own job reads the whole burst
    if early > 0:
        # RQ's scheduler keeps due times in whole seconds and looks once a second, so the job of the
        # burst's last message may come up to ~2 s early: wait for the burst to end, don't drop it.
        time.sleep(early)
    if budget is None:
        _, budget = _settings(tenant_id)
    token = uuid.uuid4().hex
    lock = _key("lock", conversation_id)
    from assistant.voice import TRANSCRIBE_BUDGET_SECONDS

    hold = budget + LOCK_MARGIN + int(TRANSCRIBE_BUDGET_SECONDS)  # voice notes are transcribed first
    if not redis.set(lock, token, nx=True, ex=hold):
        redis.set(_key("again", conversation_id), "1", ex=hold)
        return "busy"
    try:
        redis.delete(_key("again", conversation_id))
        from assistant.runner import run_conversation

        outcome = run_conversation(get_db(), tenant_id, conversation_id, storage=get_storage())
        relay_now(outcome.outbox_ids)
    finally:
        redis.eval(_RELEASE, 1, lock, token)
    if outcome.waiting:  # a voice note is still downloading (assistant.voice): look again shortly
        enqueue(
            queues.AI, "jobs.ai.run", tenant_id, conversation_id,
            delay=MEDIA_POLL, job_id=f"ai-media-{conversation_id}-{token}",
        )  # fmt: skip
        return "waiting_media"
    if redis.delete(_key("again", conversation_id)):
        enqueue(
            queues.AI, "jobs.ai.run", tenant_id, conversation_id, job_id=f"ai-again-{conversation_id}-{token}"
        )
    return "answered" if outcome.sent else ("ran" if outcome.ran else "idle")
