"""CSAT in the API: the conversation carries its survey's state; `/csat/surveys` lists surveys with
filters and keyset pagination, only to those who may see the conversation, never across companies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from models import CsatResponse, CsatSurvey
from models.base import utcnow
from models.enums import CsatStatus
from tests.api.conftest import World


def _survey(
    db: Any,
    tenant_id: int,
    conversation_id: int,
    *,
    status: CsatStatus,
    score: int | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
    days_ago: int = 0,
) -> int:
    with db.tenant_session(tenant_id) as session:
        from models import Conversation

        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        at = utcnow() - timedelta(days=days_ago)
        survey = CsatSurvey(
            tenant_id=tenant_id,
            conversation_id=conv.id,
            contact_id=conv.contact_id,
            inbox_id=conv.inbox_id,
            agent_id=agent_id,
            team_id=team_id,
            status=status,
            scheduled_for=at,
            sent_at=at if status != CsatStatus.SKIPPED else None,
            reason="cooldown" if status == CsatStatus.SKIPPED else None,
            created_at=at,
        )
        session.add(survey)
        session.flush()
        if score is not None:
            session.add(
                CsatResponse(tenant_id=tenant_id, survey_id=survey.id, score=score, raw_text=str(score))
            )
        return int(survey.id)


def test_closing_schedules_and_the_conversation_carries_the_survey(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ana closes her conversation: `csat` shows it scheduled ~90 s later; a conversation without a survey
    carries null; reopening cancels it with the reason."""
    api = as_user("ana")
    conv_id = world.convs["ana_open"]
    closed = api.post(f"/api/v1/conversations/{conv_id}/close", json={"reason": "Resolvido"}).get_json()
    csat = closed["csat"]
    assert csat["status"] == "scheduled" and csat["score"] is None and csat["sent_at"] is None
    assert api.get(f"/api/v1/conversations/{world.convs['ana_closed']}").get_json()["csat"] is None
    reopened = api.post(f"/api/v1/conversations/{conv_id}/reopen").get_json()
    assert reopened["csat"]["status"] == "cancelled" and reopened["csat"]["reason"] == "reopened"


def test_closing_as_spam_skips_and_bad_kinds_are_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """`kind: spam` closes without a survey (skipped, `spam`) and the timeline's close event says so; an
    unknown kind is a 422, nothing closed."""
    api = as_user("ana")
    path = f"/api/v1/conversations/{world.convs['ana_open']}"
    refused = api.post(f"{path}/close", json={"kind": "lixo"})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == ["kind"]
    assert api.get(path).get_json()["status"] == "open"
    body = api.post(f"{path}/close", json={"kind": "spam"}).get_json()
    assert body["status"] == "closed" and body["csat"]["status"] == "skipped"
    assert body["csat"]["reason"] == "spam"
    events = api.get(f"{path}/events").get_json()["items"]
    assert [e["close_kind"] for e in events if e["kind"] == "closed"] == ["spam"]


