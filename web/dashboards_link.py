"""`/open-dashboards`: the inbox's way into the Streamlit dashboards. Only supervisors and admins (and the
superadmin) get a link; it carries a one-use token valid for seconds (models.dashboard_access), which
the dashboards redeem for a session of their own. (Not `/dashboards`: behind nginx that path is
Streamlit's own.)"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect
from flask.typing import ResponseReturnValue
from flask.wrappers import Response

from models.dashboard_access import can_view_dashboards, issue_token
from niochat.config import Settings
from niochat.health import dashboards_url
from web.auth.context import current_user, login_required
from web.services import services

bp: Blueprint = Blueprint("dashboards_link", __name__)


def dashboards_public_url(settings: Settings) -> str:
    """DASHBOARDS_PUBLIC_URL; else, behind a proxy (DASHBOARDS_BASE_PATH set), PUBLIC_URL + that path, as
    the compose nginx serves them; else Streamlit's own address."""
    if settings.dashboards_public_url:
        return settings.dashboards_public_url.rstrip("/")
    if settings.dashboards_base_path:
        return f"{settings.public_url.rstrip('/')}/{settings.dashboards_base_path.strip('/')}"
    return dashboards_url(settings).rstrip("/")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # the redirect carries a token
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/open-dashboards")
@login_required
def open_dashboards() -> ResponseReturnValue:
    user = current_user()
    if not can_view_dashboards(user):
        abort(403)
    settings = services().settings
    token = issue_token(
        user, secret_key=settings.secret_key, ttl=timedelta(seconds=settings.dashboards_token_seconds)
    )
    return redirect(f"{dashboards_public_url(settings)}/?{urlencode({'token': token})}")
