"""Contacts: search, the side panel of a conversation (labels, earlier conversations) and editing.

Contacts are tenant-wide: every inbox user may look a customer up and fix their name, CPF/CNPJ or e-mail
(identity numbers are validated by check digits, so the SGP lookups the AI does with them work). The
earlier conversations are listed for everyone, with `can_view` telling which ones this user may open.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue

from models.contact import Contact
from models.conversation import Conversation
from models.documents import InvalidDocument, normalize_cpf_cnpj
from models.label import ContactLabel, Label
from models.permissions import can_view
from models.scoping import ScopedSession
from models.search import contact_matches
from models.serialize import contact_dict, iso
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.errors import ApiError, invalid, not_found
from web.api.params import body_str, decode_cursor, encode_cursor, json_object, query_limit
from web.api.shapes import ref, team_names, user_names
from web.auth.context import current_team_ids, current_user, tenant_session

MAX_Q = 200
MAX_EARLIER = 50
MAX_ATTRIBUTES = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@api_bp.get("/contacts")
@api_user_required
def list_contacts() -> ResponseReturnValue:
    """Newest first; `q` matches name, e-mail, phone digits or CPF/CNPJ as in the conversation search."""
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_Q:
        raise invalid(f"A busca aceita no máximo {MAX_Q} caracteres.", "q")
    cursor, limit = decode_cursor(), query_limit()
    stmt = sa.select(Contact).order_by(Contact.id.desc())
    if q:
        stmt = stmt.where(contact_matches(q))
    if cursor is not None:
        if not isinstance(cursor.get("i"), int):
            raise ApiError(422, "invalid_cursor", "Cursor de paginação inválido.", fields=["cursor"])
        stmt = stmt.where(Contact.id < cursor["i"])
    with tenant_session() as session:
        rows = list(session.scalars(stmt.limit(limit + 1)))
        items = [contact_dict(c) for c in rows[:limit]]
    next_cursor = encode_cursor({"i": rows[limit - 1].id}) if len(rows) > limit else None
    return jsonify(items=items, next_cursor=next_cursor)


def _contact(session: ScopedSession, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.tenant_id != current_user().tenant_id:
        raise not_found("Contato não encontrado.")
    return contact


def _detail(session: ScopedSession, contact: Contact) -> dict[str, Any]:
    user, team_ids = current_user(), current_team_ids()
    labels = session.scalars(
        sa.select(Label)
        .join(ContactLabel, ContactLabel.label_id == Label.id)
        .where(ContactLabel.contact_id == contact.id)
        .order_by(Label.name)
    )
    convs = list(
        session.scalars(
            sa.select(Conversation)
            .where(Conversation.contact_id == contact.id)
            .order_by(Conversation.created_at.desc(), Conversation.id.desc())
            .limit(MAX_EARLIER)
        )
    )
    people = user_names(session, [c.assignee_id for c in convs])
    teams = team_names(session, [c.team_id for c in convs])
    return {
        **contact_dict(contact),
        "created_at": iso(contact.created_at),
        "labels": [{"id": label.id, "name": label.name, "color": label.color} for label in labels],
        "conversations": [
            {
                "id": c.id,
                "status": str(c.status),
                "inbox_id": c.inbox_id,
                "inbox_name": c.inbox.name,
                "channel": str(c.inbox.channel_type),
                "assignee": ref(c.assignee_id, people),
                "team": ref(c.team_id, teams),
                "created_at": iso(c.created_at),
                "last_message_at": iso(c.last_message_at),
                "closed_at": iso(c.closed_at),
                "close_reason": c.close_reason,
                "can_view": can_view(user, c, team_ids),
            }
            for c in convs
        ],
    }


@api_bp.get("/contacts/<int:contact_id>")
@api_user_required
def get_contact(contact_id: int) -> ResponseReturnValue:
    with tenant_session() as session:
        return jsonify(_detail(session, _contact(session, contact_id)))


def _attributes(current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """JSON merge patch (RFC 7396) of one level: keys set to null are removed, others replaced."""
    if not isinstance(patch, dict):
        raise invalid("attributes deve ser um objeto.", "attributes")
    merged = dict(current)
    for key, value in patch.items():
        if len(key) > 64:
            raise invalid("Nomes de atributos aceitam no máximo 64 caracteres.", "attributes")
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, str | int | float | bool) and len(str(value)) <= 1000:
            merged[key] = value
        else:
            raise invalid(
                "Valores de atributos são texto, número ou booleano (até 1000 caracteres).", "attributes"
            )
    if len(merged) > MAX_ATTRIBUTES:
        raise invalid(f"No máximo {MAX_ATTRIBUTES} atributos por contato.", "attributes")
    return merged


def _apply(contact: Contact, body: dict[str, Any]) -> None:
    if "name" in body:
        contact.name = body_str(body, "name", max_length=200)
    if "email" in body:
        email = body_str(body, "email", max_length=254)
        if email is not None and not _EMAIL.match(email):
            raise invalid("E-mail inválido.", "email")
        contact.email = email.lower() if email else None
    if "cpf_cnpj" in body:
        raw = body_str(body, "cpf_cnpj", max_length=32)
        try:
            contact.cpf_cnpj = normalize_cpf_cnpj(raw) if raw else None
        except InvalidDocument as exc:
            message = str(exc)
            raise ApiError(
                422, "invalid_document", message[:1].upper() + message[1:] + ".", fields=["cpf_cnpj"]
            ) from None
    if "attributes" in body:
        contact.attributes = _attributes(contact.attributes or {}, body["attributes"])


@api_bp.patch("/contacts/<int:contact_id>")
@api_user_required
def update_contact(contact_id: int) -> ResponseReturnValue:
    """Only the fields sent change; `null` (or "") clears name, e-mail or CPF/CNPJ."""
    body = json_object(required=True)
    with writing() as session:
        contact = _contact(session, contact_id)
        _apply(contact, body)
        session.flush()
        return jsonify(_detail(session, contact))
