"""A contact's own labels: list, add one, remove one, or replace them all (the panel's editor).

They are the customer's ("Cliente VIP"), kept from one conversation to the next; a conversation's labels
are `PUT /conversations/{id}/labels`. Contacts are tenant-wide, so every inbox user may label them, like
editing the name. Another company's contact or label is 404, whichever of the two it is.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify
from flask.typing import ResponseReturnValue

from models import contact_labels
from models.label import Label
from models.scoping import ScopedSession
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.contacts import contact_or_404
from web.api.errors import invalid, not_found
from web.api.params import body_int, json_object
from web.auth.context import tenant_session

MAX_LABELS = 50


def _label_dict(label: Label) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "color": label.color, "description": label.description}


def _listing(session: ScopedSession, contact_id: int) -> dict[str, Any]:
    return {"items": [_label_dict(label) for label in contact_labels.labels_of(session, contact_id)]}


def _labels(session: ScopedSession, ids: set[int]) -> list[Label]:
    """The tenant session cannot load another company's label, so one of theirs is simply not found."""
    found = list(session.scalars(sa.select(Label).where(Label.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise not_found("Etiqueta não encontrada.")
    return found


@api_bp.get("/contacts/<int:contact_id>/labels")
@api_user_required
def list_contact_labels(contact_id: int) -> ResponseReturnValue:
    with tenant_session() as session:
        contact = contact_or_404(session, contact_id)
        return jsonify(_listing(session, contact.id))


@api_bp.post("/contacts/<int:contact_id>/labels")
@api_user_required
def add_contact_label(contact_id: int) -> ResponseReturnValue:
    """201 when added, 200 when the contact already had it: retrying is safe."""
    label_id = body_int(json_object(required=True), "label_id", required=True)
    assert label_id is not None
    with writing() as session:
        contact = contact_or_404(session, contact_id)
        (label,) = _labels(session, {label_id})
        added = contact_labels.add_label(session, contact, label)
        session.flush()
        body = _listing(session, contact.id)
    return jsonify(body), 201 if added else 200


@api_bp.put("/contacts/<int:contact_id>/labels")
@api_user_required
def set_contact_labels(contact_id: int) -> ResponseReturnValue:
    body = json_object(required=True)
    raw = body.get("label_ids")
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise invalid("label_ids deve ser uma lista de números de etiquetas.", "label_ids")
    if len(set(raw)) > MAX_LABELS:
        raise invalid(f"No máximo {MAX_LABELS} etiquetas por contato.", "label_ids")
    with writing() as session:
        contact = contact_or_404(session, contact_id)
        contact_labels.set_labels(session, contact, _labels(session, set(raw)))
        session.flush()
        answer = _listing(session, contact.id)
    return jsonify(answer)


@api_bp.delete("/contacts/<int:contact_id>/labels/<int:label_id>")
@api_user_required
def remove_contact_label(contact_id: int, label_id: int) -> ResponseReturnValue:
    """204 whether or not the contact had it (removing twice is harmless)."""
    with writing() as session:
        contact = contact_or_404(session, contact_id)
        (label,) = _labels(session, {label_id})
        contact_labels.remove_label(session, contact, label)
    return "", 204
