"""The request's database session for the back office, opened on first use and closed at teardown.

A tenant admin (and a superadmin acting for a tenant) gets a tenant session
(`models.db.Database.tenant_session` rules): every tenant-owned model is filtered and guarded by
`models.scoping` before the views' own filters even run. Only a superadmin with no acting tenant gets a
platform session. Flask-Admin is handed `REQUEST_SESSION`, a stand-in that forwards to this session, so
its views never hold a session across requests.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, g, has_request_context

from admin.access import acting_tenant_id, admin_user
from models.enums import Role
from models.scoping import ScopedSession
from web.services import services

_KEY = "_admin_db_session"
_PLATFORM_KEY = "_admin_platform_session"


def request_session(*, platform: bool = False) -> ScopedSession:
    """This request's session: tenant-scoped unless a superadmin acts for no tenant. `platform=True`
    (platform views: tenants) is a second, platform-wide session, for the superadmin only."""
    key = _PLATFORM_KEY if platform else _KEY
    found: ScopedSession | None = g.get(key)
    if found is not None:
        return found
    user = admin_user()
    db = services().db
    if platform:
        if user.role is not Role.SUPERADMIN:
            abort(403)
        opened = db.session(platform=True)
    elif (tenant_id := acting_tenant_id()) is not None:
        opened = db.session(tenant_id)
    elif user.role is Role.SUPERADMIN:
        opened = db.session(platform=True)
    else:
        abort(403)
    setattr(g, key, opened)
    return opened


def _close(_exc: BaseException | None) -> None:
    for key in (_KEY, _PLATFORM_KEY):
        opened: ScopedSession | None = g.pop(key, None)
        if opened is not None:
            opened.rollback()  # whatever a view did not commit is dropped, never half-stored
            opened.close()


class RequestSession:
    """What Flask-Admin's `ModelView(model, session)` receives: attribute access reaches the current
    request's session. It has a `.session` like Flask-SQLAlchemy's object, so Flask-Admin takes it as
    such (no deprecation path) and asks for it right before each query."""

    @property
    def session(self) -> Any:
        return request_session() if has_request_context() else self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not has_request_context():  # class scans (`hasattr`), imports
            raise AttributeError(name)
        return getattr(request_session(), name)


class PlatformSession(RequestSession):
    """The same for platform views (superadmin only)."""

    @property
    def session(self) -> Any:
        return request_session(platform=True) if has_request_context() else self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not has_request_context():
            raise AttributeError(name)
        return getattr(request_session(platform=True), name)


REQUEST_SESSION = RequestSession()
PLATFORM_SESSION = PlatformSession()


def init_app(app: Flask) -> None:
    app.teardown_request(_close)
