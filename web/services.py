"""The long-lived clients a web process shares between requests, hung on `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass

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


def services() -> Services:
    svc: Services = current_app.extensions["niochat"]
    return svc
