"""Inbound media: fetched from inline base64 or the provider's download endpoint, stored by sha256."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa

import jobs.context
from integrations.channels.registry import get_adapter
from jobs.media import fetch_media
from jobs.queues import connect
from jobs.relay import Relay
from models import Inbox, Message, OutboxEvent
from models.ingest import InboxRef, ingest
from tests.channels.conftest import drain, load_message, messages_of
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz
from tests.stubs import whatsapp_cloud_payloads as cloud

AUDIO = b"OggS\x00\x02 fake opus voice note " * 40


def deliver(db: Any, redis_url: str, chat: Any, payload: Any) -> Message:
    """As the webhook would: parse, ingest in one transaction, relay; returns the stored message."""
    events = get_adapter(chat.channel).parse(payload)
    with db.tenant_session(chat.tenant_id) as session:
        report = ingest(session, InboxRef.of(session.get(Inbox, chat.inbox_id)), events)
    Relay(db, connect(redis_url)).relay()
    [message_id] = report.created_messages
    return load_message(db, chat.tenant_id, message_id)


def webhook_for(chat: Any, how: str) -> dict[str, Any]:
    stub = chat.stub
    if chat.channel == "evolution":
        if how == "inline":
            message, kind = evo.media_message("audio", content=AUDIO, ptt=True)
            return stub.make_message_webhook(message, kind, message_id="3EB0AUDIO1")
        stub.seed_media("3EB0AUDIO2", AUDIO, "audio/ogg", "voz.ogg")
        message, kind = evo.media_message("audio", ptt=True)
        return stub.make_message_webhook(message, kind, message_id="3EB0AUDIO2")
    if chat.channel == "uazapi":
        stub.seed_media("3A7CAUDIO3", AUDIO, "audio/ogg")
        return stub.make_webhook(uaz.media_record("ptt", message_id="3A7CAUDIO3"))
    if chat.channel == "whatsapp_cloud":
        stub.seed_media("9001", AUDIO, "audio/ogg")
        return stub.make_webhook(messages=[cloud.media("audio", "9001", mime_type="audio/ogg", voice=True)])
    stub.seed_file("AwACvoice1", AUDIO, "voice/file_9.oga")
    voice = {"file_id": "AwACvoice1", "file_unique_id": "u1", "duration": 3, "mime_type": "audio/ogg"}
    return stub.make_update(message=stub.make_message(voice=voice))


@pytest.mark.parametrize(
    ("channel", "how"),
    [
        ("evolution", "inline"),
        ("evolution", "download"),
        ("uazapi", "download"),
        ("whatsapp_cloud", "download"),
        ("telegram", "download"),
    ],
)
def test_media_is_stored_by_sha256(jobctx, db, redis_url, make_chat, channel, how) -> None:  # type: ignore[no-untyped-def]
    """A voice note from each provider ends in storage under its sha256, with size and type on the
    message; the inline copy leaves Message.raw, and the screens are told."""
    chat = make_chat(channel)
    before = len(chat.stub.requests)
    msg = deliver(db, redis_url, chat, webhook_for(chat, how))
    assert msg.media_status == "pending" and msg.media_sha256 is None
    drain(redis_url)
    msg = load_message(db, chat.tenant_id, msg.id)
    digest = hashlib.sha256(AUDIO).hexdigest()
    assert (msg.media_status, msg.media_sha256, msg.media_size) == ("ready", digest, len(AUDIO))
    assert msg.media_mime.startswith("audio/")
    assert jobs.context.get_storage().get(digest) == AUDIO
    if how == "inline":
        assert len(chat.stub.requests) == before  # no download: the bytes came with the webhook
        assert "base64" not in json.dumps(msg.raw) and msg.raw["message"]["audioMessage"]["ptt"] is True
    else:
        assert len(chat.stub.requests) > before
    with db.platform_session() as session:
        changes = session.scalars(
            sa.select(OutboxEvent.payload["change"].astext).where(OutboxEvent.topic == "message.updated")
        ).all()
    assert changes == ["media"]


def test_same_file_twice_is_stored_once(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Content addressing: two messages with the same bytes share one stored file."""
    chat = make_chat("evolution")
    for mid in ("3EB0SAME1", "3EB0SAME2"):
        message, kind = evo.media_message("audio", content=AUDIO)
        deliver(db, redis_url, chat, chat.stub.make_message_webhook(message, kind, message_id=mid))
    drain(redis_url)
    rows = messages_of(db, chat.tenant_id)
    assert len({m.media_sha256 for m in rows}) == 1
    files = [p for p in (jobs.context.get_storage().root).rglob("*") if p.is_file()]  # type: ignore[attr-defined]
    assert len(files) == 1


def test_download_retries_then_fails_with_a_reason(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Uazapi errors 500 twice then has no such file: retried, then failed with the reason kept."""
    chat = make_chat("uazapi")
    msg = deliver(
        db, redis_url, chat, chat.stub.make_webhook(uaz.media_record("image", message_id="3A7CGONE"))
    )
    chat.stub.fail_next(2, status=500)
    drain(redis_url)
    msg = load_message(db, chat.tenant_id, msg.id)
    assert msg.media_status == "failed" and msg.media_sha256 is None
    assert msg.media_meta["tries"] == 3 and "Uazapi respondeu 404" in msg.media_meta["error"]
    assert fetch_media(chat.tenant_id, msg.id) == "skip"  # a repeat does nothing
