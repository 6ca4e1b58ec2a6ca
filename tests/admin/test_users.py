"""Users and teams in the back office: invite with a password shown once, role, teams, deactivation,
resets, the plan's seat limit, and sockets told at once of every change of access."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from models.audit import AuditLog
from models.enums import Role
from models.outbox import OutboxEvent
from models.user import Team, TeamMember, User
from tests.admin.conftest import World, post_form
from tests.auth.conftest import PASSWORD, csrf_from

_SHOWN = re.compile(r'id="temporary-password">([^<]+)<')


def _access_events(db: Any, user_id: int) -> int:
    with db.platform_session() as session:
        rows = session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == "user.access")).all()
        return sum(1 for row in rows if row.payload.get("user_id") == user_id)


def _user(db: Any, email: str) -> User | None:
    with db.platform_session() as session:
        return session.scalar(sa.select(User).where(User.email == email))


def _edit(client: Any, user: User, **changes: Any) -> Any:
    data = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "session_timeout_minutes": str(user.session_timeout_minutes),
        **({"is_active": "y"} if user.is_active else {}),
    }
    data.update({k: v for k, v in changes.items() if v is not None})
    if changes.get("is_active") is False:
        data.pop("is_active")
    return post_form(client, f"/admin/users/edit/?id={user.id}", data)


def test_invite_shows_a_password_once_and_the_agent_logs_in(
    app: Any, db: Any, world: World, login_as: Any
) -> None:
    """The new agent's temporary password is on the answer page only; with it they log in."""
    client = login_as("admin_a")
    data = {
        "name": "Nova Agente",
        "email": "Nova@Example.com.br",
        "role": "agent",
        "session_timeout_minutes": "480",
    }
    page = post_form(client, "/admin/users/new/", {**data, "is_active": "y"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    password = _SHOWN.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    user = _user(db, "nova@example.com.br")
    assert user is not None and user.tenant_id == world.tenant_a and user.role is Role.AGENT
    assert password not in client.get(f"/admin/users/edit/?id={user.id}").get_data(as_text=True)

    fresh = app.test_client()
    token = csrf_from(fresh.get("/login").get_data(as_text=True))
    response = fresh.post(
        "/login", data={"email": "nova@example.com.br", "password": password, "csrf_token": token}
    )
    assert response.status_code == 302 and "/login" not in response.headers["Location"]

    with db.platform_session() as session:
        row = session.scalar(sa.select(AuditLog).where(AuditLog.action == "users.create"))
        assert row is not None and row.tenant_id == world.tenant_a
        assert row.actor_user_id == world.people["admin_a"].id and row.ip
        assert "password_hash" not in str(row.data) or "••••••" in str(row.data)
        assert password not in str(row.data)


def test_duplicate_email_and_bad_role_are_refused(db: Any, world: World, login_as: Any) -> None:
    """An e-mail already used (in any tenant) or the superadmin role is a form error, nothing stored."""
    client = login_as("admin_a")
    taken = world.people["admin_b"].email.upper()
    page = post_form(client, "/admin/users/new/", {"name": "X", "email": taken, "role": "agent"})
    assert "Já existe um usuário" in page.get_data(as_text=True)
    page = post_form(
        client, "/admin/users/new/", {"name": "X", "email": "x@example.com.br", "role": "superadmin"}
    )
    assert page.status_code == 200
    assert _user(db, "x@example.com.br") is None


def test_role_team_and_activation_changes_reach_open_sockets(db: Any, world: World, login_as: Any) -> None:
    """Each change of role, teams or activation records access_changed for the person, in the same
    transaction; a deactivated person can no longer log in."""
    agent = _user(db, world.people["agent_a"].email)
    assert agent is not None
    with db.platform_session() as session:
        team = Team(tenant_id=world.tenant_a, name="Suporte")
        session.add(team)
        session.flush()
        team_id = team.id
    client = login_as("admin_a")
    before = _access_events(db, agent.id)

    assert _edit(client, agent, role="supervisor").status_code == 302
    assert _access_events(db, agent.id) == before + 1
    agent = _user(db, agent.email)
    assert agent is not None and agent.role is Role.SUPERVISOR

    assert _edit(client, agent, team_choice=str(team_id)).status_code == 302
    assert _access_events(db, agent.id) == before + 2
    with db.platform_session() as session:
        assert session.get(TeamMember, (team_id, agent.id)) is not None

    assert _edit(client, agent, is_active=False, team_choice=str(team_id)).status_code == 302
    assert _access_events(db, agent.id) == before + 3
    with db.platform_session() as session:
        assert session.get(User, agent.id).is_active is False


def test_admin_cannot_lock_themselves_out(db: Any, world: World, login_as: Any) -> None:
    """Deactivating oneself or changing one's own role is refused."""
    me = _user(db, world.people["admin_a"].email)
    assert me is not None
    page = _edit(login_as("admin_a"), me, role="agent")
    assert "não pode desativar a si mesmo" in page.get_data(as_text=True)
    assert _user(db, me.email).role is Role.ADMIN  # type: ignore[union-attr]


def test_plan_limit_refuses_one_agent_too_many(db: Any, world: World, login_as: Any) -> None:
    """With max_agents reached, inviting one more is a pt-BR error and nothing is stored."""
    from models.tenant import Tenant

    with db.platform_session() as session:
        session.get(Tenant, world.tenant_a).max_agents = 3  # admin, supervisor, agent
    page = post_form(
        login_as("admin_a"),
        "/admin/users/new/",
        {"name": "Y", "email": "y@example.com.br", "role": "agent", "is_active": "y"},
    )
    assert "O plano desta empresa permite 3" in page.get_data(as_text=True)
    assert _user(db, "y@example.com.br") is None


def test_reset_password_and_two_factor(db: Any, world: World, login_as: Any) -> None:
    """A reset password is shown once and works; removing 2FA clears it; both are audited."""
    from tests.auth.conftest import Account, enable_2fa

    agent = world.people["agent_a"]
    enable_2fa(db, Account(agent.id, agent.email, agent.tenant_id))
    client = login_as("admin_a")
    token = csrf_from(client.get(f"/admin/users/edit/?id={agent.id}").get_data(as_text=True))
    page = client.post(f"/admin/users/{agent.id}/reset-password", data={"csrf_token": token})
    assert page.status_code == 200
    password = _SHOWN.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert password != PASSWORD
    response = client.post(f"/admin/users/{agent.id}/reset-2fa", data={"csrf_token": token})
    assert response.status_code == 302
    with db.platform_session() as session:
        user = session.get(User, agent.id)
        assert user.totp_enabled_at is None and user.totp_secret is None and user.recovery_codes == []
        actions = set(session.scalars(sa.select(AuditLog.action).where(AuditLog.target_id == str(agent.id))))
        assert {"users.reset_password", "users.reset_2fa"} <= actions
    other = world.people["agent_b"]
    assert (
        client.post(f"/admin/users/{other.id}/reset-password", data={"csrf_token": token}).status_code == 404
    )


def test_team_members_change_and_delete_reach_sockets(db: Any, world: World, login_as: Any) -> None:
    """Adding a member and deleting the team each record access_changed for that member."""
    agent = world.people["agent_a"]
    client = login_as("admin_a")
    response = post_form(client, "/admin/teams/new/", {"name": "Financeiro", "member_choice": str(agent.id)})
    assert response.status_code == 302
    with db.platform_session() as session:
        team = session.scalar(sa.select(Team).where(Team.name == "Financeiro"))
        assert team is not None and team.tenant_id == world.tenant_a
        assert session.get(TeamMember, (team.id, agent.id)) is not None
    assert _access_events(db, agent.id) == 1
    token = csrf_from(client.get("/admin/teams/").get_data(as_text=True))
    assert client.post("/admin/teams/delete/", data={"csrf_token": token, "id": team.id}).status_code == 302
    assert _access_events(db, agent.id) == 2
    page = post_form(
        client, "/admin/teams/new/", {"name": "x", "member_choice": str(world.people["agent_b"].id)}
    )
    assert page.status_code == 200  # tenant B's agent is not a valid choice
