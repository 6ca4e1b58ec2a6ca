"""Bodies that are valid JSON but not storable as they are: repaired and stored, or refused with a 400,
never a 500 (a 500 made every provider redeliver the same message forever, and it was never stored)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from models import Contact, Message
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz
from tests.stubs import whatsapp_cloud_payloads as cloud
from tests.webhooks.conftest import UAZAPI_TOKEN

BROKEN = "Oi \ud83d minha internet caiu\x00"  # an emoji cut in half, and a NUL
REPAIRED = "Oi \ufffd minha internet caiu"


def _payload(channel: str, text: str, name: str = "Maria") -> dict[str, Any]:
    if channel == "evolution":
        message, kind = evo.text_message(text)
        data = evo.record(message, kind, push_name=name)
        return evo.envelope("messages.upsert", data, instance="isp01", server_url="http://evo")
    if channel == "uazapi":
        return uaz.webhook(uaz.text_record(text, sender_name=name), token=UAZAPI_TOKEN, base_url="https://u")
    if channel == "whatsapp_cloud":
        msg = cloud.text(text, wa_id="5511912345678")
        return cloud.envelope(messages=[msg], names={msg["from"]: name})
    sender = {"id": 111, "first_name": name}
    chat = {"id": 111, "type": "private"}
    return {
        "update_id": 9,
        "message": {"message_id": 5, "from": sender, "chat": chat, "date": 1764000000, "text": text},
    }


CHANNELS = ["evolution", "uazapi", "whatsapp_cloud", "telegram"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_broken_emoji_and_nul_are_stored_repaired(db, inboxes, post, channel) -> None:  # type: ignore[no-untyped-def]
    """A lone surrogate becomes U+FFFD and NUL goes, in text, name and raw payload; a redelivery dedupes."""
    inbox = inboxes[channel]
    raw = json.dumps(_payload(channel, BROKEN, name="Jo\udcc3o\x00")).encode()
    assert b"\\ud83d" in raw and b"\\u0000" in raw  # what the wire really carries
    for _ in range(2):
        response = post(inbox, None, raw=raw)
        assert response.status_code == 200, response.json
    with db.tenant_session(inbox.tenant_id) as session:
        messages = list(session.scalars(sa.select(Message)))
        contact = session.scalar(sa.select(Contact))
    assert [m.text for m in messages] == [REPAIRED]
    assert contact is not None and contact.name == "Jo\ufffdo"
    assert "\x00" not in json.dumps(messages[0].raw) and "\ud83d" not in json.dumps(messages[0].raw)


@pytest.mark.parametrize("channel", CHANNELS)
def test_deeply_nested_json_is_400_not_500(db, inboxes, post, channel) -> None:  # type: ignore[no-untyped-def]
    """A thousand levels of nesting: refused (Uazapi, whose token is in the body, as unauthenticated)."""
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    response = post(inboxes[channel], None, raw=deep)
    assert response.status_code in (400, 401)
    deep_array = b"[" * 100_000 + b"]" * 100_000
    assert post(inboxes[channel], None, raw=deep_array).status_code in (400, 401)


def test_moderate_nesting_past_the_bound_is_refused(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Nesting the parser survives but no provider sends (100 levels) is malformed, not walked."""
    payload = _payload("evolution", "oi")
    payload["data"]["extra"] = json.loads("[" * 100 + "]" * 100)
    assert post(inboxes["evolution"], payload).status_code == 400


def test_invalid_utf8_bytes_are_decoded_not_refused(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """Bytes that are not UTF-8 (a surrogate encoded as CESU-8) still store the message."""
    raw = (
        json.dumps(_payload("evolution", "Oi XX"), ensure_ascii=False)
        .encode()
        .replace(b"XX", b"\xed\xa0\xbd")
    )
    assert post(inboxes["evolution"], None, raw=raw).status_code == 200
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        assert session.scalar(sa.select(Message.text)).startswith("Oi \ufffd")


def test_telegram_chat_id_beyond_bigint_is_400(db, inboxes, post) -> None:  # type: ignore[no-untyped-def]
    """A chat id that cannot be a bigint is malformed: 400 with nothing stored."""
    payload = _payload("telegram", "oi")
    payload["message"]["chat"]["id"] = payload["message"]["from"]["id"] = 2**63
    assert post(inboxes["telegram"], payload).status_code == 400
    with db.tenant_session(inboxes["telegram"].tenant_id) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_nul_in_the_webhook_key_is_400(client, inboxes) -> None:  # type: ignore[no-untyped-def]
    """A path segment with NUL never reaches the inbox lookup."""
    assert client.post("/webhooks/evolution/abc%00def", data=b"{}").status_code == 400


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_400(db, inboxes, post, channel, constant) -> None:  # type: ignore[no-untyped-def]
    """Found by tests/fuzz: `json.loads` takes them, JSONB does not, and storing the raw body was a 500."""
    inbox = inboxes[channel]
    raw = json.dumps(_payload(channel, "oi")).replace('"oi"', constant).encode()
    # uazapi reads its token from the body: one it cannot read carries none, so 401 (uazapi.py)
    assert post(inbox, None, raw=raw).status_code == (401 if channel == "uazapi" else 400)
    with db.tenant_session(inbox.tenant_id) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


@pytest.mark.parametrize("size", [2**63, 2**64, -1, -(10**30)])
def test_media_size_no_file_can_have_is_dropped_not_500(db, inboxes, post, size) -> None:  # type: ignore[no-untyped-def]
    """Found by tests/fuzz: a `fileLength` past bigint overflowed messages.media_size (a 500, redelivered
    forever). The message is stored; the impossible size is not."""
    message, kind = evo.media_message("image", caption="foto")
    message[kind]["fileLength"] = size
    payload = evo.envelope(
        "messages.upsert", evo.record(message, kind), instance="isp01", server_url="http://e"
    )
    assert post(inboxes["evolution"], payload).status_code == 200
    with db.tenant_session(inboxes["evolution"].tenant_id) as session:
        stored = session.scalars(sa.select(Message)).one()
    assert stored.media_size is None
