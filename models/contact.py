"""A customer, once per tenant, whichever number format or channel they arrive by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin


class Contact(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "contacts"
    __table_args__ = (
        # One person is one contact: phones are canonical E.164 (Brazilian mobiles with the 9th digit).
        sa.UniqueConstraint("tenant_id", "phone_e164"),
        sa.UniqueConstraint("tenant_id", "telegram_chat_id"),
        sa.Index("ix_contacts_tenant_id_cpf_cnpj", "tenant_id", "cpf_cnpj"),
        sa.Index("ix_contacts_tenant_id_name", "tenant_id", "name"),
    )

    name: Mapped[str | None] = mapped_column(sa.String(200))
    phone_e164: Mapped[str | None] = mapped_column(sa.String(20))
    wa_id: Mapped[str | None] = mapped_column(sa.String(64))  # as WhatsApp last reported it
    telegram_chat_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    telegram_username: Mapped[str | None] = mapped_column(sa.String(64))
    cpf_cnpj: Mapped[str | None] = mapped_column(sa.String(14))  # digits (and letters: new CNPJ) only
    email: Mapped[str | None] = mapped_column(sa.String(254))
    avatar_url: Mapped[str | None] = mapped_column(sa.Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'::jsonb"))
    blocked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    csat_opt_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # no surveys
    last_seen_at: Mapped[datetime | None]
