"""The worker process: RQ with the built-in scheduler, for one group of queues."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from datetime import date, timedelta
from typing import Any

from rq import SimpleWorker, Worker
from sqlalchemy.orm import configure_mappers

import models  # noqa: F401  (every mapper, for configure_mappers)
from jobs.queues import WORKER_GROUPS, connect
from jobs.scheduler_watch import SchedulerWatch

log = logging.getLogger(__name__)


class _WatchedScheduler:
    """The scheduler watch (jobs.scheduler_watch) halts before RQ stops the scheduler."""

    watch: SchedulerWatch | None = None

    def request_stop(self, signum: Any, frame: Any) -> None:
        if self.watch is not None:
            self.watch.halt()
        super().request_stop(signum, frame)  # type: ignore[misc]


class NioChatWorker(_WatchedScheduler, Worker):
    """The bulk group's worker: a forked work horse per job, so an hour-long history sync or report that
    grows its memory gives it back when the job ends."""


class LiveWorker(_WatchedScheduler, SimpleWorker):
    """The live group's worker: jobs run in the worker process itself, no fork.

    A live job is short (a send, an AI run, a survey) and someone waits for it. Forked, each one started
    from a cold process: a new database engine whose statement cache was empty, so every query of the
    run was compiled again (half an AI run's CPU in bench/ai_pipeline.py), plus new pools and clients.
    In-process, those caches and pools live as long as the worker. Timeouts still apply (RQ's alarm
    signal in this thread); a warm shutdown lets the current job finish.
    """


def prepare_for_fork() -> None:
    """Import the models and configure SQLAlchemy's mappers in the parent, before any thread or fork.

    RQ forks a work horse per job, which inherits what the parent loaded. Left to the horses, every job
    imported the attendant and the `openai` client, validated the settings and configured the mappers
    anew; worse, the first query of a sweeper thread configures the mappers under a global mutex, and a
    horse forked while that thread held it inherited the mutex locked and hung until the job timeout.
    """

    configure_mappers()
    for name in PRELOAD:
        importlib.import_module(name)
    from assistant.nlu.model import default_model
    from integrations.tls import ssl_context
    from models.business_hours import national_holidays
    from niochat.config import get_settings

    default_model()
    ssl_context()
    this_year = date.today().year
    for year in (this_year - 1, this_year, this_year + 1):
        national_holidays(year)  # `holidays` loads every country's module on first use: ~0.5 s a run
    get_settings()  # validating it imports `limits`: ~0.4 s a job when each horse did it


# What the jobs import, loaded once in the parent: a horse that imported the `openai` client and the
# attendant itself spent ~1 s per AI run on imports (the baseline: tens of ms).
PRELOAD = (
    "jobs.ai",
    "jobs.outbound",
    "jobs.media",
    "jobs.sync",
    "jobs.relay",
    "jobs.analysis",
    "jobs.voice",
    "jobs.csat_capture",
    "jobs.csat",
    "jobs.dashboards",
    "httpcore",
    "assistant.runner",
    "assistant.model_engine",
    "assistant.builtin.engine",
    "integrations.sgp",
    "openai.resources.chat.completions",
    "openai.resources.audio.transcriptions",
)


def run_worker(redis_url: str, group: str = "live", *, burst: bool = False) -> bool:
    prepare_for_fork()
    queues = WORKER_GROUPS[group]
    connection = connect(redis_url)
    connection.ping()
    name = f"niochat-{group}-{socket.gethostname()}-{os.getpid()}"
    worker_class = LiveWorker if group == "live" else NioChatWorker
    worker = worker_class(list(queues), connection=connection, name=name)
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
    if group == "bulk" and not burst:
        # The dashboards' facts follow the conversations (jobs.dashboards).
        from jobs.dashboards import watch_facts

        stop = threading.Event()
        threading.Thread(target=watch_facts, args=(stop,), name="dashboard-facts", daemon=True).start()
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
