"""What the outbound job sends, and how it recognises a message it may already have sent.

`build_outbound` turns a stored message into the provider-neutral `OutboundMessage`. `Message.payload`
carries what text cannot: buttons `[{"id","title"}]` (or `[id, title]` pairs), list `sections`
`[{"title","rows":[{"id","title","description"}]}]` with `list_button`, `header`, `footer`; templates as
`template_name`, `language`, `parameters` (body texts) or raw Cloud `components`; `voice` for audio notes
and `media_url` to send a link instead of stored bytes.

`find_sent` answers "did an earlier, interrupted attempt reach the provider?" where the provider lets us
look: Uazapi echoes our id (`track_id`) in its history, so absence is proof; Evolution keeps no key of
ours, so we match our own (fromMe) message by content within minutes of the attempt. Meta and Telegram
offer no lookup: `LookupUnsupported`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from integrations.channels.base import (
    MEDIA_TYPES,
    ChannelClient,
    HistorySource,
    ListRow,
    ListSection,
    OutboundMessage,
)
from integrations.channels.events import ContentType, InboundMessage
from integrations.storage import MediaStorage
from models.delivery import SendPlan

LOOKBACK = timedelta(minutes=2)  # provider clocks and ours disagree by seconds, not minutes


class Unsendable(ValueError):
    """The stored message cannot become a provider message; the text is for the agent."""


class LookupUnsupported(Exception):
    """The provider offers no way to tell whether a message reached it."""


def _buttons(raw: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in raw or []:
        if isinstance(item, dict):
            pairs.append((str(item.get("id") or item.get("title")), str(item.get("title") or item.get("id"))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((str(item[0]), str(item[1])))
    return pairs


def _sections(raw: Any) -> list[ListSection]:
    sections = []
    for section in raw or []:
        rows = [
            ListRow(str(r.get("id")), str(r.get("title")), r.get("description"))
            for r in section.get("rows") or []
            if isinstance(r, dict)
        ]
        sections.append(ListSection(str(section.get("title") or ""), rows))
    return sections


def build_outbound(plan: SendPlan, storage: MediaStorage) -> OutboundMessage:
    """Our id goes out as the idempotency key (`message_id`) wherever the provider carries one."""
    if plan.address is None:
        raise Unsendable("O contato não tem endereço para este canal.")
    kind = ContentType(plan.content_type)
    payload = plan.payload
    fields: dict[str, Any] = {
        "message_id": str(plan.message_id),
        "to": plan.address,
        "content_type": kind,
        "text": plan.text,
        "reply_to_provider_id": plan.reply_to_provider_id,
    }
    if kind in MEDIA_TYPES:
        fields.update(
            mime_type=plan.media_mime,
            filename=plan.media_filename,
            voice=bool(payload.get("voice") or plan.media_meta.get("voice")),
            media_url=payload.get("media_url"),
        )
        if not payload.get("media_url"):
            if plan.media_sha256 is None:
                raise Unsendable("Arquivo da mensagem não encontrado.")
            try:
                fields["media_bytes"] = storage.get(plan.media_sha256)
            except FileNotFoundError:
                raise Unsendable("Arquivo da mensagem não encontrado no armazenamento.") from None
    elif kind == ContentType.INTERACTIVE:
        fields.update(
            buttons=_buttons(payload.get("buttons")),
            sections=_sections(payload.get("sections")),
            list_button=payload.get("list_button"),
            header=payload.get("header"),
            footer=payload.get("footer"),
        )
    elif kind == ContentType.TEMPLATE:
        fields.update(
            template_name=payload.get("template_name"),
            template_language=payload.get("language") or "pt_BR",
            template_parameters=[str(p) for p in payload.get("parameters") or []],
            template_components=payload.get("components"),
        )
    elif kind != ContentType.TEXT:
        raise Unsendable(f"Mensagens do tipo {kind.value} não podem ser enviadas por aqui.")
    try:
        return OutboundMessage(**fields)
    except ValueError as exc:
        raise Unsendable(f"Mensagem incompleta: {exc}") from exc


def find_sent(
    client: ChannelClient, plan: SendPlan, known: Callable[[Iterable[str]], set[str]]
) -> str | None:
    """The provider id of our interrupted send, or None when the provider does not have it.

    `known(ids)` returns the ids already stored as other messages, which cannot be ours.
    """
    if not isinstance(client, HistorySource) or plan.address is None:
        raise LookupUnsupported
    since = plan.claimed_at - LOOKBACK
    page = client.fetch_history(plan.address, since, None, page_size=50)
    mine = [e for e in page.events if e.from_me]
    for event in mine:
        if event.client_message_id == str(plan.message_id):
            return event.provider_message_id
    if plan.channel_type == "uazapi":
        return None  # every send carries track_id: not echoed means not there
    candidates = [e for e in mine if e.timestamp >= since and _same_content(e, plan)]
    taken = known([e.provider_message_id for e in candidates])
    free = sorted((e for e in candidates if e.provider_message_id not in taken), key=lambda e: e.timestamp)
    return free[0].provider_message_id if free else None


def _same_content(event: InboundMessage, plan: SendPlan) -> bool:
    kind = ContentType(plan.content_type)
    if kind in MEDIA_TYPES:
        return event.content_type == kind and (event.text or None) == (plan.text or None)
    return (event.text or "").strip() == (plan.text or "").strip()
