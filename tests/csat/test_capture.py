"""Capturing CSAT answers through the real webhook path: ratings join the closed conversation, requests
open a new one, the comment after a low rating, alerts, reopening, recovery, expiry and tenant isolation."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from jobs.csat_capture import capture_reply
from models import ConversationEvent, CsatResponse, CsatSettings, CsatSurvey, Message, OutboxEvent
from models.csat_answers import COMMENT_QUESTION, CsatCapture
from models.enums import Direction
from tests.csat.conftest import closed_with_survey, conversations
from tests.webhooks.test_pipeline import evolution_text


@pytest.fixture()
def answered(db, inboxes, post, redis_url):  # type: ignore[no-untyped-def]
    """A customer's first conversation, closed, with its survey sent; `say(text)` posts the customer's
    next message and runs the capture job for it when it joined the closed conversation."""
    inbox = inboxes["evolution"]
    assert post(inbox, evolution_text("Estou sem internet")).json["stored"] == 1
    first = conversations(db, inbox.tenant_id)[0][0]
    survey_id = closed_with_survey(db, inbox.tenant_id, first)

    def say(text: str) -> str | None:
        assert post(inbox, evolution_text(text)).json["stored"] == 1
        with db.tenant_session(inbox.tenant_id) as session:
            message = session.scalars(sa.select(Message).order_by(Message.id.desc())).first()
            assert message is not None
            where = (message.id, message.conversation_id)
        return capture_reply(inbox.tenant_id, first, where[0]) if where[1] == first else None

    return inbox, first, survey_id, say


def _response(db, tenant_id: int) -> CsatResponse | None:  # type: ignore[no-untyped-def]
    with db.tenant_session(tenant_id) as session:
        response = session.scalar(sa.select(CsatResponse))
        if response is not None:
            session.expunge(response)
        return response


def _outbound_texts(db, tenant_id: int, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with db.tenant_session(tenant_id) as session:
        return list(
            session.scalars(
                sa.select(Message.text)
                .where(Message.conversation_id == conversation_id, Message.direction == Direction.OUTBOUND)
                .order_by(Message.id)
            )
        )


def test_rating_is_stored_on_the_closed_conversation(db, answered) -> None:  # type: ignore[no-untyped-def]
    """ "nota 4" stays on the closed conversation: answered, event with the score, thank-you sent."""
    inbox, first, survey_id, say = answered
    assert say("nota 4 - bom atendimento") == "rating"
    assert conversations(db, inbox.tenant_id) == [(first, "closed")]
    response = _response(db, inbox.tenant_id)
    assert response is not None
    assert (response.score, response.interpreted_by, response.sentiment) == (4, "number", "positive")
    with db.tenant_session(inbox.tenant_id) as session:
        survey = session.get(CsatSurvey, survey_id)
        assert survey is not None and str(survey.status) == "answered" and survey.answered_at
        event = session.scalar(sa.select(ConversationEvent).where(ConversationEvent.kind == "csat_answered"))
        assert event is not None and event.data["score"] == 4 and event.conversation_id == first
        sends = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "message.send")
        )
    assert _outbound_texts(db, inbox.tenant_id, first)[-1] == "Obrigado pela sua avaliação!"
    assert sends == 1
    assert say("nota 4 - bom atendimento") is None  # same text again, survey answered: a new conversation


def test_a_new_request_opens_a_conversation_and_the_survey_stays_open(db, answered) -> None:  # type: ignore[no-untyped-def]
    """ "minha internet caiu de novo" is not a rating: a new conversation, the survey still waiting."""
    inbox, _, survey_id, say = answered
    assert say("minha internet caiu de novo") is None
    (_, closed), (second, status) = conversations(db, inbox.tenant_id)
    assert (closed, status) == ("closed", "bot")
    with db.tenant_session(inbox.tenant_id) as session:
        assert str(session.get(CsatSurvey, survey_id).status) == "sent"  # type: ignore[union-attr]
        assert session.scalar(sa.select(Message.conversation_id).order_by(Message.id.desc())) == second
    assert _response(db, inbox.tenant_id) is None


def test_low_rating_asks_for_a_comment_and_stores_the_reply(db, answered) -> None:  # type: ignore[no-untyped-def]
    """At or below 3 the thank-you asks what to improve; the reply becomes the comment, no conversation
    opens; the message after that is a conversation again."""
    inbox, first, _, say = answered
    assert say("3") == "rating"
    assert COMMENT_QUESTION in _outbound_texts(db, inbox.tenant_id, first)[-1]
    assert say("demorou demais e o problema nao foi resolvido") == "comment"
    assert [s for _, s in conversations(db, inbox.tenant_id)] == ["closed"]
    response = _response(db, inbox.tenant_id)
    assert response is not None and response.score == 3
    assert response.comment == "demorou demais e o problema nao foi resolvido"
    assert {"atendimento_demorado", "problema_nao_resolvido"} <= set(response.themes)
    assert response.sentiment == "negative"
    assert say("oi, preciso de outra coisa") is None
    assert [s for _, s in conversations(db, inbox.tenant_id)] == ["closed", "bot"]


def test_a_request_in_the_comment_window_opens_a_conversation(db, answered) -> None:  # type: ignore[no-untyped-def]
    """Even while a comment is awaited, "quero a 2 via" is a new request."""
    inbox, _, _, say = answered
    assert say("2") == "rating"
    assert say("quero a 2 via do boleto") is None
    assert [s for _, s in conversations(db, inbox.tenant_id)] == ["closed", "bot"]
    assert _response(db, inbox.tenant_id).comment is None  # type: ignore[union-attr]


def test_bad_rating_alerts_and_reopens(db, answered) -> None:  # type: ignore[no-untyped-def]
    """At or below the threshold: `csat_alert` event, a `csat.alert` row for the screens, and reopened to
    the waiting queue when `reopen_on_bad`."""
    inbox, first, survey_id, say = answered
    with db.tenant_session(inbox.tenant_id) as session:
        session.execute(sa.update(CsatSettings).values(alert_threshold=2, reopen_on_bad=True))
    assert say("péssimo 😡") == "rating"
    with db.tenant_session(inbox.tenant_id) as session:
        alert = session.scalar(sa.select(ConversationEvent).where(ConversationEvent.kind == "csat_alert"))
        assert alert is not None and alert.data["score"] == 1 and alert.conversation_id == first
        row = session.scalar(sa.select(OutboxEvent).where(OutboxEvent.topic == "csat.alert"))
        assert row is not None and row.payload["score"] == 1 and row.payload["reopened"] is True
        follow = session.get(CsatCapture, survey_id)
        assert follow is not None and follow.alerted_at and follow.alert_score == 1
    assert conversations(db, inbox.tenant_id) == [(first, "pending")]


def test_recovery_is_stored(db, inboxes, post, redis_url) -> None:  # type: ignore[no-untyped-def]
    """A rating of 1 alerts; the contact's next conversation rated 5 marks that alert recovered."""
    inbox = inboxes["evolution"]
    ids: list[tuple[int, int]] = []
    for text, rating in (("Sem internet", "1"), ("Fatura", "5")):
        assert post(inbox, evolution_text(text)).json["stored"] == 1
        conv = max(i for i, s in conversations(db, inbox.tenant_id) if s != "closed")
        survey_id = closed_with_survey(db, inbox.tenant_id, conv)
        assert post(inbox, evolution_text(rating)).json["stored"] == 1
        with db.tenant_session(inbox.tenant_id) as session:
            message_id = session.scalar(
                sa.select(sa.func.max(Message.id)).where(Message.conversation_id == conv)
            )
        assert capture_reply(inbox.tenant_id, conv, int(message_id)) == "rating"
        ids.append((conv, survey_id))
    with db.tenant_session(inbox.tenant_id) as session:
        bad, good = (session.get(CsatCapture, s) for _, s in ids)
        assert (
            bad is not None
            and bad.alerted_at
            and bad.recovered_at
            and bad.recovered_by_survey_id == ids[1][1]
        )
        assert good is not None and good.alerted_at is None


