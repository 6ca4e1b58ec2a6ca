"""Normalized events every channel adapter produces.

One shape for Evolution, Uazapi, Meta Cloud API and Telegram, so `models.ingest` never branches on the
provider: adapters live at the edge and everything after them is shared (DESIGN.md, "one inbound message").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

MAX_BIGINT = 2**63 - 1  # what a PostgreSQL bigint column holds


class ContentType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE_REPLY = "interactive_reply"  # a tapped button / list row
    REACTION = "reaction"
    TEMPLATE = "template"
    INTERACTIVE = "interactive"  # buttons / list we sent
    SYSTEM = "system"
    UNSUPPORTED = "unsupported"


class DeliveryStatus(StrEnum):
    """Outbound delivery status. Ordered: a status only moves forward; FAILED is terminal."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


STATUS_RANK: dict[DeliveryStatus, int] = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


@dataclass(frozen=True)
class MediaRef:
    """Where an inbound media's bytes can be had: inline base64, or the provider's download handle."""

    mime_type: str | None = None
    filename: str | None = None
    size: int | None = None
    sha256: str | None = None  # as the provider reports it (base64 or hex); ours is computed on download
    seconds: int | None = None
    voice: bool = False  # a push-to-talk voice note
    inline_base64: str | None = None
    provider_media_id: str | None = None  # Meta media id, Telegram file_id, Evolution/Uazapi message id
    url: str | None = None

    def __post_init__(self) -> None:
        """A size or duration no file can have (negative, past PostgreSQL's bigint) is a provider's bad
        hint, not a reason to lose the message: it is dropped here, once for every provider, instead of
        overflowing `messages.media_size` (a 500 the provider redelivered forever)."""
        for name in ("size", "seconds"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_BIGINT:
                object.__setattr__(self, name, None)


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A message seen on the channel: from the customer, or `from_me` (typed by the business elsewhere)."""

    provider_message_id: str
    chat_id: str  # the provider's address of the contact: JID, wa_id or Telegram chat id
    timestamp: datetime  # aware, UTC
    content_type: ContentType
    from_me: bool = False
    phone: str | None = None  # digits as the provider gave them (no @suffix), when the chat is a phone
    telegram_chat_id: int | None = None
    contact_name: str | None = None
    text: str | None = None  # body, caption, or the title of a tapped button
    media: MediaRef | None = None
    location: Location | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)  # vCards: {"name", "phones": [...]}
    reply_to_provider_id: str | None = None  # quoted message
    interactive_reply_id: str | None = None  # id of the tapped button / list row / callback data
    reaction_emoji: str | None = None  # with content_type REACTION; "" removes the reaction
    reaction_to_provider_id: str | None = None
    is_group: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    # Our own message id echoed back by the provider (Uazapi `track_id`), for messages we sent.
    client_message_id: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """Delivery news about a message we (or the business phone) sent."""

    provider_message_id: str
    status: DeliveryStatus
    timestamp: datetime
    chat_id: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Our message id echoed back (Meta `biz_opaque_callback_data`): links a status to a send whose
    # answer was lost (timeout) before we learned the provider's id.
    client_message_id: str | None = None


@dataclass(frozen=True)
class MessageDeleted:
    """The sender deleted a message for everyone: we mark it, never erase it."""

    provider_message_id: str
    timestamp: datetime
    chat_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectionUpdate:
    """The provider session changed state (QR-code sessions drop and come back)."""

    state: str  # open | connecting | close | refused
    timestamp: datetime
    reason: str | None = None
    qr_code: str | None = None  # data URI of a QR image, when the provider sent one
    pair_code: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackAnswerNeeded:
    """Telegram asks us to answer a button press (answerCallbackQuery) so the client stops spinning."""

    callback_query_id: str
    raw: dict[str, Any] = field(default_factory=dict)


Event = InboundMessage | StatusUpdate | MessageDeleted | ConnectionUpdate | CallbackAnswerNeeded


class PayloadError(ValueError):
    """A webhook body that is malformed or not what the provider sends: the webhook answers 400."""
