"""The REST API, `/api/v1`: JSON in and out, bearer JWTs (no cookies, so no CSRF), errors in the one
shape of `web.requests.error_body`. Each resource is a module adding routes to `api_bp`; protect them
with `api_auth_required` (and `web.auth.context.roles_required` below it)."""

from __future__ import annotations

from flask import Blueprint

api_bp: Blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import auth  # noqa: E402  (routes register on api_bp)
from web.api.auth import api_auth_required  # noqa: E402

__all__ = ["api_auth_required", "api_bp", "auth"]
