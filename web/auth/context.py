"""Who is asking, for every blueprint: `current_user()`, the decorators, and the tenant-scoped session.

The user is found once per request, from the session cookie (`web.auth.session.load`) or from an API
token (`web.api.auth.api_auth_required`), and kept on `flask.g` as detached ORM objects: reading their
columns needs no session, and nothing here writes through them.

    @bp.get("/conversations")
    @login_required
    @roles_required(Role.ADMIN, Role.SUPERVISOR)
    def conversations():
        with tenant_session() as session:
            ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from models.audit import Client
from models.enums import Role
from models.permissions import user_team_ids
from models.scoping import ScopedSession
from models.tenant import Tenant
from models.user import User
from web.devices import current_device
from web.requests import error_body
from web.services import services

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


class AuthState(StrEnum):
    FULL = "full"  # every required factor passed
    NEEDS_2FA = "needs_2fa"  # password passed; the TOTP or recovery code is next
    NEEDS_ENROLLMENT = "needs_enrollment"  # the tenant requires 2FA and this user has none yet


def set_current(user: User, tenant: Tenant | None, state: AuthState, *, via: str) -> None:
    """Called by the two authenticators (session cookie, bearer token) and nothing else."""
    g.user, g.tenant, g.auth_state, g.auth_via = user, tenant, state, via


def optional_user() -> User | None:
    """The authenticated user, also while a second step is pending; None for anonymous requests."""
    return cast(User | None, g.get("user"))


def current_user() -> User:
    """The fully authenticated user of this request; 401 if there is none. Use under the decorators."""
    user = optional_user()
    if user is None or g.get("auth_state") is not AuthState.FULL:
        abort(401)
    return user


def current_tenant() -> Tenant | None:
    """The user's tenant (None for the platform superadmin), as loaded at the start of the request."""
    return cast(Tenant | None, g.get("tenant"))


def current_team_ids() -> frozenset[int]:
    """The user's team ids, loaded once per request: what `models.permissions.can_view/can_act` need."""
    if "team_ids" not in g:
        user = current_user()
        if user.tenant_id is None:
            g.team_ids = frozenset()
        else:
            with tenant_session() as session:
                g.team_ids = user_team_ids(session, user)
    return cast(frozenset[int], g.team_ids)


@contextmanager
def tenant_session() -> Iterator[ScopedSession]:
    """A session that reads and writes only the current user's tenant; commits on success. 403 for the
    superadmin, who has no tenant (the back office opens platform sessions explicitly)."""
    user = current_user()
    if user.tenant_id is None:
        abort(403)
    with services().db.tenant_session(user.tenant_id) as session:
        yield session


def client_info(channel: str = "web") -> Client:
    """IP (the real one behind PROXY_HOPS proxies) and user agent, for the audit log."""
    device = current_device() if channel == "web" else None
    return Client(
        ip=request.remote_addr, user_agent=request.headers.get("User-Agent"), channel=channel, device=device
    )


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def login_required(view: F) -> F:
    """A browser session with every factor done. Pending 2FA goes to the code page, a missing required
    enrolment to the enrolment page; anonymous browsers to the login page, scripts get a JSON 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        user, state = optional_user(), g.get("auth_state")
        if user is None:
            if _wants_json():
                return error_body(401, "unauthorized", "Faça login para continuar.")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if state is AuthState.NEEDS_2FA:
            return redirect(url_for("auth.two_factor"))
        if state is AuthState.NEEDS_ENROLLMENT:
            return redirect(url_for("auth.account_2fa"))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only these roles; 403 for others. Goes below `login_required` or `api_auth_required`."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if current_user().role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
