"""Flask extensions every blueprint shares: CSRF, rate limits and translations.

Module-level singletons, so views can use their decorators at import time (`@limiter.limit`); `init_app`
binds them to an app. CSRF is checked by path here rather than by per-blueprint exemptions: the JSON API
(`/api/`) and provider webhooks (`/webhooks/`, their own signatures) are exempt however their blueprints
are named; every other unsafe request needs the token. The API checks it itself, for the requests that
need it: those authenticated by the session cookie (`web.api.access.api_user_required`).
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_babel import Babel
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from niochat.config import Settings
from web.devices import exempt_from_ip_limit

CSRF_EXEMPT_PREFIXES = ("/api/", "/webhooks/")

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()


def limiter_storage_uri(redis_url: str) -> str:
    """limits spells Redis over a unix socket `redis+unix://` (the embedded Redis is `unix://…?db=N`)."""
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def auth_rate_limit() -> str:
    """The per-IP limit on endpoints that check credentials, read per request so tests can change it."""
    return str(current_app.config["AUTH_RATE_LIMIT"])


def mark_credentials_accepted() -> None:
    """Called by a view that accepted credentials: that attempt is not counted against the IP's budget,
    so an office of agents behind one NAT address can all log in at 8:00; failures are what is limited."""
    g.credentials_accepted = True


def count_unless_accepted(_response: Response) -> bool:
    return not g.get("credentials_accepted", False)


def credentials_limit() -> RouteLimit:
    """Decorator for views that check passwords, codes or tokens: AUTH_RATE_LIMIT per IP, POST only."""
    return limiter.limit(
        auth_rate_limit, methods=["POST"], deduct_when=count_unless_accepted, exempt_when=exempt_from_ip_limit
    )


def _csrf_protect() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.path.startswith(CSRF_EXEMPT_PREFIXES):
        return
    csrf.protect(apply_exemptions=True)


def _select_locale() -> str | None:
    tenant = g.get("tenant")
    return tenant.locale if tenant is not None and tenant.locale else None


def _select_timezone() -> str | None:
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None and tenant.timezone else None


def init_app(app: Flask, settings: Settings, redis_url: str) -> None:
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # `_csrf_protect` below decides, by path
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: agents keep the inbox open all day
        RATELIMIT_ENABLED=settings.rate_limit_enabled,
        RATELIMIT_STORAGE_URI=limiter_storage_uri(redis_url),
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 2, "socket_timeout": 2},
        RATELIMIT_KEY_PREFIX="niochat-rl",
        # Redis down: let the request through. Account lockout (in PostgreSQL) still stops guessing.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_HEADERS_ENABLED=True,
        AUTH_RATE_LIMIT=settings.auth_rate_limit,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.default_timezone,
    )
    csrf.init_app(app)
    app.before_request(_csrf_protect)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
