"""Flask-Admin back office at /admin: `init_app(app)` mounts it from the app factory.

Access is the inbox's login, session and second factor (`admin.access`); every view derives from one of
the bases in `admin.base` (tenant-scoped model view, platform model view, custom page) and writes the
audit log through `admin.audit`. How to add a view: admin/README.md.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from admin import db as admin_db
from admin.access import acting_tenant_id, may_enter, set_acting_tenant, signed_in_user
from admin.base import AdminHome
from models.audit import record
from models.dashboard_access import can_view_dashboards
from models.enums import Role
from models.permissions import has_inbox
from models.tenant import Tenant
from web.auth.context import client_info
from web.services import services

assets = Blueprint(
    "niochat_admin",
    __name__,
    url_prefix="/admin/_niochat",
    template_folder="templates",
    static_folder="static",
)


@assets.post("/tenant")
def switch_tenant() -> ResponseReturnValue:
    """The superadmin picks the tenant the back office acts for ("" = all, read-only)."""
    user = signed_in_user()
    if user is None or user.role is not Role.SUPERADMIN:
        abort(403)
    raw = (request.form.get("tenant_id") or "").strip()
    if raw and not raw.isdigit():
        abort(400)
    tenant_id = int(raw) if raw else None
    if tenant_id is not None and tenant_id != acting_tenant_id():
        with services().db.platform_session() as session:
            if session.get(Tenant, tenant_id) is None:
                abort(404)
            # The tenant's own log says when the platform's staff entered its back office.
            record(
                session, "tenants.act_for", client=client_info(), tenant_id=tenant_id, actor_user_id=user.id,
                target_type="tenants", target_id=tenant_id, data={"area": "admin"},
            )  # fmt: skip
    set_acting_tenant(tenant_id)
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/admin") and "//" not in target else url_for("admin.index"))


def _context() -> dict[str, Any]:
    """What the back office's frame shows: the acting tenant, and for a superadmin the tenant list."""
    user = signed_in_user()
    info: dict[str, Any] = {"tenants": None, "tenant_id": None, "tenant_name": None, "inbox_url": None,
                            "dashboards_url": None}  # fmt: skip
    if user is None:
        return info
    tenant_id = acting_tenant_id()
    info["tenant_id"] = tenant_id
    info["inbox_url"] = "/" if has_inbox(user) else None
    # Supervisors' and admins' reports are the dashboards (their one-use token link, as from the inbox).
    info["dashboards_url"] = url_for("dashboards_link.open_dashboards") if can_view_dashboards(user) else None
    with services().db.session(platform=True) as session:
        if user.role is Role.SUPERADMIN:
            tenants = session.query(Tenant).order_by(Tenant.name).all()
            info["tenants"] = tenants
            info["tenant_name"] = next((t.name for t in tenants if t.id == tenant_id), None)
        elif tenant_id is not None:
            tenant = session.get(Tenant, tenant_id)
            info["tenant_name"] = tenant.name if tenant else None
    return info


_INLINE_ADD = re.compile(r"\sonclick=\"faForm\.addInlineField\(this, '([^']+)'\);\"")
_INLINE_HANDLER = re.compile(r"\son[a-z]+=\"[^\"]*\"")


def _without_inline_handlers(response: Response) -> Response:
    """Flask-Admin's templates carry a few `onclick` attributes (delete confirmation, filters, inline
    rows). The Content-Security-Policy forbids inline script, so they are taken out of our pages and
    static/admin.js does their work (`data-inline-add` keeps the one it needs)."""
    if (
        not request.path.startswith("/admin")
        or response.mimetype != "text/html"
        or response.direct_passthrough
    ):
        return response
    html = response.get_data(as_text=True)
    if "onclick=" in html:
        html = _INLINE_HANDLER.sub("", _INLINE_ADD.sub(r' data-inline-add="\1"', html))
        response.set_data(html)
    return response


def _template_helpers() -> dict[str, Any]:
    return {
        "niochat_admin_context": _context,
        "admin_allowed": lambda: may_enter(signed_in_user()),
    }


def init_app(app: Flask) -> Admin:
    """Mount /admin (after `web.auth.init_app`: the login and session come from there)."""
    from admin.views import register_views

    admin = Admin(
        app,
        name="NioChat",
        url="/admin",
        endpoint="admin",
        index_view=AdminHome(name="Início", url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="niochat_admin/master.html", fluid=True),
    )
    register_views(admin)
    app.register_blueprint(assets)
    app.context_processor(_template_helpers)
    app.after_request(_without_inline_handlers)
    admin_db.init_app(app)
    app.extensions["niochat_admin"] = admin
    return admin
