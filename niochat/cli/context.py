"""What every command needs: settings, logging and the database, resolved the same way each time."""

from __future__ import annotations

from dataclasses import dataclass

import click

from models.db import Database
from niochat.config import ConfigError, Settings, get_settings
from niochat.embedded import EmbeddedUnavailable
from niochat.logging import configure_logging
from niochat.running import adopt_running
from niochat.runtime import resolve_urls


@dataclass
class Context:
    settings: Settings
    database_url: str
    redis_url: str

    def database(self) -> Database:
        return Database(self.database_url, pool_size=2, max_overflow=2)


def load_context(*, start: bool = True, stop_at_exit: bool = True, adopt: bool = True) -> Context:
    """`adopt`: take the web and dashboards addresses of a `niochat run` already running (its
    `instance/run.json`) for whatever the environment leaves unset; `run` itself never does."""
    try:
        settings = get_settings()
        if adopt:
            settings = adopt_running(settings)
        configure_logging(settings.log_level, settings.json_logs)
        urls = resolve_urls(settings, start=start, stop_at_exit=stop_at_exit)
    except (ConfigError, EmbeddedUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    return Context(settings=settings, database_url=urls.database_url, redis_url=urls.redis_url)
