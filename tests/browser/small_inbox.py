"""A small working inbox for the phone-layout and keyboard tests: one tenant, an agent of the support
team, an Evolution inbox pointing at the stub, a quick reply, and customers who wrote through the real
webhook (so their conversations wait in "Em espera"). Tests read the list's order from the page, never
assume it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from models import QuickReply
from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user
from tests.browser.conftest import Live
from tests.browser.helpers import PASSWORD
from tests.stubs import evolution as evo_stub

AGENT = "carlos@fibra.com.br"
CUSTOMERS = [
    ("5521998760002", "Ana Costa", "Meu boleto venceu ontem, como pego a 2ª via?"),
    ("5511912340001", "João Pereira", "Boa tarde, queria mudar meu plano para 600 mega"),
    ("5511987654321", "Maria Oliveira da Silva Albuquerque", "Oi, estou sem internet desde cedo 😟"),
]


@dataclass
class SmallInbox:
    tenant_id: int
    key: str
    secret: str


def seed(db: Any, live: Live) -> SmallInbox:
    """The tenant and its people, then the customers' messages through the webhook."""
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fibra", name="Provedor Fibra Telecom Ltda")
        carlos = create_user(
            session, tenant_id=tenant.id, email=AGENT, name="Carlos Souza", password=PASSWORD, role=Role.AGENT
        )
        create_team(session, tenant_id=tenant.id, name="Suporte Técnico", member_ids=[carlos.id])
        credentials = {"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
        inbox = create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Comercial",
            credentials=credentials,
            ai_enabled=False,
        )
        session.add(
            QuickReply(
                tenant_id=tenant.id,
                shortcut="ola",
                title="Saudação",
                content="Olá! Sou o Carlos, do Provedor Fibra. Já estou verificando sua conexão.",
            )
        )
        session.flush()
        small = SmallInbox(tenant.id, inbox.webhook_key, inbox.webhook_secret)
    for number, name, text in CUSTOMERS:
        customer_writes(live, small, text, number=number, name=name)
    return small


def customer_writes(live: Live, small: SmallInbox, text: str, *, number: str, name: str) -> None:
    payload = live.stub.make_text_webhook(text, number=number, push_name=name, timestamp=int(time.time()))
    response = live.stub.fire_webhook(
        f"{live.url}/webhooks/evolution/{small.key}", payload, headers={"X-NioChat-Secret": small.secret}
    )
    assert response.status_code == 200, response.text
