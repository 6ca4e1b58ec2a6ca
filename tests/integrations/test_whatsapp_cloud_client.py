"""WhatsAppCloudClient against the Graph stub: exact message JSON, uploads, downloads, error codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.channels.base import (
    ListRow,
    ListSection,
    OutboundMessage,
    ProviderError,
    SendError,
    WhatsAppCloudCredentials,
)
from integrations.channels.events import ContentType, MediaRef
from integrations.channels.whatsapp_cloud import WhatsAppCloudClient
from tests.integrations.shared import HTTP
from tests.stubs.whatsapp_cloud import ACCESS_TOKEN, PHONE_NUMBER_ID, WhatsAppCloudStub


@pytest.fixture
def stub() -> Iterator[WhatsAppCloudStub]:
    with WhatsAppCloudStub() as server:
        yield server


def make_client(
    stub: WhatsAppCloudStub, *, token: str = ACCESS_TOKEN, timeout: float = 2.0
) -> WhatsAppCloudClient:
    creds = WhatsAppCloudCredentials(
        access_token=token, phone_number_id=PHONE_NUMBER_ID, app_secret="s", graph_base_url=stub.graph_url
    )
    return WhatsAppCloudClient(creds, http=HTTP, timeout=timeout)


@pytest.fixture
def client(stub: WhatsAppCloudStub) -> Iterator[WhatsAppCloudClient]:
    with make_client(stub) as cloud:
        yield cloud


def text(to: str = "+55 11 98765-4321", reply_to: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        message_id="msg-9", to=to, content_type=ContentType.TEXT, text="Olá!", reply_to_provider_id=reply_to
    )


BASE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "5511987654321"}


def test_send_text_exact_wire_body(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Text with context and our id as biz_opaque_callback_data, Bearer auth, wamid back."""
    result = client.send(text(reply_to="wamid.ORIG"))
    sent = stub.last_request
    assert (sent.path, sent.headers["authorization"]) == (
        f"/v21.0/{PHONE_NUMBER_ID}/messages",
        f"Bearer {ACCESS_TOKEN}",
    )
    assert sent.json == {
        **BASE,
        "type": "text",
        "text": {"body": "Olá!", "preview_url": False},
        "context": {"message_id": "wamid.ORIG"},
        "biz_opaque_callback_data": "msg-9",
    }
    assert result.provider_message_id.startswith("wamid.")
    assert result.raw["contacts"] == [{"input": "5511987654321", "wa_id": "5511987654321"}]


def test_send_template(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Template with body parameters, as in the documented example."""
    msg = OutboundMessage(
        message_id="t1",
        to="5511987654321",
        content_type=ContentType.TEMPLATE,
        template_name="fatura_aberta",
        template_parameters=["R$ 99,90"],
    )
    result = client.send(msg)
    assert stub.last_request.json == {
        **BASE,
        "type": "template",
        "template": {
            "name": "fatura_aberta",
            "language": {"code": "pt_BR"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "R$ 99,90"}]}],
        },
        "biz_opaque_callback_data": "t1",
    }
    assert result.raw["messages"][0]["message_status"] == "accepted"


def test_send_buttons_clips_long_titles(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Reply buttons; titles over 20 characters are clipped rather than rejected."""
    msg = OutboundMessage(
        message_id="b1",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Avalie",
        footer="NioChat",
        buttons=[("csat_5", "Ótimo"), ("csat_3", "Mais ou menos, poderia melhorar")],
    )
    client.send(msg)
    assert stub.last_request.json["interactive"] == {
        "type": "button",
        "body": {"text": "Avalie"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "csat_5", "title": "Ótimo"}},
                {"type": "reply", "reply": {"id": "csat_3", "title": "Mais ou menos, pode…"}},
            ]
        },
        "footer": {"text": "NioChat"},
    }


def test_more_than_three_buttons_is_refused_locally(
    stub: WhatsAppCloudStub, client: WhatsAppCloudClient
) -> None:
    """Meta allows three reply buttons: a fourth fails before any request."""
    msg = OutboundMessage(
        message_id="b",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="x",
        buttons=[(str(i), str(i)) for i in range(4)],
    )
    with pytest.raises(SendError) as exc:
        client.send(msg)
    assert (exc.value.retryable, exc.value.code) == (False, "too_many_buttons")
    assert stub.requests == []


