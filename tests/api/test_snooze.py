"""Snooze ("Adiar até…"), "Marcar como não lida" and availability (Online / Ausente) through the API:
each answers as the contract says, hides or shows what it should, and refuses what it must (including
another company's conversations, which are a 404)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import OutboxEvent, User
from models.snooze import preset_until
from tests.api.conftest import World

SP = ZoneInfo("America/Sao_Paulo")


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def _ids(api, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [item["id"] for item in api.get(f"/api/v1/conversations?{query}").get_json()["items"]]


def test_snooze_leaves_the_active_lists_and_unsnooze_brings_it_back(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ana snoozes her open conversation for an hour: gone from Em atendimento (and its count), listed
    under Adiadas, still open and hers; "Reativar" puts it back; both steps are events with her name."""
    api, conv = as_user("ana"), world.convs["ana_open"]
    before = api.get("/api/v1/conversations?status=open").get_json()["counts"]
    snoozed = api.post(f"/api/v1/conversations/{conv}/snooze", json={"preset": "one_hour"})
    assert snoozed.status_code == 200, snoozed.get_json()
    body = snoozed.get_json()
    until = datetime.fromisoformat(body["snoozed_until"])
    assert timedelta(minutes=59) < until - datetime.now(UTC) <= timedelta(hours=1)
    assert body["status"] == "open" and body["assignee"]["id"] == world.users["ana"]
    assert conv not in _ids(api, "status=open")
    page = api.get("/api/v1/conversations?snoozed=true").get_json()
    assert [item["id"] for item in page["items"]] == [conv]
    assert page["counts"]["snoozed"] == 1 and page["counts"]["open"] == before["open"] - 1

    woke = api.post(f"/api/v1/conversations/{conv}/unsnooze")
    assert woke.status_code == 200 and woke.get_json()["snoozed_until"] is None
    assert conv in _ids(api, "status=open") and _ids(api, "snoozed=true") == []
    events = api.get(f"/api/v1/conversations/{conv}/events").get_json()["items"]
    assert [(e["kind"], e["actor"]["name"]) for e in events[-2:]] == [
        ("snoozed", "Ana"),
        ("unsnoozed", "Ana"),
    ]


def test_presets_and_custom_times_are_in_the_tenants_timezone(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """ "Amanhã 8h" is 8:00 in São Paulo (11:00 UTC), "Próxima semana" next Monday 8:00; a custom time
    without offset is read in São Paulo too."""
    friday_night = datetime(2026, 12, 4, 23, 30, tzinfo=SP)  # Friday 23:30 in São Paulo, Saturday in UTC
    assert preset_until("tomorrow", "America/Sao_Paulo", friday_night) == datetime(
        2026, 12, 5, 11, 0, tzinfo=UTC
    )
    assert preset_until("next_week", "America/Sao_Paulo", friday_night) == datetime(
        2026, 12, 7, 11, 0, tzinfo=UTC
    )
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=SP)
    assert preset_until("next_week", "America/Sao_Paulo", monday).date() == datetime(2026, 12, 14).date()

    day = (datetime.now(SP) + timedelta(days=2)).date()
    answer = as_user("ana").post(
        f"/api/v1/conversations/{world.convs['ana_open']}/snooze", json={"until": f"{day.isoformat()}T10:00"}
    )
    assert answer.status_code == 200
    assert datetime.fromisoformat(answer.get_json()["snoozed_until"]) == datetime(
        day.year, day.month, day.day, 13, 0, tzinfo=UTC
    )


