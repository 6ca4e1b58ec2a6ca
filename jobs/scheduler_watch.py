"""Keeps RQ's scheduler alive across a Redis outage.

RQ forks its scheduler as a child of the worker. When Redis goes away the child dies on the first
ConnectionError and is left a zombie; the worker only notices in its maintenance pass, every ten
minutes, so delayed jobs (send retries, snooze wake-ups, CSAT surveys) ran 7–12 minutes late after
Redis came back (issue #14). This thread looks every two seconds: it reaps a dead scheduler and takes
the locks again (starting a new one) as soon as Redis answers. When another worker's scheduler holds the
locks, acquiring them fails and nothing starts: one scheduler per queue, as RQ intends.

Shutdown: `halt()` must run before RQ stops its scheduler (`NioChatWorker.request_stop`). It waits for a
look in progress, so the watch can never start a scheduler after RQ stopped the last one: that
orphan outlived its worker and held `niochat run`'s output open.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
INTERVAL = 2.0


def scheduler_alive(worker: Any) -> bool:
    process = getattr(getattr(worker, "scheduler", None), "_process", None)
    return process is not None and process.is_alive()


class SchedulerWatch:
    def __init__(self, worker: Any, interval: float = INTERVAL) -> None:
        self.worker = worker
        self.interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a look and a halt never overlap

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="scheduler-watch", daemon=True)
        thread.start()
        return thread

    def halt(self) -> None:
        with self._lock:
            self._stop.set()

    def check_once(self) -> bool:
        """One look; True when a new scheduler was started. Safe while Redis is still down."""
        with self._lock:
            if self._stop.is_set():
                return False
            scheduler = getattr(self.worker, "scheduler", None)
            if scheduler is None or scheduler_alive(self.worker):
                return False  # not built yet (the worker is starting), or fine
            process = getattr(scheduler, "_process", None)
            if process is not None:
                process.join(timeout=0)  # reap the zombie
            try:
                scheduler.acquire_locks(auto_start=True)
            except (RedisError, OSError) as exc:
                log.debug("scheduler not restarted yet, Redis unavailable: %s", exc)
                return False
            if not scheduler_alive(self.worker):
                return False
        log.warning(
            "RQ scheduler was down (Redis lost?); restarted it for %s", ", ".join(scheduler.acquired_locks)
        )
        return True

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check_once()
            except Exception:  # never let the watchdog die: it is the recovery path
                log.exception("scheduler watch failed")
