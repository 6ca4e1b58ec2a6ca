"""Outbound sending: retries with backoff, exactly-once at the provider, readable failures."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from jobs.outbound import MAX_TRIES, send_message
from jobs.queues import connect
from jobs.relay import Relay
from models import Conversation, Message, OutboxEvent
from models.enums import ContentType
from models.outbound import Draft, StoredMedia
from tests.channels.conftest import (
    compose_message,
    drain,
    fast_forward,
    load_message,
    scheduled,
)

SEND_PATHS = {
    "evolution": "/message/send",
    "uazapi": "/send/",
    "whatsapp_cloud": "/messages",
    "telegram": "/sendMessage",
}


def sends(chat: Any) -> list[Any]:
    return chat.stub.requests_to(SEND_PATHS[chat.channel])


def relay_all(db: Any, redis_url: str) -> None:
    Relay(db, connect(redis_url)).relay()


@pytest.mark.parametrize("channel", ["evolution", "uazapi", "whatsapp_cloud", "telegram"])
def test_fails_twice_then_succeeds_exactly_once(jobctx, db, redis_url, make_chat, channel) -> None:  # type: ignore[no-untyped-def]
    """The provider answers 500 twice, then accepts: three calls, one message, status sent with its id."""
    chat = make_chat(channel)
    chat.stub.fail_next(2, status=500)
    message_id = compose_message(db, chat, Draft(text="Sua conexão foi restabelecida."))
    relay_all(db, redis_url)
    drain(redis_url, fork=True)  # the production worker: a forked work horse per attempt
    calls = sends(chat)
    assert len(calls) == 3
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "sent" and msg.send_attempts == 3
    assert msg.provider_message_id and msg.sent_at is not None and msg.error_text is None
    if channel == "evolution":
        assert [r["key"]["id"] for r in chat.stub.history] == [msg.provider_message_id]
    if channel == "uazapi":
        assert [r["track_id"] for r in chat.stub.history] == [str(message_id)]
    if channel == "whatsapp_cloud":
        assert len(chat.stub.sent) == 1 and chat.stub.sent[0]["biz_opaque_callback_data"] == str(message_id)
    # a re-run (relay repeat, operator) does not send again
    assert send_message(chat.tenant_id, message_id) == "skip"
    assert len(sends(chat)) == 3


def test_backoff_grows_and_honours_retry_after(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Retries are scheduled 2 s, then 4 s later; a 429 asking for 30 s waits 30 s."""
    chat = make_chat("evolution")
    message_id = compose_message(db, chat, Draft(text="oi"))
    chat.stub.fail_next(2, status=503)
    chat.stub.fail_next(1, status=429, headers={"Retry-After": "30"})
    delays = []
    for _ in range(3):
        assert send_message(chat.tenant_id, message_id) == "retry"
        [(func, delay, args)] = scheduled(redis_url)
        assert func == "jobs.outbound.send_message" and args == (chat.tenant_id, message_id)
        delays.append(delay)
        fast_forward(redis_url)
    # RQ's scheduler keeps whole seconds: each delay is within a second of the plan
    assert [abs(d - want) < 1.1 for d, want in zip(delays, [2, 4, 30], strict=True)] == [True] * 3
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "pending" and msg.raw["last_error"]["code"] == "http_429"
    assert send_message(chat.tenant_id, message_id) == "sent"


