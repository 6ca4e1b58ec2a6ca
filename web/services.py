"""The long-lived clients a web process shares between requests, hung on `app.extensions`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app
from redis import Redis

from models.db import Database
from niochat.config import Settings

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    db: Database
    redis: Redis
    redis_probe: Redis  # no retries: readiness must see an outage at once
    redis_url: str
    relay: Any = None  # jobs.relay.BackgroundRelay
    extras: dict[str, Any] = field(default_factory=dict)  # per-app caches owned by blueprints

    def shared(self, name: str, build: Callable[[Services], T]) -> T:
        """The per-app object `name`, built on first use. Two requests racing to build it may both
        build one; only the first stored is ever returned."""
        found: T | None = self.extras.get(name)
        if found is None:
            found = self.extras.setdefault(name, build(self))
        return found


def services() -> Services:
    svc: Services = current_app.extensions["niochat"]
    return svc
