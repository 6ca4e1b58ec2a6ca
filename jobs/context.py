"""Process-wide clients for job code: built once per worker process from settings, on first use.

Jobs take ids (tenant id first), never objects, and reach the database, Redis, storage and the Socket.IO
emitter through here, so one worker process holds one pool of each.
"""

from __future__ import annotations

from functools import lru_cache

from redis import Redis

from integrations.storage import LocalMediaStorage, MediaStorage
from jobs.queues import connect
from jobs.realtime import Emitter
from models.db import Database
from niochat.config import get_settings
from niochat.runtime import resolve_urls


@lru_cache(maxsize=1)
def _urls() -> tuple[str, str]:
    urls = resolve_urls(get_settings())
    return urls.database_url, urls.redis_url


@lru_cache(maxsize=1)
def get_db() -> Database:
    settings = get_settings()
    return Database(_urls()[0], pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)


@lru_cache(maxsize=1)
def get_redis() -> Redis:
    return connect(_urls()[1])


@lru_cache(maxsize=1)
def get_emitter() -> Emitter:
    return Emitter(_urls()[1])


@lru_cache(maxsize=1)
def get_storage() -> MediaStorage:
    return LocalMediaStorage(get_settings().instance_path / "media")


def reset() -> None:
    """Forget every client (tests switch databases between sessions)."""
    for cached in (_urls, get_db, get_redis, get_emitter, get_storage):
        cached.cache_clear()
