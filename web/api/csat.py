"""`GET /api/v1/csat/surveys`: the tenant's CSAT surveys, filtered, newest first, keyset-paginated.

Each survey is listed only to users who may see its conversation (`conversation_visibility`): managers
see the tenant's, an agent the conversations closed while assigned to them. The score comes from the
customer's response when there is one (capture writes it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue

from models.conversation import Conversation
from models.csat import CsatResponse, CsatSurvey
from models.csat_surveys import survey_dict
from models.enums import CsatStatus
from models.permissions import conversation_visibility
from models.serialize import iso
from web.api import api_bp
from web.api.access import api_user_required
from web.api.errors import ApiError, invalid
from web.api.params import decode_cursor, encode_cursor, query_int, query_limit
from web.api.shapes import ref, team_names, user_names
from web.auth.context import current_user, tenant_session


def _moment(name: str, *, end: bool = False) -> datetime | None:
    """An ISO date (the whole day, in UTC) or date-time; a time without zone is UTC."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise invalid(f"{name} deve ser uma data (AAAA-MM-DD) ou data e hora ISO 8601.", name) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _filters() -> list[Any]:
    clauses: list[Any] = []
    status = request.args.get("status") or None
    if status is not None:
        if status not in set(CsatStatus):
            raise invalid("status deve ser um de: " + ", ".join(s.value for s in CsatStatus) + ".", "status")
        clauses.append(CsatSurvey.status == status)
    since, until = _moment("since"), _moment("until", end=True)
    if since is not None:
        clauses.append(CsatSurvey.created_at >= since)
    if until is not None:
        clauses.append(CsatSurvey.created_at <= until)
    for name, column in (
        ("inbox_id", CsatSurvey.inbox_id),
        ("agent_id", CsatSurvey.agent_id),
        ("team_id", CsatSurvey.team_id),
    ):
        value = query_int(name)
        if value is not None:
            clauses.append(column == value)
    score = query_int("score")
    if score is not None:
        if score > 5:
            raise invalid("score deve ser de 1 a 5.", "score")
        clauses.append(CsatResponse.score == score)
    return clauses


def _after() -> int | None:
    data = decode_cursor()
    if data is None:
        return None
    value = data.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError(422, "invalid_cursor", "Cursor de paginação inválido.", fields=["cursor"])
    return value


@api_bp.get("/csat/surveys")
@api_user_required
def list_surveys() -> ResponseReturnValue:
    user = current_user()
    clauses, after, limit = _filters(), _after(), query_limit()
    stmt = (
        sa.select(CsatSurvey, CsatResponse.score)
        .join(Conversation, Conversation.id == CsatSurvey.conversation_id)
        .outerjoin(CsatResponse, CsatResponse.survey_id == CsatSurvey.id)
        .where(conversation_visibility(user), *clauses)
        .order_by(CsatSurvey.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        stmt = stmt.where(CsatSurvey.id < after)
    with tenant_session() as session:
        rows = session.execute(stmt).all()[: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        people = user_names(session, [s.agent_id for s, _ in rows])
        teams = team_names(session, [s.team_id for s, _ in rows])
        items = [
            {
                "id": survey.id,
                "conversation_id": survey.conversation_id,
                "contact_id": survey.contact_id,
                "inbox_id": survey.inbox_id,
                "agent": ref(survey.agent_id, people),
                "team": ref(survey.team_id, teams),
                "handled_by_ai": survey.handled_by_ai,
                "form": survey.form,
                "expires_at": iso(survey.expires_at),
                "created_at": iso(survey.created_at),
                **survey_dict(survey, score),
            }
            for survey, score in rows
        ]
    cursor = encode_cursor({"id": rows[-1][0].id}) if more and rows else None
    return jsonify(items=items, next_cursor=cursor)
