"""The browser session: a signed cookie with a few keys, checked against the database on every request.

Keys: `uid`, `tid`; `ver`, the session version (a fingerprint of the password hash and 2FA state: change
either and every other session ends); `sid`, a random id that logout puts on a Redis deny-list so a copied
cookie dies with the logout; `at`, when the password was accepted; `seen`, the last activity, for the
per-user idle timeout (`User.session_timeout_minutes`); `mfa`, whether the second factor was given.
Nothing else about the user is trusted from the cookie: role, status and tenant are read fresh each time.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, request, session
from flask_babel import gettext as _
from redis import RedisError

from models.accounts import LoginResult, load_user, refusal, session_version
from models.base import utcnow
from models.tenant import Tenant
from models.twofactor import has_2fa
from models.user import User
from web.auth import sockets
from web.auth.context import AuthState, set_current
from web.auth.messages import refusal_message
from web.services import services

log = logging.getLogger(__name__)

UID, TID, VER, SID, AUTH_AT, SEEN, MFA, NEXT = "uid", "tid", "ver", "sid", "at", "seen", "mfa", "next"
PENDING_2FA_SECONDS = 300  # between the password and the code
SEEN_RESOLUTION = 15  # seconds: the cookie's activity stamp is rewritten at most this often
LAST_SEEN_DB_RESOLUTION = timedelta(minutes=1)  # and User.last_seen_at (presence) at most this often
_SKIP_PREFIXES = ("/api/", "/webhooks/", "/static/", "/socket.io/")
_SKIP_PATHS = frozenset({"/healthz", "/readyz"})
_REVOKED_KEY = "niochat:session-revoked:{}"


def _version(user: User) -> str:
    return session_version(user, current_app.config["SECRET_KEY"])


def begin(user: User, *, second_factor_done: bool) -> None:
    """A fresh session after the password: old keys (and any attacker-planted ones) are dropped."""
    session.clear()
    now = int(time.time())
    session.update(
        {
            UID: user.id,
            TID: user.tenant_id,
            VER: _version(user),
            SID: secrets.token_urlsafe(16),
            AUTH_AT: now,
            SEEN: now,
            MFA: second_factor_done,
        }
    )


def second_factor_done(user: User) -> None:
    session[MFA] = True
    session[SEEN] = int(time.time())
    refresh_version(user)


def refresh_version(user: User) -> None:
    """After this session changed the password or 2FA: it stays valid, every other one ends (their open
    sockets too)."""
    session[VER] = _version(user)
    sockets.end_sockets(user.id, except_session=session.get(SID))


def end(user: User | None) -> None:
    """Logout: deny-list the session id until the idle timeout would have ended a copy of the cookie."""
    sid = session.get(SID)
    if sid:
        minutes = user.session_timeout_minutes if user is not None else 24 * 60
        try:
            services().redis.set(_REVOKED_KEY.format(sid), "1", ex=60 * (minutes + 60))
        except RedisError:
            log.warning("could not deny-list a logged-out session; it still ends by idle timeout")
        if (uid := session.get(UID)) is not None:  # even when the user can no longer load
            sockets.end_sockets(int(uid), session_id=sid)
    session.clear()


def _revoked(sid: str | None) -> bool:
    if not sid:
        return True
    try:
        return bool(services().redis.exists(_REVOKED_KEY.format(sid)))
    except RedisError:
        log.warning("session deny-list unavailable; accepting the session cookie")
        return False


def _problem(user: User, tenant: Tenant | None, now: float) -> str | None:
    """Why this session must end, as a message for the login page ("" when none should be shown)."""
    refused = refusal(user, tenant)
    if refused is not None:
        return refusal_message(LoginResult(refused, user, tenant))
    if session.get(TID) != user.tenant_id or _revoked(session.get(SID)):
        return ""
    if session.get(VER) != _version(user):
        return _("Sua senha ou verificação em duas etapas mudou. Entre novamente.")
    if now - float(session.get(SEEN, 0)) > 60 * max(1, user.session_timeout_minutes):
        return _("Sua sessão expirou por inatividade. Entre novamente.")
    if has_2fa(user) and not session.get(MFA) and now - float(session.get(AUTH_AT, 0)) > PENDING_2FA_SECONDS:
        return _("O tempo para informar o código acabou. Entre novamente.")
    return None


def state_of(user: User, tenant: Tenant | None) -> AuthState:
    if has_2fa(user) and not session.get(MFA):
        return AuthState.NEEDS_2FA
    if tenant is not None and tenant.require_2fa and not has_2fa(user):
        return AuthState.NEEDS_ENROLLMENT
    return AuthState.FULL


def load() -> None:
    """before_request: authenticate browser requests (not the API, webhooks, static files or probes)."""
    if request.path.startswith(_SKIP_PREFIXES) or request.path in _SKIP_PATHS:
        return
    authenticate()


def authenticate() -> User | None:
    """Find the session's user, end the session if it must end, stamp the activity, set `g.user`.
    Also for a Socket.IO connect handler, which runs outside the before_request hooks."""
    uid = session.get(UID)
    if uid is None:
        return None
    now = time.time()
    with services().db.session() as db_session:
        loaded = load_user(db_session, int(uid))
    problem = "" if loaded is None else _problem(*loaded, now)
    if problem is not None or loaded is None:
        session.clear()
        if problem:
            flash(problem, "warning")
        return None
    user, tenant = loaded
    set_current(user, tenant, state_of(user, tenant), via="session")
    if now - float(session.get(SEEN, 0)) >= SEEN_RESOLUTION:
        session[SEEN] = int(now)
        sockets.keep_alive(session.get(SID), user.session_timeout_minutes)
    _touch_last_seen(user)
    return user


def _touch_last_seen(user: User) -> None:
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < LAST_SEEN_DB_RESOLUTION:
        return
    with services().db.session() as db_session, db_session.begin():
        db_session.execute(sa.update(User).where(User.id == user.id).values(last_seen_at=now))
