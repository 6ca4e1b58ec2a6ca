"""Contacts: search, the side panel of a conversation (labels, earlier conversations) and editing.

Contacts are tenant-wide: every inbox user may look a customer up and fix their name, CPF/CNPJ or e-mail
(identity numbers are validated by check digits, so the SGP lookups the AI does with them work), or mark
that they want no CSAT surveys (`csat_opt_out`). That last one changes what the CSAT figures count, so
who changed it is kept in the audit log, and a `contact.updated` row lets other screens follow. The
earlier conversations are listed for everyone, with `can_view` telling which ones this user may open.
Seen from one conversation (`?conversation_id=`), the others are split into the earlier ones and the
newer ones, so the panel never calls a later conversation "anterior". The contact's own labels (not a
conversation's) are edited in `contact_labels`.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.sql.elements import ColumnElement

from models import contact_labels
from models import outbox_ops as topics
from models.audit import record
from models.contact import Contact
from models.conversation import Conversation
from models.documents import InvalidDocument, normalize_cpf_cnpj
from models.permissions import can_view
from models.scoping import ScopedSession
from models.search import contact_matches
from models.serialize import contact_dict, iso, label_dict
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.errors import ApiError, invalid, not_found
from web.api.params import (
    body_bool,
    body_str,
    decode_cursor,
    encode_cursor,
    json_object,
    query_int,
    query_limit,
)
from web.api.shapes import ref, team_names, user_names
from web.auth.context import client_info, current_team_ids, current_user, tenant_session

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


def contact_or_404(session: ScopedSession, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.tenant_id != current_user().tenant_id:
        raise not_found("Contato não encontrado.")
    return contact


def _summary(conv: Conversation, people: dict[int, str], teams: dict[int, str]) -> dict[str, Any]:
    return {
        "id": conv.id,
        "status": str(conv.status),
        "inbox_id": conv.inbox_id,
        "inbox_name": conv.inbox.name,
        "channel": str(conv.inbox.channel_type),
        "assignee": ref(conv.assignee_id, people),
        "team": ref(conv.team_id, teams),
        "created_at": iso(conv.created_at),
        "last_message_at": iso(conv.last_message_at),
        "closed_at": iso(conv.closed_at),
        "close_reason": conv.close_reason,
        "can_view": can_view(current_user(), conv, current_team_ids()),
    }


def _seen_from(session: ScopedSession, contact: Contact) -> Conversation | None:
    """`?conversation_id=`: the conversation the panel is shown beside, which must be this contact's."""
    conversation_id = query_int("conversation_id")
    if conversation_id is None:
        return None
    conv = session.get(Conversation, conversation_id)
    if conv is None or conv.contact_id != contact.id:
        raise invalid("conversation_id deve ser uma conversa deste contato.", "conversation_id")
    return conv


def _conversations(
    session: ScopedSession, contact: Contact, where: list[ColumnElement[bool]], *, oldest_first: bool = False
) -> list[Conversation]:
    order = (Conversation.created_at, Conversation.id)
    return list(
        session.scalars(
            sa.select(Conversation)
            .where(Conversation.contact_id == contact.id, *where)
            .order_by(*(order if oldest_first else (column.desc() for column in order)))
            .limit(MAX_EARLIER)
        )
    )


def _detail(
    session: ScopedSession, contact: Contact, seen_from: Conversation | None = None
) -> dict[str, Any]:
    newer: list[Conversation] | None = None
    if seen_from is None:
        convs = _conversations(session, contact, [])
    else:
        key = sa.tuple_(Conversation.created_at, Conversation.id)
        mark = sa.tuple_(sa.literal(seen_from.created_at), sa.literal(seen_from.id))
        convs = _conversations(session, contact, [key < mark])
        newer = _conversations(session, contact, [key > mark], oldest_first=True)
    shown = convs + (newer or [])
    people = user_names(session, [c.assignee_id for c in shown])
    teams = team_names(session, [c.team_id for c in shown])
    detail = {
        **contact_dict(contact),
        "csat_opt_out": contact.csat_opt_out,
        "created_at": iso(contact.created_at),
        "labels": [label_dict(label) for label in contact_labels.labels_of(session, contact.id)],
        "conversations": [_summary(c, people, teams) for c in convs],
    }
    if newer is not None:
        detail["newer_conversations"] = [_summary(c, people, teams) for c in newer]
    return detail


@api_bp.get("/contacts/<int:contact_id>")
@api_user_required
def get_contact(contact_id: int) -> ResponseReturnValue:
    with tenant_session() as session:
        contact = contact_or_404(session, contact_id)
        return jsonify(_detail(session, contact, _seen_from(session, contact)))


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
    if "csat_opt_out" in body:
        contact.csat_opt_out = body_bool(body, "csat_opt_out")


def _record_opt_out(session: ScopedSession, contact: Contact, before: bool) -> None:
    """Only an actual change is recorded: the audit row says who stopped (or resumed) the surveys, since
    that takes the customer out of the CSAT figures; `contact.updated` makes the other panels reload."""
    if contact.csat_opt_out == before:
        return
    user = current_user()
    record(
        session,
        "contact.csat_opt_out",
        client=client_info("api" if g.get("auth_via") == "token" else "web"),
        tenant_id=contact.tenant_id,
        actor_user_id=user.id,
        target_type="contact",
        target_id=contact.id,
        data={"before": before, "after": contact.csat_opt_out},
    )
    topics.record(
        session, contact.tenant_id, topics.CONTACT_UPDATED, contact_id=contact.id, change="csat_opt_out"
    )


@api_bp.patch("/contacts/<int:contact_id>")
@api_user_required
def update_contact(contact_id: int) -> ResponseReturnValue:
    """Only the fields sent change; `null` (or "") clears name, e-mail or CPF/CNPJ."""
    body = json_object(required=True)
    with writing() as session:
        contact = contact_or_404(session, contact_id)
        opted_out = contact.csat_opt_out
        _apply(contact, body)
        _record_opt_out(session, contact, opted_out)
        session.flush()
        return jsonify(_detail(session, contact))
