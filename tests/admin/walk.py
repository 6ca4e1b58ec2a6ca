"""The registered back-office views, as the tests walk them (admin-channels' views included, once merged)."""

from __future__ import annotations

from typing import Any

from admin.base import BaseAccess, TenantModelView


def all_views(app: Any) -> list[Any]:
    """Every view mounted under /admin except the landing page."""
    return [v for v in app.extensions["niochat_admin"]._views if v.endpoint != "admin"]


def tenant_model_views(app: Any) -> list[TenantModelView]:
    return [v for v in all_views(app) if isinstance(v, TenantModelView) and v.tenant_scoped]


def model_views(app: Any) -> list[TenantModelView]:
    return [v for v in all_views(app) if isinstance(v, TenantModelView)]


def guarded(view: Any) -> bool:
    return isinstance(view, BaseAccess)


def index_url(view: Any) -> str:
    return view.url.rstrip("/") + "/"
