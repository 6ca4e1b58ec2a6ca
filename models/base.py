"""Declarative base, naming convention and column helpers shared by every model.

The naming convention makes Alembic's constraint names deterministic, so `alembic check` stays clean and
migrations can drop constraints by name.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: sa.DateTime(timezone=True),
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
    }

    def __repr__(self) -> str:
        ident = getattr(self, "id", None)
        return f"<{type(self).__name__} id={ident}>"


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR + CHECK enum: adding a value later is a plain migration, unlike PostgreSQL ENUM types."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class IdMixin:
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=sa.func.now(), default=utcnow, onupdate=utcnow
    )


class TenantScoped:
    """Marker + column for every tenant-owned row; `models.scoping` filters and guards on it."""

    # False where a composite index already starts with tenant_id: a single-column one beside it only
    # costs every insert, and before statistics exist the planner may pick it for unique lookups.
    tenant_index: ClassVar[bool] = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            sa.BigInteger,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
            index=cls.tenant_index,
        )
