"""A conversation's messages: paged reading (older pages, and catch-up after a reconnect) and sending.

Sending goes through `models.outbound.compose`: the row is stored at once (status pending) and the
outbound job sends it after commit, so the answer never waits for WhatsApp. `client_key` makes a
retried request return the message already stored (200) instead of sending it twice (201).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue

from models.conversation import Conversation
from models.enums import ContentType, ConversationStatus
from models.health import replay_failed
from models.lifecycle import Actor
from models.message import Message
from models.outbound import Draft, compose
from models.permissions import Action, can_act
from models.reply import MessageTemplate, render_template, template_parameter_count
from models.scoping import ScopedSession
from models.serialize import message_dict
from web.api import api_bp
from web.api.access import api_user_required, conversation_for, writing
from web.api.errors import ApiError, forbidden, invalid
from web.api.params import (
    MAX_ID,
    body_bool,
    body_int,
    body_str,
    decode_cursor,
    encode_cursor,
    json_object,
    query_int,
    query_limit,
)
from web.api.uploads import Upload, media_of, read_upload, store
from web.auth.context import current_team_ids, current_user, tenant_session

MAX_TEXT = 4096
MAX_CLIENT_KEY = 64
MAX_TEMPLATE_PARAMETERS = 20


def _before() -> int | None:
    data = decode_cursor("before")
    if data is None:
        return None
    ident = data.get("i")
    if not isinstance(ident, int):
        raise ApiError(422, "invalid_cursor", "Cursor de paginação inválido.", fields=["before"])
    return ident


@api_bp.get("/conversations/<int:conversation_id>/messages")
@api_user_required
def list_messages(conversation_id: int) -> ResponseReturnValue:
    """Newest page first (`before` pages back); `after=<message id>` returns what arrived since, for a
    browser that was offline. Items are always oldest → newest, ready to append."""
    before, after, limit = _before(), query_int("after"), query_limit(default=50)
    if before is not None and after is not None:
        raise invalid("Use before ou after, não os dois.", "before", "after")
    with tenant_session() as session:
        conv = conversation_for(session, conversation_id)
        stmt = sa.select(Message).where(Message.conversation_id == conv.id)
        if after is not None:
            stmt = stmt.where(Message.id > after).order_by(Message.id)
        else:
            if before is not None:
                stmt = stmt.where(Message.id < before)
            stmt = stmt.order_by(Message.id.desc())
        rows = list(session.scalars(stmt.limit(limit + 1)))
        has_more = len(rows) > limit
        rows = rows[:limit]
        if after is None:
            rows.reverse()
        items = [message_dict(m) for m in rows]
    cursor = encode_cursor({"i": rows[0].id}) if has_more and after is None and rows else None
    return jsonify(items=items, next_cursor=cursor, has_more=has_more)


def _template(session: ScopedSession, conv: Conversation, raw: Any) -> tuple[str, dict[str, Any]]:
    """(rendered text for the thread, payload for the outbound job) of an approved template."""
    if not isinstance(raw, dict):
        raise invalid("template deve ser um objeto {name, language, parameters}.", "template")
    name = body_str(raw, "name", max_length=120, required=True)
    language = body_str(raw, "language", max_length=16) or "pt_BR"
    parameters = raw.get("parameters", [])
    if not isinstance(parameters, list) or len(parameters) > MAX_TEMPLATE_PARAMETERS:
        raise invalid("parameters deve ser uma lista de textos.", "template")
    if not all(isinstance(p, str | int | float) and not isinstance(p, bool) for p in parameters):
        raise invalid("parameters deve ser uma lista de textos.", "template")
    values = [str(p) for p in parameters]
    template = session.scalar(
        sa.select(MessageTemplate).where(
            MessageTemplate.name == name,
            MessageTemplate.language == language,
            MessageTemplate.status == "approved",
            sa.or_(MessageTemplate.inbox_id == conv.inbox_id, MessageTemplate.inbox_id.is_(None)),
        )
    )
    if template is None:
        raise ApiError(
            422, "invalid_template", "Modelo de mensagem não encontrado ou não aprovado para esta caixa."
        )
    expected = template_parameter_count(template.body)
    if len(values) != expected:
        raise ApiError(
            422,
            "template_parameters",
            f"O modelo {name} espera {expected} parâmetro(s); recebeu {len(values)}.",
        )
    text = render_template(template.body, values)
    payload = {"template_name": name, "language": language, "parameters": values}
    return text, payload


def _client_key(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_CLIENT_KEY:
        raise invalid(f"client_key deve ser texto de até {MAX_CLIENT_KEY} caracteres.", "client_key")
    return raw


def _json_draft(session: ScopedSession, conv: Conversation, body: dict[str, Any]) -> Draft:
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise invalid("text deve ser texto.", "text")
    common: dict[str, Any] = {
        "reply_to_id": body_int(body, "reply_to_id"),
        "is_private": body_bool(body, "private"),
        "client_key": _client_key(body.get("client_key")),
    }
    if body.get("template") is not None:
        rendered, payload = _template(session, conv, body["template"])
        return Draft(content_type=ContentType.TEMPLATE, text=rendered, payload=payload, **common)
    return Draft(content_type=ContentType.TEXT, text=text, **common)


def _form_flag(name: str) -> bool:
    return request.form.get(name, "").strip().lower() in ("1", "true", "on", "yes")


def _form_reply_to() -> int | None:
    raw = request.form.get("reply_to_id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise invalid("reply_to_id deve ser um número inteiro.", "reply_to_id")
    return int(raw)


@dataclass(frozen=True)
class _Sending:
    """The request, parsed before any database work (a 16 MB upload is read outside the transaction)."""

    client_key: str | None
    private: bool
    body: dict[str, Any]
    upload: Upload | None = None
    caption: str | None = None
    reply_to_id: int | None = None


def _parse_sending() -> _Sending:
    if request.mimetype == "multipart/form-data":
        if _form_flag("private"):
            # Refused before the file is read or stored: a note never carries a file, and a refused
            # upload must leave nothing behind in media storage.
            raise ApiError(422, "note_text_only", "Notas internas são apenas texto: remova o anexo.")
        upload = read_upload()
        caption = (request.form.get("text") or "").strip() or None
        if caption is not None and len(caption) > MAX_TEXT:
            raise invalid(f"A legenda aceita no máximo {MAX_TEXT} caracteres.", "text")
        return _Sending(
            client_key=_client_key(request.form.get("client_key")),
            private=_form_flag("private"),
            body={},
            upload=upload,
            caption=caption,
            reply_to_id=_form_reply_to(),
        )
    if request.is_json or not request.get_data(cache=True):
        body = json_object(required=True)
        return _Sending(
            client_key=_client_key(body.get("client_key")), private=body_bool(body, "private"), body=body
        )
    raise ApiError(415, "unsupported_media_type", "Envie JSON ou multipart/form-data.")


@api_bp.post("/conversations/<int:conversation_id>/messages")
@api_user_required
def send_message(conversation_id: int) -> ResponseReturnValue:
    """JSON (text, internal note or template) or multipart (`file`, optional `text` caption)."""
    sending = _parse_sending()
    user = current_user()
    with writing() as session:
        conv = conversation_for(session, conversation_id, lock=True)
        if sending.client_key is not None:
            existing = session.scalar(
                sa.select(Message).where(
                    Message.conversation_id == conv.id, Message.client_key == sending.client_key
                )
            )
            if existing is not None:  # a retry: answered as the first time, even if the state changed since
                return jsonify(message_dict(existing)), 200
        if not sending.private and conv.status == ConversationStatus.CLOSED:
            # Only its agent and managers see a closed conversation: for them this is state, not permission.
            raise ApiError(409, "closed", "Conversa encerrada: reabra para enviar mensagens.")
        action = Action.NOTE if sending.private else Action.REPLY
        if not can_act(user, conv, action, current_team_ids()):
            raise forbidden("Você não pode enviar mensagens nesta conversa.")
        if sending.upload is not None:
            draft = Draft(
                content_type=sending.upload.content_type,
                text=sending.caption,
                media=media_of(sending.upload),
                reply_to_id=sending.reply_to_id,
                is_private=sending.private,
                client_key=sending.client_key,
            )
        else:
            draft = _json_draft(session, conv, sending.body)
        message, created = compose(session, conv, draft, Actor.user(user.id))
        if created and sending.upload is not None:
            store(sending.upload)  # accepted: now the file is kept (before commit, so the job finds it)
        return jsonify(message_dict(message)), 201 if created else 200


@api_bp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/retry")
@api_user_required
def retry_message(conversation_id: int, message_id: int) -> ResponseReturnValue:
    """Send a failed message again, only when its failure is one a retry can fix (`error.retryable`,
    decided by the send job): a closed window or an invalid number would only fail again."""
    user = current_user()
    with writing() as session:
        conv = conversation_for(session, conversation_id, lock=True)
        if not can_act(user, conv, Action.REPLY, current_team_ids()):
            raise forbidden("Você não pode enviar mensagens nesta conversa.")
        message = session.scalar(
            sa.select(Message).where(Message.id == message_id, Message.conversation_id == conv.id)
        )
        if message is None or message.is_private:
            raise ApiError(404, "not_found", "Mensagem não encontrada.")
        if str(message.status) != "failed" or not message.error_retryable:
            raise ApiError(
                409,
                "not_retryable",
                "Esta mensagem não pode ser reenviada: o motivo da falha continua valendo.",
            )
        if conv.status == ConversationStatus.CLOSED:
            raise ApiError(409, "closed", "Conversa encerrada: reabra para enviar mensagens.")
        replay_failed(session, [message.id])
        session.flush()
        session.refresh(message)
        return jsonify(message_dict(message)), 200
