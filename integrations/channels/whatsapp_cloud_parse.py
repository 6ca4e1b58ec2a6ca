"""Meta WhatsApp Cloud API webhooks → normalized events.

One POST can batch several entries, changes, messages and statuses. Statuses arrive out of order and
repeatedly (and `delivered` may be skipped): we report each as is; `ingest` only moves status forward.
Echoes of messages typed in the WhatsApp Business app (`smb_message_echoes`, coexistence) are `from_me`.
"""

from __future__ import annotations

from typing import Any

from integrations.channels.events import (
    ContentType,
    DeliveryStatus,
    Event,
    InboundMessage,
    Location,
    MediaRef,
    MessageDeleted,
    PayloadError,
    StatusUpdate,
)
from integrations.channels.normalize import (
    as_dict,
    only_digits,
    opt_bool,
    opt_dict,
    opt_float,
    opt_int,
    opt_list,
    opt_str,
    require_dict,
    require_str,
    to_utc,
)

_STATUS = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
_MEDIA = {
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "audio": ContentType.AUDIO,
    "voice": ContentType.AUDIO,
    "document": ContentType.DOCUMENT,
    "sticker": ContentType.STICKER,
}

# Readable reasons for the codes an agent actually meets (sends and failed statuses).
ERROR_REASONS: dict[int, str] = {
    4: "Limite de chamadas da Meta atingido; tentaremos de novo.",
    10: "Permissão negada pela Meta para este número ou aplicativo.",
    100: "Parâmetro inválido na requisição à Meta.",
    190: "Token de acesso da Meta inválido ou expirado.",
    368: "Conta temporariamente bloqueada pela Meta por violação de política.",
    80007: "Limite de uso da conta WhatsApp Business atingido; tentaremos de novo.",
    130429: "Limite de envio da Meta atingido; tentaremos de novo.",
    131000: "Erro temporário na Meta; tentaremos de novo.",
    131016: "Serviço da Meta indisponível; tentaremos de novo.",
    131026: "Mensagem não entregue: o número pode não ter WhatsApp ou não aceitou os termos atuais.",
    131030: "Número fora da lista de destinatários permitidos (conta de teste).",
    131031: "Conta do WhatsApp Business bloqueada.",
    131047: "Mais de 24 horas desde a última mensagem do cliente: envie um modelo (template) aprovado.",
    131048: "Limite anti-spam da Meta atingido; tentaremos de novo mais tarde.",
    131049: "A Meta não entregou esta mensagem para preservar o engajamento do cliente.",
    131051: "Tipo de mensagem não suportado.",
    131052: "Não foi possível baixar a mídia enviada pelo cliente.",
    131053: "Não foi possível enviar a mídia (formato ou tamanho inválido).",
    131056: "Muitas mensagens para o mesmo cliente em pouco tempo; tentaremos de novo.",
    132000: "O número de parâmetros não confere com o modelo.",
    132001: "O modelo não existe ou não está aprovado neste idioma.",
    132005: "O texto do modelo ficou longo demais com os parâmetros.",
    132007: "O conteúdo viola a política de formatação do modelo.",
    132012: "Parâmetros do modelo em formato inválido.",
    133010: "Número do WhatsApp Business não registrado.",
}


def error_reason(code: int | None, fallback: str | None) -> str:
    if code is not None and code in ERROR_REASONS:
        return ERROR_REASONS[code]
    return fallback or "Erro desconhecido na API do WhatsApp."


def parse_body(body: dict[str, Any]) -> list[Event]:
    if require_str(body.get("object"), "object") != "whatsapp_business_account":
        return []  # Instagram, Page, …: not ours
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("entry: expected a list")
    events: list[Event] = []
    for entry in entries:
        for change in opt_list(require_dict(entry, "entry[]").get("changes"), "changes"):
            change = require_dict(change, "changes[]")
            field = opt_str(change.get("field"))
            if field not in ("messages", "smb_message_echoes"):
                continue  # template status, account updates, …
            events.extend(_parse_value(require_dict(change.get("value"), "changes[].value")))
    return events


def _parse_value(value: dict[str, Any]) -> list[Event]:
    names: dict[str, str] = {}
    for contact in opt_list(value.get("contacts"), "contacts"):
        contact = as_dict(contact)
        wa_id, name = opt_str(contact.get("wa_id")), opt_str(as_dict(contact.get("profile")).get("name"))
        if wa_id and name:
            names[wa_id] = name
    events: list[Event] = []
    for message in opt_list(value.get("messages"), "messages"):
        events.append(parse_message(require_dict(message, "messages[]"), names))
    for echo in opt_list(value.get("message_echoes"), "message_echoes"):
        events.append(parse_message(require_dict(echo, "message_echoes[]"), names, from_me=True))
    for status in opt_list(value.get("statuses"), "statuses"):
        event = parse_status(require_dict(status, "statuses[]"))
        if event is not None:
            events.append(event)
    return events


