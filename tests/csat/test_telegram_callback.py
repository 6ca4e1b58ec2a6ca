"""A tap on the survey's inline keyboard in Telegram: the `callback_query` webhook answers the survey on the
closed conversation, the query is answered (answerCallbackQuery) and the survey message edited to show
the choice, all against the Bot API stub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from jobs.csat_capture import capture_reply
from jobs.outbound import answer_callback
from models import CsatResponse, Message, OutboxEvent
from models.enums import ChannelType
from models.provisioning import create_inbox
from tests.csat.conftest import closed_with_survey, conversations
from tests.stubs.telegram import BOT_TOKEN, TelegramStub
from tests.webhooks.conftest import ChannelInbox

BUTTONS = [(f"csat:{n}", label) for n, label in enumerate(["😡", "😕", "😐", "🙂", "🤩 Excelente"], 1)]


@pytest.fixture()
def stub() -> Iterator[TelegramStub]:
    with TelegramStub() as server:
        yield server


def test_callback_answers_the_survey_and_edits_it(db, inboxes, post, stub, redis_url) -> None:  # type: ignore[no-untyped-def]
    """`csat:5` from the keyboard: rating 5 by button on the closed conversation, no new conversation,
    the spinner stopped and the survey message now reading the choice."""
    tenant_id = inboxes["evolution"].tenant_id
    with db.platform_session() as session:
        row = create_inbox(
            session,
            tenant_id=tenant_id,
            channel=ChannelType.TELEGRAM,
            name="tg",
            credentials={"bot_token": BOT_TOKEN, "api_base_url": stub.url},
        )
        inbox = ChannelInbox(row.id, tenant_id, row.webhook_key, row.webhook_secret, ChannelType.TELEGRAM)
    assert post(inbox, stub.make_text_update("oi, sem internet")).json["stored"] == 1
    first = [i for i, _ in conversations(db, tenant_id)][-1]
    closed_with_survey(db, tenant_id, first, provider_id="111:1400")

    press = stub.make_callback_update("csat:5", buttons=BUTTONS, origin_message_id=1400)
    assert post(inbox, press).json["stored"] == 1
    assert [s for _, s in conversations(db, tenant_id)] == ["closed"]
    with db.tenant_session(tenant_id) as session:
        message = session.scalars(sa.select(Message).order_by(Message.id.desc())).first()
        assert message is not None and message.conversation_id == first
        message_id = message.id
        callback = session.scalar(sa.select(OutboxEvent).where(OutboxEvent.topic == "telegram.callback"))
        assert callback is not None
    assert capture_reply(tenant_id, first, message_id) == "rating"
    with db.tenant_session(tenant_id) as session:
        response = session.scalar(sa.select(CsatResponse))
        assert response is not None and (response.score, response.interpreted_by) == (5, "button")
    (edit,) = stub.edited_texts
    assert (edit["chat_id"], edit["message_id"]) == (111, 1400)
    assert "Sua avaliação: 🤩 Excelente" in edit["text"]
    assert answer_callback(tenant_id, inbox.id, callback.payload["callback_query_id"])
    assert stub.answered_callbacks == [press["callback_query"]["id"]]
