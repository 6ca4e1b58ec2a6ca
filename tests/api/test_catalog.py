"""The lists the inbox picks from: labels (managers create), teams, agents, quick replies, templates and
inboxes — the last without a single secret."""

from __future__ import annotations

import sqlalchemy as sa

from models import Inbox, User
from tests.api.conftest import World


def _names(response, key: str = "name") -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return [item[key] for item in response.get_json()["items"]]


def test_labels_list_and_creation_by_managers(as_user) -> None:  # type: ignore[no-untyped-def]
    """Supervisors create labels (201); a duplicate is 409, a bad colour 422, an agent 403."""
    assert _names(as_user("ana").get("/api/v1/labels")) == ["Financeiro", "VIP"]
    created = as_user("supervisor").post("/api/v1/labels", json={"name": "Sem internet", "color": "#FF0000"})
    assert created.status_code == 201 and created.get_json()["color"] == "#ff0000"
    duplicate = as_user("admin").post("/api/v1/labels", json={"name": "Sem internet"})
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["code"] == "label_exists"
    assert as_user("admin").post("/api/v1/labels", json={"name": "X", "color": "vermelho"}).status_code == 422
    assert as_user("admin").post("/api/v1/labels", json={}).status_code == 422
    assert as_user("ana").post("/api/v1/labels", json={"name": "Minha"}).status_code == 403
    assert "Sem internet" in _names(as_user("ana").get("/api/v1/labels"))


def test_teams_and_agents_for_transfer_dialogs(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Teams by name; agents are the active inbox users with role and team ids (no superadmin, inactive)."""
    assert _names(as_user("ana").get("/api/v1/teams")) == ["Financeiro", "Suporte"]
    with db.platform_session() as session:
        session.get(User, world.users["supervisor"]).is_active = False
    agents = as_user("ana").get("/api/v1/agents").get_json()["items"]
    assert [a["name"] for a in agents] == ["Admin", "Ana", "Bruno"]
    ana = next(a for a in agents if a["name"] == "Ana")
    assert ana["role"] == "agent" and ana["team_ids"] == [world.teams["suporte"]]


def test_quick_replies_follow_teams_and_search(as_user) -> None:  # type: ignore[no-untyped-def]
    """Ana sees the tenant-wide reply; Bruno (Financeiro) also his team's; q matches "/shortcut" or text."""
    assert _names(as_user("ana").get("/api/v1/quick-replies"), "shortcut") == ["ola"]
    assert _names(as_user("bruno").get("/api/v1/quick-replies"), "shortcut") == ["boleto", "ola"]
    assert _names(as_user("admin").get("/api/v1/quick-replies?q=/bol"), "shortcut") == ["boleto"]
    assert _names(as_user("admin").get("/api/v1/quick-replies?q=ajudar"), "shortcut") == ["ola"]


def test_templates_by_inbox(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """With inbox_id: that inbox's templates and the tenant-wide ones, with their parameter count."""
    cloud = as_user("ana").get(f"/api/v1/templates?inbox_id={world.inboxes['cloud']}").get_json()["items"]
    assert [(t["name"], t["parameter_count"]) for t in cloud] == [("aviso", 0), ("retomar", 2)]
    other = as_user("ana").get(f"/api/v1/templates?inbox_id={world.inboxes['whatsapp']}").get_json()["items"]
    assert [t["name"] for t in other] == ["aviso"]


def test_inboxes_never_carry_secrets(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Name, channel and connection state only: no credential value or webhook secret in the answer."""
    with db.platform_session() as session:
        webhook = [(i.webhook_key, i.webhook_secret) for i in session.scalars(sa.select(Inbox))]
    response = as_user("admin").get("/api/v1/inboxes")
    assert _names(response) == ["WhatsApp Oficial", "WhatsApp Vendas"]
    raw = response.get_data(as_text=True)
    secrets = ["segredo-evolution-123", "segredo-meta-456", "segredo-app-789", "credentials"]
    for secret in secrets + [value for pair in webhook for value in pair]:
        assert secret not in raw
    assert response.get_json()["items"][0]["channel"] == "whatsapp_cloud"
