"""Known devices: a signed cookie a browser earns by signing in with every factor.

Login throttling (`models.login_throttle`) counts failures per user and source; a known device is its
own source, so an attacker guessing from elsewhere never locks the owner out of the browser she already
uses, and the per-IP rate limit does not stop her either (an office behind one NAT address where a
colleague mistyped). The cookie carries the user id, a random device id and a hash of the e-mail, so
the rate limiter can tell "this browser's own account" before any database work; it proves nothing
by itself: the password (and code) are still required.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app, request, session
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "niochat_device"
MAX_AGE = 180 * 24 * 3600  # a device unused for six months is a stranger again
_SALT = "niochat-known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _email_tag(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _read() -> dict[str, Any] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def current_device() -> str | None:
    """`<user id>:<device id>` of this browser's verified cookie, for `Client.device`."""
    data = _read()
    return f"{data['u']}:{data['d']}" if data is not None else None


def remember(response: Response, user_id: int, email: str) -> Response:
    """Set (or renew) the cookie after a complete sign-in, keeping the device id this browser had."""
    data = _read()
    device = data["d"] if data is not None and data.get("u") == user_id else secrets.token_urlsafe(12)
    value = _serializer().dumps({"u": user_id, "d": device, "e": _email_tag(email)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response


def exempt_from_ip_limit() -> bool:
    """The per-IP limit on credential endpoints does not apply to a known device signing in to its own
    account (its failures are still throttled, per device, in PostgreSQL)."""
    data = _read()
    if data is None:
        return False
    if request.path.endswith("/2fa"):
        return session.get("uid") == data["u"]
    email = request.form.get("email", "")
    return bool(email) and data.get("e") == _email_tag(email)