def test_send_list(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """List with button label, sections and rows."""
    sections = [
        ListSection("Atendimento", [ListRow("sup", "Suporte", "sem internet"), ListRow("fin", "Financeiro")])
    ]
    msg = OutboundMessage(
        message_id="l1",
        to="5511987654321",
        content_type=ContentType.INTERACTIVE,
        text="Escolha",
        header="Menu",
        sections=sections,
        list_button="Ver opções",
    )
    client.send(msg)
    assert stub.last_request.json["interactive"] == {
        "type": "list",
        "body": {"text": "Escolha"},
        "action": {
            "button": "Ver opções",
            "sections": [
                {
                    "title": "Atendimento",
                    "rows": [
                        {"id": "sup", "title": "Suporte", "description": "sem internet"},
                        {"id": "fin", "title": "Financeiro"},
                    ],
                }
            ],
        },
        "header": {"type": "text", "text": "Menu"},
    }


def test_send_media_by_link(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """A URL goes as `link` with caption and filename."""
    msg = OutboundMessage(
        message_id="d1",
        to="5511987654321",
        content_type=ContentType.DOCUMENT,
        media_url="https://cdn/b.pdf",
        filename="boleto.pdf",
        caption="Segue",
    )
    client.send(msg)
    assert stub.last_request.json["document"] == {
        "link": "https://cdn/b.pdf",
        "caption": "Segue",
        "filename": "boleto.pdf",
    }


def test_send_media_bytes_uploads_first(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Bytes are uploaded to /media (multipart) and sent by id."""
    msg = OutboundMessage(
        message_id="i1",
        to="5511987654321",
        content_type=ContentType.IMAGE,
        media_bytes=b"\x89PNG",
        filename="print.png",
        caption="Erro",
    )
    client.send(msg)
    upload, send = stub.requests
    assert upload.path == f"/v21.0/{PHONE_NUMBER_ID}/media"
    assert upload.form == {"messaging_product": "whatsapp", "type": "image/png"}
    assert upload.files["file"] == ("print.png", b"\x89PNG", "image/png")
    media_id = next(iter(stub.media))
    assert send.json["image"] == {"id": media_id, "caption": "Erro"}


def test_invalid_token_is_not_retryable(stub: WhatsAppCloudStub) -> None:
    """401 code 190 → final, "token inválido"."""
    with make_client(stub, token="expired") as cloud, pytest.raises(SendError) as exc:
        cloud.send(text())
    assert (exc.value.retryable, exc.value.code, exc.value.reason) == (
        False,
        "190",
        "Token de acesso da Meta inválido ou expirado.",
    )


def test_recipient_not_allowed_is_not_retryable(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """400 code 131030 → final, with Meta's details."""
    stub.not_allowed.add("5511987654321")
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code) == (False, "131030")
    assert exc.value.reason.startswith(
        "Número fora da lista de destinatários permitidos (conta de teste). (Recipient"
    )


def test_reengagement_error_is_not_retryable(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """131047 outside the 24-hour window → final, tells the agent to use a template."""
    body = {
        "error": {
            "message": "(#131047) Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "fbtrace_id": "x",
        }
    }
    stub.fail_next(1, status=400, body=body)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code) == (False, "131047")
    assert "modelo (template)" in exc.value.reason


def test_throttling_on_http_400_is_retryable(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Meta throttles with HTTP 400 + code 130429: still retryable."""
    stub.fail_next(
        1,
        status=400,
        body={"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}},
    )
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert (exc.value.retryable, exc.value.code) == (True, "130429")


def test_500_is_retryable(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """5xx → retryable."""
    stub.fail_next(1, status=500)
    with pytest.raises(SendError) as exc:
        client.send(text())
    assert exc.value.retryable is True


def test_timeout_is_retryable(stub: WhatsAppCloudStub) -> None:
    """A slow Graph answer → retryable timeout."""
    stub.delay(1.0)
    with make_client(stub, timeout=0.2) as cloud, pytest.raises(SendError) as exc:
        cloud.send(text())
    assert (exc.value.retryable, exc.value.code) == (True, "timeout")


def test_download_media_two_steps(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """GET /{media-id} for the URL, then GET the URL with the Bearer token."""
    stub.seed_media("1234567890", b"OggS-audio", "audio/ogg")
    content, mime, filename = client.download_media(
        MediaRef(provider_media_id="1234567890", voice=True), "wamid.X"
    )
    assert (content, mime) == (b"OggS-audio", "audio/ogg")
    assert filename is not None and filename.startswith("1234567890.")  # extension from the system mime table
    info, download = stub.requests
    assert info.path == "/v21.0/1234567890"
    assert (download.path, download.query["mid"], download.headers["authorization"]) == (
        "/whatsapp_business/attachments/",
        "1234567890",
        f"Bearer {ACCESS_TOKEN}",
    )


def test_download_unknown_media_is_provider_error(
    stub: WhatsAppCloudStub, client: WhatsAppCloudClient
) -> None:
    """An expired media id → non-retryable ProviderError with Meta's code."""
    with pytest.raises(ProviderError) as exc:
        client.download_media(MediaRef(provider_media_id="999"), "wamid.X")
    assert (exc.value.retryable, exc.value.code) == (False, "100")


def test_mark_read_and_typing(stub: WhatsAppCloudStub, client: WhatsAppCloudClient) -> None:
    """Read marks the newest id; typing hangs on the inbound message; no id → no request."""
    client.mark_read("5511987654321", ["wamid.A", "wamid.B"])
    assert stub.last_request.json == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.B",
    }
    client.send_typing("5511987654321", last_inbound_id="wamid.B")
    assert stub.last_request.json["typing_indicator"] == {"type": "text"}
    client.send_typing("5511987654321")
    assert len(stub.requests) == 2
