"""The agent inbox page at `/`: one Jinja page; the work happens in ES modules under
static/js/inbox/ that talk to the REST API (`/api/v1`, session cookie + CSRF header) and Socket.IO.

The page carries what the scripts need as JSON in `<script type="application/json">` blocks (who the
user is, the tenant's timezone, the UI strings translated for the user's locale), so no inline script
runs and the Content-Security-Policy (web/security_headers.py) can forbid them.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask.wrappers import Response

from integrations.channels.limits import limits_table
from models.permissions import has_inbox
from web.auth.context import current_team_ids, current_tenant, current_user, login_required
from web.inbox.strings import ui_strings

bp: Blueprint = Blueprint("inbox", __name__)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # the page embeds who is logged in
    return response


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    user = current_user()
    if not has_inbox(user):
        return render_template("inbox/no_inbox.html")
    tenant = current_tenant()
    boot = {
        "user": {
            "id": user.id,
            "name": user.name,
            "role": user.role.value,
            "team_ids": sorted(current_team_ids()),
            "availability": user.availability,
        },
        "tenant": {
            "id": user.tenant_id,
            "name": tenant.name if tenant else "",
            "timezone": (tenant.timezone if tenant else None) or "America/Sao_Paulo",
            "sla_first_response_minutes": tenant.sla_first_response_minutes if tenant else 15,
        },
        "api": "/api/v1",
        # Each channel's text and caption length limits: the composer counts and refuses before sending.
        "channel_limits": limits_table(),
    }
    return render_template("inbox/index.html", boot=boot, strings=ui_strings())
