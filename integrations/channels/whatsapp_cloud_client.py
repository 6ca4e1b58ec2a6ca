"""Meta WhatsApp Cloud API client (Graph v21.0): send, upload/download media, read marks, typing, and the
business account's message templates (`list_templates`, needs the optional `waba_id` credential).

Our message id travels as `biz_opaque_callback_data` and comes back on every status webhook. Meta throttles
with HTTP 400 and codes (130429, 131056, 80007…), so classification reads the code, not only the status.
Free-form messages outside the 24-hour window are accepted and fail later with a 131047 status.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from integrations.channels.base import (
    DownloadedMedia,
    OutboundMessage,
    ProviderError,
    SendError,
    SendResult,
    WhatsAppCloudCredentials,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.normalize import as_dict, only_digits, opt_int, opt_str
from integrations.channels.transport import ErrorInfo, Transport
from integrations.channels.whatsapp_cloud_parse import error_reason
from integrations.channels.whatsapp_cloud_templates import (
    FIELDS,
    MAX_PAGES,
    PAGE_LIMIT,
    MetaTemplate,
    parse_page,
)

RETRYABLE_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004})
BUTTON_TITLE_MAX = 20
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
_MEDIA_KEY = {
    ContentType.IMAGE: "image",
    ContentType.VIDEO: "video",
    ContentType.AUDIO: "audio",
    ContentType.DOCUMENT: "document",
    ContentType.STICKER: "sticker",
}
_CAPTIONED = {ContentType.IMAGE, ContentType.VIDEO, ContentType.DOCUMENT}


def describe_error(response: httpx.Response, body: Any) -> ErrorInfo:
    """`{"error":{"message","type","code","error_data":{"details"}}}` → reason, code, retryability."""
    error = as_dict(as_dict(body).get("error"))
    code = opt_int(error.get("code"))
    details = opt_str(as_dict(error.get("error_data")).get("details"))
    fallback = opt_str(error.get("message")) or f"Meta respondeu {response.status_code}"
    reason = error_reason(code, fallback)
    if details and code not in (None, 190):
        reason = f"{reason} ({details})"
    retryable = True if code in RETRYABLE_CODES else None  # otherwise decided by HTTP status
    return ErrorInfo(reason, str(code) if code is not None else None, retryable)


def _truncate(text: str, limit: int) -> str:
    """Meta rejects long titles outright; a clipped title beats a failed message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_message(msg: OutboundMessage, media_id: str | None = None) -> dict[str, Any]:
    """The exact JSON for `POST /{phone-number-id}/messages`. `media_id` replaces the link after upload."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": only_digits(msg.to),
    }
    kind = msg.content_type
    if kind == ContentType.TEMPLATE and msg.template_name:
        template: dict[str, Any] = {"name": msg.template_name, "language": {"code": msg.template_language}}
        if msg.template_components is not None:
            template["components"] = [dict(c) for c in msg.template_components]
        elif msg.template_parameters:
            params = [{"type": "text", "text": p} for p in msg.template_parameters]
            template["components"] = [{"type": "body", "parameters": params}]
        body.update(type="template", template=template)
    elif kind in (ContentType.TEXT, ContentType.TEMPLATE):
        body.update(type="text", text={"body": msg.text, "preview_url": False})
    elif kind == ContentType.INTERACTIVE:
        body.update(type="interactive", interactive=_interactive(msg))
    elif kind in _MEDIA_KEY:
        media: dict[str, Any] = {"id": media_id} if media_id else {"link": msg.media_url}
        if kind in _CAPTIONED and msg.body_or_caption:
            media["caption"] = msg.body_or_caption
        if kind == ContentType.DOCUMENT:
            media["filename"] = msg.filename or "documento"
        body.update(type=_MEDIA_KEY[kind], **{_MEDIA_KEY[kind]: media})
    else:
        raise SendError(
            f"A API da Meta não envia mensagens do tipo {kind}.", retryable=False, code="unsupported"
        )
    if msg.reply_to_provider_id:
        body["context"] = {"message_id": msg.reply_to_provider_id}
    body["biz_opaque_callback_data"] = msg.message_id
    return body


def _interactive(msg: OutboundMessage) -> dict[str, Any]:
    interactive: dict[str, Any]
    if msg.sections:
        sections = [
            {
                "title": _truncate(s.title, ROW_TITLE_MAX),
                "rows": [_row(r.id, r.title, r.description) for r in s.rows],
            }
            for s in msg.sections
        ]
        action = {"button": _truncate(msg.list_button or "Menu", BUTTON_TITLE_MAX), "sections": sections}
        interactive = {"type": "list", "body": {"text": msg.text or ""}, "action": action}
    else:
        if len(msg.buttons) > 3:
            raise SendError(
                "A API da Meta aceita no máximo 3 botões.", retryable=False, code="too_many_buttons"
            )
        buttons = [
            {"type": "reply", "reply": {"id": bid, "title": _truncate(title, BUTTON_TITLE_MAX)}}
            for bid, title in msg.buttons
        ]
        interactive = {"type": "button", "body": {"text": msg.text or ""}, "action": {"buttons": buttons}}
    if msg.header:
        interactive["header"] = {"type": "text", "text": msg.header}
    if msg.footer:
        interactive["footer"] = {"text": msg.footer}
    return interactive


def _row(row_id: str, title: str, description: str | None) -> dict[str, Any]:
    row = {"id": row_id, "title": _truncate(title, ROW_TITLE_MAX)}
    if description:
        row["description"] = _truncate(description, ROW_DESCRIPTION_MAX)
    return row


class WhatsAppCloudClient:
    """One business phone number (`phone_number_id`) on the Cloud API."""

    def __init__(
        self,
        creds: WhatsAppCloudCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self.creds = creds
        auth = {"Authorization": f"Bearer {creds.access_token}"}
        self._t = Transport("Meta", describe=describe_error, headers=auth, client=http, timeout=timeout)

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> WhatsAppCloudClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, path: str) -> str:
        return f"{self.creds.graph_base_url.rstrip('/')}/{path}"

    def _post_message(self, body: Mapping[str, Any], error: type[ProviderError] = ProviderError) -> Any:
        return self._t.request(
            "POST", self._url(f"{self.creds.phone_number_id}/messages"), json=body, error=error
        )

    def send(self, msg: OutboundMessage) -> SendResult:
        """Bytes are uploaded first (`/media`), then sent by id; URLs go as `link`."""
        media_id = None
        if msg.content_type in _MEDIA_KEY and msg.media_bytes is not None and not msg.media_url:
            media_id = self.upload_media(msg.media_bytes, _mime(msg), msg.filename)
        answer = as_dict(self._post_message(build_message(msg, media_id), SendError))
        first = as_dict(next(iter(answer.get("messages") or []), None))
        provider_id = opt_str(first.get("id"))
        if not provider_id:
            raise SendError("A Meta não devolveu o id da mensagem.", code="invalid_response", maybe_sent=True)
        return SendResult(provider_message_id=provider_id, raw=answer)

    def upload_media(self, content: bytes, mime_type: str, filename: str | None = None) -> str:
        files = {"file": (filename or "file", content, mime_type)}
        data = {"messaging_product": "whatsapp", "type": mime_type}
        url = self._url(f"{self.creds.phone_number_id}/media")
        answer = as_dict(self._t.request("POST", url, files=files, data=data, error=SendError))
        media_id = opt_str(answer.get("id"))
        if not media_id:
            raise SendError("A Meta não devolveu o id da mídia enviada.", code="invalid_response")
        return media_id

    def download_media(self, ref: MediaRef, provider_message_id: str) -> DownloadedMedia:
        """`GET /{media-id}` for a short-lived URL, then `GET url` with the same Bearer token."""
        media_id = ref.provider_media_id
        if not media_id:
            raise ProviderError("Mensagem sem id de mídia.", code="no_media")
        info = as_dict(self._t.request("GET", self._url(media_id)))
        url = opt_str(info.get("url"))
        if not url:
            raise ProviderError("A Meta não devolveu a URL da mídia.", code="invalid_response")
        content, served = self._t.download(url)
        mime = opt_str(info.get("mime_type")) or ref.mime_type or served
        filename = ref.filename or f"{media_id}{mimetypes.guess_extension(mime or '') or ''}"
        return DownloadedMedia(content, mime, filename)

    def list_templates(self) -> list[MetaTemplate]:
        """Every template of the inbox's WhatsApp Business Account (`waba_id`), following the `after`
        cursor while Meta announces a `next` page. The cursor goes to our own base URL, never to the URL
        Meta wrote in `paging.next`, so the token only ever travels to the configured Graph host."""
        waba_id = self.creds.waba_id
        if not waba_id:
            raise ProviderError(
                "Informe o WhatsApp Business Account ID da caixa para sincronizar os modelos.",
                code="no_waba_id",
            )
        url = self._url(f"{waba_id}/message_templates")
        params: dict[str, Any] = {"fields": FIELDS, "limit": PAGE_LIMIT}
        found: list[MetaTemplate] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            templates, after = parse_page(self._t.request("GET", url, params=params))
            found.extend(templates)
            if after is None or after in seen:
                return found
            seen.add(after)
            params = {**params, "after": after}
        raise ProviderError("A Meta devolveu páginas de modelos demais.", code="too_many_pages")

    def mark_read(self, chat_id: str, provider_message_ids: Sequence[str]) -> None:
        """Marking the newest message read marks every earlier one in the chat."""
        if provider_message_ids:
            body = {"messaging_product": "whatsapp", "status": "read", "message_id": provider_message_ids[-1]}
            self._post_message(body)

    def send_typing(self, chat_id: str, *, last_inbound_id: str | None = None) -> None:
        """The typing indicator hangs on an inbound message (and marks it read); none given → no-op."""
        if last_inbound_id:
            body = {
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": last_inbound_id,
                "typing_indicator": {"type": "text"},
            }
            self._post_message(body)


def _mime(msg: OutboundMessage) -> str:
    if msg.mime_type:
        return msg.mime_type
    guessed = mimetypes.guess_type(msg.filename or "")[0]
    return guessed or "application/octet-stream"
