"""`/conversations/{id}/csat` and `/contacts/{id}/csat`: the rating as the inbox shows it, checked against
the OpenAPI document, never across tenants, and the events carrying the score."""

from __future__ import annotations

from datetime import timedelta

from models import ConversationEvent, CsatResponse, CsatSurvey
from models.base import utcnow
from models.csat_answers import CsatCapture
from models.enums import ActorKind, CsatStatus, EventKind


def _rated(db, world) -> None:  # type: ignore[no-untyped-def]
    """Ana's closed conversation answered 2 with a comment, alerted; its answered event."""
    conv_id, contact_id = world.convs["ana_closed"], world.contacts["ana_closed"]
    with db.tenant_session(world.tenant) as session:
        from models import Conversation

        conv = session.get(Conversation, conv_id)
        now = utcnow()
        survey = CsatSurvey(tenant_id=world.tenant, conversation_id=conv_id, contact_id=contact_id,
                            inbox_id=conv.inbox_id, status=CsatStatus.ANSWERED, scheduled_for=now,
                            sent_at=now - timedelta(minutes=5), answered_at=now)  # fmt: skip
        session.add(survey)
        session.flush()
        session.add(CsatResponse(tenant_id=world.tenant, survey_id=survey.id, score=2, comment="demorou",
                                 themes=["atendimento_demorado"], interpreted_by="number"))  # fmt: skip
        session.add(CsatCapture(tenant_id=world.tenant, survey_id=survey.id, alerted_at=now, alert_score=2))
        session.add(ConversationEvent(tenant_id=world.tenant, conversation_id=conv_id,
                                      kind=EventKind.CSAT_ANSWERED, actor_kind=ActorKind.CONTACT,
                                      data={"score": 2, "survey_id": survey.id}))  # fmt: skip


def test_conversation_rating(db, world, as_user) -> None:  # type: ignore[no-untyped-def]
    """The closed conversation's rating; null for one without a survey; the event says the score."""
    _rated(db, world)
    api = as_user("ana")
    body = api.get(f"/api/v1/conversations/{world.convs['ana_closed']}/csat").get_json()
    assert (body["score"], body["comment"], body["alerted"], body["status"]) == (
        2,
        "demorou",
        True,
        "answered",
    )
    assert api.get(f"/api/v1/conversations/{world.convs['ana_open']}/csat").get_json() is None
    events = api.get(f"/api/v1/conversations/{world.convs['ana_closed']}/events").get_json()["items"]
    assert [e["score"] for e in events if e["kind"] == "csat_answered"] == [2]


def test_contact_ratings(db, world, as_user) -> None:  # type: ignore[no-untyped-def]
    """The contact panel's list: newest first, with the comment and the alert."""
    _rated(db, world)
    items = (
        as_user("supervisor").get(f"/api/v1/contacts/{world.contacts['ana_closed']}/csat").get_json()["items"]
    )
    assert [(i["score"], i["comment"], i["alerted"], i["recovered"]) for i in items] == [
        (2, "demorou", True, False)
    ]


def test_no_rating_across_tenants(db, world, as_user) -> None:  # type: ignore[no-untyped-def]
    """Another company's admin gets 404 for both."""
    _rated(db, world)
    other = as_user("other_admin")
    assert other.get(f"/api/v1/conversations/{world.convs['ana_closed']}/csat").status_code == 404
    assert other.get(f"/api/v1/contacts/{world.contacts['ana_closed']}/csat").status_code == 404


def test_csat_filter_of_the_list(db, world, as_user) -> None:  # type: ignore[no-untyped-def]
    """`csat=answered` and `csat=low` list the rated conversation only, not the open ones; `waiting` none;
    a bad value is a 422."""
    _rated(db, world)
    api = as_user("admin")
    for value, expected in (("answered", [world.convs["ana_closed"]]), ("low", [world.convs["ana_closed"]]),
                            ("waiting", [])):  # fmt: skip
        body = api.get(f"/api/v1/conversations?status=closed&csat={value}").get_json()
        assert [c["id"] for c in body["items"]] == expected, value
    assert api.get("/api/v1/conversations?status=open&csat=answered").get_json()["items"] == []
    assert api.get("/api/v1/conversations?csat=bom").status_code == 422
