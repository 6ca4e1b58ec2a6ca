"""Every provider's webhook, fed real payloads after hostile edits, correctly authenticated (the Cloud
HMAC is computed over the mutated body): never a 5xx; a 400 stores nothing; what a 200 stores is text
PostgreSQL and UTF-8 accept. Inbox fixtures and signing come from tests/webhooks/conftest.py."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from integrations.channels import safe_json
from models import Contact, Message
from tests.fuzz.hostile import mutated
from tests.fuzz.tables import has_bad_text, row_counts
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz
from tests.stubs import whatsapp_cloud_payloads as cloud
from tests.webhooks.conftest import UAZAPI_TOKEN


def _evolution() -> list[dict[str, Any]]:
    text, kind = evo.text_message("Oi, estou sem internet", quoted_id="3EB0AAAA")
    image, image_kind = evo.media_message("image", caption="foto do roteador", content=b"\xff\xd8\xff")
    return [
        evo.envelope("messages.upsert", evo.record(m, k), instance="isp01", server_url="http://evo")
        for m, k in [(text, kind), (image, image_kind)]
    ] + [
        evo.envelope(
            "messages.update",
            {"keyId": "3EB0AAAA", "remoteJid": f"{evo.CUSTOMER}@s.whatsapp.net", "status": "READ"},
            instance="isp01",
            server_url="http://evo",
        )
    ]


def _uazapi() -> list[dict[str, Any]]:
    records = [
        uaz.text_record("Oi, estou sem internet"),
        uaz.media_record("document", caption="boleto", file_name="boleto.pdf"),
    ]
    return [uaz.webhook(r, token=UAZAPI_TOKEN, base_url="https://u") for r in records]


def _whatsapp_cloud() -> list[dict[str, Any]]:
    text = cloud.text("Oi, estou sem internet", context_id="wamid.X")
    image = cloud.media("image", "1234567890", mime_type="image/jpeg", caption="roteador")
    button = cloud.button_reply("opt-1", "Segunda via")
    return [
        cloud.envelope(messages=[text, image], names={text["from"]: "Maria"}),
        cloud.envelope(messages=[button]),
        cloud.envelope(statuses=[cloud.status("wamid.X", "failed", error_code=131047, error_title="24h")]),
    ]


def _telegram() -> list[dict[str, Any]]:
    sender = {"id": 111, "first_name": "Maria", "username": "maria", "language_code": "pt-br"}
    chat = {"id": 111, "type": "private", "first_name": "Maria"}
    photo = [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1234}]
    base = {"message_id": 5, "from": sender, "chat": chat, "date": 1764000000}
    return [
        {"update_id": 9, "message": {**base, "text": "Oi, estou sem internet"}},
        {"update_id": 10, "message": {**base, "photo": photo, "caption": "roteador"}},
        {"update_id": 11, "edited_message": {**base, "text": "editado", "edit_date": 1764000100}},
    ]


PAYLOADS = {
    "evolution": _evolution,
    "uazapi": _uazapi,
    "whatsapp_cloud": _whatsapp_cloud,
    "telegram": _telegram,
}


def _authenticated_by_body(channel: str, raw: bytes) -> bool:
    """uazapi carries its instance token in the body: a mutation that removed it, or made the body
    unreadable (too deep), broke authentication, and 401 is then the documented answer."""
    if channel != "uazapi":
        return True
    try:
        document = safe_json.loads(raw)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("token") == UAZAPI_TOKEN


def _encode(document: Any) -> bytes:
    """What a provider could put on the wire: lone surrogates as \\u escapes, NaN/Infinity as Python
    writes them (invalid JSON that a lenient parser would accept)."""
    return json.dumps(document, allow_nan=True).encode()


@pytest.mark.parametrize("channel", list(PAYLOADS))
@given(data=st.data())
def test_mutated_payloads_never_500(db, inboxes, post, channel, data) -> None:  # type: ignore[no-untyped-def]
    inbox = inboxes[channel]
    base = data.draw(st.sampled_from(PAYLOADS[channel]()), label="real payload")
    document = data.draw(mutated(base), label="mutated")
    raw = _encode(document)
    before = row_counts(db)
    response = post(inbox, None, raw=raw)
    after = row_counts(db)
    allowed = {200, 400} if _authenticated_by_body(channel, raw) else {200, 400, 401, 403}
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:500])
    if response.status_code != 200:
        assert after == before, "a refused webhook stored something"
        return
    with db.tenant_session(inbox.tenant_id) as session:
        texts = list(session.scalars(sa.select(Message.text)))
        names = list(session.scalars(sa.select(Contact.name)))
    assert not any(has_bad_text(t) for t in texts + names)


@pytest.mark.parametrize("channel", list(PAYLOADS))
@given(junk=st.binary(max_size=300) | st.sampled_from([b"", b"{", b"[]" * 5000, b"\xff\xfe", b"NaN"]))
def test_arbitrary_bytes_never_500(db, inboxes, post, channel, junk) -> None:  # type: ignore[no-untyped-def]
    before = row_counts(db)
    response = post(inboxes[channel], None, raw=junk)
    assert response.status_code in ({200, 400} if channel != "uazapi" else {200, 400, 401, 403})
    if response.status_code != 200:
        assert row_counts(db) == before


@pytest.mark.parametrize("channel", list(PAYLOADS))
@given(data=st.data())
def test_broken_authentication_is_refused(db, client, inboxes, post, channel, data) -> None:  # type: ignore[no-untyped-def]
    """Deliberately wrong secrets, signatures and keys: 401/403/404, never 5xx, nothing stored."""
    inbox = inboxes[channel]
    document = data.draw(st.sampled_from(PAYLOADS[channel]()))
    if channel == "uazapi":
        document = {**document, "token": data.draw(st.text(max_size=40) | st.integers() | st.none())}
    raw = _encode(document)
    ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
    garbage = data.draw(ascii_text.filter(lambda s: s != inbox.secret))
    headers = {
        "evolution": {"X-NioChat-Secret": garbage},
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": garbage},
        "whatsapp_cloud": {"X-Hub-Signature-256": "sha256=" + garbage},
        "uazapi": {},
    }[channel]
    before = row_counts(db)
    response = post(inbox, None, raw=raw, headers=headers)
    assert response.status_code in {400, 401, 403}, response.status_code
    assert row_counts(db) == before
    key = data.draw(st.text(min_size=1, max_size=40).filter(lambda k: k != inbox.key))
    wrong = inbox.path.rsplit("/", 1)[0] + "/" + quote(key.encode("utf-8", "surrogatepass"), safe="")
    headers = {"Content-Type": "application/json", **inbox.headers(raw)}
    response = client.post(wrong, data=raw, headers=headers)
    # 308: werkzeug normalizing a key such as "." or one with a slash; no handler ran.
    assert response.status_code in {308, 400, 404, 405}, response.status_code
    assert row_counts(db) == before