def test_an_opted_out_contact_gets_no_survey(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Ticked in the contact panel (PATCH), the opt-out skips the next close's survey (`opted_out`), even
    for an ordinary `resolved` close; unticked, the close after a reopen schedules it again."""
    api = as_user("ana")
    contact = f"/api/v1/contacts/{world.contacts['ana_open']}"
    path = f"/api/v1/conversations/{world.convs['ana_open']}"
    assert api.patch(contact, json={"csat_opt_out": True}).status_code == 200
    body = api.post(f"{path}/close", json={"kind": "resolved"}).get_json()
    assert body["csat"]["status"] == "skipped" and body["csat"]["reason"] == "opted_out"
    assert api.post(f"{path}/reopen").status_code == 200
    assert api.patch(contact, json={"csat_opt_out": False}).status_code == 200
    again = api.post(f"{path}/close", json={"kind": "resolved"}).get_json()
    assert again["csat"]["status"] == "scheduled" and again["csat"]["reason"] is None


def test_the_score_comes_from_the_response(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """An answered survey shows the customer's score."""
    _survey(db, world.tenant, world.convs["ana_closed"], status=CsatStatus.ANSWERED, score=4)
    body = as_user("ana").get(f"/api/v1/conversations/{world.convs['ana_closed']}").get_json()
    assert body["csat"]["status"] == "answered" and body["csat"]["score"] == 4


def test_survey_list_filters_and_pages(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Filters by status, score, agent, team, inbox and period; pages follow `next_cursor` newest first."""
    t, c, u = world.tenant, world.convs, world.users
    ids = {
        "ana": _survey(db, t, c["ana_closed"], status=CsatStatus.ANSWERED, score=2, agent_id=u["ana"]),
        "bruno": _survey(db, t, c["bruno_open"], status=CsatStatus.SENT, agent_id=u["bruno"]),
        "team": _survey(
            db, t, c["waiting"], status=CsatStatus.SKIPPED, team_id=world.teams["suporte"], days_ago=10
        ),
        "cloud": _survey(db, t, c["cloud_stale"], status=CsatStatus.ANSWERED, score=5, days_ago=3),
    }
    api = as_user("admin")

    def listed(query: str = "") -> list[int]:
        response = api.get(f"/api/v1/csat/surveys{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert listed() == sorted(ids.values(), reverse=True)
    assert listed("?status=answered") == [ids["cloud"], ids["ana"]]
    assert listed("?score=2") == [ids["ana"]]
    assert listed(f"?agent_id={u['bruno']}") == [ids["bruno"]]
    assert listed(f"?team_id={world.teams['suporte']}") == [ids["team"]]
    assert listed(f"?inbox_id={world.inboxes['cloud']}") == [ids["cloud"]]
    since = (utcnow() - timedelta(days=5)).date().isoformat()
    assert listed(f"?since={since}") == [ids["cloud"], ids["bruno"], ids["ana"]]
    until = quote((utcnow() - timedelta(days=5)).isoformat())
    assert listed(f"?until={until}") == [ids["team"]]

    first = api.get("/api/v1/csat/surveys?limit=3").get_json()
    assert [i["id"] for i in first["items"]] == sorted(ids.values(), reverse=True)[:3]
    rest = api.get(f"/api/v1/csat/surveys?limit=3&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in rest["items"]] == [min(ids.values())] and rest["next_cursor"] is None
    item = rest["items"][0]
    assert item["agent"] == {"id": u["ana"], "name": "Ana"} and item["score"] == 2

    for bad in ("?status=lido", "?score=9", "?since=ontem", "?cursor=xyz", "?agent_id=abc"):
        response = api.get(f"/api/v1/csat/surveys{bad}")
        assert response.status_code == 422, bad


def test_surveys_are_isolated_by_company_and_visibility(as_user, db, world: World) -> None:  # type: ignore[no-untyped-def]
    """Another company's admin sees none of ours (and we none of theirs); an agent sees the surveys of
    conversations that are hers, not a colleague's."""
    ours = _survey(
        db, world.tenant, world.convs["ana_closed"], status=CsatStatus.SENT, agent_id=world.users["ana"]
    )
    theirs = _survey(db, world.other_tenant, world.convs["other"], status=CsatStatus.SENT)
    _survey(db, world.tenant, world.convs["bruno_open"], status=CsatStatus.SENT)

    def listed(who: str, query: str = "") -> list[int]:
        return [i["id"] for i in as_user(who).get(f"/api/v1/csat/surveys{query}").get_json()["items"]]

    assert listed("other_admin") == [theirs]
    assert theirs not in listed("admin")
    assert listed("ana") == [ours]
    assert listed("other_admin", f"?inbox_id={world.inboxes['whatsapp']}") == []
    assert as_user("other_admin").get(f"/api/v1/conversations/{world.convs['ana_closed']}").status_code == 404
