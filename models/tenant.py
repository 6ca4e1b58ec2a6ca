"""The tenant (an internet provider) and what it says about itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TimestampMixin, str_enum
from models.enums import TenantStatus

DEFAULT_BUSINESS_HOURS: dict[str, Any] = {
    # ISO weekday (1 = Monday) -> list of [start, end] in the tenant's local time
    "weekly": {str(d): [["08:00", "18:00"]] for d in range(1, 6)} | {"6": [["08:00", "12:00"]], "7": []},
    "holidays": [],
}


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[TenantStatus] = mapped_column(
        str_enum(TenantStatus, "tenant_status"), default=TenantStatus.ACTIVE
    )
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Sao_Paulo")
    locale: Mapped[str] = mapped_column(sa.String(16), default="pt_BR")
    # The AI agent's persona (name, tone, greeting) and the company facts it may tell customers.
    persona: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    company: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    business_hours: Mapped[dict[str, Any]] = mapped_column(
        default=lambda: dict(DEFAULT_BUSINESS_HOURS), server_default=sa.text("'{}'::jsonb")
    )
    # The first-response target of the waiting queue: "esperando há…" turns amber at half of it, red past it.
    sla_first_response_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    require_2fa: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    suspended_at: Mapped[datetime | None]
    custom_domain: Mapped[str | None] = mapped_column(sa.String(253), unique=True)
    # Plan limits (None = no limit), checked where users and inboxes are created (models/plan.py).
    max_agents: Mapped[int | None]
    max_inboxes: Mapped[int | None]
    # What the back office and the inbox show: {"display_name", "primary_color", "logo_url"}.
    branding: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))

    @property
    def is_active(self) -> bool:
        return self.status is TenantStatus.ACTIVE
