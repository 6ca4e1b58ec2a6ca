"""A row of a given model for a given tenant, for the tests that walk every back-office view.

`row_for(session, model, tenant_id, marker)` returns a flushed row of that tenant whose text fields carry
`marker` where the model has one, so a page or export that shows it can be caught. A model without a
builder here falls back to any existing row of the tenant (settings rows made by `create_tenant`); a view
over a model with neither fails the walk with a message saying to add a builder. `failed_send` and
`meta_inbox` make the rows the inbox and template pages act on.
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

    # Complete credentials (a port nobody listens on), so its edit form saves as it is rendered.
    credentials = {"base_url": "http://127.0.0.1:9", "api_key": "evo-walk-key", "instance": marker.lower()}
    return create_inbox(
        session, tenant_id=tenant_id, channel=ChannelType.EVOLUTION, name=marker, credentials=credentials
    )


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


def failed_send(session: Session, tenant_id: int, inbox_id: int, phone: str) -> int:
    """A failed outbound message of the inbox: what "Reenviar" and "Marcar como tratada" take."""
    from datetime import UTC, datetime

    from models.enums import DeliveryStatus, Direction, SenderKind
    from models.message import Message
    from tests.factories import make_conversation

    conv = make_conversation(session, tenant_id, inbox_id, phone=phone)
    message = Message(
        tenant_id=tenant_id, conversation_id=conv.id, inbox_id=inbox_id, direction=Direction.OUTBOUND,
        sender_kind=SenderKind.AGENT, text="segue o boleto", status=DeliveryStatus.FAILED,
        failed_at=datetime.now(UTC), error_text="fora do ar",
    )  # fmt: skip
    session.add(message)
    session.flush()
    return int(message.id)


def meta_inbox(session: Session, tenant_id: int, name: str, graph_url: str) -> int:
    """A complete Cloud API inbox whose Graph API is the stub at `graph_url` (its templates sync)."""
    from models.enums import ChannelType
    from models.provisioning import create_inbox
    from tests.stubs.whatsapp_cloud import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERSION, WABA_ID

    credentials = {
        "graph_base_url": f"{graph_url}/{VERSION}", "access_token": ACCESS_TOKEN,
        "phone_number_id": PHONE_NUMBER_ID, "app_secret": APP_SECRET, "waba_id": WABA_ID,
    }  # fmt: skip
    inbox = create_inbox(
        session, tenant_id=tenant_id, channel=ChannelType.WHATSAPP_CLOUD, name=name, credentials=credentials
    )
    return int(inbox.id)
