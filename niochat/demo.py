"""Demo data for a first `run` in development: a provider with a team, one inbox per channel and
conversations in every state, so the inbox, the back office and the dashboards have something to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Contact,
    Conversation,
    ConversationEvent,
    ConversationLabel,
    CsatResponse,
    CsatSurvey,
    Label,
    Message,
    MessageTemplate,
    QuickReply,
    Tenant,
)
from models.base import utcnow
from models.enums import (
    ActorKind,
    ChannelType,
    ContentType,
    ConversationStatus,
    CsatStatus,
    DeliveryStatus,
    Direction,
    EventKind,
    Role,
    SenderKind,
)
from models.provisioning import create_inbox, create_team, create_tenant, create_user, webhook_instructions

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
    },
    "telegram": {"port": 18084, "bot_token": "123456:demo-telegram"},
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
        }
    return {"api_base_url": base, "bot_token": stub["bot_token"]}


@dataclass
class DemoInfo:
    tenant: str
    password: str
    users: list[tuple[str, str, str]] = field(default_factory=list)  # email, name, role
    inboxes: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False


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
    return info


def seed_demo(session: Session, public_url: str) -> DemoInfo:
    """Idempotent: does nothing when the demo tenant exists. Runs in the caller's platform session."""
    if demo_present(session):
        info = describe_demo(session, public_url)
        return info
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
    _seed_conversations(session, tenant.id, inboxes, agents, teams, labels)
    info = describe_demo(session, public_url)
    info.created = True
    return info


