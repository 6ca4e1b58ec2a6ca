"""The application factory: settings in, each subsystem's `init_app` called in order, app out."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
from jobs.queues import connect as redis_connect
from jobs.realtime import Emitter
from jobs.relay import BackgroundRelay, Relay
from models.db import Database
from niochat.config import Settings, get_settings, load_settings
from niochat.logging import configure_logging
from niochat.runtime import resolve_urls
from web import (
    auth,
    branding,
    dashboards_link,
    extensions,
    health,
    inbox,
    media,
    realtime,
    requests,
    security_headers,
    untrusted,
    webhooks,
)
from web.api import api_bp
from web.services import Services


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or (load_settings(**overrides) if overrides else get_settings())
    configure_logging(settings.log_level, settings.json_logs)
    urls = resolve_urls(settings)

    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        PUBLIC_URL=settings.public_url.rstrip("/"),
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        TESTING=settings.niochat_env == "test",
    )
    db = Database(urls.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    redis = redis_connect(urls.redis_url)
    app.extensions["niochat"] = Services(
        settings=settings,
        db=db,
        redis=redis,
        redis_probe=redis_connect(urls.redis_url, retries=0),
        redis_url=urls.redis_url,
        relay=BackgroundRelay(Relay(db, redis, Emitter(urls.redis_url))),
    )

    if settings.proxy_hops:
        # Behind nginx: trust its X-Forwarded-* so client IPs (rate limits, audit) and https URLs are right.
        n = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    requests.init_app(app)
    untrusted.init_app(app)
    security_headers.init_app(app, https=settings.cookie_secure)
    app.register_blueprint(health.bp)
    app.register_blueprint(webhooks.bp)
    if settings.web_role == "webhooks":
        # Provider webhooks only (the compose `webhooks` service): no pages, no sessions, and no Socket.IO
        # server, whose Redis listener would otherwise unpickle every event emitted anywhere.
        return app
    extensions.init_app(app, settings, urls.redis_url)
    auth.init_app(app)
    realtime.init_app(app, urls.redis_url)
    app.register_blueprint(api_bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(inbox.bp)
    admin.init_app(app)  # /admin: the back office, on the same login and session
    app.register_blueprint(dashboards_link.bp)
    branding.init_app(app)
    return app
