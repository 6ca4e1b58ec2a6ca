"""EvolutionClient against the Evolution stub: wire bodies, error classes, media, history, instance."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from integrations.channels.base import (
    EvolutionCredentials,
    ListRow,
    ListSection,
    OutboundMessage,
    ProviderError,
    SendError,
)
from integrations.channels.events import ContentType, InboundMessage, MediaRef
from integrations.channels.evolution import EvolutionAdapter, EvolutionClient
from tests.integrations.shared import HTTP
from tests.stubs.evolution import API_KEY, INSTANCE_TOKEN, EvolutionStub
from tests.stubs.uazapi import UazapiStub


@pytest.fixture
def stub() -> Iterator[EvolutionStub]:
    with EvolutionStub() as server:
        yield server


def make_client(
    stub: EvolutionStub, *, api_key: str = API_KEY, instance: str = "isp01", timeout: float = 2.0
) -> EvolutionClient:
    creds = EvolutionCredentials(
        base_url=stub.url, api_key=api_key, instance=instance, webhook_secret="whsec"
    )
    return EvolutionClient(creds, http=HTTP, timeout=timeout)


@pytest.fixture
def client(stub: EvolutionStub) -> Iterator[EvolutionClient]:
    with make_client(stub) as evo:
        yield evo


def text(to: str = "5511987654321", reply_to: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        message_id="msg-1", to=to, content_type=ContentType.TEXT, text="Olá", reply_to_provider_id=reply_to
    )


def test_send_text_exact_wire_body(stub: EvolutionStub, client: EvolutionClient) -> None:
    """sendText with the number as digits, quoted reply, and the apikey header."""
    result = client.send(text(to="5511987654321@s.whatsapp.net", reply_to="3EB0ORIG"))
    sent = stub.last_request
    assert (sent.method, sent.path, sent.headers["apikey"]) == ("POST", "/message/sendText/isp01", API_KEY)
    assert sent.json == {
        "number": "5511987654321",
        "text": "Olá",
        "linkPreview": False,
        "quoted": {"key": {"id": "3EB0ORIG"}},
    }
    assert result.provider_message_id == stub.history[-1]["key"]["id"]
    assert result.provider_message_id.startswith("BAE5")


def test_instance_token_also_authenticates(stub: EvolutionStub) -> None:
    """The per-instance token (hash) works as apikey on instance routes."""
    with make_client(stub, api_key=INSTANCE_TOKEN) as evo:
        assert evo.send(text()).provider_message_id


def test_send_image_by_url(stub: EvolutionStub, client: EvolutionClient) -> None:
    """sendMedia with a URL, guessed mimetype and default file name."""
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.IMAGE,
        media_url="https://cdn.x/fatura.png",
        caption="Sua fatura",
    )
    client.send(msg)
    assert stub.last_request.path == "/message/sendMedia/isp01"
    assert stub.last_request.json == {
        "number": "5511987654321",
        "mediatype": "image",
        "mimetype": "image/png",
        "caption": "Sua fatura",
        "fileName": "image.png",
        "media": "https://cdn.x/fatura.png",
    }


def test_send_document_bytes_as_base64(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Bytes go as plain base64 in `media`."""
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.DOCUMENT,
        media_bytes=b"%PDF-1.4",
        filename="boleto.pdf",
    )
    client.send(msg)
    body = stub.last_request.json
    assert (body["mediatype"], body["mimetype"], body["fileName"]) == (
        "document",
        "application/pdf",
        "boleto.pdf",
    )
    assert base64.b64decode(body["media"]) == b"%PDF-1.4"


def test_send_voice_note(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Voice audio goes through sendWhatsAppAudio with encoding on."""
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.AUDIO,
        media_url="https://cdn.x/a.ogg",
        voice=True,
    )
    client.send(msg)
    assert (stub.last_request.path, stub.last_request.json) == (
        "/message/sendWhatsAppAudio/isp01",
        {"number": "5511987654321", "audio": "https://cdn.x/a.ogg", "encoding": True},
    )


def test_send_buttons(stub: EvolutionStub, client: EvolutionClient) -> None:
    """sendButtons with reply buttons (displayText/id)."""
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Como foi o atendimento?",
        header="Pesquisa",
        footer="NioChat",
        buttons=[("csat_5", "Ótimo"), ("csat_1", "Ruim")],
    )
    client.send(msg)
    assert stub.last_request.path == "/message/sendButtons/isp01"
    assert stub.last_request.json == {
        "number": "5511987654321",
        "title": "Pesquisa",
        "description": "Como foi o atendimento?",
        "footer": "NioChat",
        "buttons": [
            {"type": "reply", "displayText": "Ótimo", "id": "csat_5"},
            {"type": "reply", "displayText": "Ruim", "id": "csat_1"},
        ],
    }


def test_send_list(stub: EvolutionStub, client: EvolutionClient) -> None:
    """sendList with sections and rows (rowId)."""
    sections = [
        ListSection("Atendimento", [ListRow("sup", "Suporte", "sem internet"), ListRow("fin", "Financeiro")])
    ]
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Escolha",
        sections=sections,
        list_button="Abrir menu",
    )
    client.send(msg)
    assert stub.last_request.path == "/message/sendList/isp01"
    assert stub.last_request.json == {
        "number": "5511987654321",
        "title": "",
        "description": "Escolha",
        "buttonText": "Abrir menu",
        "footerText": "",
        "sections": [
            {
                "title": "Atendimento",
                "rows": [
                    {"title": "Suporte", "description": "sem internet", "rowId": "sup"},
                    {"title": "Financeiro", "description": "", "rowId": "fin"},
                ],
            }
        ],
    }


def test_template_falls_back_to_rendered_text(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Baileys has no templates: the rendered text is sent."""
    msg = OutboundMessage(
        message_id="m",
        to="5511987654321",
        content_type=ContentType.TEMPLATE,
        template_name="fatura",
        text="Sua fatura vence amanhã",
    )
    client.send(msg)
    assert stub.last_request.json["text"] == "Sua fatura vence amanhã"


def test_500_is_retryable_then_next_send_succeeds(stub: EvolutionStub, client: EvolutionClient) -> None:
    """A 5xx is retryable; the retry (same message) goes through."""
    stub.fail_next(1, status=500)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code, exc.value.status_code) == (True, "http_500", 500)
    assert client.send(text()).provider_message_id
    assert len(stub.requests_to("/message/sendText")) == 2


