"""Demo data for a first `run` in development: a provider with a team, one inbox per channel and
conversations in every state, so the inbox, the back office and the dashboards have something to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Label,
    MessageTemplate,
    QuickReply,
    SgpIntegration,
    Tenant,
)
from models.enums import (
    ChannelType,
    Role,
)
from models.provisioning import create_inbox, create_team, create_tenant, create_user, webhook_instructions
from niochat.demo_conversations import seed_conversations
from niochat.demo_knowledge import ensure_demo_knowledge

DEMO_SLUG = "demo"
DEMO_PASSWORD = "niochat-demo"  # noqa: S105  development-only demo accounts, printed at start
DEMO_USERS = [
    ("admin@demo.niochat.local", "Ana Admin", Role.ADMIN),
    ("carlos@demo.niochat.local", "Carlos Agente", Role.AGENT),
    ("beatriz@demo.niochat.local", "Beatriz Agente", Role.AGENT),
]
DEMO_TEAMS = ["Suporte Técnico", "Financeiro", "Comercial"]

# The demo inboxes talk to loopback stubs of the providers, which `niochat run` starts in development
# (tests/stubs/dev.py). One table for both sides, so the keys the stubs expect are the ones we send.
DEMO_STUB_HOST = "127.0.0.1"
DEMO_STUBS: dict[str, dict[str, Any]] = {
    "evolution": {"port": 18081, "api_key": "demo-evolution-key", "instance": "demo"},
    "uazapi": {"port": 18082, "token": "demo-uazapi-token", "instance_name": "demo"},
    "whatsapp_cloud": {
        "port": 18083,
        "access_token": "demo-cloud-token",
        "app_secret": "demo-app-secret",
        "phone_number_id": "106540352242922",
        "waba_id": "102290129340398",
    },
    "telegram": {"port": 18084, "bot_token": "123456:demo-telegram"},
    "sgp": {"port": 18085, "app": "niochat-demo", "token": "demo-sgp-token"},
}


def demo_credentials(channel: ChannelType) -> dict[str, Any]:
    """The stored credentials of a demo inbox: its stub's address and the keys that stub accepts."""
    stub = DEMO_STUBS[channel.value]
    base = f"http://{DEMO_STUB_HOST}:{stub['port']}"
    if channel is ChannelType.EVOLUTION:
        return {"base_url": base, "api_key": stub["api_key"], "instance": stub["instance"]}
    if channel is ChannelType.UAZAPI:
        return {"base_url": base, "token": stub["token"], "instance_name": stub["instance_name"]}
    if channel is ChannelType.WHATSAPP_CLOUD:
        return {
            "graph_base_url": f"{base}/v21.0",
            "access_token": stub["access_token"],
            "phone_number_id": stub["phone_number_id"],
            "app_secret": stub["app_secret"],
            "waba_id": stub["waba_id"],
        }
    return {"api_base_url": base, "bot_token": stub["bot_token"]}


def ensure_demo_sgp(session: Session, tenant_id: int) -> None:
    """Point the demo tenant at the SGP stub (tests/stubs/sgp.py), whose scripted customers include the
    demo contacts' phones. Also run for a demo seeded before the SGP existed, so old instances get it."""
    if session.scalar(sa.select(SgpIntegration.id).where(SgpIntegration.tenant_id == tenant_id)):
        return
    stub = DEMO_STUBS["sgp"]
    session.add(
        SgpIntegration(
            tenant_id=tenant_id,
            base_url=f"http://{DEMO_STUB_HOST}:{stub['port']}",
            auth_mode="token",
            app_name=stub["app"],
            token=stub["token"],
        )
    )


@dataclass
class DemoInfo:
    tenant: str
    password: str
    users: list[tuple[str, str, str]] = field(default_factory=list)  # email, name, role
    inboxes: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False
    sgp_url: str | None = None


def demo_present(session: Session) -> bool:
    return session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG)) is not None


def describe_demo(session: Session, public_url: str) -> DemoInfo:
    from models import Inbox, User

    tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == DEMO_SLUG))
    info = DemoInfo(tenant=DEMO_SLUG, password=DEMO_PASSWORD)
    if tenant is None:
        return info
    for user in session.scalars(sa.select(User).where(User.tenant_id == tenant.id).order_by(User.id)):
        info.users.append((user.email, user.name, str(user.role)))
    for inbox in session.scalars(sa.select(Inbox).where(Inbox.tenant_id == tenant.id).order_by(Inbox.id)):
        info.inboxes.append({"name": inbox.name, **webhook_instructions(inbox, public_url)})
    sgp = sa.select(SgpIntegration.base_url).where(SgpIntegration.tenant_id == tenant.id)
    info.sgp_url = session.scalar(sgp)
    return info


