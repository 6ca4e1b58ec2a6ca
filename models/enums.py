"""Every closed set of values the schema stores. StrEnum so values compare equal to their strings."""

from __future__ import annotations

from enum import StrEnum

from integrations.channels.events import ContentType, DeliveryStatus

__all__ = [
    "ActorKind",
    "Availability",
    "ChannelType",
    "CloseKind",
    "ContentType",
    "ConversationStatus",
    "CsatStatus",
    "DeliveryStatus",
    "Direction",
    "EventKind",
    "Priority",
    "Role",
    "SenderKind",
    "SyncStatus",
    "TenantStatus",
]


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Role(StrEnum):
    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


class ChannelType(StrEnum):
    EVOLUTION = "evolution"
    UAZAPI = "uazapi"
    WHATSAPP_CLOUD = "whatsapp_cloud"
    TELEGRAM = "telegram"


class ConversationStatus(StrEnum):
    BOT = "bot"  # Com IA
    PENDING = "pending"  # Em espera
    OPEN = "open"  # Em atendimento
    CLOSED = "closed"  # Encerrada


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class SenderKind(StrEnum):
    CONTACT = "contact"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class ActorKind(StrEnum):
    USER = "user"
    BOT = "bot"
    SYSTEM = "system"
    CONTACT = "contact"


class EventKind(StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    TRANSFERRED = "transferred"
    HANDOFF = "handoff"  # the AI hands the conversation to humans
    CLOSED = "closed"
    REOPENED = "reopened"
    PRIORITY_CHANGED = "priority_changed"
    LABEL_ADDED = "label_added"
    LABEL_REMOVED = "label_removed"
    CSAT_SENT = "csat_sent"
    CSAT_ANSWERED = "csat_answered"
    SNOOZED = "snoozed"  # "Adiar até…": hidden from the active lists until `data.until`
    UNSNOOZED = "unsnoozed"  # back in its queue; `data.cause`: manual, time or message
    TOOL_CALL = "tool_call"  # the AI consulted or acted on the SGP (tool, masked arguments, result)
    CSAT_ALERT = "csat_alert"  # a rating at or below the tenant's alert threshold (`data.score`)


class CsatStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DELIVERED = "delivered"  # the provider's status webhooks for the survey message (docs/csat.md)
    READ = "read"
    SKIPPED = "skipped"  # never scheduled or never sent: `CsatSurvey.reason` says why


class CloseKind(StrEnum):
    """Why a conversation was closed, when it matters: spam and merged duplicates get no CSAT survey."""

    RESOLVED = "resolved"
    SPAM = "spam"
    MERGE = "merge"


class SyncStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Availability(StrEnum):
    """An agent's own status in the inbox header. Only `online` agents receive work automatically; a
    direct transfer to an `away` agent is refused (docs/inbox.md)."""

    ONLINE = "online"
    AWAY = "away"  # Ausente
    OFFLINE = "offline"  # never chose, or logged out
