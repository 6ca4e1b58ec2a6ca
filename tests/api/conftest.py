"""A company with a realistic inbox (roles, teams, inboxes, conversations in every state), another company
to prove isolation, and clients that call the API as a bearer client or as a logged-in browser — every
response checked against the OpenAPI document."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from models import Contact, Conversation, Label, Message, MessageTemplate, QuickReply, User
from models.base import utcnow
from models.enums import ChannelType, ContentType, ConversationStatus, Direction, Role, SenderKind
from models.passwords import hash_password
from models.provisioning import create_inbox, create_team, create_tenant
from tests.api.clients import Api, access_token, browser_client, csrf_token
from tests.api.contract import Contract

PASSWORD = "senha-forte-123"
S = ConversationStatus


@dataclass
class World:
    tenant: int
    other_tenant: int
    users: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    inboxes: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    convs: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)


def add_conversation(
    session: Any,
    tenant_id: int,
    inbox_id: int,
    *,
    name: str,
    phone: str,
    status: ConversationStatus,
    assignee_id: int | None = None,
    team_id: int | None = None,
    texts: tuple[str, ...] = ("Oi, estou sem internet",),
    minutes_ago: int = 10,
    contact_id: int | None = None,
) -> Conversation:
    """A conversation with inbound messages; `last_message_at` = now - minutes_ago."""
    if contact_id is None:
        contact = Contact(tenant_id=tenant_id, name=name, phone_e164=phone)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    at = utcnow() - timedelta(minutes=minutes_ago)
    conv = Conversation(
        tenant_id=tenant_id,
        inbox_id=inbox_id,
        contact_id=contact_id,
        status=status,
        assignee_id=assignee_id,
        team_id=team_id,
        last_message_at=at,
        last_inbound_at=at,
        closed_at=at if status == S.CLOSED else None,
    )
    session.add(conv)
    session.flush()
    for text in texts:
        session.add(
            Message(
                tenant_id=tenant_id,
                conversation_id=conv.id,
                inbox_id=inbox_id,
                direction=Direction.INBOUND,
                sender_kind=SenderKind.CONTACT,
                content_type=ContentType.TEXT,
                text=text,
                provider_message_id=secrets.token_hex(8),
                created_at=at,
            )
        )
    session.flush()
    return conv


@pytest.fixture()
def world(db) -> World:  # type: ignore[no-untyped-def]
    password_hash = hash_password(PASSWORD)  # once: argon2 is slow on purpose
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-a", name="Provedor A").id
        other = create_tenant(session, slug="provedor-b", name="Provedor B").id
        w = World(tenant=tenant, other_tenant=other)
        for key, role, tenant_of in [
            ("admin", Role.ADMIN, tenant),
            ("supervisor", Role.SUPERVISOR, tenant),
            ("ana", Role.AGENT, tenant),
            ("bruno", Role.AGENT, tenant),
            ("root", Role.SUPERADMIN, None),
            ("other_admin", Role.ADMIN, other),
        ]:
            user = User(
                tenant_id=tenant_of,
                email=f"{key}@exemplo.com.br",
                name=key.replace("_", " ").title(),
                password_hash=password_hash,
                role=role,
            )
            session.add(user)
            session.flush()
            w.users[key] = user.id
        w.teams["suporte"] = create_team(
            session, tenant_id=tenant, name="Suporte", member_ids=[w.users["ana"]]
        ).id
        w.teams["financeiro"] = create_team(
            session, tenant_id=tenant, name="Financeiro", member_ids=[w.users["bruno"]]
        ).id
        w.teams["other"] = create_team(session, tenant_id=other, name="Suporte B").id
        wa = create_inbox(
            session,
            tenant_id=tenant,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Vendas",
            credentials={
                "base_url": "https://evo.exemplo.com.br",
                "instance": "vendas",
                "api_key": "segredo-evolution-123",
            },
        )
        cloud = create_inbox(
            session,
            tenant_id=tenant,
            channel=ChannelType.WHATSAPP_CLOUD,
            name="WhatsApp Oficial",
            credentials={
                "access_token": "segredo-meta-456",
                "app_secret": "segredo-app-789",
                "phone_number_id": "106540352242922",
            },
        )
        other_inbox = create_inbox(session, tenant_id=other, channel=ChannelType.EVOLUTION, name="WhatsApp B")
        w.inboxes.update(whatsapp=wa.id, cloud=cloud.id, other=other_inbox.id)
        for key, name, tenant_of in [
            ("vip", "VIP", tenant),
            ("financeiro", "Financeiro", tenant),
            ("other", "B", other),
        ]:
            label = Label(tenant_id=tenant_of, name=name)
            session.add(label)
            session.flush()
            w.labels[key] = label.id
        specs: list[tuple[str, int, dict[str, Any]]] = [
            ("waiting", wa.id, {"status": S.PENDING, "team_id": w.teams["suporte"], "minutes_ago": 1}),
            ("bot", wa.id, {"status": S.BOT, "minutes_ago": 2}),
            ("ana_open", wa.id, {"status": S.OPEN, "assignee_id": w.users["ana"], "minutes_ago": 3}),
            ("bruno_open", wa.id, {"status": S.OPEN, "assignee_id": w.users["bruno"], "minutes_ago": 4}),
            (
                "finance_waiting",
                wa.id,
                {"status": S.PENDING, "team_id": w.teams["financeiro"], "minutes_ago": 5},
            ),
            ("ana_closed", wa.id, {"status": S.CLOSED, "assignee_id": w.users["ana"], "minutes_ago": 60}),
            (
                "cloud_stale",
                cloud.id,
                {"status": S.OPEN, "assignee_id": w.users["ana"], "minutes_ago": 26 * 60},
            ),
        ]
        for index, (key, inbox_id, extra) in enumerate(specs):
            conv = add_conversation(
                session, tenant, inbox_id, name=f"Cliente {key}", phone=f"+5511987650{index:03d}", **extra
            )
            w.convs[key], w.contacts[key] = conv.id, conv.contact_id
        other_conv = add_conversation(
            session,
            other,
            other_inbox.id,
            name="Cliente B",
            phone="+5511912340000",
            status=S.OPEN,
            assignee_id=w.users["other_admin"],
        )
        w.convs["other"], w.contacts["other"] = other_conv.id, other_conv.contact_id
        media = Message(
            tenant_id=other,
            conversation_id=other_conv.id,
            inbox_id=other_inbox.id,
            direction=Direction.INBOUND,
            sender_kind=SenderKind.CONTACT,
            content_type=ContentType.IMAGE,
            media_sha256="ab" * 32,
            media_mime="image/jpeg",
            media_size=3,
            media_status="ready",
        )
        session.add(media)
        session.add_all(
            [
                QuickReply(
                    tenant_id=tenant, shortcut="ola", title="Saudação", content="Olá! Como posso ajudar?"
                ),
                QuickReply(
                    tenant_id=tenant,
                    shortcut="boleto",
                    title="2ª via",
                    content="Segue o boleto.",
                    team_id=w.teams["financeiro"],
                ),
                QuickReply(tenant_id=other, shortcut="ola", title="Outro", content="Texto de outra empresa"),
                MessageTemplate(
                    tenant_id=tenant,
                    inbox_id=cloud.id,
                    name="retomar",
                    language="pt_BR",
                    body="Olá {{1}}, podemos continuar o atendimento do protocolo {{2}}?",
                ),
                MessageTemplate(
                    tenant_id=tenant, inbox_id=None, name="aviso", language="pt_BR", body="Aviso geral."
                ),
            ]
        )
        session.flush()
        w.messages["other_media"] = media.id
    return w


@pytest.fixture(scope="session")
def contract() -> Contract:
    from web.api.docs import openapi_spec

    return Contract(openapi_spec())


@pytest.fixture()
def as_user(app, db, world, contract) -> Callable[[str], Api]:  # type: ignore[no-untyped-def]
    """`as_user("ana")`: an API client with Ana's bearer token."""

    def make(key: str) -> Api:
        token = access_token(app, db, world.users[key])
        return Api(app.test_client(), contract, {"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture()
def anonymous(app, contract) -> Api:  # type: ignore[no-untyped-def]
    return Api(app.test_client(), contract)


@pytest.fixture()
def as_browser(app, db, world, contract) -> Callable[..., tuple[Api, str]]:  # type: ignore[no-untyped-def]
    """`as_browser("ana")`: (API client authenticated by the session cookie, its CSRF token). With
    `csrf=False` no page is loaded first (a page load would already end an expired session)."""

    def make(key: str, *, csrf: bool = True, **overrides: Any) -> tuple[Api, str]:
        client = browser_client(app, db, world.users[key], **overrides)
        return Api(client, contract), csrf_token(client) if csrf else ""

    return make