def test_an_expired_survey_captures_nothing(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Past its expiry, even "5" opens a new conversation."""
    inbox = inboxes["evolution"]
    post(inbox, evolution_text("Sem internet"))
    first = conversations(db, inbox.tenant_id)[0][0]
    closed_with_survey(db, inbox.tenant_id, first, expires_in=-1)
    post(inbox, evolution_text("5", timestamp=int(time.time())))  # the message's own time decides
    assert [s for _, s in conversations(db, inbox.tenant_id)] == ["closed", "bot"]


def test_a_survey_of_another_tenant_is_never_answered(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """The same phone in another tenant: its "5" opens that tenant's conversation, the survey waits."""
    from models.enums import ChannelType
    from models.provisioning import create_inbox, create_tenant
    from tests.webhooks.conftest import ChannelInbox

    inbox = inboxes["evolution"]
    post(inbox, evolution_text("Sem internet"))
    survey_id = closed_with_survey(db, inbox.tenant_id, conversations(db, inbox.tenant_id)[0][0])
    with db.platform_session() as session:
        other = create_tenant(session, slug="outro", name="Outro")
        creds = {"base_url": "http://127.0.0.1:9", "api_key": "k", "instance": "isp01"}
        row = create_inbox(
            session, tenant_id=other.id, channel=ChannelType.EVOLUTION, name="e", credentials=creds
        )
        theirs = ChannelInbox(row.id, other.id, row.webhook_key, row.webhook_secret, ChannelType.EVOLUTION)
    assert post(theirs, evolution_text("5")).json["stored"] == 1
    assert [s for _, s in conversations(db, other.id)] == ["bot"]
    with db.tenant_session(inbox.tenant_id) as session:
        assert str(session.get(CsatSurvey, survey_id).status) == "sent"  # type: ignore[union-attr]


MATRIX: list[tuple[str, bool]] = [
    ("5", True), ("nota 4", True), ("4 - bom", True), ("⭐⭐⭐⭐", True), ("👍", True), ("nada bom", True),
    ("excelente", True), ("pessimo", True), ("minha internet caiu de novo", False),
    ("529.982.247-25", False), ("o técnico vem que horas?", False), ("quero a 2 via", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "is_answer"), MATRIX)
def test_capture_matrix(db, answered, text: str, is_answer: bool) -> None:  # type: ignore[no-untyped-def]
    """Rows of the labelled set through the webhook: ratings stay on the closed conversation, requests
    open a new one."""
    inbox, _, _, say = answered
    outcome: Any = say(text)
    assert (outcome == "rating") is is_answer
    assert len(conversations(db, inbox.tenant_id)) == (1 if is_answer else 2)
