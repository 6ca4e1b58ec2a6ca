"""Small helpers every job module shares: enqueue (now or later) and relay outbox rows right away.

Retries are new jobs scheduled with RQ's scheduler (`enqueue_in`), not sleeps: a worker never sits idle
waiting for a provider to recover, and a retry survives the worker that scheduled it. Job ids are
deterministic per attempt, so scheduling the same retry twice keeps one job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from rq import Queue

from jobs.context import get_db, get_emitter, get_redis

log = logging.getLogger(__name__)


def enqueue(
    queue: str, function: str, *args: Any, delay: float = 0.0, job_id: str | None = None, **options: Any
) -> None:
    q = Queue(queue, connection=get_redis())
    if delay > 0:
        q.enqueue_in(timedelta(seconds=delay), function, *args, job_id=job_id, **options)
    else:
        q.enqueue(function, *args, job_id=job_id, **options)


def relay_now(outbox_ids: Sequence[int]) -> None:
    """Publish these outbox rows now so screens update at once; on failure the worker's sweeper will."""
    if not outbox_ids:
        return
    from jobs.relay import Relay

    try:
        Relay(get_db(), get_redis(), get_emitter()).relay(list(outbox_ids))
    except Exception as exc:
        log.warning("outbox relay deferred to the sweeper: %s", exc)


def backoff(
    attempt: int, retry_after: float | None = None, *, base: float = 2.0, cap: float = 300.0
) -> float:
    """2, 4, 8, 16, 32… seconds after attempt 1, 2, 3…; never sooner than the provider asked."""
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return max(delay, min(cap, retry_after or 0.0))
