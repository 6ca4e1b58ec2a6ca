"""Keeps RQ's scheduler alive across a Redis outage.

RQ forks its scheduler as a child of the worker. When Redis goes away the child dies on the first
ConnectionError and is left a zombie; the worker only notices in its maintenance pass, every ten
minutes, so delayed jobs (send retries, snooze wake-ups, CSAT surveys) ran 7–12 minutes late after
Redis came back (issue #14). This thread looks every two seconds: it reaps a dead scheduler and
takes the locks again (starting a new one), as soon as Redis answers. When another worker's scheduler
holds the locks, acquiring them fails and nothing starts: only one scheduler per queue, as RQ intends.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
INTERVAL = 2.0


def scheduler_alive(worker: Any) -> bool:
    scheduler = getattr(worker, "scheduler", None)
    process = getattr(scheduler, "_process", None)
    return process is not None and process.is_alive()


def check_once(worker: Any) -> bool:
    """One look; True when a new scheduler was started. Safe to call while Redis is still down."""
    scheduler = getattr(worker, "scheduler", None)
    if scheduler is None or scheduler_alive(worker) or getattr(worker, "_stop_requested", False):
        return False  # not built yet (the worker is starting), fine, or the worker is shutting down
    process = getattr(scheduler, "_process", None)
    if process is not None:
        process.join(timeout=0)  # reap the zombie
    try:
        scheduler.acquire_locks(auto_start=True)
    except (RedisError, OSError) as exc:
        log.debug("scheduler not restarted yet, Redis unavailable: %s", exc)
        return False
    if scheduler_alive(worker):
        log.warning(
            "RQ scheduler was down (Redis lost?); restarted it for %s", ", ".join(scheduler.acquired_locks)
        )
        return True
    return False


def watch(worker: Any, stop: threading.Event, interval: float = INTERVAL) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(interval):
            try:
                check_once(worker)
            except Exception:  # never let the watchdog die: it is the recovery path
                log.exception("scheduler watch failed")

    thread = threading.Thread(target=loop, name="scheduler-watch", daemon=True)
    thread.start()
    return thread
