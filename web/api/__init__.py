"""The REST API, `/api/v1`: JSON in and out, errors in the one shape of `web.requests.error_body`,
described by web/api/openapi.yaml (served at /api/v1/openapi.json, browsable at /api/v1/docs).

Each resource is a module adding routes to `api_bp`. Inbox endpoints use `web.api.access.api_user_required`
(bearer JWT or the browser's session cookie + CSRF header); `api_auth_required` alone is bearer-only.
"""

from __future__ import annotations

from flask import Blueprint

api_bp: Blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import auth, errors  # noqa: E402  (routes register on api_bp)
from web.api.auth import api_auth_required  # noqa: E402

errors.register(api_bp)

from web.api import (  # noqa: E402
    availability,
    catalog,
    contact_labels,
    contacts,
    conversation_actions,
    conversations,
    csat,
    csat_ratings,
    docs,
    messages,
    teams,
)

__all__ = [
    "api_auth_required",
    "api_bp",
    "auth",
    "availability",
    "catalog",
    "contact_labels",
    "contacts",
    "conversation_actions",
    "conversations",
    "csat",
    "csat_ratings",
    "docs",
    "messages",
    "teams",
]