def test_gives_up_with_the_reason_a_person_can_read(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Always 500: after MAX_TRIES calls the message is failed with Evolution's reason, and the UI is told."""
    chat = make_chat("evolution")
    chat.stub.fail_next(50, status=500)
    message_id = compose_message(db, chat, Draft(text="oi"))
    relay_all(db, redis_url)
    drain(redis_url)
    assert len(sends(chat)) == MAX_TRIES
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "failed" and msg.failed_at is not None
    assert msg.error_code == "http_500" and msg.error_retryable is True  # the inbox offers a retry
    assert (
        msg.error_text.startswith("Evolution respondeu 500")
        and f"após {MAX_TRIES} tentativas" in msg.error_text
    )
    with db.platform_session() as session:
        topics = session.scalars(
            sa.select(OutboxEvent.payload["status"].astext).where(OutboxEvent.topic == "message.status")
        ).all()
    assert topics == ["failed"]


def test_not_retryable_fails_at_once(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A number without WhatsApp: one call, failed, and the agent reads why."""
    chat = make_chat("evolution")
    chat.stub.missing_numbers.add("5511987654321")
    message_id = compose_message(db, chat, Draft(text="oi"))
    assert send_message(chat.tenant_id, message_id) == "failed"
    msg = load_message(db, chat.tenant_id, message_id)
    assert msg.error_code == "number_not_on_whatsapp" and "não tem WhatsApp" in msg.error_text
    assert msg.error_retryable is False  # trying again cannot help: no "Tentar de novo"
    assert len(sends(chat)) == 1 and scheduled(redis_url) == []


def test_meta_window_is_checked_again_at_send_time(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Composed inside the 24-hour window, sent after it closed: refused without calling Meta;
    an approved template still goes out, with its parameters."""
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=23, minutes=59))
    text_id = compose_message(db, chat, Draft(text="Conseguiu reiniciar o roteador?"))
    template = Draft(
        content_type=ContentType.TEMPLATE,
        text="Olá Maria, sua fatura de R$ 99,90 vence em 10/12.",
        payload={"template_name": "fatura_aberta", "language": "pt_BR", "parameters": ["Maria", "R$ 99,90"]},
    )
    with db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        conv.last_inbound_at = datetime.now(UTC) - timedelta(hours=25)
    template_id = compose_message(db, chat, template)
    assert send_message(chat.tenant_id, text_id) == "failed"  # then the template, which waited behind it
    msg = load_message(db, chat.tenant_id, text_id)
    assert msg.error_code == "window_closed" and "24 horas" in msg.error_text
    assert msg.send_attempts == 0
    assert send_message(chat.tenant_id, template_id) == "skip"  # its own job: already sent
    [body] = chat.stub.sent
    assert body["type"] == "template" and body["template"]["name"] == "fatura_aberta"
    params = body["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == ["Maria", "R$ 99,90"]


@pytest.mark.parametrize("channel", ["evolution", "uazapi", "whatsapp_cloud", "telegram"])
def test_media_buttons_and_replies_reach_the_provider(jobctx, db, make_chat, channel) -> None:  # type: ignore[no-untyped-def]
    """An image from storage, buttons, and a reply quoting a provider message, each as the provider
    expects it."""
    import jobs.context

    chat = make_chat(channel)
    content = b"\x89PNG fake image bytes"
    sha = jobs.context.get_storage().put(content)
    image = Draft(
        content_type=ContentType.IMAGE,
        text="foto do roteador",
        media=StoredMedia(sha256=sha, mime_type="image/png", size=len(content), filename="roteador.png"),
    )
    buttons = Draft(
        content_type=ContentType.INTERACTIVE,
        text="Como foi o atendimento?",
        payload={"buttons": [{"id": "csat_5", "title": "Ótimo"}, {"id": "csat_1", "title": "Ruim"}]},
    )
    with db.tenant_session(chat.tenant_id) as session:
        quoted = Message(
            tenant_id=chat.tenant_id, conversation_id=chat.conversation_id, inbox_id=chat.inbox_id,
            direction="inbound", sender_kind="contact", content_type="text", text="oi",
            provider_message_id="111:77" if channel == "telegram" else "3EB0QUOTED",
        )  # fmt: skip
        session.add(quoted)
        session.flush()
        quoted_id = quoted.id
    reply = Draft(text="Respondendo", reply_to_id=quoted_id)
    ids = [compose_message(db, chat, d) for d in (image, buttons, reply)]
    # The first's job sends the other two, in order; their own jobs then find nothing to do.
    assert [send_message(chat.tenant_id, i) for i in ids] == ["sent", "skip", "skip"]
    raw = b"".join(r.body for r in chat.stub.requests)
    assert b"csat_5" in raw  # the button ids travel
    if channel == "evolution":
        media = chat.stub.requests_to("/message/sendMedia")[0].json
        assert media["mediatype"] == "image" and media["caption"] == "foto do roteador"
        assert media["media"] == base64.b64encode(content).decode()
        assert chat.stub.requests_to("/message/sendText")[0].json["quoted"] == {"key": {"id": "3EB0QUOTED"}}
    elif channel == "uazapi":
        assert chat.stub.requests_to("/send/media")[0].json["type"] == "image"
        assert chat.stub.requests_to("/send/menu")[0].json["choices"] == ["Ótimo|csat_5", "Ruim|csat_1"]
        assert chat.stub.requests_to("/send/text")[0].json["replyid"] == "3EB0QUOTED"
    elif channel == "whatsapp_cloud":
        upload = chat.stub.requests_to("/media")[0]
        assert upload.files["file"][1] == content
        kinds = [b["type"] for b in chat.stub.sent]
        assert kinds == ["image", "interactive", "text"]
        assert chat.stub.sent[2]["context"] == {"message_id": "3EB0QUOTED"}
    else:
        photo = chat.stub.requests_to("/sendPhoto")[0]
        assert photo.files["photo"][1] == content and photo.form["caption"] == "foto do roteador"
        text = chat.stub.requests_to("/sendMessage")
        assert text[0].json["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "csat_5"
        assert text[1].json["reply_parameters"]["message_id"] == 77


def test_replay_sends_a_dead_letter_again(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A failed message is replayed from the dead letters: pending again, sent once, old error kept."""
    from models.health import dead_letters, replay_failed

    chat = make_chat("uazapi")
    chat.stub.fail_next(1, status=401)
    message_id = compose_message(db, chat, Draft(text="oi"))
    assert send_message(chat.tenant_id, message_id) == "failed"
    with db.tenant_session(chat.tenant_id) as session:
        assert [m.id for m in dead_letters(session)] == [message_id]
        replayed, outbox_ids = replay_failed(session, [message_id])
    assert replayed == [message_id]
    Relay(db, connect(redis_url)).relay(outbox_ids)
    drain(redis_url)
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "sent" and msg.error_text is None
    assert msg.raw["last_error"]["code"] == "unauthorized" and msg.raw["replays"] == 1
    assert len(chat.stub.requests_to("/send/text")) == 2
    with db.tenant_session(chat.tenant_id) as session:
        assert dead_letters(session) == []