def test_snooze_refusals(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Not for the AI's or closed conversations (409), not in the past or without a time (422), not by an
    agent on what is not hers (403/404), and another company's conversation does not exist (404)."""
    admin, ana = as_user("admin"), as_user("ana")
    path = "/api/v1/conversations/{}/snooze"
    hour = {"preset": "one_hour"}
    refused = admin.post(path.format(world.convs["bot"]), json=hour)
    assert refused.status_code == 409 and _error(refused) == "not_snoozable"
    assert _error(admin.post(path.format(world.convs["ana_closed"]), json=hour)) == "not_snoozable"
    past = ana.post(path.format(world.convs["ana_open"]), json={"until": "2020-01-01T08:00"})
    assert past.status_code == 422 and _error(past) == "until_in_past"
    assert ana.post(path.format(world.convs["ana_open"]), json={}).status_code == 422
    assert ana.post(path.format(world.convs["ana_open"]), json={"preset": "someday"}).status_code == 422
    assert ana.post(path.format(world.convs["ana_open"]), json={"until": "amanhã"}).status_code == 422
    assert ana.post(path.format(world.convs["waiting"]), json=hour).status_code == 403
    assert ana.post(path.format(world.convs["bruno_open"]), json=hour).status_code == 404
    assert ana.post(path.format(world.convs["other"]), json=hour).status_code == 404
    assert as_user("other_admin").post(path.format(world.convs["ana_open"]), json=hour).status_code == 404
    not_snoozed = ana.post(f"/api/v1/conversations/{world.convs['ana_open']}/unsnooze")
    assert not_snoozed.status_code == 409 and _error(not_snoozed) == "not_snoozed"
    assert (
        as_user("other_admin").post(f"/api/v1/conversations/{world.convs['ana_open']}/unsnooze").status_code
        == 404
    )


def test_mark_unread_shows_it_unread_for_me_until_i_open_it(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Read, then "Marcar como não lida": unread 1 for Ana only; reading again clears it."""
    ana, admin, conv = as_user("ana"), as_user("admin"), world.convs["ana_open"]

    def unread(api) -> int:  # type: ignore[no-untyped-def]
        items = api.get("/api/v1/conversations?status=open").get_json()["items"]
        return int(next(item["unread"] for item in items if item["id"] == conv))

    assert ana.post(f"/api/v1/conversations/{conv}/read").status_code == 200
    assert admin.post(f"/api/v1/conversations/{conv}/read").status_code == 200
    assert unread(ana) == 0
    marked = ana.post(f"/api/v1/conversations/{conv}/unread")
    assert marked.status_code == 200 and marked.get_json()["unread_count"] == 1
    assert unread(ana) == 1 and unread(admin) == 0
    assert ana.post(f"/api/v1/conversations/{conv}/read").status_code == 200
    assert unread(ana) == 0
    assert ana.post(f"/api/v1/conversations/{world.convs['bruno_open']}/unread").status_code == 404
    assert as_user("other_admin").post(f"/api/v1/conversations/{conv}/unread").status_code == 404


def test_availability_is_saved_broadcast_and_respected_by_transfers(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Bruno goes Ausente: saved, an outbox row tells colleagues, and transferring or assigning to him is
    a 409 naming him; to his team it still works. Back Online, the transfer goes through."""
    bruno = as_user("bruno")
    away = bruno.put("/api/v1/me/availability", json={"availability": "away"})
    assert away.status_code == 200 and away.get_json() == {
        "user_id": world.users["bruno"],
        "availability": "away",
    }
    assert bruno.put("/api/v1/me/availability", json={"availability": "busy"}).status_code == 422
    with db.platform_session() as session:
        assert session.get(User, world.users["bruno"]).availability == "away"
        payloads = session.scalars(
            sa.select(OutboxEvent.payload).where(OutboxEvent.topic == "user.availability")
        )
        assert list(payloads) == [{"user_id": world.users["bruno"], "availability": "away"}]

    ana, conv = as_user("ana"), world.convs["ana_open"]
    transfer = ana.post(
        f"/api/v1/conversations/{conv}/transfer",
        json={"agent_id": world.users["bruno"], "reason": "Financeiro"},
    )
    assert transfer.status_code == 409 and _error(transfer) == "agent_away"
    assert "Bruno está ausente" in transfer.get_json()["error"]["message"]
    assign = as_user("supervisor").post(
        f"/api/v1/conversations/{world.convs['waiting']}/assign", json={"agent_id": world.users["bruno"]}
    )
    assert assign.status_code == 409 and _error(assign) == "agent_away"
    to_team = ana.post(
        f"/api/v1/conversations/{conv}/transfer",
        json={"team_id": world.teams["financeiro"], "reason": "2ª via"},
    )
    assert to_team.status_code == 200 and to_team.get_json()["status"] == "pending"

    assert bruno.put("/api/v1/me/availability", json={"availability": "online"}).status_code == 200
    agents = {a["id"]: a["availability"] for a in ana.get("/api/v1/agents").get_json()["items"]}
    assert agents[world.users["bruno"]] == "online"
    done = as_user("supervisor").post(
        f"/api/v1/conversations/{world.convs['waiting']}/assign", json={"agent_id": world.users["bruno"]}
    )
    assert done.status_code == 200
