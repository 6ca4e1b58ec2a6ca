"""The worker process: RQ with the built-in scheduler, for one group of queues."""

from __future__ import annotations

import logging
import os
import socket

from rq import Worker

from jobs.queues import WORKER_GROUPS, connect

log = logging.getLogger(__name__)


def run_worker(redis_url: str, group: str = "live", *, burst: bool = False) -> bool:
    queues = WORKER_GROUPS[group]
    connection = connect(redis_url)
    connection.ping()
    name = f"niochat-{group}-{socket.gethostname()}-{os.getpid()}"
    worker = Worker(list(queues), connection=connection, name=name)
    log.info("worker %s connected to Redis, queues: %s", name, ", ".join(queues))
    return bool(worker.work(with_scheduler=True, burst=burst, logging_level="WARNING"))