def parse_message(message: dict[str, Any], names: dict[str, str], *, from_me: bool = False) -> InboundMessage:
    """One `messages[]` item. For echoes the customer is `to`, not `from`."""
    message_id = require_str(message.get("id"), "messages[].id")
    wa_id = require_str(message.get("to") if from_me else message.get("from"), "messages[].from")
    kind = opt_str(message.get("type")) or "unknown"
    context = as_dict(message.get("context"))
    return InboundMessage(
        provider_message_id=message_id,
        chat_id=wa_id,
        timestamp=to_utc(message.get("timestamp"), "messages[].timestamp"),
        from_me=from_me,
        phone=only_digits(wa_id) or None,
        contact_name=None if from_me else names.get(wa_id),
        reply_to_provider_id=opt_str(context.get("id")),
        raw=message,
        **_content(kind, message),
    )


def _content(kind: str, message: dict[str, Any]) -> dict[str, Any]:
    if kind == "text":
        return {"content_type": ContentType.TEXT, "text": opt_str(as_dict(message.get("text")).get("body"))}
    if kind in _MEDIA:
        media = require_dict(message.get(kind), kind)
        ref = MediaRef(
            mime_type=opt_str(media.get("mime_type")),
            filename=opt_str(media.get("filename")),
            size=opt_int(media.get("file_size")),
            sha256=opt_str(media.get("sha256")),
            voice=kind == "voice" or opt_bool(media.get("voice")),
            provider_media_id=require_str(media.get("id"), f"{kind}.id"),
            url=opt_str(media.get("url")),
        )
        return {"content_type": _MEDIA[kind], "text": opt_str(media.get("caption")), "media": ref}
    if kind == "location":
        loc = require_dict(message.get("location"), "location")
        lat, lng = opt_float(loc.get("latitude")), opt_float(loc.get("longitude"))
        if lat is None or lng is None:
            raise PayloadError("location: latitude and longitude required")
        place = Location(lat, lng, opt_str(loc.get("name")), opt_str(loc.get("address")))
        return {"content_type": ContentType.LOCATION, "location": place}
    if kind == "contacts":
        return {"content_type": ContentType.CONTACTS, "contacts": _contacts(message.get("contacts"))}
    if kind == "interactive":
        interactive = require_dict(message.get("interactive"), "interactive")
        sub = opt_str(interactive.get("type")) or ""
        reply = as_dict(interactive.get(sub))
        reply_id = opt_str(reply.get("id")) or opt_str(reply.get("name"))
        title = opt_str(reply.get("title")) or opt_str(reply.get("body"))
        return {
            "content_type": ContentType.INTERACTIVE_REPLY,
            "interactive_reply_id": reply_id,
            "text": title,
        }
    if kind == "button":  # quick reply on a template
        button = require_dict(message.get("button"), "button")
        return {
            "content_type": ContentType.INTERACTIVE_REPLY,
            "interactive_reply_id": opt_str(button.get("payload")),
            "text": opt_str(button.get("text")),
        }
    if kind == "reaction":
        reaction = require_dict(message.get("reaction"), "reaction")
        return {
            "content_type": ContentType.REACTION,
            "reaction_emoji": opt_str(reaction.get("emoji")) or "",
            "reaction_to_provider_id": require_str(reaction.get("message_id"), "reaction.message_id"),
        }
    if kind == "system":
        return {
            "content_type": ContentType.SYSTEM,
            "text": opt_str(as_dict(message.get("system")).get("body")),
        }
    return {"content_type": ContentType.UNSUPPORTED}


def _contacts(value: Any) -> list[dict[str, Any]]:
    """Cloud contact cards → {"name", "phones": [digits]} (wa_id preferred: it is the WhatsApp number)."""
    cards = []
    for card in opt_list(value, "contacts"):
        card = as_dict(card)
        name_info = as_dict(card.get("name"))
        name = opt_str(name_info.get("formatted_name")) or opt_str(name_info.get("first_name"))
        phones: list[str] = []
        for phone in opt_list(card.get("phones"), "contacts[].phones"):
            phone = as_dict(phone)
            number = only_digits(opt_str(phone.get("wa_id")) or opt_str(phone.get("phone")) or "")
            if number and number not in phones:
                phones.append(number)
        cards.append({"name": name, "phones": phones})
    return cards


def parse_status(status: dict[str, Any]) -> StatusUpdate | MessageDeleted | None:
    message_id = require_str(status.get("id"), "statuses[].id")
    when = to_utc(status.get("timestamp"), "statuses[].timestamp")
    chat_id = opt_str(status.get("recipient_id"))
    name = (opt_str(status.get("status")) or "").lower()
    if name == "deleted":
        return MessageDeleted(provider_message_id=message_id, timestamp=when, chat_id=chat_id, raw=status)
    mapped = _STATUS.get(name)
    if mapped is None:
        return None  # warning, pending, held_for_quality_assessment…
    error = opt_dict(next(iter(opt_list(status.get("errors"), "errors")), None), "errors[]") or {}
    code = opt_int(error.get("code"))
    details = opt_str(as_dict(error.get("error_data")).get("details"))
    fallback = " — ".join(
        t for t in (opt_str(error.get("title")) or opt_str(error.get("message")), details) if t
    )
    return StatusUpdate(
        provider_message_id=message_id,
        status=mapped,
        timestamp=when,
        chat_id=chat_id,
        error_code=str(code) if code is not None else None,
        error_text=error_reason(code, fallback) if error else None,
        raw=status,
        client_message_id=opt_str(status.get("biz_opaque_callback_data")),
    )
