"""Queue names, the Redis connection, and the two worker groups.

Live queues carry what a customer or agent is waiting for right now; bulk queues carry history recovery,
analysis and reports. They run in separate worker processes so an hour-long sync never delays a reply.
"""

from __future__ import annotations

from functools import lru_cache

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

OUTBOUND = "outbound"  # sending messages to providers
AI = "ai"  # AI replies
MEDIA = "media"  # media download, transcription
CSAT = "csat"  # surveys and their capture
DEFAULT = "default"
ANALYSIS = "analysis"  # sentiment, intent, CSAT interpretation
SYNC = "sync"  # history recovery
REPORTING = "reporting"

LIVE_QUEUES = (OUTBOUND, AI, MEDIA, CSAT, DEFAULT)
BULK_QUEUES = (ANALYSIS, SYNC, REPORTING)
WORKER_GROUPS: dict[str, tuple[str, ...]] = {"live": LIVE_QUEUES, "bulk": BULK_QUEUES}
ALL_QUEUES = LIVE_QUEUES + BULK_QUEUES


def connect(url: str, *, retries: int | None = None) -> redis.Redis:
    """Short timeouts: a Redis outage must make health checks and enqueues fail fast, not hang.
    `retries=0` for probes, whose job is to notice an outage, not to ride it out."""
    options: dict[str, object] = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "health_check_interval": 30,
    }
    if retries is not None:
        options["retry"] = Retry(NoBackoff(), retries)
    return redis.Redis.from_url(url, **options)


@lru_cache(maxsize=8)
def _cached(url: str) -> redis.Redis:
    return connect(url)


def get_queue(name: str, url: str) -> Queue:
    return Queue(name, connection=_cached(url))
