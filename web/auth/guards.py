"""The pieces of login policy that need the app: the lockout policy from settings, the TOTP replay guard
in Redis, and where to send people (only ever to our own paths)."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from redis import RedisError
from werkzeug.exceptions import HTTPException

from models.enums import Role
from models.login_throttle import LockoutPolicy
from models.user import User
from web.services import services

log = logging.getLogger(__name__)
_TOTP_USED_KEY = "niochat:totp-used:{}:{}"


def lockout_policy() -> LockoutPolicy:
    settings = services().settings
    return LockoutPolicy(
        max_failures=settings.login_max_failures,
        duration=timedelta(minutes=settings.login_lockout_minutes),
        account_max_failures=settings.login_account_max_failures,
    )


def totp_first_use(user_id: int, timecode: int) -> bool:
    """A TOTP code is good for ~90 s; remembering each used step refuses a second use (shoulder surfing,
    a replayed request). Redis down: accept rather than lock everyone out of a login that needs 2FA."""
    try:
        return bool(services().redis.set(_TOTP_USED_KEY.format(user_id, timecode), "1", nx=True, ex=180))
    except RedisError:
        log.warning("TOTP replay guard unavailable; accepting the code")
        return True


def safe_next(target: str | None) -> str | None:
    """A same-site path, or None: `next` must never send a fresh login to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _route_exists(path: str) -> bool:
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return True


def home_url(user: User | None) -> str:
    """The inbox for tenant users, the back office for the superadmin, once those blueprints exist;
    the account page until then."""
    candidates = ["/admin/"] if user is not None and user.role is Role.SUPERADMIN else ["/"]
    for path in candidates:
        if _route_exists(path):
            return path
    return url_for("auth.account")
