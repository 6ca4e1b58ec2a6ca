"""Labels an agent puts on conversations and contacts (e.g. "Sem internet", "Financeiro")."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin


class Label(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "labels"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(60))
    color: Mapped[str] = mapped_column(sa.String(9), default="#6b7280", server_default="#6b7280")
    description: Mapped[str | None] = mapped_column(sa.String(200))


class ContactLabel(TenantScoped, Base):
    __tablename__ = "contact_labels"

    contact_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )
