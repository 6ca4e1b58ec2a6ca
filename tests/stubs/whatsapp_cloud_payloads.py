"""Meta WhatsApp Cloud API webhook bodies (Graph v21.0), shaped like Meta's documented examples."""

from __future__ import annotations

import uuid
from typing import Any

CUSTOMER = "5511987654321"
DEFAULT_TS = "1749416383"


def new_wamid() -> str:
    return "wamid.HBgN" + uuid.uuid4().hex.upper() + "AA=="


def message(kind: str, content: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """A `messages[]` item. kwargs: wa_id, message_id, timestamp, context_id."""
    body: dict[str, Any] = {
        "from": kwargs.get("wa_id", CUSTOMER),
        "id": kwargs.get("message_id") or new_wamid(),
        "timestamp": kwargs.get("timestamp", DEFAULT_TS),
        "type": kind,
    }
    if content is not None:
        body[kind] = content
    if kwargs.get("context_id"):
        body["context"] = {"from": "551130000000", "id": kwargs["context_id"]}
    return body


def text(body: str, **kwargs: Any) -> dict[str, Any]:
    return message("text", {"body": body}, **kwargs)


def media(
    kind: str,
    media_id: str,
    *,
    mime_type: str,
    caption: str | None = None,
    filename: str | None = None,
    voice: bool | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "mime_type": mime_type,
        "sha256": "7dbf4b31a3e2ddb3f0c6d4a1b2c3d4e5",
        "id": media_id,
    }
    if caption is not None:
        content["caption"] = caption
    if filename is not None:
        content["filename"] = filename
    if voice is not None:
        content["voice"] = voice
    return message(kind, content, **kwargs)


def button_reply(reply_id: str, title: str, **kwargs: Any) -> dict[str, Any]:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return message("interactive", interactive, **kwargs)


def list_reply(reply_id: str, title: str, description: str = "", **kwargs: Any) -> dict[str, Any]:
    interactive = {
        "type": "list_reply",
        "list_reply": {"id": reply_id, "title": title, "description": description},
    }
    return message("interactive", interactive, **kwargs)


def reaction(target_id: str, emoji: str | None, **kwargs: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"message_id": target_id}
    if emoji is not None:
        content["emoji"] = emoji
    return message("reaction", content, **kwargs)


def status(
    message_id: str,
    state: str,
    *,
    recipient: str = CUSTOMER,
    timestamp: str = DEFAULT_TS,
    error_code: int | None = None,
    error_title: str = "",
    callback_data: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": timestamp,
        "recipient_id": recipient,
    }
    if state in ("sent", "delivered"):
        body["conversation"] = {"id": uuid.uuid4().hex, "origin": {"type": "service"}}
        body["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"}
    if error_code is not None:
        body["errors"] = [
            {
                "code": error_code,
                "title": error_title,
                "message": error_title,
                "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ]
    if callback_data is not None:
        body["biz_opaque_callback_data"] = callback_data
    return body


def envelope(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    names: dict[str, str] | None = None,
    phone_number_id: str = "106540352242922",
    waba_id: str = "102290129340398",
    field: str = "messages",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "551130000000", "phone_number_id": phone_number_id},
    }
    if messages:
        wa_ids = {m.get("from") for m in messages}
        value["contacts"] = [
            {"profile": {"name": (names or {}).get(str(w), "Maria")}, "wa_id": w}
            for w in sorted(map(str, wa_ids))
        ]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    change = {"value": value, "field": field}
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": [change]}]}


# --- message templates (`GET /{waba-id}/message_templates`) ---------------------------------------------


def template(
    name: str,
    body: str,
    *,
    status: str = "APPROVED",
    category: str = "UTILITY",
    language: str = "pt_BR",
    header: str | None = None,
    footer: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One `data[]` item of the template listing, with the `fields` we ask for plus Meta's `id`."""
    components: list[dict[str, Any]] = []
    if header:
        components.append({"type": "HEADER", "format": "TEXT", "text": header})
    component: dict[str, Any] = {"type": "BODY", "text": body}
    examples = [f"exemplo {n}" for n in range(1, body.count("{{") + 1)]
    if examples:
        component["example"] = {"body_text": [examples]}
    components.append(component)
    if footer:
        components.append({"type": "FOOTER", "text": footer})
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    return {
        "name": name,
        "language": language,
        "status": status,
        "category": category,
        "components": components,
        "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.{language}").int)[:15],
    }


def default_templates() -> list[dict[str, Any]]:
    """What a Brazilian ISP's account typically holds: utility notices, a survey, marketing, an OTP."""
    return [
        template(
            "fatura_aberta",
            "Olá {{1}}, sua fatura de {{2}} vence em {{3}}.",
            header="Sua fatura",
            footer="Provedor Exemplo",
            buttons=[{"type": "QUICK_REPLY", "text": "Pagar com PIX"}],
        ),
        template(
            "pesquisa_satisfacao",
            "Como você avalia o nosso atendimento?",
            buttons=[{"type": "QUICK_REPLY", "text": "Ótimo"}, {"type": "QUICK_REPLY", "text": "Ruim"}],
        ),
        template("manutencao_programada", "Haverá manutenção na sua região em {{1}}.", status="PENDING"),
        template(
            "promo_fibra", "Aproveite: fibra 1 Giga por {{1}}!", category="MARKETING", status="REJECTED"
        ),
        template("codigo_acesso", "{{1}} é o seu código de verificação.", category="AUTHENTICATION"),
        template("fatura_aberta", "Hello {{1}}, your bill of {{2}} is due on {{3}}.", language="en_US"),
        template("aviso_corte", "Seu serviço será suspenso em {{1}}.", status="PAUSED"),
    ]
