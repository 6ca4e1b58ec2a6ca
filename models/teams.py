"""Teams and their members: what the REST API (`/api/v1/teams`), the CLI (`niochat team …`) and, later,
the back office call, so the rules are the same everywhere.

A team decides which waiting conversations its agents see (`models.permissions`) and which Socket.IO
rooms their browsers are in; so every change of membership, and deleting a team, records
`models.access.access_changed` for the people concerned in the same transaction. Every function names
the tenant and filters by it, so it is right in a tenant session and in the CLI's platform session alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.access import access_changed
from models.permissions import has_inbox
from models.user import Team, TeamMember, User

NAME_MAX = 120  # Team.name


class TeamError(ValueError):
    """Input or state a person must fix; `code` is stable for the API, the message is shown as is."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise TeamError("name_required", "Informe o nome da equipe.")
    if len(cleaned) > NAME_MAX:
        raise TeamError("name_too_long", f"O nome da equipe aceita no máximo {NAME_MAX} caracteres.")
    return cleaned


def _ensure_free(session: Session, tenant_id: int, name: str, team_id: int | None = None) -> None:
    """Names are unique per tenant, whatever the case: "Suporte" and "suporte" would confuse everyone."""
    taken = session.scalar(
        sa.select(Team.id).where(
            Team.tenant_id == tenant_id, sa.func.lower(Team.name) == name.lower(), Team.id != (team_id or 0)
        )
    )
    if taken is not None:
        raise TeamError("team_exists", f"Já existe uma equipe chamada {name}.")


def get_team(session: Session, tenant_id: int, team_id: int) -> Team | None:
    return session.scalar(sa.select(Team).where(Team.id == team_id, Team.tenant_id == tenant_id))


def list_teams(session: Session, tenant_id: int) -> Sequence[Team]:
    return session.scalars(sa.select(Team).where(Team.tenant_id == tenant_id).order_by(Team.name)).all()


def find_team(session: Session, tenant_id: int, ref: str) -> Team:
    """By id (digits) or by name, case-insensitively: what an operator types."""
    ref = ref.strip()
    team = (
        get_team(session, tenant_id, int(ref))
        if ref.isdigit()
        else session.scalar(
            sa.select(Team).where(Team.tenant_id == tenant_id, sa.func.lower(Team.name) == ref.lower())
        )
    )
    if team is None:
        raise TeamError("team_not_found", f"Equipe {ref!r} não encontrada.")
    return team


def create_team(session: Session, tenant_id: int, name: str, description: str | None = None) -> Team:
    name = _clean_name(name)
    _ensure_free(session, tenant_id, name)
    team = Team(tenant_id=tenant_id, name=name, description=(description or "").strip() or None)
    session.add(team)
    session.flush()
    return team


def update_team(
    session: Session, team: Team, *, name: str | None = None, description: str | None = None
) -> None:
    """Only what is given changes; an empty description clears it."""
    if name is not None:
        name = _clean_name(name)
        _ensure_free(session, team.tenant_id, name, team.id)
        team.name = name
    if description is not None:
        team.description = description.strip() or None
    session.flush()


def delete_team(session: Session, team: Team) -> None:
    """Its waiting conversations become "of no team" (the foreign key sets NULL); its members lose its
    room, so their sockets are refreshed."""
    for user_id in member_ids(session, team):
        access_changed(session, team.tenant_id, user_id)
    session.delete(team)
    session.flush()


def member_ids(session: Session, team: Team) -> list[int]:
    rows = session.scalars(
        sa.select(TeamMember.user_id).where(
            TeamMember.team_id == team.id, TeamMember.tenant_id == team.tenant_id
        )
    )
    return list(rows)


def members(session: Session, team: Team) -> Sequence[User]:
    return session.scalars(
        sa.select(User)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id, TeamMember.tenant_id == team.tenant_id)
        .order_by(User.name, User.id)
    ).all()


def member_counts(session: Session, tenant_id: int) -> dict[int, int]:
    rows = session.execute(
        sa.select(TeamMember.team_id, sa.func.count())
        .where(TeamMember.tenant_id == tenant_id)
        .group_by(TeamMember.team_id)
    )
    return {team_id: count for team_id, count in rows}


def _member_user(session: Session, team: Team, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != team.tenant_id:
        raise TeamError("user_not_found", "Usuário não encontrado.")
    return user


def add_member(session: Session, team: Team, user_id: int) -> bool:
    """True if added, False if already a member. Only people with an inbox (active agents, supervisors,
    admins of the team's tenant) can be members."""
    user = _member_user(session, team, user_id)
    if not has_inbox(user):
        raise TeamError("invalid_member", "Só usuários ativos com caixa de entrada podem entrar em equipes.")
    if session.get(TeamMember, (team.id, user.id)) is not None:
        return False
    session.add(TeamMember(tenant_id=team.tenant_id, team_id=team.id, user_id=user.id))
    access_changed(session, team.tenant_id, user.id)
    session.flush()
    return True


def remove_member(session: Session, team: Team, user_id: int) -> bool:
    """True if removed, False if the user was not a member (removing twice is not an error)."""
    user = _member_user(session, team, user_id)
    membership = session.get(TeamMember, (team.id, user.id))
    if membership is None:
        return False
    session.delete(membership)
    access_changed(session, team.tenant_id, user.id)
    session.flush()
    return True


def user_by_email(session: Session, tenant_id: int, email: str) -> User:
    user = session.scalar(
        sa.select(User).where(User.tenant_id == tenant_id, sa.func.lower(User.email) == email.strip().lower())
    )
    if user is None:
        raise TeamError("user_not_found", f"Usuário {email!r} não encontrado nesta empresa.")
    return user
