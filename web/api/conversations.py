"""Reading conversations: the inbox list with its filters and tab counts, one conversation, its history.

Writes (take, transfer, close…) are in `conversation_actions`; messages in `messages`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue

from models import conversation_list as listing
from models.csat_answers import CSAT_FILTERS
from models.enums import ConversationStatus, EventKind
from models.event import ConversationEvent
from models.label import Label
from models.serialize import conversation_dict, iso
from web.api import api_bp
from web.api.access import api_user_required, conversation_for
from web.api.errors import ApiError, invalid
from web.api.params import decode_cursor, encode_cursor, query_int, query_limit
from web.api.shapes import conversation_detail, ref, team_names, user_names
from web.auth.context import current_user, tenant_session

MAX_Q = 200
MAX_EVENTS = 1000


def _id_or_none(name: str, *, me: int | None = None) -> int | Literal["none"] | None:
    raw = request.args.get(name, "")
    if raw == listing.NONE:
        return listing.NONE
    if raw == "me" and me is not None:
        return me
    return query_int(name)


def _filters() -> listing.ConversationFilters:
    status = request.args.get("status") or None
    if status is not None and status not in set(ConversationStatus):
        raise invalid("status deve ser bot, pending, open ou closed.", "status")
    snoozed = request.args.get("snoozed", "false")
    if snoozed not in ("true", "false"):
        raise invalid("snoozed deve ser true ou false.", "snoozed")
    csat = request.args.get("csat") or None
    if csat is not None and csat not in CSAT_FILTERS:
        raise invalid("csat deve ser answered, low ou waiting.", "csat")
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_Q:
        raise invalid(f"A busca aceita no máximo {MAX_Q} caracteres.", "q")
    return listing.ConversationFilters(
        status=ConversationStatus(status) if status else None,
        inbox_id=query_int("inbox_id"),
        team_id=_id_or_none("team_id"),
        assignee_id=_id_or_none("assignee_id", me=current_user().id),
        label_id=query_int("label_id"),
        q=q or None,
        snoozed=snoozed == "true",
        csat=csat,
    )


def _sort(filters: listing.ConversationFilters) -> listing.Sort:
    raw = request.args.get("sort") or None
    if raw is None:
        return listing.default_sort(filters.status)
    if raw not in set(listing.Sort):
        raise invalid("sort deve ser recent, waiting ou priority.", "sort")
    return listing.Sort(raw)


def _bad_cursor() -> ApiError:
    return ApiError(422, "invalid_cursor", "Cursor de paginação inválido.", fields=["cursor"])


def _position(sort: listing.Sort) -> listing.Position | None:
    """The cursor names its sort: one from another order (the agent switched sorts) is refused, not
    misread."""
    data = decode_cursor()
    if data is None:
        return None
    keys = listing.SORT_KEYS[sort]
    raw = data.get("k")
    if data.get("s") != sort.value or not isinstance(raw, list) or len(raw) != len(keys):
        raise _bad_cursor()
    values: list[Any] = []
    try:
        for key, value in zip(keys, raw, strict=True):
            if value is None and key.nullable:
                values.append(None)
            elif isinstance(key.column.type, sa.DateTime):
                values.append(datetime.fromisoformat(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                values.append(value)
            else:
                raise ValueError(value)
    except (TypeError, ValueError):
        raise _bad_cursor() from None
    return listing.Position(sort, tuple(values))


def _cursor(position: listing.Position) -> str:
    values = [iso(v) if isinstance(v, datetime) else v for v in position.values]
    return encode_cursor({"s": position.sort.value, "k": values})


@api_bp.get("/conversations")
@api_user_required
def list_conversations() -> ResponseReturnValue:
    """The inbox list. Tab counts ignore `status` so every tab shows its badge whichever is selected."""
    user = current_user()
    filters = _filters()
    sort = _sort(filters)
    after, limit = _position(sort), query_limit()
    with tenant_session() as session:
        rows, next_position = listing.page(session, user, filters, after, limit, sort)
        ids = [conv.id for conv in rows]
        previews = listing.previews(session, ids)
        unread = listing.unread_counts(session, user.id, ids)
        items = [
            {
                **conversation_dict(conv),
                "last_message": previews.get(conv.id),
                "unread": unread.get(conv.id, 0),
            }
            for conv in rows
        ]
        counts = {
            **listing.status_counts(session, user, filters),
            "snoozed": listing.snoozed_count(session, user, filters),
        }
    cursor = _cursor(next_position) if next_position is not None else None
    return jsonify(items=items, next_cursor=cursor, counts=counts)


@api_bp.get("/conversations/<int:conversation_id>")
@api_user_required
def get_conversation(conversation_id: int) -> ResponseReturnValue:
    with tenant_session() as session:
        conv = conversation_for(session, conversation_id)
        return jsonify(conversation_detail(session, conv))


def _event_dict(
    event: ConversationEvent, people: dict[int, str], teams: dict[int, str], labels: dict[int, str]
) -> dict[str, Any]:
    label_id = (
        event.data.get("label_id") if event.kind in (EventKind.LABEL_ADDED, EventKind.LABEL_REMOVED) else None
    )
    item = {
        "id": event.id,
        "kind": str(event.kind),
        "actor_kind": str(event.actor_kind),
        "actor": ref(event.actor_user_id, people),
        "from_status": str(event.from_status) if event.from_status else None,
        "to_status": str(event.to_status) if event.to_status else None,
        "from_assignee": ref(event.from_assignee_id, people),
        "to_assignee": ref(event.to_assignee_id, people),
        "from_team": ref(event.from_team_id, teams),
        "to_team": ref(event.to_team_id, teams),
        "label": ref(label_id if isinstance(label_id, int) else None, labels),
        "priority": event.data.get("to") if event.kind == EventKind.PRIORITY_CHANGED else None,
        "score": event.data.get("score") if event.kind in _CSAT_EVENTS else None,
        "close_kind": event.data.get("kind") if event.kind == EventKind.CLOSED else None,
        "reason": event.reason,
        "created_at": iso(event.created_at),
    }
    if event.kind == EventKind.TOOL_CALL:  # the AI's activity on the inbox timeline
        data = event.data or {}
        item["tool"] = {k: data.get(k2) for k, k2 in _TOOL_FIELDS}
    return item


_CSAT_EVENTS = (EventKind.CSAT_ANSWERED, EventKind.CSAT_ALERT)  # their `score` is shown
_TOOL_FIELDS = (("name", "tool"), ("arguments", "arguments"), ("ok", "ok"), ("summary", "summary"),
                ("duration_ms", "duration_ms"), ("contract", "contract"))  # fmt: skip


@api_bp.get("/conversations/<int:conversation_id>/events")
@api_user_required
def conversation_events(conversation_id: int) -> ResponseReturnValue:
    """Every transition with names resolved, for lines like "Transferida para Financeiro por Ana —
    motivo: 2ª via"; oldest first, as they appear between the messages."""
    with tenant_session() as session:
        conv = conversation_for(session, conversation_id)
        events = list(
            session.scalars(
                sa.select(ConversationEvent)
                .where(ConversationEvent.conversation_id == conv.id)
                .order_by(ConversationEvent.id)
                .limit(MAX_EVENTS)
            )
        )
        people = user_names(
            session, {i for e in events for i in (e.actor_user_id, e.from_assignee_id, e.to_assignee_id)}
        )
        teams = team_names(session, {i for e in events for i in (e.from_team_id, e.to_team_id)})
        label_ids = {e.data.get("label_id") for e in events if isinstance(e.data.get("label_id"), int)}
        labels = (
            {
                lid: name
                for lid, name in session.execute(
                    sa.select(Label.id, Label.name).where(Label.id.in_(label_ids))
                )
            }
            if label_ids
            else {}
        )
        items = [_event_dict(e, people, teams, labels) for e in events]
    return jsonify(items=items)
