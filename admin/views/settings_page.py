"""The base of the per-tenant settings pages (AI, SGP, CSAT): a superadmin who has not picked a tenant
gets a page asking to pick one, instead of a 403."""

from __future__ import annotations

from typing import Any

from admin.access import acting_tenant_id
from admin.base import TenantPage


class SettingsPage(TenantPage):
    def pick_tenant(self) -> Any | None:
        """The "choose a tenant" page when there is no acting tenant; None when there is one."""
        if acting_tenant_id() is None:
            return self.render("niochat_admin/channels/pick_tenant.html")
        return None
