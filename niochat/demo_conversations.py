"""The demo's conversations: one per state (with the AI, waiting, with an agent, closed with CSAT), with
their messages and events, so every tab of the inbox and every dashboard has something to show."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

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
)
from models.ai_activity import after_handoff, after_turn
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
    SenderKind,
)


def seed_conversations(
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
            "ai": {"intent": "sem_conexao"},  # what the Com IA tab shows (models.ai_activity)
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
            "event": (EventKind.HANDOFF, "Assunto financeiro (billing) — Preciso da segunda via da fatura"),
            "labels": ["Financeiro"],
            "ai": {
                "intent": "fatura",
                "handoff": ("billing", "Assunto financeiro", "Preciso da segunda via da fatura"),
            },
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
        if "ai" in script:
            conv.ai_activity = _ai_activity(script["ai"], started + timedelta(seconds=60), team)
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


def _ai_activity(ai: dict[str, Any], at: datetime, team: Any) -> dict[str, Any]:
    """What the attendant did, as a real run records it: the inbox shows it in Com IA and after hand-off."""
    activity = after_turn(None, intent=ai["intent"], tools=[], knowledge=None, at=at)
    if "handoff" in ai:
        code, label, detail = ai["handoff"]
        team_id = team.id if team else None
        activity = after_handoff(activity, reason=code, label=label, detail=detail, team_id=team_id, at=at)
    return activity
