"""Accounts for people: login with optional TOTP second step, logout, 2FA enrolment and password change.

Other blueprints use `web.auth.context` (`login_required`, `roles_required`, `current_user`,
`current_tenant`, `current_team_ids`, `tenant_session`) and `models.permissions` for conversations.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, render_template
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from models.enums import Role
from web.requests import error_body, wants_json

bp: Blueprint = Blueprint("auth", __name__)

ROLE_LABELS = {
    Role.SUPERADMIN: _l("Superadmin"),
    Role.ADMIN: _l("Administrador"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.AGENT: _l("Agente"),
}

from web.auth import account, views  # noqa: E402, F401  (the routes register on `bp`)
from web.auth import session as auth_session  # noqa: E402
from web.auth.context import AuthState, current_tenant, optional_user  # noqa: E402
from web.auth.guards import home_url  # noqa: E402
from web.auth.messages import too_many_message  # noqa: E402

__all__ = ["ROLE_LABELS", "bp", "init_app"]


@bp.errorhandler(TooManyRequests)
def _too_many(_exc: TooManyRequests) -> ResponseReturnValue:
    message = too_many_message()
    return render_template("auth/message.html", title=message, message=message), 429


@bp.after_request
def _no_store(response: Response) -> Response:
    """Account pages show secrets (QR codes, recovery codes): never keep them in a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    if wants_json():
        return error_body(400, "csrf_failed", "Token CSRF ausente ou inválido.")
    message = _l("A página expirou. Volte, recarregue e tente de novo.")
    return render_template("auth/message.html", title=_l("Página expirada"), message=message), 400


def _template_context() -> dict[str, object]:
    user = optional_user()
    signed_in = user is not None and g.get("auth_state") is not AuthState.NEEDS_2FA
    locale = get_locale()
    return {
        "current_user": user if signed_in else None,
        "current_tenant": current_tenant() if signed_in else None,
        "auth_state": g.get("auth_state"),
        "role_label": lambda role: ROLE_LABELS.get(Role(role), str(role)),
        "home_url": (lambda: home_url(user)),
        "html_lang": str(locale).replace("_", "-") if locale else "pt-BR",
    }


def init_app(app: Flask) -> None:
    """After `web.extensions.init_app` (CSRF, limiter, Babel) and `web.requests.init_app`."""
    app.before_request(auth_session.load)
    app.context_processor(_template_context)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_blueprint(bp)
