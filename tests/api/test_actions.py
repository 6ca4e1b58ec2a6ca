"""Changing conversations: take (and the race for it), assign, transfer, close, reopen, read, labels — each
answering the conversation as GET shows it, each refused with the right status when it must be."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from models import ConversationRead, OutboxEvent
from models.enums import ConversationStatus
from tests.api.conftest import World


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def test_take_assigns_to_me_and_records_an_update(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Assumir: the conversation becomes open with Ana, and an outbox row tells the other screens."""
    response = as_user("ana").post(f"/api/v1/conversations/{world.convs['waiting']}/take")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "open"
    assert body["assignee"]["id"] == world.users["ana"] and "take" not in body["allowed_actions"]
    with db.platform_session() as session:
        topics = session.scalars(sa.select(OutboxEvent.topic)).all()
    assert "conversation.updated" in topics


def test_second_take_is_a_409_conflict(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Whoever comes second (even if the conversation has left their view) hears it was already taken."""
    path = f"/api/v1/conversations/{world.convs['waiting']}/take"
    assert as_user("ana").post(path).status_code == 200
    second = as_user("supervisor").post(path)
    assert second.status_code == 409 and _error(second) == "already_taken"
    with_ana = as_user("ana").post(path)
    assert with_ana.status_code == 409


def test_concurrent_takes_get_one_200_and_one_409(app, as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Two agents clicking at the same instant: the row lock serialises them — one winner, one 409."""
    from models import TeamMember

    with db.platform_session() as session:
        session.add(
            TeamMember(tenant_id=world.tenant, team_id=world.teams["suporte"], user_id=world.users["bruno"])
        )
    clients = [as_user("ana"), as_user("bruno")]
    path = f"/api/v1/conversations/{world.convs['waiting']}/take"
    barrier, results = threading.Barrier(2), []

    def take(api) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results.append(api.post(path).status_code)

    threads = [threading.Thread(target=take, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200, 409]


def test_assign_is_for_managers(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """A supervisor assigns to Bruno; Ana, who can see the conversation, gets 403."""
    path = f"/api/v1/conversations/{world.convs['waiting']}/assign"
    refused = as_user("ana").post(path, json={"agent_id": world.users["ana"]})
    assert refused.status_code == 403 and _error(refused) == "forbidden"
    done = as_user("supervisor").post(path, json={"agent_id": world.users["bruno"], "reason": "Especialista"})
    assert done.status_code == 200 and done.get_json()["assignee"] == {
        "id": world.users["bruno"],
        "name": "Bruno",
    }
    missing = as_user("supervisor").post(path, json={})
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"] == ["agent_id"]


def test_transfer_needs_a_target_and_a_reason(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ana transfers her conversation to Financeiro with a reason; without reason or target it is a 422."""
    api, path = as_user("ana"), f"/api/v1/conversations/{world.convs['ana_open']}/transfer"
    no_reason = api.post(path, json={"team_id": world.teams["financeiro"]})
    assert no_reason.status_code == 422 and no_reason.get_json()["error"]["fields"] == ["reason"]
    both = api.post(
        path, json={"team_id": world.teams["financeiro"], "agent_id": world.users["bruno"], "reason": "x"}
    )
    assert both.status_code == 422
    done = api.post(path, json={"team_id": world.teams["financeiro"], "reason": "Cobrança"})
    body = done.get_json()
    assert done.status_code == 200 and body["status"] == "pending" and body["team"]["name"] == "Financeiro"
    assert body["allowed_actions"] == []  # Ana is not in Financeiro: she no longer acts on it


def test_an_agent_cannot_act_on_a_conversation_she_only_watches(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ana sees the AI's conversation but may not close or transfer it: 403 (she can take it)."""
    conv = world.convs["bot"]
    ana = as_user("ana")
    assert ana.post(f"/api/v1/conversations/{conv}/close").status_code == 403
    transfer = ana.post(
        f"/api/v1/conversations/{conv}/transfer", json={"team_id": world.teams["suporte"], "reason": "x"}
    )
    assert transfer.status_code == 403


def test_close_and_reopen(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Close with a reason, a second close is a 409, and reopening brings it back to the agent."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    closed = api.post(f"/api/v1/conversations/{conv}/close", json={"reason": "Resolvido"})
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed" and closed.get_json()["close_reason"] == "Resolvido"
    again = as_user("admin").post(f"/api/v1/conversations/{conv}/close")
    assert again.status_code == 409 and _error(again) == "already_closed"
    reopened = api.post(f"/api/v1/conversations/{conv}/reopen", json={"reason": "Cliente voltou"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == ConversationStatus.OPEN
    not_closed = as_user("admin").post(f"/api/v1/conversations/{conv}/reopen")
    assert not_closed.status_code == 409 and _error(not_closed) == "not_closed"


def test_read_clears_my_unread_count(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """After /read the list's unread for Ana is 0 and her read position is stored."""
    api, conv = as_user("ana"), world.convs["ana_open"]

    def unread() -> int:
        items = api.get("/api/v1/conversations?assignee_id=me").get_json()["items"]
        return next(item["unread"] for item in items if item["id"] == conv)

    assert unread() == 1
    assert api.post(f"/api/v1/conversations/{conv}/read").status_code == 200
    assert unread() == 0
    with db.platform_session() as session:
        assert session.scalar(
            sa.select(ConversationRead.user_id).where(ConversationRead.conversation_id == conv)
        )


def test_labels_are_replaced(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """PUT labels sets the list; an unknown id or a malformed body is a 422."""
    api, path = as_user("ana"), f"/api/v1/conversations/{world.convs['ana_open']}/labels"
    both = api.put(path, json={"label_ids": [world.labels["vip"], world.labels["financeiro"]]})
    assert both.status_code == 200 and {x["name"] for x in both.get_json()["labels"]} == {"VIP", "Financeiro"}
    one = api.put(path, json={"label_ids": [world.labels["vip"]]})
    assert [x["name"] for x in one.get_json()["labels"]] == ["VIP"]
    assert api.put(path, json={"label_ids": [999999]}).status_code == 422
    assert api.put(path, json={"label_ids": "vip"}).status_code == 422
