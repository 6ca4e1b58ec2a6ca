"""Evolution API v2 client: sending, media, read marks, presence, instance management and history.

Paths end in the instance name (`/message/sendText/isp01`); auth is the `apikey` header. Evolution has no
idempotency key, so the outbound job must not blindly retry a send that `maybe_sent`.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from integrations.channels.base import (
    DownloadedMedia,
    EvolutionCredentials,
    HistoryPage,
    InstanceConnection,
    OutboundMessage,
    ProviderError,
    SendError,
    SendResult,
    history_messages,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.evolution_parse import parse_message_record
from integrations.channels.normalize import (
    as_data_uri,
    as_dict,
    only_digits,
    opt_int,
    opt_str,
    whatsapp_number,
)
from integrations.channels.transport import ErrorInfo, Transport

WEBHOOK_SECRET_HEADER = "X-NioChat-Secret"  # noqa: S105 (a header name, not a secret)
WEBHOOK_EVENTS = (
    "MESSAGES_UPSERT",
    "MESSAGES_UPDATE",
    "MESSAGES_DELETE",
    "CONNECTION_UPDATE",
    "QRCODE_UPDATED",
)
_MEDIATYPE = {
    ContentType.IMAGE: "image",
    ContentType.VIDEO: "video",
    ContentType.DOCUMENT: "document",
    ContentType.AUDIO: "audio",
}
_DEFAULT_MIME = {
    ContentType.IMAGE: "image/jpeg",
    ContentType.VIDEO: "video/mp4",
    ContentType.DOCUMENT: "application/octet-stream",
    ContentType.AUDIO: "audio/ogg",
    ContentType.STICKER: "image/webp",
}
_STATES = {"open", "connecting", "close", "refused"}


def describe_error(response: httpx.Response, body: Any) -> ErrorInfo:
    """`{"status":400,"error":"Bad Request","response":{"message":[…]}}` → a sentence for the agent."""
    status = response.status_code
    inner = body.get("response") if isinstance(body, dict) else None
    messages = inner.get("message") if isinstance(inner, dict) else None
    items = messages if isinstance(messages, list) else [messages] if messages else []
    for item in items:
        if isinstance(item, dict) and item.get("exists") is False:
            number = opt_str(item.get("number")) or opt_str(item.get("jid")) or "?"
            return ErrorInfo(f"O número {number} não tem WhatsApp.", "number_not_on_whatsapp", False)
        if isinstance(item, str) and "does not exist" in item:
            return ErrorInfo(f"Instância não encontrada na Evolution: {item}", "instance_not_found", False)
    if status in (401, 403):
        return ErrorInfo("Chave de API da Evolution inválida (apikey).", "unauthorized", False)
    text = "; ".join(str(i) for i in items) or (body.get("error") if isinstance(body, dict) else None)
    return ErrorInfo(f"Evolution respondeu {status}: {text or response.reason_phrase}")


def build_send(msg: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """The endpoint and exact JSON body for one outbound message."""
    number = whatsapp_number(msg.to)
    kind = msg.content_type
    quoted = {"quoted": {"key": {"id": msg.reply_to_provider_id}}} if msg.reply_to_provider_id else {}
    if kind == ContentType.TEXT or (kind == ContentType.TEMPLATE and msg.text):
        return "sendText", {"number": number, "text": msg.text, "linkPreview": False, **quoted}
    if kind == ContentType.INTERACTIVE and msg.sections:
        sections = [
            {
                "title": s.title,
                "rows": [
                    {"title": r.title, "description": r.description or "", "rowId": r.id} for r in s.rows
                ],
            }
            for s in msg.sections
        ]
        body = {
            "number": number,
            "title": msg.header or "",
            "description": msg.text or "",
            "buttonText": msg.list_button or "Menu",
            "footerText": msg.footer or "",
            "sections": sections,
        }
        return "sendList", {**body, **quoted}
    if kind == ContentType.INTERACTIVE:
        buttons = [{"type": "reply", "displayText": title, "id": bid} for bid, title in msg.buttons]
        body = {
            "number": number,
            "title": msg.header or "",
            "description": msg.text or "",
            "footer": msg.footer or "",
            "buttons": buttons,
        }
        return "sendButtons", {**body, **quoted}
    media = msg.media_url or base64.b64encode(msg.media_bytes or b"").decode()
    if kind == ContentType.AUDIO and msg.voice:
        return "sendWhatsAppAudio", {"number": number, "audio": media, "encoding": True, **quoted}
    if kind == ContentType.STICKER:
        return "sendSticker", {"number": number, "sticker": media, **quoted}
    if kind in _MEDIATYPE:
        mime = msg.mime_type or _guess_mime(msg) or _DEFAULT_MIME[kind]
        body = {
            "number": number,
            "mediatype": _MEDIATYPE[kind],
            "mimetype": mime,
            "caption": msg.body_or_caption or "",
            "fileName": msg.filename or _default_filename(kind, mime),
            "media": media,
        }
        return "sendMedia", {**body, **quoted}
    raise SendError(f"Evolution não envia mensagens do tipo {kind}.", retryable=False, code="unsupported")


def _guess_mime(msg: OutboundMessage) -> str | None:
    name = msg.filename or (msg.media_url or "").split("?", 1)[0]
    return mimetypes.guess_type(name)[0] if name else None


def _default_filename(kind: ContentType, mime: str) -> str:
    return f"{kind.value}{mimetypes.guess_extension(mime) or ''}"


class EvolutionClient:
    """One Evolution instance. Every method is one HTTP call (two for `create_or_connect` on a new one)."""

    def __init__(
        self,
        creds: EvolutionCredentials,
        *,
        http: httpx.Client | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self.creds = creds
        self._t = Transport(
            "Evolution",
            describe=describe_error,
            headers={"apikey": creds.api_key},
            client=http,
            timeout=timeout,
        )

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> EvolutionClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self, path: str) -> str:
        return f"{self.creds.base_url.rstrip('/')}/{path}/{quote(self.creds.instance, safe='')}"

    # --- messages ----------------------------------------------------------------------------------------

    def send(self, msg: OutboundMessage) -> SendResult:
        endpoint, body = build_send(msg)
        answer = self._t.request("POST", self._url(f"message/{endpoint}"), json=body, error=SendError)
        key = answer.get("key") if isinstance(answer, dict) else None
        provider_id = opt_str(key.get("id")) if isinstance(key, dict) else None
        if provider_id is None:
            raise SendError(
                "Evolution não devolveu o id da mensagem.", code="invalid_response", maybe_sent=True
            )
        return SendResult(provider_message_id=provider_id, raw=answer)

    def download_media(self, ref: MediaRef, provider_message_id: str) -> DownloadedMedia:
        """Inline base64 first (free), then the S3 URL, then Evolution decrypting it for us."""
        if ref.inline_base64:
            return DownloadedMedia(_b64(ref.inline_base64), ref.mime_type, ref.filename)
        if ref.url:
            content, mime = self._t.download(ref.url, auth=False)  # S3 link: never send our apikey there
            return DownloadedMedia(content, ref.mime_type or mime, ref.filename)
        body = {
            "message": {"key": {"id": ref.provider_media_id or provider_message_id}},
            "convertToMp4": False,
        }
        answer = self._t.request("POST", self._url("chat/getBase64FromMediaMessage"), json=body)
        if not isinstance(answer, dict) or not opt_str(answer.get("base64")):
            raise ProviderError("Evolution não devolveu a mídia.", code="invalid_response")
        mime = opt_str(answer.get("mimetype")) or ref.mime_type
        return DownloadedMedia(
            _b64(str(answer["base64"])), mime, opt_str(answer.get("fileName")) or ref.filename
        )

    def mark_read(self, chat_id: str, provider_message_ids: Sequence[str]) -> None:
        if not provider_message_ids:
            return
        jid = chat_id if "@" in chat_id else f"{only_digits(chat_id)}@s.whatsapp.net"
        read = [{"remoteJid": jid, "fromMe": False, "id": mid} for mid in provider_message_ids]
        self._t.request("POST", self._url("chat/markMessageAsRead"), json={"readMessages": read})

    def send_typing(self, chat_id: str, *, last_inbound_id: str | None = None) -> None:
        body = {"number": whatsapp_number(chat_id), "delay": 3000, "presence": "composing"}
        self._t.request("POST", self._url("chat/sendPresence"), json=body)

    # --- instance ----------------------------------------------------------------------------------------

    def create_or_connect(self, phone: str | None = None) -> InstanceConnection:
        """Connect the instance, creating it first when Evolution does not know it (needs the global key)."""
        params = {"number": only_digits(phone)} if phone else None
        try:
            answer = self._t.request("GET", self._url("instance/connect"), params=params)
        except ProviderError as exc:
            if exc.code != "instance_not_found" and exc.status_code != 404:
                raise
            return self._create(phone)
        return _connection(as_dict(answer))

    def _create(self, phone: str | None) -> InstanceConnection:
        body: dict[str, Any] = {
            "instanceName": self.creds.instance,
            "integration": "WHATSAPP-BAILEYS",
            "qrcode": True,
        }
        if phone:
            body["number"] = only_digits(phone)
        url = f"{self.creds.base_url.rstrip('/')}/instance/create"
        answer = as_dict(self._t.request("POST", url, json=body))
        token = answer.get("hash")
        token = token.get("apikey") if isinstance(token, dict) else token  # v1 spelled it {"apikey": …}
        qrcode, instance = as_dict(answer.get("qrcode")), as_dict(answer.get("instance"))
        conn = _connection({**qrcode, "instance": {"state": instance.get("status")}})
        return InstanceConnection(conn.state, conn.qr_code, conn.pair_code, opt_str(token), answer)

    def connection_state(self) -> str:
        answer = as_dict(self._t.request("GET", self._url("instance/connectionState")))
        return _state(opt_str(as_dict(answer.get("instance")).get("state")))

    def logout(self) -> None:
        self._t.request("DELETE", self._url("instance/logout"))

    def set_webhook(self, url: str, secret: str | None = None) -> None:
        secret = secret or self.creds.webhook_secret
        webhook = {
            "enabled": True,
            "url": url,
            "headers": {WEBHOOK_SECRET_HEADER: secret} if secret else {},
            "byEvents": False,
            "base64": True,
            "events": list(WEBHOOK_EVENTS),
        }
        self._t.request("POST", self._url("webhook/set"), json={"webhook": webhook})

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
        """One page of `/chat/findMessages` (newest first). The cursor is the next page number.

        New messages arriving while we page push older ones down, so a record may repeat on the next
        page but is never skipped; `ingest` dedupes by provider message id.
        """
        page = int(cursor) if cursor else 1
        where: dict[str, Any] = {}
        if chat_id:
            jid = chat_id if "@" in chat_id else f"{only_digits(chat_id)}@s.whatsapp.net"
            where["key"] = {"remoteJid": jid}
        window = {k: v.isoformat() for k, v in (("gte", since), ("lte", until)) if v is not None}
        if window:
            where["messageTimestamp"] = window
        body = {"where": where, "page": page, "offset": page_size}
        answer = self._t.request("POST", self._url("chat/findMessages"), json=body)
        records, total, pages = _history_records(answer)
        messages, skipped = history_messages(records, parse_message_record)
        has_more = page < pages if pages is not None else len(records) >= page_size
        return HistoryPage(
            events=messages, next_cursor=str(page + 1) if has_more else None, total=total, skipped=skipped
        )


def _history_records(answer: Any) -> tuple[list[Any], int | None, int | None]:
    """v2.2 wraps records in a paging object; v2.0 answered a bare list."""
    if isinstance(answer, list):
        return answer, None, None
    holder = answer.get("messages") if isinstance(answer, dict) else None
    if isinstance(holder, list):
        return holder, None, None
    if not isinstance(holder, dict):
        raise ProviderError("Resposta inesperada de /chat/findMessages.", code="invalid_response")
    records = holder.get("records")
    return (
        (records if isinstance(records, list) else []),
        opt_int(holder.get("total")),
        opt_int(holder.get("pages")),
    )


def _connection(answer: dict[str, Any]) -> InstanceConnection:
    """`{"pairingCode","code","base64","count"}` while pairing, `{"instance":{"state":"open"}}` once open."""
    instance = as_dict(answer.get("instance"))
    qr = as_data_uri(opt_str(answer.get("base64")))
    state = opt_str(instance.get("state")) or ("connecting" if qr or answer.get("pairingCode") else None)
    return InstanceConnection(
        state=_state(state), qr_code=qr, pair_code=opt_str(answer.get("pairingCode")), raw=answer
    )


def _state(value: str | None) -> str:
    state = (value or "close").lower()
    return state if state in _STATES else "close"


def _b64(data: str) -> bytes:
    """Accepts bare base64 and data URIs."""
    if data.startswith("data:"):
        data = data.split(",", 1)[1]
    try:
        return base64.b64decode(data, validate=False)
    except ValueError as exc:
        raise ProviderError("Mídia em base64 inválida.", code="invalid_media") from exc
