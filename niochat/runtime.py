"""Where PostgreSQL and Redis are: the environment's URLs, or the embedded servers under `instance/`."""

from __future__ import annotations

import atexit
from dataclasses import dataclass, field
from pathlib import Path

from niochat import embedded
from niochat.config import Settings


@dataclass
class Stores:
    """Resolved URLs, and which embedded servers this process started (and so should stop)."""

    database_url: str
    redis_url: str
    started: list[str] = field(default_factory=list)


def start_stores(settings: Settings) -> Stores:
    database_url, redis_url = settings.database_url, settings.redis_url
    started: list[str] = []
    if settings.embedded:
        base = settings.instance_path
        if not database_url:
            was_running = embedded.postgres_running(base / "postgres")
            database_url = embedded.ensure_postgres(base / "postgres")
            started += [] if was_running else ["postgres"]
        if not redis_url:
            was_running = embedded.redis_running_pid(base / "redis") is not None
            redis_url = embedded.ensure_redis(base / "redis")
            started += [] if was_running else ["redis"]
    return Stores(database_url, redis_url, started)


def stop_stores(settings: Settings, stores: Stores) -> None:
    """Stop only what `start_stores` started: a server another process started keeps running."""
    base = settings.instance_path
    if "redis" in stores.started:
        embedded.stop_redis(base / "redis")
    if "postgres" in stores.started:
        embedded.stop_postgres(base / "postgres")
    stores.started.clear()


def resolve_urls(
    settings: Settings, *, start: bool = True, stop_at_exit: bool = False
) -> embedded.EmbeddedUrls:
    """URLs for this process. With `start=False` the embedded servers are only located, not started;
    with `stop_at_exit` the servers this call started stop when the process ends (one-shot commands)."""
    if not start:
        base = settings.instance_path
        return embedded.EmbeddedUrls(
            database_url=settings.database_url or _pg_url_if_running(base / "postgres"),
            redis_url=settings.redis_url or embedded.redis_url(base / "redis"),
        )
    stores = start_stores(settings)
    if stop_at_exit and stores.started:
        atexit.register(stop_stores, settings, stores)
    return embedded.EmbeddedUrls(database_url=stores.database_url, redis_url=stores.redis_url)


def _pg_url_if_running(pg_dir: Path) -> str:
    """Socket location from postmaster.pid; a non-existent socket when the server is stopped."""
    pid_file = pg_dir / "postmaster.pid"
    lines = pid_file.read_text().splitlines() if pid_file.exists() else []
    socket_dir = lines[4].strip() if len(lines) > 4 and lines[4].strip() else str(pg_dir)
    return embedded.postgres_url(socket_dir, "niochat")
