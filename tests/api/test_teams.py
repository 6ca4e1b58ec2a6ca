"""`/api/v1/teams`: everyone with an inbox lists teams and their members; admins create, rename, delete
and change members; another company's teams and users do not exist; each membership change asks the
relay to refresh the user's sockets (`user.access`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import User
from models.outbox import OutboxEvent
from models.outbox_ops import USER_ACCESS
from models.user import Team, TeamMember
from tests.api.conftest import World


def _access_rows(db: Any) -> list[int]:
    with db.platform_session() as session:
        rows = session.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == USER_ACCESS))
        return sorted(int(row.payload["user_id"]) for row in rows)


def test_everyone_lists_teams_with_member_counts(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    for who in ("ana", "supervisor", "admin"):
        items = as_user(who).get("/api/v1/teams").get_json()["items"]
        assert [(t["name"], t["member_count"]) for t in items] == [("Financeiro", 1), ("Suporte", 1)], who


def test_a_team_shows_its_members(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    body = as_user("bruno").get(f"/api/v1/teams/{world.teams['suporte']}").get_json()
    assert body["name"] == "Suporte" and body["member_count"] == 1
    assert body["members"] == [
        {
            "id": world.users["ana"],
            "name": "Ana",
            "email": "ana@exemplo.com.br",
            "role": "agent",
            "is_active": True,
        }
    ]


def test_admins_manage_teams(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    api = as_user("admin")
    created = api.post("/api/v1/teams", json={"name": "  Vendas  ", "description": "Planos novos"})
    assert created.status_code == 201
    team = created.get_json()
    assert (team["name"], team["description"], team["members"]) == ("Vendas", "Planos novos", [])
    path = f"/api/v1/teams/{team['id']}"

    renamed = api.patch(path, json={"name": "Comercial", "description": ""})
    assert renamed.status_code == 200
    assert (renamed.get_json()["name"], renamed.get_json()["description"]) == ("Comercial", None)

    added = api.post(f"{path}/members/{world.users['ana']}")
    assert added.status_code == 200 and [m["id"] for m in added.get_json()["members"]] == [world.users["ana"]]
    assert api.post(f"{path}/members/{world.users['ana']}").status_code == 200, "adding twice changes nothing"
    assert _access_rows(db) == [world.users["ana"]], "one refresh of Ana's sockets, for the one change"

    assert api.delete(f"{path}/members/{world.users['ana']}").status_code == 204
    assert api.delete(f"{path}/members/{world.users['ana']}").status_code == 204
    assert _access_rows(db) == [world.users["ana"]] * 2
    assert api.get(path).get_json()["members"] == []

    api.post(f"{path}/members/{world.users['bruno']}")
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert _access_rows(db) == sorted([world.users["ana"]] * 2 + [world.users["bruno"]] * 2), (
        "deleting the team refreshes its members"
    )


def test_only_admins_manage(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    team = f"/api/v1/teams/{world.teams['suporte']}"
    for who in ("supervisor", "ana"):
        api = as_user(who)
        calls = [
            api.post("/api/v1/teams", json={"name": "Nova"}),
            api.patch(team, json={"name": "Outro"}),
            api.delete(team),
            api.post(f"{team}/members/{world.users['bruno']}"),
            api.delete(f"{team}/members/{world.users['ana']}"),
        ]
        for response in calls:
            assert response.status_code == 403, (who, response.request.path)
            assert response.get_json()["error"]["message"] == "Só administradores gerenciam equipes."


def test_another_companys_teams_and_users_are_not_found(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    api = as_user("admin")
    foreign = f"/api/v1/teams/{world.teams['other']}"
    for response in (
        api.get(foreign),
        api.patch(foreign, json={"name": "Minha"}),
        api.delete(foreign),
        api.post(f"{foreign}/members/{world.users['ana']}"),
        api.delete(f"{foreign}/members/{world.users['other_admin']}"),
        api.get("/api/v1/teams/999999"),
    ):
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    ours = f"/api/v1/teams/{world.teams['suporte']}"
    for response in (
        api.post(f"{ours}/members/{world.users['other_admin']}"),
        api.post(f"{ours}/members/{world.users['root']}"),
    ):
        assert (
            response.status_code == 404
            and response.get_json()["error"]["message"] == "Usuário não encontrado."
        )
    with db.platform_session() as session:
        assert session.get(Team, world.teams["other"]).name == "Suporte B"
        assert session.scalar(sa.select(sa.func.count()).select_from(TeamMember)) == 2
    assert _access_rows(db) == []


def test_names_are_unique_and_members_need_an_inbox(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    api = as_user("admin")
    taken = api.post("/api/v1/teams", json={"name": "suporte"})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "team_exists"
    assert taken.get_json()["error"]["message"] == "Já existe uma equipe chamada suporte."
    renamed = api.patch(f"/api/v1/teams/{world.teams['financeiro']}", json={"name": "SUPORTE"})
    assert renamed.status_code == 409
    blank = api.post("/api/v1/teams", json={"name": "   "})
    assert blank.status_code == 422 and blank.get_json()["error"]["fields"] == ["name"]
    assert api.post("/api/v1/teams", json={"name": "Outra empresa tem"}).status_code == 201
    assert api.post("/api/v1/teams", json={"name": "Suporte B"}).status_code == 201, "names are per company"

    with db.platform_session() as session:
        session.get(User, world.users["bruno"]).is_active = False
    inactive = api.post(f"/api/v1/teams/{world.teams['suporte']}/members/{world.users['bruno']}")
    assert inactive.status_code == 422 and inactive.get_json()["error"]["code"] == "invalid_member"


def test_browser_changes_need_the_csrf_header(as_browser, world: World) -> None:  # type: ignore[no-untyped-def]
    api, token = as_browser("admin")
    path = f"/api/v1/teams/{world.teams['suporte']}/members/{world.users['bruno']}"
    assert api.post(path).status_code == 400
    assert api.post(path, headers={"X-CSRFToken": token}).status_code == 200


def test_anonymous_and_superadmin_are_refused(as_user, anonymous, world: World) -> None:  # type: ignore[no-untyped-def]
    team = f"/api/v1/teams/{world.teams['suporte']}"
    for api, status in ((anonymous, 401), (as_user("root"), 403)):
        for response in (
            api.get("/api/v1/teams"),
            api.get(team),
            api.post("/api/v1/teams", json={"name": "X"}),
            api.patch(team, json={"name": "X"}),
            api.delete(team),
            api.post(f"{team}/members/{world.users['bruno']}"),
            api.delete(f"{team}/members/{world.users['ana']}"),
        ):
            assert response.status_code == status, response.request.path