def _seed_conversations(
    session: Session,
    tenant_id: int,
    inboxes: dict[ChannelType, Any],
    agents: list[Any],
    teams: dict[str, Any],
    labels: dict[str, Label],
) -> None:
    now = utcnow()
    evo, uaz, cloud, tg = (inboxes[c] for c in ChannelType)
    scripts: list[dict[str, Any]] = [
        {
            "inbox": evo,
            "contact": Contact(
                tenant_id=tenant_id,
                name="Maria Souza",
                phone_e164="+5511987654321",
                wa_id="5511987654321",
                cpf_cnpj="52998224725",
            ),
            "status": ConversationStatus.BOT,
            "ago": timedelta(minutes=3),
            "lines": [
                ("in", "Oi, estou sem internet desde ontem"),
                ("bot", "Olá, Maria! Sou a Nina, do Provedor Demo. Pode me informar o seu CPF?"),
                ("in", "529.982.247-25"),
            ],
            "labels": ["Sem internet"],
        },
        {
            "inbox": uaz,
            "contact": Contact(
                tenant_id=tenant_id, name="João Pereira", phone_e164="+5521998765432", wa_id="552198765432"
            ),
            "status": ConversationStatus.PENDING,
            "team": "Financeiro",
            "ago": timedelta(minutes=12),
            "lines": [
                ("in", "Preciso da segunda via da fatura"),
                ("bot", "Claro! Vou transferir você para o Financeiro."),
                ("in", "Obrigado, aguardo"),
            ],
            "event": (EventKind.HANDOFF, "Cliente pediu atendimento humano"),
            "labels": ["Financeiro"],
        },
        {
            "inbox": evo,
            "contact": Contact(
                tenant_id=tenant_id, name="Fernanda Lima", phone_e164="+5531991234567", wa_id="5531991234567"
            ),
            "status": ConversationStatus.OPEN,
            "assignee": agents[0],
            "team": "Suporte Técnico",
            "ago": timedelta(minutes=25),
            "lines": [
                ("in", "A internet está muito lenta à noite"),
                ("agent", "Boa noite, Fernanda! Vou verificar a sua conexão."),
                ("in", "Obrigada"),
            ],
            "labels": ["Lentidão"],
        },
        {
            "inbox": cloud,
            "contact": Contact(
                tenant_id=tenant_id, name="Ricardo Alves", phone_e164="+5541988887777", wa_id="5541988887777"
            ),
            "status": ConversationStatus.CLOSED,
            "assignee": agents[1],
            "team": "Comercial",
            "ago": timedelta(hours=5),
            "lines": [
                ("in", "Quais planos vocês têm?"),
                ("agent", "Temos FIBRA 300 por R$ 89,90 e FIBRA 600 por R$ 119,90."),
                ("in", "Vou querer o de 600, obrigado!"),
            ],
            "csat": 5,
        },
        {
            "inbox": tg,
            "contact": Contact(tenant_id=tenant_id, name="Paula Rocha", telegram_chat_id=111222333),
            "status": ConversationStatus.CLOSED,
            "ago": timedelta(days=1),
            "lines": [
                ("in", "Qual o horário de atendimento?"),
                ("bot", "Atendemos de segunda a sexta, das 8h às 18h, e aos sábados das 8h às 12h."),
            ],
            "resolved_by_ai": True,
            "csat": 4,
        },
    ]
    for script in scripts:
        contact = script["contact"]
        session.add(contact)
        session.flush()
        started = now - script["ago"]
        status = script["status"]
        team = teams.get(script.get("team", ""))
        assignee = script.get("assignee")
        conv = Conversation(
            tenant_id=tenant_id,
            inbox_id=script["inbox"].id,
            contact_id=contact.id,
            status=status,
            assignee_id=assignee.id if assignee else None,
            team_id=team.id if team else None,
            created_at=started,
            last_message_at=started + timedelta(seconds=40 * len(script["lines"])),
            last_inbound_at=started,
            resolved_by_ai=script.get("resolved_by_ai", False),
        )
        session.add(conv)
        session.flush()
        session.add_all(
            ConversationLabel(tenant_id=tenant_id, conversation_id=conv.id, label_id=labels[name].id)
            for name in script.get("labels", [])
        )
        first_status = ConversationStatus.BOT if script["inbox"].ai_enabled else ConversationStatus.PENDING
        _event(session, conv, EventKind.CREATED, ActorKind.CONTACT, started, to_status=first_status)
        for i, (who, text) in enumerate(script["lines"]):
            at = started + timedelta(seconds=40 * i)
            _message(session, conv, who, text, at, assignee)
            if who != "in" and conv.first_reply_at is None:
                conv.first_reply_at = at
            if who == "agent" and conv.first_human_reply_at is None:
                conv.first_human_reply_at = at
        if "event" in script:
            kind, reason = script["event"]
            _event(
                session,
                conv,
                kind,
                ActorKind.BOT,
                started + timedelta(seconds=60),
                reason=reason,
                from_status=ConversationStatus.BOT,
                to_status=ConversationStatus.PENDING,
                to_team_id=team.id if team else None,
            )
            conv.waiting_since = started + timedelta(seconds=60)
            conv.handoff_reason = reason
        if assignee is not None:
            _event(
                session,
                conv,
                EventKind.ASSIGNED,
                ActorKind.USER,
                started + timedelta(seconds=30),
                actor_user_id=assignee.id,
                to_assignee_id=assignee.id,
                from_status=ConversationStatus.PENDING,
                to_status=ConversationStatus.OPEN,
            )
        if status is ConversationStatus.CLOSED:
            closed_at = started + timedelta(minutes=10)
            conv.closed_at = closed_at
            conv.closed_by_id = assignee.id if assignee else None
            conv.close_reason = "Resolvido"
            _event(
                session,
                conv,
                EventKind.CLOSED,
                ActorKind.USER if assignee else ActorKind.BOT,
                closed_at,
                actor_user_id=assignee.id if assignee else None,
                reason="Resolvido",
                to_status=ConversationStatus.CLOSED,
            )
            if "csat" in script:
                survey = CsatSurvey(
                    tenant_id=tenant_id,
                    conversation_id=conv.id,
                    contact_id=contact.id,
                    inbox_id=conv.inbox_id,
                    agent_id=conv.assignee_id,
                    team_id=conv.team_id,
                    handled_by_ai=conv.resolved_by_ai,
                    status=CsatStatus.ANSWERED,
                    scheduled_for=closed_at + timedelta(seconds=90),
                    sent_at=closed_at + timedelta(seconds=90),
                    answered_at=closed_at + timedelta(minutes=3),
                    expires_at=closed_at + timedelta(days=1),
                )
                session.add(survey)
                session.flush()
                session.add(
                    CsatResponse(
                        tenant_id=tenant_id,
                        survey_id=survey.id,
                        score=script["csat"],
                        interpreted_by="button",
                        sentiment="positive",
                    )
                )


def _message(session: Session, conv: Conversation, who: str, text: str, at: datetime, agent: Any) -> None:
    inbound = who == "in"
    sender = {"in": SenderKind.CONTACT, "bot": SenderKind.BOT, "agent": SenderKind.AGENT}[who]
    session.add(
        Message(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            inbox_id=conv.inbox_id,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            sender_kind=sender,
            sender_user_id=agent.id if who == "agent" and agent else None,
            content_type=ContentType.TEXT,
            text=text,
            provider_message_id=f"demo-{conv.id}-{at.timestamp():.0f}-{who}",
            provider_timestamp=at,
            status=None if inbound else DeliveryStatus.READ,
            sent_at=None if inbound else at,
            delivered_at=None if inbound else at + timedelta(seconds=2),
            read_at=None if inbound else at + timedelta(seconds=20),
            sentiment=("negative" if "sem internet" in text.lower() or "lenta" in text.lower() else "neutral")
            if inbound
            else None,
            sentiment_score=Decimal("-0.6") if inbound and "sem internet" in text.lower() else None,
            created_at=at,
        )
    )


def _event(
    session: Session, conv: Conversation, kind: EventKind, actor: ActorKind, at: datetime, **fields: Any
) -> None:
    session.add(
        ConversationEvent(
            tenant_id=conv.tenant_id,
            conversation_id=conv.id,
            kind=kind,
            actor_kind=actor,
            created_at=at,
            **fields,
        )
    )
