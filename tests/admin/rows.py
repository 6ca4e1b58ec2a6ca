"""A row of a given model for a given tenant, for the tests that walk every back-office view.

`row_for(session, model, tenant_id, marker)` returns a flushed row of that tenant whose text fields carry
`marker` where the model has one, so a page or export that shows it can be caught. A model without a
builder here falls back to any existing row of the tenant (settings rows made by `create_tenant`); a view
over a model with neither fails the walk with a message saying to add a builder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.enums import ChannelType, Role

Builder = Callable[[Session, int, str], Any]
BUILDERS: dict[str, Builder] = {}


def builds(table: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[table] = fn
        return fn

    return register


@builds("labels")
def _label(session: Session, tenant_id: int, marker: str) -> Any:
    from models.label import Label

    row = Label(tenant_id=tenant_id, name=marker, color="#123456", description=marker)
    session.add(row)
    return row


@builds("teams")
def _team(session: Session, tenant_id: int, marker: str) -> Any:
    from models.user import Team

    row = Team(tenant_id=tenant_id, name=marker, description=marker)
    session.add(row)
    return row


@builds("quick_replies")
def _quick_reply(session: Session, tenant_id: int, marker: str) -> Any:
    from models.reply import QuickReply

    row = QuickReply(tenant_id=tenant_id, shortcut=marker.lower()[:40], title=marker, content=marker)
    session.add(row)
    return row


@builds("message_templates")
def _template(session: Session, tenant_id: int, marker: str) -> Any:
    from models.reply import MessageTemplate

    row = MessageTemplate(tenant_id=tenant_id, name=marker.lower(), body=marker, status="local")
    session.add(row)
    return row


@builds("users")
def _user(session: Session, tenant_id: int, marker: str) -> Any:
    from models.provisioning import create_user

    return create_user(
        session,
        tenant_id=tenant_id,
        email=f"{marker.lower()}@example.com.br",
        name=marker,
        password="senha-forte-123",
        role=Role.AGENT,
    )


@builds("inboxes")
def _inbox(session: Session, tenant_id: int, marker: str) -> Any:
    from models.provisioning import create_inbox

    return create_inbox(session, tenant_id=tenant_id, channel=ChannelType.EVOLUTION, name=marker)


@builds("knowledge_entries")
def _knowledge(session: Session, tenant_id: int, marker: str) -> Any:
    from models.ai import KnowledgeEntry

    row = KnowledgeEntry(tenant_id=tenant_id, title=marker, content=marker)
    session.add(row)
    return row


@builds("sgp_integrations")
def _sgp(session: Session, tenant_id: int, marker: str) -> Any:
    from models.sgp import SgpIntegration

    found = session.scalar(sa.select(SgpIntegration).where(SgpIntegration.tenant_id == tenant_id))
    if found is not None:
        return found
    row = SgpIntegration(
        tenant_id=tenant_id, base_url=f"https://{marker.lower()}.example.com", app_name=marker
    )
    session.add(row)
    return row


@builds("audit_logs")
def _audit(session: Session, tenant_id: int, marker: str) -> Any:
    from models.audit import AuditLog

    row = AuditLog(tenant_id=tenant_id, action=f"test.{marker.lower()}", target_type="x", target_id=marker)
    session.add(row)
    return row


def row_for(session: Session, model: type[Any], tenant_id: int, marker: str) -> Any:
    """A row of `model` belonging to `tenant_id` (see the module docstring)."""
    build = BUILDERS.get(model.__tablename__)
    if build is not None:
        row = build(session, tenant_id, marker)
        session.flush()
        return row
    column = getattr(model, "tenant_id", None)
    if column is not None:
        found = session.scalar(sa.select(model).where(column == tenant_id).limit(1))
        if found is not None:
            return found
    raise AssertionError(f"tests/admin/rows.py: add a builder for {model.__tablename__} (a view lists it)")
