"""UazapiClient against the Uazapi stub: exact wire bodies, errors, media, history, instance."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from integrations.channels.base import ListRow, ListSection, OutboundMessage, SendError, UazapiCredentials
from integrations.channels.events import ContentType, InboundMessage, MediaRef
from integrations.channels.uazapi import UazapiAdapter, UazapiClient
from tests.integrations.shared import HTTP
from tests.stubs.uazapi import ADMIN_TOKEN, TOKEN, UazapiStub


@pytest.fixture
def stub() -> Iterator[UazapiStub]:
    with UazapiStub() as server:
        yield server


def make_client(stub: UazapiStub, *, token: str = TOKEN, timeout: float = 2.0, **extra: str) -> UazapiClient:
    return UazapiClient(
        UazapiCredentials(base_url=stub.url, token=token, **extra), http=HTTP, timeout=timeout
    )


@pytest.fixture
def client(stub: UazapiStub) -> Iterator[UazapiClient]:
    with make_client(stub) as uaz:
        yield uaz


def text(to: str = "5511987654321", reply_to: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        message_id="msg-7", to=to, content_type=ContentType.TEXT, text="Olá", reply_to_provider_id=reply_to
    )


def test_send_text_exact_wire_body(stub: UazapiStub, client: UazapiClient) -> None:
    """/send/text with the token header, reply id and our id as track_id."""
    result = client.send(text(reply_to="3A7CORIG"))
    sent = stub.last_request
    assert (sent.path, sent.headers["token"]) == ("/send/text", TOKEN)
    assert sent.json == {
        "number": "5511987654321",
        "text": "Olá",
        "linkPreview": False,
        "replyid": "3A7CORIG",
        "track_source": "niochat",
        "track_id": "msg-7",
    }
    assert result.provider_message_id == stub.history[-1]["messageid"]


def test_send_voice_and_document(stub: UazapiStub, client: UazapiClient) -> None:
    """/send/media: voice as ptt, documents with docName, bytes as base64."""
    voice = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.AUDIO,
        media_url="https://cdn/a.ogg",
        voice=True,
    )
    client.send(voice)
    assert stub.last_request.json == {
        "number": "5511987654321",
        "type": "ptt",
        "file": "https://cdn/a.ogg",
        "track_source": "niochat",
        "track_id": "m",
    }
    doc = OutboundMessage(
        message_id="d",
        to="5511987654321",
        content_type=ContentType.DOCUMENT,
        media_bytes=b"%PDF",
        filename="boleto.pdf",
        caption="Segue",
        mime_type="application/pdf",
    )
    client.send(doc)
    body = stub.last_request.json
    assert (body["type"], body["docName"], body["text"], body["mimetype"]) == (
        "document",
        "boleto.pdf",
        "Segue",
        "application/pdf",
    )
    assert base64.b64decode(body["file"]) == b"%PDF"


def test_send_buttons_and_list_menus(stub: UazapiStub, client: UazapiClient) -> None:
    """/send/menu: buttons as "title|id" choices; lists with [section] headers and descriptions."""
    buttons = OutboundMessage(
        message_id="b",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Avalie",
        buttons=[("csat_5", "Ótimo"), ("csat_1", "Ruim")],
        footer="NioChat",
    )
    client.send(buttons)
    assert stub.last_request.json == {
        "number": "5511987654321",
        "type": "button",
        "text": "Avalie",
        "choices": ["Ótimo|csat_5", "Ruim|csat_1"],
        "footerText": "NioChat",
        "track_source": "niochat",
        "track_id": "b",
    }
    sections = [
        ListSection("Atendimento", [ListRow("sup", "Suporte", "sem internet"), ListRow("fin", "Financeiro")])
    ]
    menu = OutboundMessage(
        message_id="l",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Escolha",
        sections=sections,
    )
    client.send(menu)
    body = stub.last_request.json
    assert (body["type"], body["listButton"]) == ("list", "Menu")
    assert body["choices"] == ["[Atendimento]", "Suporte|sup|sem internet", "Financeiro|fin"]


def test_500_is_retryable(stub: UazapiStub, client: UazapiClient) -> None:
    """5xx → retryable SendError."""
    stub.fail_next(1, status=500)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code) == (True, "http_500")


def test_rate_limit_is_retryable(stub: UazapiStub, client: UazapiClient) -> None:
    """429 → retryable with a readable reason."""
    stub.fail_next(1, status=429, body={"error": "rate limit exceeded"})
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code) == (True, "rate_limited")


def test_invalid_token_is_not_retryable(stub: UazapiStub) -> None:
    """401 {"error":"Invalid token"} → final, readable."""
    with make_client(stub, token="nope") as uaz, pytest.raises(SendError) as exc:
        uaz.send(text())
    assert (exc.value.retryable, exc.value.reason) == (False, "Token da instância Uazapi inválido.")


def test_bad_request_is_not_retryable(stub: UazapiStub, client: UazapiClient) -> None:
    """400 → final, carrying Uazapi's own message."""
    with pytest.raises(SendError) as exc:
        client.send(text(to="abc"))
    assert (exc.value.retryable, exc.value.reason) == (
        False,
        "Uazapi respondeu 400: missing number in payload",
    )


def test_timeout_is_retryable(stub: UazapiStub) -> None:
    """The stub answers after the client gave up → retryable timeout."""
    stub.delay(1.0)
    with make_client(stub, timeout=0.2) as uaz, pytest.raises(SendError) as exc:
        uaz.send(text())
    assert (exc.value.retryable, exc.value.code) == (True, "timeout")


