"""The worker process: RQ with the built-in scheduler, for one group of queues."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from rq import Worker

from jobs import scheduler_watch
from jobs.queues import WORKER_GROUPS, connect

log = logging.getLogger(__name__)


def run_worker(redis_url: str, group: str = "live", *, burst: bool = False) -> bool:
    queues = WORKER_GROUPS[group]
    connection = connect(redis_url)
    connection.ping()
    name = f"niochat-{group}-{socket.gethostname()}-{os.getpid()}"
    worker = Worker(list(queues), connection=connection, name=name)
    # Redis back after an outage: dequeue again within 5 s, not after a backoff grown to a minute.
    worker.max_connection_wait_time = 5.0
    log.info("worker %s connected to Redis, queues: %s", name, ", ".join(queues))
    stop = None
    if group == "live" and not burst:
        # The sweeper relays outbox rows the web process could not (Redis was down, web died), and
        # deletes relayed ones past their retention (jobs.outbox_purge).
        # And a watch for sends left half-done by a worker that died (see jobs.outbound), and one for
        # snoozes whose scheduled wake-up was lost (see jobs.snooze).
        from jobs.context import get_db, get_emitter
        from jobs.outbound import watch_stalled
        from jobs.outbox_purge import OutboxPurge
        from jobs.relay import Relay, start_sweeper
        from jobs.snooze import watch_snoozed
        from niochat.config import get_settings

        keep = timedelta(hours=get_settings().outbox_retention_hours)
        stop = start_sweeper(Relay(get_db(), connection, get_emitter()), purge=OutboxPurge(get_db(), keep))
        threading.Thread(target=watch_stalled, args=(stop,), name="stalled-sends", daemon=True).start()
        threading.Thread(target=watch_snoozed, args=(stop,), name="snooze-sweep", daemon=True).start()
    watch_stop = threading.Event()
    if not burst:
        scheduler_watch.watch(worker, watch_stop)
    try:
        return bool(worker.work(with_scheduler=True, burst=burst, logging_level="WARNING"))
    finally:
        watch_stop.set()
        if stop is not None:
            stop.set()
