"""The outbox relay: rows recorded by the domain become RQ jobs and Socket.IO emits.

Two paths call `relay`: the web process right after a commit (in a background thread, so a webhook's
answer never waits for Redis), and a sweeper loop in the live worker that picks up whatever is left
(Redis was down, the web process died); both run the same code. One statement claims the rows (FOR UPDATE
SKIP LOCKED) and marks them relayed; they are published in id order (the Socket.IO events in one Redis
pipeline, then the jobs in another), and only then does the transaction commit. A failure to publish rolls
the mark back, so nothing is lost; publishing twice is possible after a crash between publishing and the
commit, or when the jobs' pipeline fails after the events went out, so every consumer is idempotent (jobs
re-check state; the browser de-duplicates by id).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from redis import Redis
from redis.client import Pipeline
from rq import Queue
from sqlalchemy.dialects.postgresql import ARRAY

from jobs import queues
from jobs.csat import due_second as csat_due
from jobs.outbox_purge import OutboxPurge
from jobs.realtime import SOCKET_TOPICS, Emitter, with_views
from jobs.room_access import RoomAccess
from jobs.snooze import seconds_until
from models import outbox_ops as topics
from models.db import Database
from models.outbox import OutboxEvent
from models.serialize import CoreRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """Where a topic's rows go: a job (function path, queue), optionally delayed. `args` and `delay` take
    the claimed outbox row (id, tenant_id, topic, payload)."""

    function: str
    queue: str
    args: Callable[[CoreRow], tuple[Any, ...]]
    delay: Callable[[CoreRow], float] | None = None
    when: Callable[[CoreRow], bool] | None = None  # only the rows it accepts (e.g. inbound to the AI)
    job_id: Callable[[CoreRow], str] | None = None  # rows naming the same id share one job

    def wants(self, row: CoreRow) -> bool:
        return self.when is None or self.when(row)


def _to_the_ai(payload: dict[str, Any]) -> bool:
    """A live customer message (history recovery does not notify) in a conversation with the AI."""
    return bool(
        payload.get("direction") == "inbound"
        and payload.get("status") == "bot"
        and payload.get("notify", True)
    )


def _tenant_and(*keys: str) -> Callable[[CoreRow], tuple[Any, ...]]:
    return lambda row: (row.tenant_id, *(row.payload.get(k) for k in keys))


JOB_ROUTES: dict[str, list[Route]] = {
    topics.MESSAGE_SEND: [Route("jobs.outbound.send_message", queues.OUTBOUND, _tenant_and("message_id"))],
    topics.MEDIA_FETCH: [Route("jobs.media.fetch_media", queues.MEDIA, _tenant_and("message_id"))],
    # A stored file: a customer's voice note is transcribed for the agents (jobs.voice).
    topics.MESSAGE_UPDATED: [
        Route(
            "jobs.voice.transcribe_message",
            queues.MEDIA,
            _tenant_and("message_id"),
            when=lambda row: row.payload.get("change") == "media",
        )
    ],
    topics.TELEGRAM_CALLBACK: [
        Route("jobs.outbound.answer_callback", queues.OUTBOUND, _tenant_and("inbox_id", "callback_query_id"))
    ],
    topics.INBOX_RECONNECTED: [
        Route("jobs.sync.recover_gap", queues.SYNC, _tenant_and("inbox_id", "since", "until"))
    ],
    topics.SNOOZE_WAKE: [
        Route(
            "jobs.snooze.wake",
            queues.DEFAULT,
            _tenant_and("conversation_id", "until"),
            delay=lambda row: seconds_until(row.payload["until"]),
        )
    ],
    # A closed conversation's CSAT survey, at its time: one job per tenant and second (jobs.csat).
    topics.CSAT_SEND: [
        Route(
            "jobs.csat.send_due",
            queues.CSAT,
            lambda row: (row.tenant_id, csat_due(row.payload["scheduled_for"])),
            # half a second past the due second: RQ truncates to whole seconds, this lands on the due one
            delay=lambda row: max(0.0, csat_due(row.payload["scheduled_for"]) - time.time() + 0.5),
            job_id=lambda row: f"csat-due-{row.tenant_id}-{csat_due(row.payload['scheduled_for'])}",
        )
    ],
    topics.STATUS_UNMATCHED: [
        Route(
            "jobs.statuses.retry_unmatched",
            queues.DEFAULT,
            lambda row: (row.tenant_id, row.payload),
            delay=lambda row: 2.0 * (2 ** int(row.payload.get("attempt", 0))),
        )
    ],
    topics.MESSAGE_CREATED: [
        # A customer's answer to a CSAT survey, stored on the closed conversation (jobs.csat_capture).
        Route(
            "jobs.csat_capture.capture_reply",
            queues.CSAT,
            _tenant_and("conversation_id", "message_id"),
            when=lambda row: bool(row.payload.get("csat")) and row.payload.get("direction") == "inbound",
        ),
    ],
}


@dataclass(frozen=True)
class BatchRoute:
    """One job per tenant per relayed batch, given the `item` of every row it accepts: an RQ job per row
    costs ~150 µs of the relay's CPU in the web process, on the webhook's path; the job spreads the work
    (or does it, when it is cheap) in a worker instead."""

    function: str
    queue: str
    item: Callable[[CoreRow], Any]
    when: Callable[[CoreRow], bool]


BATCH_ROUTES: dict[str, list[BatchRoute]] = {
    topics.MESSAGE_CREATED: [
        # Every customer message, whoever handles the conversation, gets its intent and sentiment read
        # (jobs.analysis: the offline classifier, off the webhook's path).
        BatchRoute(
            "jobs.analysis.analyse_messages",
            queues.ANALYSIS,
            lambda row: row.payload.get("message_id"),
            when=lambda row: row.payload.get("direction") == "inbound",
        ),
        # A customer's message to a conversation with the AI (live, not history recovery): the attendant
        # answers it, after the burst window (jobs.ai.on_messages: one run per conversation).
        BatchRoute(
            "jobs.ai.on_messages",
            queues.AI,
            lambda row: (row.payload.get("conversation_id"), row.payload.get("message_id")),
            when=lambda row: _to_the_ai(row.payload),
        ),
    ],
}


def _batches(rows: Sequence[CoreRow]) -> dict[tuple[BatchRoute, int], list[CoreRow]]:
    found: dict[tuple[BatchRoute, int], list[CoreRow]] = {}
    for row in rows:
        for route in BATCH_ROUTES.get(row.topic, ()):
            if row.tenant_id is not None and route.when(row):
                found.setdefault((route, row.tenant_id), []).append(row)
    return found


# Claiming, marking and loading is one statement: the rows are locked (SKIP LOCKED: a concurrent relay
# takes others), marked relayed, and returned with the messages and conversations their events show
# (`jobs.realtime.with_views`); the transaction commits only after they are published, so a failure
# rolls the mark back. MATERIALIZED: the locking SELECT runs exactly once, whatever the plan.
outbox = cast(sa.Table, OutboxEvent.__table__)
_unrelayed = (
    sa.select(outbox.c.id)
    .where(outbox.c.relayed_at.is_(None))
    .order_by(outbox.c.id)
    .with_for_update(skip_locked=True)
)


def _claim(picked: sa.Select[Any]) -> sa.Select[Any]:
    cte = picked.cte("picked").prefix_with("MATERIALIZED")
    claimed = (
        sa.update(outbox)
        .where(outbox.c.id == cte.c.id)
        .values(relayed_at=sa.func.now(), attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id, outbox.c.tenant_id, outbox.c.topic, outbox.c.payload)
        .cte("claimed")
    )
    return with_views(claimed)


# Given ids: every one of them (a cap here would strand rows); else the oldest `limit`.
CLAIM_IDS = _claim(_unrelayed.where(outbox.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.BigInteger)))))
CLAIM_OLDEST = _claim(_unrelayed.limit(sa.bindparam("limit", type_=sa.Integer)))


class Relay:
    def __init__(self, db: Database, redis: Redis, emitter: Emitter | None = None) -> None:
        self.db = db
        self.redis = redis
        self.emitter = emitter
        self._queues: dict[str, Queue] = {}

    def _queue(self, name: str) -> Queue:
        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.redis)
        return self._queues[name]

    def relay(self, ids: Sequence[int] | None = None, limit: int = 500) -> int:
        """Publish unrelayed rows (all of these ids, or the oldest `limit`); returns how many were relayed.

        A Core connection, not an ORM session: the relay reads every tenant's rows (like a platform
        session) and runs after each delivery, where the ORM's per-row cost showed. From the pool that
        keeps generic plans: the statement's plan is the same for any batch, and re-planning it for each
        cost more than running it."""
        with self.db.generic_plan_engine.begin() as conn:
            if ids:
                result = conn.execute(CLAIM_IDS, {"ids": list(ids)})
            else:
                result = conn.execute(CLAIM_OLDEST, {"limit": limit})
            rows = result.all()  # in id order: published oldest first
            if rows:
                self._publish(rows, RoomAccess(conn, self.redis))
        return len(rows)

    def _publish(self, rows: Sequence[CoreRow], access: RoomAccess | None = None) -> None:
        """Events first: if the jobs' pipeline then fails, the retry repeats events (browsers drop what
        they have by id) rather than jobs. `access` recomputes rooms where a row took a permission away."""
        emits = [row for row in rows if row.topic in SOCKET_TOPICS and row.payload.get("notify", True)]
        if emits and self.emitter is not None:
            self.emitter.emit_outbox(emits, access)
        routed = [row for row in rows if any(route.wants(row) for route in JOB_ROUTES.get(row.topic, ()))]
        batches = _batches(rows)
        if routed or batches:
            with self.redis.pipeline(transaction=False) as pipe:
                # MULTI first: RQ's enqueue starts one itself on a pipeline that has none, which redis-py
                # refuses once commands are queued, as a delayed job's (`enqueue_in`) are.
                pipe.multi()
                for row in routed:
                    self._enqueue(row, pipe)
                for (route, tenant_id), batch in batches.items():
                    keys = [route.item(row) for row in batch]
                    job_id = f"outbox-{batch[0].id}-{route.function.rsplit('.', 1)[1]}"
                    self._queue(route.queue).enqueue(
                        route.function, tenant_id, keys, job_id=job_id, pipeline=pipe
                    )
                pipe.execute()

    def _enqueue(self, row: CoreRow, pipe: Pipeline) -> None:
        for route in JOB_ROUTES[row.topic]:
            if not route.wants(row):
                continue
            q = self._queue(route.queue)
            job_id = f"outbox-{row.id}-{route.function.rsplit('.', 1)[1]}"
            if route.job_id is not None:
                job_id = route.job_id(row)
            if route.delay is not None:
                q.enqueue_in(
                    timedelta(seconds=route.delay(row)), route.function, *route.args(row),
                    job_id=job_id, pipeline=pipe,
                )  # fmt: skip
            else:
                q.enqueue(route.function, *route.args(row), job_id=job_id, pipeline=pipe)

    def record_failure(self, ids: Sequence[int], error: BaseException) -> None:
        """Leave the rows for the sweeper, with the reason on them for `niochat status`/the health page."""
        try:
            with self.db.platform_session() as session:
                session.execute(
                    sa.update(OutboxEvent)
                    .where(OutboxEvent.id.in_(ids), OutboxEvent.relayed_at.is_(None))
                    .values(
                        attempts=OutboxEvent.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:500]
                    )
                )
        except Exception:
            log.exception("could not record relay failure")


COALESCE_SECONDS = 0.02


class BackgroundRelay:
    """The web process's relay: webhook handlers hand over ids and answer at once."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._queue: queue.SimpleQueue[list[int] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, ids: list[int]) -> None:
        if not ids:
            return
        if self._thread is None:
            with self._lock:  # started on first use: apps built only to run a CLI command never start it
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
                    self._thread.start()
        self._queue.put(ids)

    def close(self, timeout: float = 10.0) -> None:
        """Relay what was handed over, then stop (app teardown, tests)."""
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = list(first), False
            # Gather what arrives within 20 ms: a batch's statement and Redis round trip cost about as
            # much as its rows, so relaying one delivery at a time doubled the relay's CPU at a steady
            # few hundred webhooks a second (3 ms windows held one or two); a person cannot see 20 ms.
            deadline = time.monotonic() + COALESCE_SECONDS
            while len(batch) < 500:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch += more
            try:
                self.relay.relay(batch)
            except Exception as exc:  # Redis or PostgreSQL down: the sweeper will retry
                log.warning("outbox relay failed, rows left for the sweeper: %s", exc)
                self.relay.record_failure(batch, exc)
            if stop:
                return


def sweep_forever(
    relay: Relay,
    interval: float = 1.0,
    stop: threading.Event | None = None,
    purge: OutboxPurge | None = None,
) -> None:
    """The worker's sweeper: relays what the web's immediate path could not, oldest first, and deletes
    old relayed rows (`purge`, on its own schedule), one batch between relay passes so a long purge
    never holds up the relaying."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            while relay.relay() and not stop.is_set():
                pass
        except Exception as exc:
            log.warning("outbox sweep failed: %s", exc)
        more = False
        if purge is not None:
            try:
                more = purge.step()
            except Exception as exc:
                log.warning("outbox purge failed: %s", exc)
        if not more:
            stop.wait(interval)


def start_sweeper(relay: Relay, interval: float = 1.0, purge: OutboxPurge | None = None) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=sweep_forever, args=(relay, interval, stop, purge), name="outbox-sweeper", daemon=True
    ).start()
    return stop


def wait_relayed(db: Database, timeout: float = 5.0) -> bool:
    """For tests and tools: wait until no row is left unrelayed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.platform_session() as session:
            left = session.scalar(sa.select(sa.func.count()).where(OutboxEvent.relayed_at.is_(None)))
        if not left:
            return True
        time.sleep(0.05)
    return False