def test_download_via_base64_and_via_file_url(stub: UazapiStub, client: UazapiClient) -> None:
    """/message/download returns base64Data; a record's fileURL is fetched directly."""
    stub.seed_media("3A7CAUDIO", b"OggS-voice", "audio/ogg")
    content, mime, _ = client.download_media(MediaRef(provider_media_id="3A7CAUDIO"), "3A7CAUDIO")
    assert (content, mime) == (b"OggS-voice", "audio/ogg")
    assert stub.last_request.json == {"id": "3A7CAUDIO", "return_base64": True}
    linked = MediaRef(mime_type="audio/ogg", url=f"{stub.url}/files/3A7CAUDIO")
    assert client.download_media(linked, "3A7CAUDIO").content == b"OggS-voice"


def test_mark_read_and_typing(stub: UazapiStub, client: UazapiClient) -> None:
    """/message/markread takes the ids; /message/presence composing."""
    client.mark_read("5511987654321@s.whatsapp.net", ["A", "B"])
    assert (stub.last_request.path, stub.last_request.json) == ("/message/markread", {"id": ["A", "B"]})
    client.send_typing("5511987654321@s.whatsapp.net")
    assert stub.last_request.json == {"number": "5511987654321", "presence": "composing", "delay": 3000}


def test_history_pages_return_each_message_once(stub: UazapiStub, client: UazapiClient) -> None:
    """120 seeded messages through /message/find: each exactly once, identical to the webhook's event."""
    records = stub.seed_text_history(120)
    seen: list[InboundMessage] = []
    cursor: str | None = None
    calls = 0
    while True:
        page = client.fetch_history("5511987654321", None, None, cursor)
        seen.extend(page.events)
        calls += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    ids = [e.provider_message_id for e in seen]
    assert calls == 3
    assert len(ids) == len(set(ids)) == 120
    webhook = {r["messageid"]: UazapiAdapter().parse(stub.make_webhook(r))[0] for r in records}
    for event in seen:
        assert event == webhook[event.provider_message_id]
    assert stub.requests_to("/message/find")[1].json == {
        "chatid": "5511987654321@s.whatsapp.net",
        "limit": 50,
        "offset": 50,
    }


def test_history_window_stops_at_since(stub: UazapiStub, client: UazapiClient) -> None:
    """Uazapi has no time filter: the client filters and stops paging once older than `since`."""
    stub.seed_text_history(120)  # one per minute
    start = 1768791718
    since = datetime.fromtimestamp(start + 60 * 100, UTC)
    until = datetime.fromtimestamp(start + 60 * 110, UTC)
    page = client.fetch_history(None, since, until, page_size=50)
    assert [e.text for e in page.events] == [f"mensagem {i}" for i in range(110, 99, -1)]
    assert page.next_cursor is None


def test_history_equals_webhook_including_contact_name(stub: UazapiStub) -> None:
    """Webhook (with chat) and history (without) give equal events, raw included."""
    record = stub.seed_text_history(1)[0]
    event = UazapiAdapter().parse(stub.make_webhook(record))[0]
    with make_client(stub) as uaz:
        history = uaz.fetch_history(None, None, None).events[0]
    assert dataclasses.asdict(history) == dataclasses.asdict(event)


def test_connect_gives_qr_data_uri_or_pair_code(stub: UazapiStub, client: UazapiClient) -> None:
    """A disconnected instance answers with a QR data URI; with a phone, a pair code."""
    assert client.connection_state() == "open"
    client.logout()
    assert client.connection_state() == "close"
    conn = client.create_or_connect()
    assert conn.state == "connecting"
    assert conn.qr_code is not None and conn.qr_code.startswith("data:image/png;base64,")
    paired = client.create_or_connect(phone="+55 11 98765-4321")
    assert (paired.pair_code, stub.last_request.json) == ("ABCD-1234", {"phone": "5511987654321"})


def test_create_instance_with_admin_token(stub: UazapiStub) -> None:
    """No instance token yet: /instance/init with admintoken, then connect with the new token."""
    with make_client(stub, token="", admin_token=ADMIN_TOKEN, instance_name="isp02") as uaz:
        conn = uaz.create_or_connect()
    init, connect = stub.requests_to("/instance/")
    assert (init.headers["admintoken"], init.json) == (ADMIN_TOKEN, {"name": "isp02"})
    assert conn.token is not None and connect.headers["token"] == conn.token
    assert conn.qr_code is not None and conn.qr_code.startswith("data:image/png;base64,")


def test_set_webhook(stub: UazapiStub, client: UazapiClient) -> None:
    """/webhook with our events and without echoes of API sends."""
    client.set_webhook("https://app.test/webhooks/uazapi/k1")
    assert stub.last_request.json == {
        "enabled": True,
        "url": "https://app.test/webhooks/uazapi/k1",
        "events": ["messages", "messages_update", "connection"],
        "excludeMessages": ["wasSentByApi"],
    }


def test_sent_message_comes_back_with_our_id(stub: UazapiStub, client: UazapiClient) -> None:
    """A message we sent is in history as from_me, with track_id as client_message_id."""
    sent = client.send(text())
    (event,) = client.fetch_history("5511987654321", None, None).events
    assert (event.provider_message_id, event.from_me, event.client_message_id, event.text) == (
        sent.provider_message_id,
        True,
        "msg-7",
        "Olá",
    )


def test_template_falls_back_to_text(stub: UazapiStub, client: UazapiClient) -> None:
    """Uazapi has no templates: the rendered text goes through /send/text."""
    msg = OutboundMessage(
        message_id="t",
        to="5511987654321",
        content_type=ContentType.TEMPLATE,
        template_name="csat",
        text="Avalie",
    )
    client.send(msg)
    assert (stub.last_request.path, stub.last_request.json["text"]) == ("/send/text", "Avalie")
