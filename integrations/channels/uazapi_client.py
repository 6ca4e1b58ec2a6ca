"""Uazapi (uazapiGO v2) client: sending, media, read marks, presence, instance and history.

Auth is the `token` header (instance) or `admintoken` (creating instances). Our message id goes out as
`track_id` with `track_source: niochat`, so messages we sent are recognisable when they come back.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from integrations.channels.base import (
    DownloadedMedia,
    HistoryPage,
    InstanceConnection,
    OutboundMessage,
    ProviderError,
    SendError,
    SendResult,
    UazapiCredentials,
    history_messages,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.normalize import (
    as_data_uri,
    as_dict,
    only_digits,
    opt_bool,
    opt_int,
    opt_str,
    whatsapp_number,
)
from integrations.channels.transport import ErrorInfo, Transport
from integrations.channels.uazapi_parse import TRACK_SOURCE, history_time, parse_message_record

WEBHOOK_EVENTS = ("messages", "messages_update", "connection")
_MEDIA_TYPE = {
    ContentType.IMAGE: "image",
    ContentType.VIDEO: "video",
    ContentType.DOCUMENT: "document",
    ContentType.AUDIO: "audio",
    ContentType.STICKER: "sticker",
}
_STATES = {"connected": "open", "connecting": "connecting", "disconnected": "close"}


def describe_error(response: httpx.Response, body: Any) -> ErrorInfo:
    """`{"error":"Invalid token"}` (401), 429 on rate limit, free text otherwise."""
    status = response.status_code
    text = None
    if isinstance(body, dict):
        text = opt_str(body.get("error")) or opt_str(body.get("message"))
    if status == 401:
        return ErrorInfo("Token da instância Uazapi inválido.", "unauthorized", False)
    if status == 429:
        return ErrorInfo("Limite de envio da Uazapi atingido; tente mais tarde.", "rate_limited", True)
    return ErrorInfo(f"Uazapi respondeu {status}: {text or response.reason_phrase}")


def build_send(msg: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """The endpoint and exact JSON body for one outbound message."""
    common: dict[str, Any] = {"number": whatsapp_number(msg.to)}
    tail: dict[str, Any] = {"track_source": TRACK_SOURCE, "track_id": msg.message_id}
    if msg.reply_to_provider_id:
        tail = {"replyid": msg.reply_to_provider_id, **tail}
    kind = msg.content_type
    if kind == ContentType.TEXT or (kind == ContentType.TEMPLATE and msg.text):
        return "send/text", {**common, "text": msg.text, "linkPreview": False, **tail}
    if kind == ContentType.INTERACTIVE:
        if msg.sections:
            choices: list[str] = []
            for section in msg.sections:
                choices.append(f"[{section.title}]")
                choices.extend(
                    f"{r.title}|{r.id}|{r.description}" if r.description else f"{r.title}|{r.id}"
                    for r in section.rows
                )
            menu = {
                "type": "list",
                "text": msg.text or "",
                "choices": choices,
                "listButton": msg.list_button or "Menu",
            }
        else:
            choices = [f"{title}|{bid}" for bid, title in msg.buttons]
            menu = {"type": "button", "text": msg.text or "", "choices": choices}
        if msg.footer:
            menu["footerText"] = msg.footer
        return "send/menu", {**common, **menu, **tail}
    if kind in _MEDIA_TYPE:
        media_type = "ptt" if kind == ContentType.AUDIO and msg.voice else _MEDIA_TYPE[kind]
        body: dict[str, Any] = {
            **common,
            "type": media_type,
            "file": msg.media_url or base64.b64encode(msg.media_bytes or b"").decode(),
        }
        if msg.body_or_caption and kind not in (ContentType.AUDIO, ContentType.STICKER):
            body["text"] = msg.body_or_caption
        if kind == ContentType.DOCUMENT:
            body["docName"] = msg.filename or "documento"
        if msg.mime_type:
            body["mimetype"] = msg.mime_type
        return "send/media", {**body, **tail}
    raise SendError(f"Uazapi não envia mensagens do tipo {kind}.", retryable=False, code="unsupported")


class UazapiClient:
    """One Uazapi instance (one `token`)."""

    def __init__(
        self,
        creds: UazapiCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self.creds = creds
        self._token = creds.token
        self._t = Transport("Uazapi", describe=describe_error, client=http, timeout=timeout)

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> UazapiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self, method: str, path: str, *, error: type[ProviderError] = ProviderError, **kwargs: Any
    ) -> Any:
        url = f"{self.creds.base_url.rstrip('/')}/{path}"
        return self._t.request(method, url, headers={"token": self._token}, error=error, **kwargs)

    # --- messages ----------------------------------------------------------------------------------------

    def send(self, msg: OutboundMessage) -> SendResult:
        path, body = build_send(msg)
        answer = as_dict(self._call("POST", path, json=body, error=SendError))
        provider_id = opt_str(answer.get("messageid")) or (opt_str(answer.get("id")) or "").rpartition(":")[2]
        if not provider_id:
            raise SendError("Uazapi não devolveu o id da mensagem.", code="invalid_response", maybe_sent=True)
        return SendResult(provider_message_id=provider_id, raw=answer)

    def download_media(self, ref: MediaRef, provider_message_id: str) -> DownloadedMedia:
        if ref.inline_base64:
            return DownloadedMedia(base64.b64decode(ref.inline_base64), ref.mime_type, ref.filename)
        if ref.url:
            content, mime = self._t.download(ref.url)
            return DownloadedMedia(content, ref.mime_type or mime, ref.filename)
        body = {"id": ref.provider_media_id or provider_message_id, "return_base64": True}
        answer = as_dict(self._call("POST", "message/download", json=body))
        mime = opt_str(answer.get("mimetype")) or ref.mime_type
        data = opt_str(answer.get("base64Data"))
        if data:
            return DownloadedMedia(base64.b64decode(data.split(",", 1)[-1]), mime, ref.filename)
        link = opt_str(answer.get("fileURL"))
        if not link:
            raise ProviderError("Uazapi não devolveu a mídia.", code="invalid_response")
        content, served = self._t.download(link)
        return DownloadedMedia(content, mime or served, ref.filename)

    def mark_read(self, chat_id: str, provider_message_ids: Sequence[str]) -> None:
        if provider_message_ids:
            self._call("POST", "message/markread", json={"id": list(provider_message_ids)})

    def send_typing(self, chat_id: str, *, last_inbound_id: str | None = None) -> None:
        body = {"number": whatsapp_number(chat_id), "presence": "composing", "delay": 3000}
        self._call("POST", "message/presence", json=body)

    # --- instance ----------------------------------------------------------------------------------------

    def create_or_connect(self, phone: str | None = None) -> InstanceConnection:
        """Without a token (and with `admin_token`) create the instance first; then connect.

        No phone → QR code; a phone → pair code.
        """
        token = None
        if not self._token:
            token = self._init_instance()
            self._token = token
        answer = as_dict(
            self._call("POST", "instance/connect", json={"phone": only_digits(phone)} if phone else {})
        )
        instance = as_dict(answer.get("instance"))
        state = _state(opt_str(instance.get("status")))
        if opt_bool(answer.get("connected")) and opt_bool(answer.get("loggedIn")):
            state = "open"
        return InstanceConnection(
            state=state,
            qr_code=as_data_uri(opt_str(instance.get("qrcode"))),
            pair_code=opt_str(instance.get("paircode")),
            token=token,
            raw=answer,
        )

    def _init_instance(self) -> str:
        if not self.creds.admin_token:
            raise ProviderError("Sem token da instância nem admintoken da Uazapi.", code="unauthorized")
        url = f"{self.creds.base_url.rstrip('/')}/instance/init"
        body = {"name": self.creds.instance_name or "niochat"}
        answer = as_dict(
            self._t.request("POST", url, json=body, headers={"admintoken": self.creds.admin_token})
        )
        token = opt_str(answer.get("token")) or opt_str(as_dict(answer.get("instance")).get("token"))
        if not token:
            raise ProviderError("Uazapi não devolveu o token da nova instância.", code="invalid_response")
        return token

    def connection_state(self) -> str:
        answer = as_dict(self._call("GET", "instance/status"))
        status = as_dict(answer.get("status"))
        if opt_bool(status.get("connected")) and opt_bool(status.get("loggedIn")):
            return "open"
        return _state(opt_str(as_dict(answer.get("instance")).get("status")))

    def logout(self) -> None:
        self._call("POST", "instance/disconnect")

    def set_webhook(self, url: str, secret: str | None = None) -> None:
        """Uazapi authenticates webhooks by the instance token in the body; `secret` is not used."""
        body = {
            "enabled": True,
            "url": url,
            "events": list(WEBHOOK_EVENTS),
            "excludeMessages": ["wasSentByApi"],
        }
        self._call("POST", "webhook", json=body)

    # --- history -----------------------------------------------------------------------------------------

    def fetch_history(
        self,
        chat_id: str | None,
        since: datetime | None,
        until: datetime | None,
        cursor: str | None = None,
        *,
        page_size: int = 50,
    ) -> HistoryPage:
        """One page of `/message/find` (newest first). The cursor is the next offset.

        Uazapi filters by chat only, so the time window is applied here; paging stops at the first record
        older than `since`.
        """
        offset = int(cursor) if cursor else 0
        body: dict[str, Any] = {"limit": page_size, "offset": offset}
        if chat_id:
            body = {"chatid": chat_id if "@" in chat_id else f"{only_digits(chat_id)}@s.whatsapp.net", **body}
        answer = self._call("POST", "message/find", json=body)
        records = answer if isinstance(answer, list) else as_dict(answer).get("messages")
        if not isinstance(records, list):
            raise ProviderError("Resposta inesperada de /message/find.", code="invalid_response")
        window: list[Any] = []
        reached_since = False
        for record in records:
            when = history_time(record) if isinstance(record, dict) else None
            if since is not None and when is not None and when < since:
                reached_since = True
                continue
            if until is not None and when is not None and when > until:
                continue
            window.append(record)
        messages, skipped = history_messages(window, parse_message_record)
        meta = as_dict(answer)
        has_more = opt_bool(meta.get("hasMore")) if "hasMore" in meta else len(records) >= page_size
        next_offset = opt_int(meta.get("nextOffset")) or offset + len(records)
        more = has_more and not reached_since and bool(records)
        return HistoryPage(events=messages, next_cursor=str(next_offset) if more else None, skipped=skipped)


def _state(value: str | None) -> str:
    return _STATES.get((value or "disconnected").lower(), "close")
