"""What agents send quickly: quick replies typed with `/shortcut`, and Meta-approved message templates."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TenantScoped, TimestampMixin

if TYPE_CHECKING:
    from models.inbox import Inbox
    from models.user import Team

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


class QuickReply(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "quick_replies"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "shortcut"),)

    shortcut: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(120))
    content: Mapped[str] = mapped_column(sa.Text)
    team_id: Mapped[int | None] = mapped_column(sa.BigInteger, sa.ForeignKey("teams.id", ondelete="CASCADE"))
    media_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    team: Mapped[Team | None] = relationship()  # for the back office's forms and lists


class MessageTemplate(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its composite indexes start with tenant_id
    __tablename__ = "message_templates"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "inbox_id", "name", "language"),)

    inbox_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("inboxes.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    language: Mapped[str] = mapped_column(sa.String(16), default="pt_BR", server_default="pt_BR")
    category: Mapped[str] = mapped_column(sa.String(32), default="UTILITY", server_default="UTILITY")
    status: Mapped[str] = mapped_column(sa.String(16), default="approved", server_default="approved")
    body: Mapped[str] = mapped_column(sa.Text)  # with {{1}} placeholders, for preview and parameter count
    components: Mapped[list[Any]] = mapped_column(default=list, server_default=sa.text("'[]'::jsonb"))
    inbox: Mapped[Inbox | None] = relationship()  # for the back office's forms and lists


def template_parameter_count(body: str) -> int:
    """How many values a template body needs: its distinct {{n}} placeholders."""
    return len(set(_PLACEHOLDER.findall(body)))


def render_template(body: str, values: list[str]) -> str:
    """The body as the customer will read it, for the agent's thread (placeholders without a value stay)."""

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return values[index - 1] if 0 < index <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(value, body)
