"""The contract between the channel edge and the rest of NioChat.

Inbound, an adapter is stateless: `verify` (is this really the provider?) then `parse` (raw JSON →
normalized events). Outbound, `adapter.client(creds)` builds a provider client for one inbox. Every
client call makes exactly one HTTP attempt and raises `ProviderError`/`SendError` with `retryable` set:
retrying is the job's business (keyed by our message id), so a retry policy lives in one place.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

import httpx

from integrations.channels.credentials import (
    GRAPH_BASE_URL,
    TELEGRAM_BASE_URL,
    ChannelCredentials,
    EvolutionCredentials,
    TelegramCredentials,
    UazapiCredentials,
    WhatsAppCloudCredentials,
    build_credentials,
)
from integrations.channels.events import ContentType, Event, InboundMessage, MediaRef, PayloadError
from integrations.channels.normalize import require_dict

__all__ = [
    "GRAPH_BASE_URL",
    "TELEGRAM_BASE_URL",
    "AuthError",
    "ChannelAdapter",
    "ChannelClient",
    "ChannelCredentials",
    "DownloadedMedia",
    "EvolutionCredentials",
    "HistoryPage",
    "HistorySource",
    "InstanceConnection",
    "InstanceManager",
    "ListRow",
    "ListSection",
    "OutboundMessage",
    "PayloadError",
    "ProviderError",
    "SendError",
    "SendResult",
    "TelegramCredentials",
    "UazapiCredentials",
    "WebhookManager",
    "WhatsAppCloudCredentials",
    "build_credentials",
    "secrets_match",
]

_C = TypeVar("_C")

MEDIA_TYPES = frozenset(
    {ContentType.IMAGE, ContentType.VIDEO, ContentType.AUDIO, ContentType.DOCUMENT, ContentType.STICKER}
)


# --- errors ----------------------------------------------------------------------------------------------


class AuthError(Exception):
    """The webhook did not prove it comes from the provider: answer `status_code` and process nothing."""

    def __init__(self, reason: str, status_code: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class ProviderError(Exception):
    """A provider call failed. `retryable` decides between "try again later" and "tell the agent why".

    `reason` is human-readable (Portuguese, it reaches the agent's screen); `code` is the provider's error
    code or one of ours (`timeout`, `connection_error`, `http_<status>`). `maybe_sent` is True when the
    request left and the answer was lost (read timeout): a retry may duplicate the message.
    """

    def __init__(
        self,
        reason: str,
        retryable: bool = False,
        code: str | None = None,
        retry_after: float | None = None,
        *,
        status_code: int | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after
        self.status_code = status_code
        self.maybe_sent = maybe_sent

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.reason!r}, retryable={self.retryable}, code={self.code!r}, "
            f"retry_after={self.retry_after!r})"
        )


class SendError(ProviderError):
    """Raised by `send`: the outbound job retries when `retryable`, otherwise marks the message failed."""


def secrets_match(given: str | bytes | None, expected: str | bytes | None) -> bool:
    """Constant-time comparison; an unset expected secret never matches (fail closed)."""
    if not given or not expected:
        return False
    a = given.encode() if isinstance(given, str) else given
    b = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


# --- outbound --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListSection:
    title: str
    rows: Sequence[ListRow]


@dataclass(frozen=True)
class OutboundMessage:
    """One message to send, provider-neutral. Adapters send the closest thing each provider supports.

    `message_id` is our message id: the idempotency key the outbound job retries under (Meta echoes it
    back in statuses as `biz_opaque_callback_data`, Uazapi as `track_id`). For media give `media_bytes`
    or `media_url`. INTERACTIVE sends `buttons` ((id, title) pairs) or, when given, list `sections`.
    TEMPLATE is native on the Cloud API; elsewhere it falls back to `text` (the rendered template).
    """

    message_id: str
    to: str  # JID, phone digits, wa_id or Telegram chat id
    content_type: ContentType
    text: str | None = None
    media_bytes: bytes | None = field(default=None, repr=False)
    media_url: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    voice: bool = False  # send audio as a push-to-talk voice note
    buttons: Sequence[tuple[str, str]] = ()
    sections: Sequence[ListSection] = ()
    list_button: str | None = None  # label of the button that opens a list
    header: str | None = None
    footer: str | None = None
    template_name: str | None = None
    template_language: str = "pt_BR"
    template_parameters: Sequence[str] = ()
    template_components: Sequence[Mapping[str, Any]] | None = None  # raw Cloud components override
    reply_to_provider_id: str | None = None

    def __post_init__(self) -> None:
        kind = self.content_type
        if kind in MEDIA_TYPES and not (self.media_bytes or self.media_url):
            raise ValueError(f"{kind} message needs media_bytes or media_url")
        if kind == ContentType.INTERACTIVE and not (self.buttons or self.sections):
            raise ValueError("interactive message needs buttons or sections")
        if kind == ContentType.TEMPLATE and not (self.template_name or self.text):
            raise ValueError("template message needs template_name (or a text fallback)")
        if kind == ContentType.TEXT and not self.text:
            raise ValueError("text message needs text")

    @property
    def body_or_caption(self) -> str | None:
        return self.caption or self.text


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    raw: dict[str, Any] = field(default_factory=dict)


class DownloadedMedia(NamedTuple):
    """`(content, mime_type, filename)`: unpack it like a tuple or read the names."""

    content: bytes
    mime_type: str | None
    filename: str | None


@dataclass(frozen=True)
class HistoryPage:
    """One page of provider history. `next_cursor` None means done; pass it back to get the next page."""

    events: list[InboundMessage]
    next_cursor: str | None = None
    total: int | None = None
    skipped: int = 0  # records we could not read (kept out so one bad record cannot stall recovery)


def history_messages(
    records: Sequence[Any], parse: Callable[[dict[str, Any]], Event | None]
) -> tuple[list[InboundMessage], int]:
    """Run the webhook's record parser over history records; revokes and noise are not messages."""
    messages: list[InboundMessage] = []
    skipped = 0
    for record in records:
        try:
            if not isinstance(record, dict):
                raise PayloadError("history record is not an object")
            event = parse(record)
        except PayloadError:
            skipped += 1
            continue
        if isinstance(event, InboundMessage):
            messages.append(event)
    return messages, skipped


@dataclass(frozen=True)
class InstanceConnection:
    """Result of connecting a QR-code session: show `qr_code` (a data URI) or `pair_code` to the admin.

    `token` is set when the call created the instance and the provider issued a new instance token.
    """

    state: str  # open | connecting | close
    qr_code: str | None = None
    pair_code: str | None = None
    token: str | None = field(default=None, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


# --- interfaces ------------------------------------------------------------------------------------------


@runtime_checkable
class ChannelClient(Protocol):
    """What the outbound job and the media/transcription jobs need from any provider."""

    def send(self, msg: OutboundMessage) -> SendResult: ...

    def download_media(self, ref: MediaRef, provider_message_id: str) -> DownloadedMedia: ...

    def mark_read(self, chat_id: str, provider_message_ids: Sequence[str]) -> None: ...

    def send_typing(self, chat_id: str, *, last_inbound_id: str | None = None) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class WebhookManager(Protocol):
    """Providers whose webhook URL we register by API (Evolution, Uazapi, Telegram; not Meta)."""

    def set_webhook(self, url: str, secret: str | None = None) -> None: ...


@runtime_checkable
class InstanceManager(WebhookManager, Protocol):
    """QR-code sessions (Evolution, Uazapi): the back office connects, watches and logs them out."""

    def create_or_connect(self, phone: str | None = None) -> InstanceConnection: ...

    def connection_state(self) -> str: ...

    def logout(self) -> None: ...


@runtime_checkable
class HistorySource(Protocol):
    """Providers that keep message history we can page through to fill gaps (Evolution, Uazapi)."""

    def fetch_history(
        self,
        chat_id: str | None,
        since: datetime | None,
        until: datetime | None,
        cursor: str | None = None,
        *,
        page_size: int = 50,
    ) -> HistoryPage: ...


class ChannelAdapter(Protocol):
    """One per provider, stateless, looked up by channel type in `registry`."""

    channel_type: str
    has_instances: bool
    has_history: bool

    def verify(
        self,
        headers: Mapping[str, str],
        raw_body: bytes,
        query: Mapping[str, str],
        creds: ChannelCredentials,
    ) -> None:
        """Raise AuthError unless the request carries the right secret/signature."""

    def handshake(self, query: Mapping[str, str], creds: ChannelCredentials) -> str | None:
        """Answer a GET subscription handshake (Meta); None when the provider has none (answer 405)."""

    def parse(self, body: Any, headers: Mapping[str, str] | None = None) -> list[Event]:
        """Raw JSON → events; PayloadError when malformed, [] for events we do not use."""

    def client(
        self,
        creds: ChannelCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> ChannelClient:
        """A client for one inbox. Pass `http` to share a connection pool or point at a stub."""


def parse_one_or_many(
    body: Any, parse_one: Callable[[dict[str, Any]], list[Event]], *, provider: str, item: str
) -> list[Event]:
    """Providers POST one JSON object per event; some deployments batch a list of them."""
    if isinstance(body, list):
        return [event for entry in body for event in parse_one(require_dict(entry, item))]
    if not isinstance(body, dict):
        raise PayloadError(f"{provider} webhook body must be a JSON object")
    return parse_one(body)


def expect_credentials(creds: ChannelCredentials, cls: type[_C]) -> _C:
    """Adapters receive the union; a mismatch is a programming error, not a bad webhook."""
    if not isinstance(creds, cls):
        raise TypeError(f"expected {cls.__name__}, got {type(creds).__name__}")
    return creds
