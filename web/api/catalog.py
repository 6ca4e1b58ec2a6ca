"""What the inbox screens pick from: labels, agents (transfer dialog), quick replies, templates
and inboxes (teams: web/api/teams.py). Small tenant-wide lists, unpaged. Inboxes are listed without any
secret: credentials and webhook secrets never leave the server (`list_inboxes` selects named columns,
never whole rows)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from models.enums import Role
from models.inbox import Inbox
from models.label import Label
from models.permissions import INBOX_ROLES, is_manager
from models.reply import MessageTemplate, QuickReply, template_parameter_count
from models.search import like_pattern
from models.serialize import iso
from models.user import TeamMember, User
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.errors import ApiError, forbidden, invalid
from web.api.params import body_str, json_object, query_int
from web.auth.context import current_team_ids, current_user, tenant_session

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_Q = 100


def _label_dict(label: Label) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "color": label.color, "description": label.description}


@api_bp.get("/labels")
@api_user_required
def list_labels() -> ResponseReturnValue:
    with tenant_session() as session:
        labels = session.scalars(sa.select(Label).order_by(Label.name))
        return jsonify(items=[_label_dict(label) for label in labels])


@api_bp.post("/labels")
@api_user_required
def create_label() -> ResponseReturnValue:
    """Admins and supervisors curate the label set; agents apply labels, they do not invent them."""
    if not is_manager(current_user()):
        raise forbidden("Só administradores e supervisores criam etiquetas.")
    body = json_object(required=True)
    name = body_str(body, "name", max_length=60, required=True)
    color = body_str(body, "color", max_length=7) or "#6b7280"
    if not _COLOR.match(color):
        raise invalid("color deve estar no formato #RRGGBB.", "color")
    description = body_str(body, "description", max_length=200)
    try:
        with writing() as session:
            label = Label(name=name, color=color.lower(), description=description)
            session.add(label)
            session.flush()
            body_out = _label_dict(label)
    except IntegrityError:
        raise ApiError(409, "label_exists", f"Já existe uma etiqueta chamada {name}.") from None
    return jsonify(body_out), 201


@api_bp.get("/agents")
@api_user_required
def list_agents() -> ResponseReturnValue:
    """Active people with an inbox, for "assign to" and "transfer to" pickers (with their teams, so the
    dialog can group or filter them)."""
    tenant_id = current_user().tenant_id
    with tenant_session() as session:
        users = list(
            session.scalars(
                sa.select(User)
                .where(User.tenant_id == tenant_id, User.is_active.is_(True), User.role.in_(INBOX_ROLES))
                .order_by(User.name, User.id)
            )
        )
        memberships: dict[int, list[int]] = {u.id: [] for u in users}
        rows = session.execute(
            sa.select(TeamMember.user_id, TeamMember.team_id)
            .where(TeamMember.user_id.in_(memberships))
            .order_by(TeamMember.team_id)
        )
        for user_id, team_id in rows:
            memberships[user_id].append(team_id)
        items = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": Role(u.role).value,
                "team_ids": memberships[u.id],
                "availability": u.availability,
                "last_seen_at": iso(u.last_seen_at),
            }
            for u in users
        ]
    return jsonify(items=items)


@api_bp.get("/quick-replies")
@api_user_required
def list_quick_replies() -> ResponseReturnValue:
    """Tenant-wide replies plus those of the user's teams (managers see every team's)."""
    q = (request.args.get("q") or "").strip().lstrip("/")
    if len(q) > MAX_Q:
        raise invalid(f"A busca aceita no máximo {MAX_Q} caracteres.", "q")
    stmt = sa.select(QuickReply).order_by(QuickReply.shortcut)
    if not is_manager(current_user()):
        stmt = stmt.where(sa.or_(QuickReply.team_id.is_(None), QuickReply.team_id.in_(current_team_ids())))
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            sa.or_(
                QuickReply.shortcut.ilike(pattern, escape="\\"),
                QuickReply.title.ilike(pattern, escape="\\"),
                QuickReply.content.ilike(pattern, escape="\\"),
            )
        )
    with tenant_session() as session:
        replies = session.scalars(stmt)
        items = [
            {"id": r.id, "shortcut": r.shortcut, "title": r.title, "content": r.content, "team_id": r.team_id}
            for r in replies
        ]
    return jsonify(items=items)


@api_bp.get("/templates")
@api_user_required
def list_templates() -> ResponseReturnValue:
    """Meta-approved templates (what may be sent outside the 24-hour window); `inbox_id` also includes
    the tenant-wide ones (no inbox)."""
    inbox_id = query_int("inbox_id")
    stmt = sa.select(MessageTemplate).order_by(MessageTemplate.name, MessageTemplate.language)
    if inbox_id is not None:
        stmt = stmt.where(sa.or_(MessageTemplate.inbox_id == inbox_id, MessageTemplate.inbox_id.is_(None)))
    with tenant_session() as session:
        items = [
            {
                "id": t.id,
                "inbox_id": t.inbox_id,
                "name": t.name,
                "language": t.language,
                "category": t.category,
                "status": t.status,
                "body": t.body,
                "parameter_count": template_parameter_count(t.body),
            }
            for t in session.scalars(stmt)
        ]
    return jsonify(items=items)


@api_bp.get("/inboxes")
@api_user_required
def list_inboxes() -> ResponseReturnValue:
    """Named columns only: the encrypted credentials and webhook secret are not even loaded."""
    columns = (
        Inbox.id,
        Inbox.name,
        Inbox.channel_type,
        Inbox.phone_number,
        Inbox.is_active,
        Inbox.connection_state,
        Inbox.connection_changed_at,
    )
    with tenant_session() as session:
        rows = session.execute(sa.select(*columns).order_by(Inbox.name, Inbox.id))
        items = [
            {
                "id": row.id,
                "name": row.name,
                "channel": str(row.channel_type),
                "phone_number": row.phone_number,
                "is_active": row.is_active,
                "connection_state": row.connection_state,
                "connection_changed_at": iso(row.connection_changed_at),
            }
            for row in rows
        ]
    return jsonify(items=items)
