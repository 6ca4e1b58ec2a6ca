"""The long-lived clients a web process shares between requests, hung on `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from redis import Redis

from models.db import Database
from niochat.config import Settings


@dataclass
class Services:
    settings: Settings
    db: Database
    redis: Redis
    redis_probe: Redis  # no retries: readiness must see an outage at once
    redis_url: str
    relay: Any = None  # jobs.relay.BackgroundRelay
    extras: dict[str, Any] = field(default_factory=dict)  # per-app caches owned by blueprints


def services() -> Services:
    svc: Services = current_app.extensions["niochat"]
    return svc
