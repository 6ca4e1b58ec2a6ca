"""Who may open the back office, and for which tenant it works right now.

The login, the session and the second factor are the inbox's own (`web.auth`): the back office only reads
`g.user`/`g.auth_state` set by `web.auth.session.load`. Roles:

- superadmin: every view; tenant-owned rows of every tenant. They pick the tenant they act for in the
  top bar (`ACTING_TENANT` in the browser session); with none picked, tenant views list every tenant's
  rows and are read-only, since a new row needs a tenant that never comes from a form.
- admin: every tenant view, for their own tenant only.
- supervisor: read-only on the views that say so (`BaseAccess.supervisor_reads`): teams, quick replies.
- agent and anyone else: a 403 page in Portuguese.
"""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from models.enums import Role
from models.tenant import Tenant
from models.user import User
from web.auth.context import AuthState, optional_user

ACTING_TENANT = "admin_tenant"  # browser-session key: the tenant a superadmin acts for
ADMIN_ROLES = frozenset({Role.SUPERADMIN, Role.ADMIN})
BACK_OFFICE_ROLES = ADMIN_ROLES | {Role.SUPERVISOR}


def signed_in_user() -> User | None:
    """The fully authenticated, active user of this request, or None."""
    user = optional_user()
    if user is None or g.get("auth_state") is not AuthState.FULL or not user.is_active:
        return None
    return user


def admin_user() -> User:
    """The user under an accessible view; 403 if there is none (views check `is_accessible` first)."""
    user = signed_in_user()
    if user is None:
        abort(403)
    return user


def may_enter(user: User | None) -> bool:
    """Whether the back office opens at all for `user` (the inbox header's link uses it too)."""
    return user is not None and user.role in BACK_OFFICE_ROLES


def acting_tenant_id() -> int | None:
    """The tenant every tenant-scoped query and new row of this request belongs to. None only for a
    superadmin who has not picked one (platform-wide, read-only on tenant views)."""
    user = admin_user()
    if user.role is not Role.SUPERADMIN:
        if user.tenant_id is None:
            abort(403)
        return int(user.tenant_id)
    if "acting_tenant_id" not in g:
        g.acting_tenant_id = _load_acting_tenant()
    value: int | None = g.acting_tenant_id
    return value


def _load_acting_tenant() -> int | None:
    raw = session.get(ACTING_TENANT)
    if raw is None:
        return None
    from web.services import services

    with services().db.session(platform=True) as db_session:
        exists = db_session.get(Tenant, int(raw)) is not None
    if not exists:
        session.pop(ACTING_TENANT, None)
        return None
    return int(raw)


def acting_tenant() -> Tenant | None:
    """The acting tenant's row (for titles and the top bar), read in the request's session."""
    from admin.db import request_session

    tenant_id = acting_tenant_id()
    return None if tenant_id is None else request_session().get(Tenant, tenant_id)


def set_acting_tenant(tenant_id: int | None) -> None:
    if tenant_id is None:
        session.pop(ACTING_TENANT, None)
    else:
        session[ACTING_TENANT] = int(tenant_id)
    g.pop("acting_tenant_id", None)


def refuse() -> ResponseReturnValue:
    """Not for this user: anonymous to the login page (back here after), a pending second factor to the
    code page, everyone else a 403 page in Portuguese."""
    user, state = optional_user(), g.get("auth_state")
    if user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if state is AuthState.NEEDS_2FA:
        return redirect(url_for("auth.two_factor"))
    if state is AuthState.NEEDS_ENROLLMENT:
        return redirect(url_for("auth.account_2fa"))
    return render_template("niochat_admin/forbidden.html"), 403