def test_429_with_retry_after(stub: EvolutionStub, client: EvolutionClient) -> None:
    """429 is retryable and honours Retry-After."""
    stub.fail_next(1, status=429, headers={"Retry-After": "7"})
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.retry_after) == (True, 7.0)


def test_number_without_whatsapp_is_not_retryable(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Evolution's exists:false answer becomes a readable, final reason."""
    stub.missing_numbers.add("5511900000000")
    with pytest.raises(SendError) as exc:
        client.send(text(to="5511900000000"))
    assert (exc.value.retryable, exc.value.code, exc.value.reason) == (
        False,
        "number_not_on_whatsapp",
        "O número 5511900000000 não tem WhatsApp.",
    )


def test_wrong_api_key_is_not_retryable(stub: EvolutionStub) -> None:
    """401 from Evolution → not retryable, says the apikey is wrong."""
    with make_client(stub, api_key="wrong") as evo, pytest.raises(SendError) as exc:
        evo.send(text())
    assert (exc.value.retryable, exc.value.status_code, exc.value.reason) == (
        False,
        401,
        "Chave de API da Evolution inválida (apikey).",
    )


def test_timeout_is_retryable_and_maybe_sent(stub: EvolutionStub) -> None:
    """The stub answers after the client gave up: retryable, and flagged as possibly sent."""
    stub.delay(1.0)
    with make_client(stub, timeout=0.2) as evo, pytest.raises(SendError) as exc:
        evo.send(text())
    assert (exc.value.retryable, exc.value.code, exc.value.maybe_sent) == (True, "timeout", True)


def test_connection_refused_is_retryable() -> None:
    """Nobody listening → retryable connection error, certainly not sent."""
    stub = EvolutionStub().start()
    url = stub.url
    stub.stop()
    creds = EvolutionCredentials(base_url=url, api_key=API_KEY, instance="isp01")
    with EvolutionClient(creds, timeout=1) as evo, pytest.raises(SendError) as exc:
        evo.send(text())
    assert (exc.value.retryable, exc.value.code, exc.value.maybe_sent) == (True, "connection_error", False)


def test_download_media_inline_base64_makes_no_request(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Media that came with `base64: true` is decoded locally."""
    ref = MediaRef(
        mime_type="audio/ogg", inline_base64=base64.b64encode(b"OggS...").decode(), provider_media_id="X"
    )
    assert client.download_media(ref, "X") == (b"OggS...", "audio/ogg", None)
    assert stub.requests == []


def test_download_media_through_get_base64(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Without inline data, getBase64FromMediaMessage decrypts it for us."""
    stub.seed_media("3EB0AUDIO", b"\x00\x01voice", "audio/ogg", "voz.ogg")
    content, mime, filename = client.download_media(MediaRef(provider_media_id="3EB0AUDIO"), "3EB0AUDIO")
    assert (content, mime, filename) == (b"\x00\x01voice", "audio/ogg", "voz.ogg")
    assert stub.last_request.json == {"message": {"key": {"id": "3EB0AUDIO"}}, "convertToMp4": False}


def test_mark_read_and_typing(stub: EvolutionStub, client: EvolutionClient) -> None:
    """Read marks carry remoteJid/id; typing is a composing presence."""
    client.mark_read("5511987654321", ["A", "B"])
    assert stub.last_request.json == {
        "readMessages": [
            {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": False, "id": "A"},
            {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": False, "id": "B"},
        ]
    }
    client.send_typing("5511987654321@s.whatsapp.net")
    assert (stub.last_request.path, stub.last_request.json) == (
        "/chat/sendPresence/isp01",
        {"number": "5511987654321", "delay": 3000, "presence": "composing"},
    )


def test_history_pages_return_each_message_once(stub: EvolutionStub, client: EvolutionClient) -> None:
    """120 seeded messages, 50 per page: three pages, every message exactly once, as the webhook parses it."""
    records = stub.seed_text_history(120)
    seen: list[InboundMessage] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = client.fetch_history("5511987654321@s.whatsapp.net", None, None, cursor)
        seen.extend(page.events)
        pages += 1
        assert page.total == 120
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    ids = [e.provider_message_id for e in seen]
    assert len(ids) == len(set(ids)) == 120
    assert ids[0] == "3EB0HIST0119"  # newest first
    webhook_events = {
        e.provider_message_id: e
        for r in records
        for e in EvolutionAdapter().parse(stub.envelope("messages.upsert", r))
    }
    for event in seen:
        assert dataclasses.replace(event, raw={}) == dataclasses.replace(
            webhook_events[event.provider_message_id], raw={}
        )
    assert stub.requests_to("findMessages")[0].json == {
        "where": {"key": {"remoteJid": "5511987654321@s.whatsapp.net"}},
        "page": 1,
        "offset": 50,
    }


def test_history_time_window(stub: EvolutionStub, client: EvolutionClient) -> None:
    """since/until go to Evolution as ISO bounds on messageTimestamp."""
    stub.seed_text_history(10)  # one per minute from 1732200000
    since = datetime.fromtimestamp(1732200000 + 120, UTC)
    until = datetime.fromtimestamp(1732200000 + 300, UTC)
    page = client.fetch_history("5511987654321", since, until)
    assert [e.text for e in page.events] == ["mensagem 5", "mensagem 4", "mensagem 3", "mensagem 2"]
    assert page.next_cursor is None
    where = stub.last_request.json["where"]
    assert where["messageTimestamp"] == {
        "gte": "2024-11-21T14:42:00+00:00",
        "lte": "2024-11-21T14:45:00+00:00",
    }


def test_connect_open_instance_and_logout(stub: EvolutionStub, client: EvolutionClient) -> None:
    """An open instance reports open; logout closes it."""
    assert client.create_or_connect().state == "open"
    assert client.connection_state() == "open"
    client.logout()
    assert stub.last_request.method == "DELETE"
    assert client.connection_state() == "close"


def test_connect_closed_instance_returns_qr_data_uri(stub: EvolutionStub, client: EvolutionClient) -> None:
    """A closed instance answers with a QR image as a data URI; a phone gets a pairing code."""
    stub.instances["isp01"]["state"] = "close"
    conn = client.create_or_connect()
    assert conn.state == "connecting"
    assert conn.qr_code is not None and conn.qr_code.startswith("data:image/png;base64,")
    assert conn.pair_code is None
    assert client.create_or_connect(phone="+55 11 98765-4321").pair_code == "WZYE-H1YY"
    assert stub.last_request.query == {"number": "5511987654321"}


def test_connect_unknown_instance_creates_it(stub: EvolutionStub) -> None:
    """Evolution does not know the instance: it is created and its new token returned."""
    with make_client(stub, instance="isp02") as evo:
        conn = evo.create_or_connect()
    create = stub.requests_to("/instance/create")[0]
    assert create.json == {"instanceName": "isp02", "integration": "WHATSAPP-BAILEYS", "qrcode": True}
    assert conn.token == stub.instances["isp02"]["token"]
    assert conn.state == "connecting"
    assert conn.qr_code is not None and conn.qr_code.startswith("data:image/png;base64,")


def test_set_webhook_configures_secret_header(stub: EvolutionStub, client: EvolutionClient) -> None:
    """The webhook is registered with our secret as a custom header and base64 media."""
    client.set_webhook("https://app.test/webhooks/evolution/k1")
    webhook = stub.last_request.json["webhook"]
    assert webhook["headers"] == {"X-NioChat-Secret": "whsec"}
    assert (webhook["url"], webhook["base64"], webhook["enabled"]) == (
        "https://app.test/webhooks/evolution/k1",
        True,
        True,
    )
    assert "MESSAGES_UPSERT" in webhook["events"]


def test_history_bad_answer_is_provider_error(stub: EvolutionStub, client: EvolutionClient) -> None:
    """An answer that is not Evolution's paging shape is a ProviderError, not a crash."""
    stub.fail_next(1, status=200, body={"messages": "nope"})
    with pytest.raises(ProviderError):
        client.fetch_history(None, None, None)


def test_download_from_s3_url_never_sends_the_apikey(client: EvolutionClient) -> None:
    """Media stored on S3 (`mediaUrl`) is fetched directly, without our apikey header."""
    with UazapiStub() as storage:  # any plain HTTP file server will do
        storage.seed_media("3EB0IMG", b"\xff\xd8jpeg", "image/jpeg")
        ref = MediaRef(
            mime_type="image/jpeg", url=f"{storage.url}/files/3EB0IMG", provider_media_id="3EB0IMG"
        )
        assert client.download_media(ref, "3EB0IMG").content == b"\xff\xd8jpeg"
        assert "apikey" not in storage.last_request.headers
