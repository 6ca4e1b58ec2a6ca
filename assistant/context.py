"""Reading what a turn needs from the database, in one short transaction before the engine runs.

The engine then runs with no transaction open (it waits on the SGP and maybe a model for seconds); the
runner writes the outcome in a second transaction that re-checks the conversation is still with the AI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from assistant.engine import HistoryItem, TenantProfile
from assistant.memory import Memory, memory_of
from assistant.policy import business_status
from models.ai import AISettings, KnowledgeEntry
from models.ai_state import AIConversationState
from models.conversation import Conversation
from models.enums import ConversationStatus, Direction, SenderKind
from models.message import Message
from models.sgp import SgpIntegration
from models.tenant import Tenant

HISTORY = 20  # messages the model engine sees before the new ones


@dataclass(frozen=True)
class EngineConfig:
    """Which engine and model, resolved from the tenant's settings or the platform default."""

    engine: str  # builtin | model
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    temperature: float = 0.3


@dataclass
class Loaded:
    conversation_id: int
    tenant_id: int
    contact_id: int
    profile: TenantProfile
    memory: Memory
    messages: list[Message]
    history: list[HistoryItem]
    contact_name: str | None
    contact_phone: str | None
    settings: AISettings
    engine: EngineConfig
    sgp: Any  # integrations.sgp.SgpConfig | None
    allow_trust_unlock: bool
    allow_open_ticket: bool
    handoff_rules: dict[str, Any]

    @property
    def last_message_id(self) -> int:
        return max(m.id for m in self.messages)


def ai_settings(session: Session, tenant_id: int) -> AISettings:
    """The tenant's row, or the defaults (unsaved) when it has none: the attendant works out of the box."""
    found = session.scalar(sa.select(AISettings))
    return found if found is not None else AISettings(tenant_id=tenant_id)


def engine_config(settings: AISettings) -> EngineConfig:
    """A tenant key makes a model engine; else the platform's OPENAI_API_KEY; else the built-in one."""
    from niochat.config import get_settings

    if settings.provider == "builtin":
        return EngineConfig("builtin")
    if settings.api_key or (settings.base_url and settings.provider in {"ollama", "vllm", "compatible"}):
        return EngineConfig(
            "model", settings.base_url, settings.model, settings.api_key or "not-needed", settings.temperature
        )
    platform = get_settings()
    if platform.openai_api_key:
        return EngineConfig(
            "model",
            platform.openai_base_url or None,
            platform.ai_model or settings.model,
            platform.openai_api_key,
            settings.temperature,
        )
    return EngineConfig("builtin")


def profile(session: Session, tenant: Tenant, settings: AISettings, now: datetime) -> TenantProfile:
    entries = session.execute(
        sa.select(KnowledgeEntry.title, KnowledgeEntry.content, KnowledgeEntry.tags)
        .where(KnowledgeEntry.enabled.is_(True))
        .order_by(KnowledgeEntry.id)
        .limit(50)
    ).all()
    open_now, back_at = business_status(tenant.business_hours, tenant.timezone, now)
    return TenantProfile(
        name=tenant.name,
        persona=dict(tenant.persona or {}),
        company=dict(tenant.company or {}),
        instructions=settings.instructions,
        knowledge=tuple((str(a), str(b)) for a, b, _ in entries),
        knowledge_tags=tuple(" ".join(str(tag) for tag in tags or ()) for _, _, tags in entries),
        open_now=open_now,
        back_at=back_at,
    )


def load_turn(session: Session, conversation_id: int, now: datetime) -> Loaded | None:
    """None when there is nothing to do: the conversation left `bot`, the AI is off, or no new message.

    Few round trips, as this runs for every customer message: the conversation with its memory, then
    the tenant with its AI settings and SGP, then the messages and the knowledge base."""
    found = session.execute(
        sa.select(Conversation, AIConversationState)
        .outerjoin(AIConversationState, AIConversationState.conversation_id == Conversation.id)
        .where(Conversation.id == conversation_id)
        .options(lazyload(Conversation.labels))  # the attendant never reads them: one query less
    ).first()
    if found is None:
        return None
    conv, existing = found
    if conv.status != ConversationStatus.BOT or not conv.inbox.ai_enabled:
        return None
    tenant, stored_settings, integration = session.execute(
        sa.select(Tenant, AISettings, SgpIntegration)
        .outerjoin(AISettings, AISettings.tenant_id == Tenant.id)
        .outerjoin(
            SgpIntegration, sa.and_(SgpIntegration.tenant_id == Tenant.id, SgpIntegration.enabled.is_(True))
        )
        .where(Tenant.id == conv.tenant_id)
    ).one()
    settings = stored_settings if stored_settings is not None else AISettings(tenant_id=conv.tenant_id)
    if not settings.enabled:
        return None
    after: int | sa.ScalarSelect[Any]
    if existing is not None and existing.last_message_id:
        after = existing.last_message_id
    else:  # first run here (or a conversation older than the attendant): what was answered is done
        after = (
            sa.select(sa.func.coalesce(sa.func.max(Message.id), 0))
            .where(Message.conversation_id == conversation_id, Message.direction == Direction.OUTBOUND)
            .scalar_subquery()
        )  # in the query below: one round trip
    new = list(
        session.scalars(
            sa.select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == Direction.INBOUND,
                Message.sender_kind == SenderKind.CONTACT,
                Message.id > after,
            )
            .order_by(Message.id)
        )
    )
    if not new:
        return None
    memory = memory_of(existing, conv.contact)  # read, not locked: the write phase locks and saves it
    session.expunge_all()  # the read transaction creates nothing; the write phase saves the state
    older = session.scalars(
        sa.select(Message)
        .where(
            Message.conversation_id == conversation_id, Message.id < new[0].id, Message.is_private.is_(False)
        )
        .order_by(Message.id.desc())
        .limit(HISTORY)
    ).all()
    sgp = None
    if integration is not None:
        from models.sgp import sgp_config

        sgp = sgp_config(integration)
    return Loaded(
        conversation_id=conv.id,
        tenant_id=conv.tenant_id,
        contact_id=conv.contact_id,
        profile=profile(session, tenant, settings, now),
        memory=memory,
        messages=new,
        history=[_history_item(m) for m in reversed(older) if m.text or m.transcription],
        contact_name=conv.contact.name,
        contact_phone=(conv.contact.phone_e164 or "").lstrip("+") or None,
        settings=settings,
        engine=engine_config(settings),
        sgp=sgp,
        allow_trust_unlock=integration.allow_trust_unlock if integration else False,
        allow_open_ticket=integration.allow_open_ticket if integration else False,
        handoff_rules=dict(settings.handoff_rules or {}),
    )


def _history_item(message: Message) -> HistoryItem:
    if message.direction == Direction.INBOUND:
        return HistoryItem("customer", message.text or message.transcription or "")
    return HistoryItem("assistant" if message.sender_kind == SenderKind.BOT else "agent", message.text or "")