def seed_demo(session: Session, public_url: str) -> DemoInfo:
    """Idempotent: does nothing when the demo tenant exists. Runs in the caller's platform session."""
    existing = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    if existing is not None:
        ensure_demo_sgp(session, existing)
        ensure_demo_knowledge(session, existing)
        return describe_demo(session, public_url)
    tenant = create_tenant(session, slug=DEMO_SLUG, name="Provedor Demo")
    tenant.company = {
        "razao_social": "Provedor Demo Telecomunicações LTDA",
        "cnpj": "11222333000181",
        "telefone": "+551130000000",
        "site": "https://provedor.demo",
        "planos": [
            {"nome": "FIBRA 300", "velocidade": "300MB", "preco": "89.90"},
            {"nome": "FIBRA 600", "velocidade": "600MB", "preco": "119.90"},
        ],
    }
    tenant.persona = {
        "nome": "Nina",
        "tom": "cordial e objetivo",
        "saudacao": "Olá! Sou a Nina, do Provedor Demo.",
    }
    users = {
        email: create_user(
            session, tenant_id=tenant.id, email=email, name=name, password=DEMO_PASSWORD, role=role
        )
        for email, name, role in DEMO_USERS
    }
    agents = [users["carlos@demo.niochat.local"], users["beatriz@demo.niochat.local"]]
    teams = {
        "Suporte Técnico": create_team(
            session, tenant_id=tenant.id, name="Suporte Técnico", member_ids=[agents[0].id]
        ),
        "Financeiro": create_team(session, tenant_id=tenant.id, name="Financeiro", member_ids=[agents[1].id]),
        "Comercial": create_team(
            session, tenant_id=tenant.id, name="Comercial", member_ids=[a.id for a in agents]
        ),
    }
    _demo_handoff_rules(session, tenant.id, {name: team.id for name, team in teams.items()})
    inboxes = {
        ChannelType.EVOLUTION: create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Suporte (Evolution)",
            phone_number="+5511930000001",
            credentials=demo_credentials(ChannelType.EVOLUTION),
        ),
        ChannelType.UAZAPI: create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.UAZAPI,
            name="WhatsApp Financeiro (Uazapi)",
            phone_number="+5511930000002",
            credentials=demo_credentials(ChannelType.UAZAPI),
        ),
        ChannelType.WHATSAPP_CLOUD: create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.WHATSAPP_CLOUD,
            name="WhatsApp Oficial (Cloud API)",
            phone_number="+5511930000003",
            credentials=demo_credentials(ChannelType.WHATSAPP_CLOUD),
        ),
        ChannelType.TELEGRAM: create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.TELEGRAM,
            name="Telegram Bot",
            credentials=demo_credentials(ChannelType.TELEGRAM),
        ),
    }
    labels = {
        name: Label(tenant_id=tenant.id, name=name, color=color)
        for name, color in [
            ("Sem internet", "#dc2626"),
            ("Financeiro", "#2563eb"),
            ("Lentidão", "#d97706"),
            ("Cancelamento", "#7c3aed"),
        ]
    }
    session.add_all(labels.values())
    session.add_all(
        [
            QuickReply(
                tenant_id=tenant.id, shortcut="bomdia", title="Bom dia", content="Bom dia! Como posso ajudar?"
            ),
            QuickReply(
                tenant_id=tenant.id,
                shortcut="aguarde",
                title="Aguarde",
                content="Só um instante, estou verificando para você.",
            ),
            QuickReply(
                tenant_id=tenant.id,
                shortcut="reiniciar",
                title="Reiniciar roteador",
                content="Por favor, desligue o roteador da tomada, aguarde 30 segundos e ligue novamente.",
            ),
            MessageTemplate(
                tenant_id=tenant.id,
                inbox_id=inboxes[ChannelType.WHATSAPP_CLOUD].id,
                name="fatura_aberta",
                language="pt_BR",
                category="UTILITY",
                body="Olá {{1}}, sua fatura de {{2}} vence em {{3}}.",
                components=[{"type": "body", "parameters": 3}],
            ),
        ]
    )
    session.flush()
    seed_conversations(session, tenant.id, inboxes, agents, teams, labels)
    ensure_demo_sgp(session, tenant.id)
    ensure_demo_knowledge(session, tenant.id)
    info = describe_demo(session, public_url)
    info.created = True
    return info


def _demo_handoff_rules(session: Session, tenant_id: int, teams: dict[str, int]) -> None:
    """The AI hands off to the demo's teams by reason (assistant.policy): money to Financeiro, sales and
    cancellations to Comercial, the rest to Suporte Técnico."""
    from models.ai import AISettings

    settings = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant_id))
    if settings is not None:
        settings.handoff_rules = {
            "teams": {"financeiro": teams["Financeiro"], "comercial": teams["Comercial"],
                      "retencao": teams["Comercial"]},
            "default_team": teams["Suporte Técnico"],
        }  # fmt: skip
