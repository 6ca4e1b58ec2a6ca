"""The worker process: RQ with the built-in scheduler, for one group of queues."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from rq import Worker
from sqlalchemy.orm import configure_mappers

import models  # noqa: F401  (every mapper, for configure_mappers)
from jobs.queues import WORKER_GROUPS, connect
from jobs.scheduler_watch import SchedulerWatch

log = logging.getLogger(__name__)


class NioChatWorker(Worker):
    """RQ's worker, whose scheduler watch (jobs.scheduler_watch) halts before RQ stops the scheduler."""

    watch: SchedulerWatch | None = None

    def request_stop(self, signum: Any, frame: Any) -> None:
        if self.watch is not None:
            self.watch.halt()
        super().request_stop(signum, frame)


def run_worker(redis_url: str, group: str = "live", *, burst: bool = False) -> bool:
    queues = WORKER_GROUPS[group]
    connection = connect(redis_url)
    connection.ping()
    name = f"niochat-{group}-{socket.gethostname()}-{os.getpid()}"
    worker = NioChatWorker(list(queues), connection=connection, name=name)
    # Redis back after an outage: dequeue again within 5 s, not after a backoff grown to a minute.
    worker.max_connection_wait_time = 5.0
    log.info("worker %s connected to Redis, queues: %s", name, ", ".join(queues))
    # Mappers configured before any thread starts: a work horse forked while a sweep thread held
    # SQLAlchemy's configure lock inherited it locked and hung until RQ's timeout (bench/csat.py).
    configure_mappers()
    stop = None
    if group == "live" and not burst:
        # The sweeper relays outbox rows the web process could not (Redis was down, web died), and
        # deletes relayed ones past their retention (jobs.outbox_purge).
        # And a watch for sends left half-done by a worker that died (see jobs.outbound), and one for
        # snoozes whose scheduled wake-up was lost (see jobs.snooze).
        from jobs.context import get_db, get_emitter
        from jobs.csat import watch_surveys
        from jobs.outbound import watch_stalled
        from jobs.outbox_purge import OutboxPurge
        from jobs.relay import Relay, start_sweeper
        from jobs.snooze import watch_snoozed
        from niochat.config import get_settings

        keep = timedelta(hours=get_settings().outbox_retention_hours)
        stop = start_sweeper(Relay(get_db(), connection, get_emitter()), purge=OutboxPurge(get_db(), keep))
        threading.Thread(target=watch_stalled, args=(stop,), name="stalled-sends", daemon=True).start()
        threading.Thread(target=watch_snoozed, args=(stop,), name="snooze-sweep", daemon=True).start()
        threading.Thread(target=watch_surveys, args=(stop,), name="csat-sweep", daemon=True).start()
    if not burst:
        worker.watch = SchedulerWatch(worker)
        worker.watch.start()
    try:
        return bool(worker.work(with_scheduler=True, burst=burst, logging_level="WARNING"))
    finally:
        if worker.watch is not None:
            worker.watch.halt()
        if stop is not None:
            stop.set()
