"""People who log in: agents, supervisors, tenant admins and the platform superadmin; and their teams."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TenantScoped, TimestampMixin, str_enum
from models.crypto import EncryptedText
from models.enums import Role


class User(IdMixin, TimestampMixin, Base):
    """Not `TenantScoped`: the superadmin belongs to no tenant. Agents' rows carry their tenant_id."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role = 'superadmin' OR tenant_id IS NOT NULL", name="tenant_required"),
        sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),
    )

    tenant_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.AGENT)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_enabled_at: Mapped[datetime | None]
    recovery_codes: Mapped[list[Any]] = mapped_column(default=list, server_default=sa.text("'[]'::jsonb"))
    session_timeout_minutes: Mapped[int] = mapped_column(default=480, server_default="480")
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    availability: Mapped[str] = mapped_column(sa.String(16), default="offline", server_default="offline")
    signature: Mapped[str | None] = mapped_column(sa.String(200))

    teams: Mapped[list[Team]] = relationship(
        secondary="team_members", back_populates="members", viewonly=True
    )


class Team(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    members: Mapped[list[User]] = relationship(
        secondary="team_members", back_populates="teams", viewonly=True
    )


class TeamMember(TenantScoped, Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
