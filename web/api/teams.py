"""Teams: everyone with an inbox lists them (transfer dialogs, filters); tenant admins manage them.

The rules are `models.teams`' (shared with `niochat team …` and the back office to come); this module
translates HTTP to them. A membership change, or deleting a team, records `models.access.access_changed`
for the people concerned: once the relay runs, their open sockets reconnect with the rooms they have now.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from models import teams
from models.enums import Role
from models.scoping import ScopedSession
from models.teams import TeamError
from models.user import Team
from web.api import api_bp
from web.api.access import api_user_required, writing
from web.api.errors import ApiError, forbidden, not_found
from web.api.params import body_str, json_object
from web.auth.context import current_user, tenant_session

DESCRIPTION_MAX = 500
_NOT_FOUND = frozenset({"team_not_found", "user_not_found"})


def _admin_only() -> None:
    if current_user().role != Role.ADMIN:
        raise forbidden("Só administradores gerenciam equipes.")


def _tenant_id() -> int:
    tenant_id = current_user().tenant_id
    assert tenant_id is not None  # api_user_required: users with an inbox belong to a tenant
    return tenant_id


def _from_team_error(exc: TeamError) -> ApiError:
    if exc.code in _NOT_FOUND:
        return ApiError(404, "not_found", exc.message)
    if exc.code == "team_exists":
        return ApiError(409, exc.code, exc.message)
    if exc.code.startswith("name_"):
        return ApiError(422, "validation_error", exc.message, fields=["name"])
    return ApiError(422, exc.code, exc.message)  # invalid_member


def _team(session: ScopedSession, team_id: int) -> Team:
    """Another tenant's team is as absent as one that never existed."""
    team = teams.get_team(session, _tenant_id(), team_id)
    if team is None:
        raise not_found("Equipe não encontrada.")
    return team


def _team_dict(team: Team, member_count: int) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "description": team.description, "member_count": member_count}


def _team_detail(session: ScopedSession, team: Team) -> dict[str, Any]:
    people = teams.members(session, team)
    members = [
        {"id": u.id, "name": u.name, "email": u.email, "role": Role(u.role).value, "is_active": u.is_active}
        for u in people
    ]
    return {**_team_dict(team, len(members)), "members": members}


@api_bp.get("/teams")
@api_user_required
def list_teams() -> ResponseReturnValue:
    with tenant_session() as session:
        counts = teams.member_counts(session, _tenant_id())
        rows = teams.list_teams(session, _tenant_id())
        return jsonify(items=[_team_dict(t, counts.get(t.id, 0)) for t in rows])


@api_bp.get("/teams/<int:team_id>")
@api_user_required
def get_team(team_id: int) -> ResponseReturnValue:
    with tenant_session() as session:
        return jsonify(_team_detail(session, _team(session, team_id)))


@api_bp.post("/teams")
@api_user_required
def create_team() -> ResponseReturnValue:
    _admin_only()
    body = json_object(required=True)
    name = body_str(body, "name", max_length=teams.NAME_MAX, required=True)
    description = body_str(body, "description", max_length=DESCRIPTION_MAX)
    assert name is not None
    try:
        with writing() as session:
            team = teams.create_team(session, _tenant_id(), name, description)
            answer = _team_detail(session, team)
    except TeamError as exc:
        raise _from_team_error(exc) from None
    return jsonify(answer), 201


@api_bp.patch("/teams/<int:team_id>")
@api_user_required
def update_team(team_id: int) -> ResponseReturnValue:
    """Rename or redescribe; `description: ""` clears it."""
    _admin_only()
    body = json_object(required=True)
    name = body_str(body, "name", max_length=teams.NAME_MAX)
    description = body.get("description")
    if description is not None:
        description = body_str(body, "description", max_length=DESCRIPTION_MAX) or ""
    try:
        with writing() as session:
            team = _team(session, team_id)
            teams.update_team(session, team, name=name, description=description)
            answer = _team_detail(session, team)
    except TeamError as exc:
        raise _from_team_error(exc) from None
    return jsonify(answer)


@api_bp.delete("/teams/<int:team_id>")
@api_user_required
def delete_team(team_id: int) -> ResponseReturnValue:
    """Its waiting conversations become of no team; its members' sockets get their new rooms."""
    _admin_only()
    with writing() as session:
        teams.delete_team(session, _team(session, team_id))
    return "", 204


@api_bp.post("/teams/<int:team_id>/members/<int:user_id>")
@api_user_required
def add_member(team_id: int, user_id: int) -> ResponseReturnValue:
    """Adding someone already in the team changes nothing and answers the same."""
    _admin_only()
    try:
        with writing() as session:
            team = _team(session, team_id)
            teams.add_member(session, team, user_id)
            answer = _team_detail(session, team)
    except TeamError as exc:
        raise _from_team_error(exc) from None
    return jsonify(answer)


@api_bp.delete("/teams/<int:team_id>/members/<int:user_id>")
@api_user_required
def remove_member(team_id: int, user_id: int) -> ResponseReturnValue:
    """Removing someone not in the team is not an error (the result is the same)."""
    _admin_only()
    try:
        with writing() as session:
            teams.remove_member(session, _team(session, team_id), user_id)
    except TeamError as exc:
        raise _from_team_error(exc) from None
    return "", 204
