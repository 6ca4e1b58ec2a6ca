"""Reading conversations: the list (visibility, filters, search, counts, cursor paging), one conversation
with its allowed actions, and its event history."""

from __future__ import annotations

from models import Contact, Message
from models.enums import ConversationStatus
from tests.api.conftest import World, add_conversation

S = ConversationStatus


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_list_shows_items_with_preview_unread_and_counts(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """An admin sees every conversation of the company, newest activity first, with preview and counts."""
    body = as_user("admin").get("/api/v1/conversations").get_json()
    ids = [item["id"] for item in body["items"]]
    assert ids[:3] == [world.convs["waiting"], world.convs["bot"], world.convs["ana_open"]]
    assert set(ids) == {v for k, v in world.convs.items() if k != "other"}
    first = body["items"][0]
    assert first["last_message"]["text"] == "Oi, estou sem internet"
    assert first["last_message"]["direction"] == "inbound" and first["unread"] == 1
    assert first["contact"]["name"] == "Cliente waiting" and first["inbox_name"] == "WhatsApp Vendas"
    assert body["counts"] == {"bot": 1, "pending": 2, "open": 3, "closed": 1, "snoozed": 0}
    assert body["next_cursor"] is None


def test_an_agent_sees_only_what_the_policy_allows(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ana (team Suporte) sees her own, the AI's and Suporte's waiting ones; counts follow the same rule."""
    body = as_user("ana").get("/api/v1/conversations").get_json()
    expected = {"waiting", "bot", "ana_open", "ana_closed", "cloud_stale"}
    assert {item["id"] for item in body["items"]} == {world.convs[k] for k in expected}
    assert body["counts"] == {"bot": 1, "pending": 1, "open": 2, "closed": 1, "snoozed": 0}


def test_filters(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """status, inbox, team (id or none), assignee (id, me, none) and label each narrow the list."""
    api, c = as_user("admin"), world.convs
    assert set(_ids(api.get("/api/v1/conversations?status=pending"))) == {c["waiting"], c["finance_waiting"]}
    assert _ids(api.get(f"/api/v1/conversations?inbox_id={world.inboxes['cloud']}")) == [c["cloud_stale"]]
    assert _ids(api.get(f"/api/v1/conversations?team_id={world.teams['financeiro']}")) == [
        c["finance_waiting"]
    ]
    assert c["waiting"] not in _ids(api.get("/api/v1/conversations?team_id=none"))
    mine = as_user("ana").get("/api/v1/conversations?assignee_id=me")
    assert set(_ids(mine)) == {c["ana_open"], c["ana_closed"], c["cloud_stale"]}
    assert _ids(api.get(f"/api/v1/conversations?assignee_id={world.users['bruno']}")) == [c["bruno_open"]]
    unassigned = set(_ids(api.get("/api/v1/conversations?assignee_id=none")))
    assert unassigned == {c["waiting"], c["bot"], c["finance_waiting"]}
    api.put(f"/api/v1/conversations/{c['bot']}/labels", json={"label_ids": [world.labels["vip"]]})
    assert _ids(api.get(f"/api/v1/conversations?label_id={world.labels['vip']}")) == [c["bot"]]
    counted = api.get("/api/v1/conversations?status=open&assignee_id=none").get_json()
    assert counted["items"] == [] and counted["counts"]["pending"] == 2  # counts ignore status


def test_bad_filters_are_refused(as_user) -> None:  # type: ignore[no-untyped-def]
    """A filter that cannot be understood is a 422 naming it, never silently ignored."""
    api = as_user("admin")
    for query, field in [
        ("status=aberta", "status"),
        ("inbox_id=abc", "inbox_id"),
        ("assignee_id=x", "assignee_id"),
        ("limit=0", "limit"),
    ]:
        response = api.get(f"/api/v1/conversations?{query}")
        assert response.status_code == 422 and response.get_json()["error"]["fields"] == [field]
    bad_cursor = api.get("/api/v1/conversations?cursor=bm90LWpzb24")
    assert bad_cursor.status_code == 422 and bad_cursor.get_json()["error"]["code"] == "invalid_cursor"


def test_search_by_name_phone_document_and_message_text(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """q finds the contact's name, phone digits in any format, CPF with punctuation, and message text."""
    with db.tenant_session(world.tenant) as session:
        contact = session.get(Contact, world.contacts["bruno_open"])
        contact.name, contact.cpf_cnpj = "Joana D'Arc Souza", "52998224725"
        conv_id = world.convs["finance_waiting"]
        session.add(
            Message(
                tenant_id=world.tenant,
                conversation_id=conv_id,
                inbox_id=world.inboxes["whatsapp"],
                direction="inbound",
                sender_kind="contact",
                text="Quero a segunda via do boleto 50%",
            )
        )
    api, c = as_user("admin"), world.convs
    assert _ids(api.get("/api/v1/conversations?q=joana")) == [c["bruno_open"]]
    assert _ids(api.get("/api/v1/conversations?q=529.982.247-25")) == [c["bruno_open"]]
    assert _ids(api.get("/api/v1/conversations?q=(11) 98765-0003")) == [c["bruno_open"]]
    assert _ids(api.get("/api/v1/conversations?q=SEGUNDA VIA")) == [c["finance_waiting"]]
    assert _ids(api.get("/api/v1/conversations?q=50%25")) == [c["finance_waiting"]]  # % is literal
    assert _ids(api.get("/api/v1/conversations?q=nada-parecido")) == []
    assert c["bruno_open"] not in _ids(
        as_user("ana").get("/api/v1/conversations?q=joana")
    )  # still visibility


def test_cursor_paging_walks_70_conversations_without_gaps_or_repeats(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Pages of 30 over 77 conversations (70 new, several sharing a timestamp) return each exactly once."""
    with db.tenant_session(world.tenant) as session:
        for i in range(70):
            add_conversation(
                session,
                world.tenant,
                world.inboxes["whatsapp"],
                name=f"Lote {i}",
                phone=f"+55219876{i:05d}",
                status=S.PENDING,
                minutes_ago=100 + i // 3,
            )
    api, seen, cursor, pages = as_user("admin"), [], None, 0
    while True:
        response = api.get("/api/v1/conversations" + (f"?cursor={cursor}" if cursor else ""))
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 77
    small = api.get("/api/v1/conversations?limit=500&status=pending").get_json()
    assert len(small["items"]) == 72 and small["next_cursor"] is None  # limit clamps to 100


def test_get_one_conversation_with_actions_and_window(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """The detail names assignee and team and lists what this user may do now; Meta's window is reported."""
    ana = as_user("ana")
    mine = ana.get(f"/api/v1/conversations/{world.convs['ana_open']}").get_json()
    assert mine["assignee"] == {"id": world.users["ana"], "name": "Ana"} and mine["team"] is None
    assert mine["allowed_actions"] == ["close", "note", "reply", "transfer"] and mine["window_open"] is True
    waiting = ana.get(f"/api/v1/conversations/{world.convs['waiting']}").get_json()
    assert waiting["allowed_actions"] == ["note", "take"] and waiting["team"]["name"] == "Suporte"
    stale = ana.get(f"/api/v1/conversations/{world.convs['cloud_stale']}").get_json()
    assert stale["window_open"] is False and stale["channel"] == "whatsapp_cloud"
    closed = as_user("admin").get(f"/api/v1/conversations/{world.convs['ana_closed']}").get_json()
    assert closed["allowed_actions"] == ["note", "reopen"]


def test_an_agent_gets_404_for_a_conversation_they_cannot_see(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Bruno's conversation and another team's queue do not exist for Ana: 404, not 403."""
    ana = as_user("ana")
    for key in ("bruno_open", "finance_waiting"):
        response = ana.get(f"/api/v1/conversations/{world.convs[key]}")
        assert response.status_code == 404, key
        assert ana.get(f"/api/v1/conversations/{world.convs[key]}/messages").status_code == 404


def test_events_read_like_the_timeline(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """After take and a transfer, the events name the actor, the team and the reason, oldest first."""
    ana, conv = as_user("ana"), world.convs["waiting"]
    assert ana.post(f"/api/v1/conversations/{conv}/take").status_code == 200
    moved = ana.post(
        f"/api/v1/conversations/{conv}/transfer",
        json={"team_id": world.teams["financeiro"], "reason": "2ª via de boleto"},
    )
    assert moved.status_code == 200
    events = as_user("admin").get(f"/api/v1/conversations/{conv}/events").get_json()["items"]
    assert [e["kind"] for e in events] == ["assigned", "transferred"]
    transfer = events[1]
    assert transfer["actor"] == {"id": world.users["ana"], "name": "Ana"}
    assert transfer["to_team"] == {"id": world.teams["financeiro"], "name": "Financeiro"}
    assert transfer["from_team"]["name"] == "Suporte" and transfer["reason"] == "2ª via de boleto"
    assert transfer["from_status"] == "open" and transfer["to_status"] == "pending"
