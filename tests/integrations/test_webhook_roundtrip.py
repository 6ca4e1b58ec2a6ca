"""Each stub fires its webhooks at a tiny app that authenticates and parses them through the registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from integrations.channels.base import (
    AuthError,
    ChannelCredentials,
    EvolutionCredentials,
    TelegramCredentials,
    UazapiCredentials,
    WhatsAppCloudCredentials,
)
from integrations.channels.events import ContentType, DeliveryStatus, Event, PayloadError
from integrations.channels.evolution import EvolutionClient
from integrations.channels.registry import get_adapter
from integrations.channels.telegram import TelegramClient
from tests.stubs import EvolutionStub, StubServer, TelegramStub, UazapiStub, WhatsAppCloudStub
from tests.stubs.evolution import API_KEY
from tests.stubs.telegram import BOT_TOKEN
from tests.stubs.uazapi import TOKEN
from tests.stubs.whatsapp_cloud import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID


class WebhookApp(StubServer):
    """What web/webhooks will do: verify on raw bytes, then parse; 401/403 and 400 like the real route."""

    provider = "app"

    def __init__(self, creds: dict[str, ChannelCredentials]) -> None:
        self.creds = creds
        self.events: list[Event] = []
        super().__init__()

    def routes(self) -> list[Rule]:
        return [Rule("/webhooks/<channel>", methods=["GET", "POST"], endpoint="receive")]

    def receive(self, request: Request, channel: str) -> Response:
        adapter = get_adapter(channel)
        creds = self.creds[channel]
        try:
            if request.method == "GET":
                challenge = adapter.handshake(dict(request.args.items()), creds)
                return Response(challenge or "", status=200 if challenge else 405, mimetype="text/plain")
            adapter.verify(request.headers, request.get_data(), dict(request.args.items()), creds)
            self.events.extend(adapter.parse(json.loads(request.get_data()), request.headers))
        except AuthError as exc:
            return Response(exc.reason, status=exc.status_code)
        except PayloadError as exc:
            return Response(str(exc), status=400)
        return Response("ok")


@pytest.fixture
def stubs() -> Iterator[dict[str, Any]]:
    servers = {
        "evolution": EvolutionStub(),
        "uazapi": UazapiStub(),
        "whatsapp_cloud": WhatsAppCloudStub(),
        "telegram": TelegramStub(),
    }
    for server in servers.values():
        server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def app(stubs: dict[str, Any]) -> Iterator[WebhookApp]:
    creds: dict[str, ChannelCredentials] = {
        "evolution": EvolutionCredentials(
            base_url=stubs["evolution"].url, api_key=API_KEY, instance="isp01", webhook_secret="evo-secret"
        ),
        "uazapi": UazapiCredentials(base_url=stubs["uazapi"].url, token=TOKEN),
        "whatsapp_cloud": WhatsAppCloudCredentials(
            access_token=ACCESS_TOKEN,
            phone_number_id=PHONE_NUMBER_ID,
            app_secret=APP_SECRET,
            verify_token="vt",
        ),
        "telegram": TelegramCredentials(
            bot_token=BOT_TOKEN, secret_token="tg-secret", api_base_url=stubs["telegram"].url
        ),
    }
    with WebhookApp(creds) as server:
        yield server


def test_evolution_webhook_after_set_webhook(stubs: dict[str, Any], app: WebhookApp) -> None:
    """set_webhook registers our secret header; Evolution then sends it and the app accepts the message."""
    stub: EvolutionStub = stubs["evolution"]
    url = f"{app.url}/webhooks/evolution"
    assert stub.fire_webhook(url, stub.make_text_webhook("oi")).status_code == 401
    with EvolutionClient(app.creds["evolution"]) as evo:  # type: ignore[arg-type]
        evo.set_webhook(url)
    assert stub.fire_webhook(url, stub.make_text_webhook("oi", extended=True)).status_code == 200
    audio = stub.make_media_webhook("audio", media={"ptt": True, "content": b"OggS"})
    assert stub.fire_webhook(url, audio).status_code == 200
    assert stub.fire_webhook(url, stub.make_status_webhook("BAE5X", "READ")).status_code == 200
    text, voice, status = app.events
    assert (text.text, voice.media.voice, voice.media.inline_base64, status.status) == (
        "oi",
        True,
        "T2dnUw==",
        DeliveryStatus.READ,
    )


def test_uazapi_webhook_token_in_body(stubs: dict[str, Any], app: WebhookApp) -> None:
    """Uazapi bodies carry the instance token; another token is refused."""
    stub: UazapiStub = stubs["uazapi"]
    url = f"{app.url}/webhooks/uazapi"
    assert stub.fire_webhook(url, stub.make_text_webhook("Oi")).status_code == 200
    assert stub.fire_webhook(url, stub.make_receipt_webhook(["3EB0A"], "Read")).status_code == 200
    forged = stub.make_text_webhook("Oi") | {"token": "forged"}
    assert stub.fire_webhook(url, forged).status_code == 401
    text, receipt = app.events
    assert (text.text, receipt.status) == ("Oi", DeliveryStatus.READ)


def test_cloud_webhook_signed_and_handshake(stubs: dict[str, Any], app: WebhookApp) -> None:
    """Signed bodies pass, a wrong signature is refused, the GET handshake echoes the challenge."""
    stub: WhatsAppCloudStub = stubs["whatsapp_cloud"]
    url = f"{app.url}/webhooks/whatsapp_cloud"
    assert stub.fire_webhook(url, stub.make_text_webhook("Sem internet")).status_code == 200
    bad = stub.fire_webhook(url, stub.make_text_webhook("x"), headers={"X-Hub-Signature-256": "sha256=00"})
    assert bad.status_code == 401
    malformed = stub.fire_webhook(url, {"object": "whatsapp_business_account", "entry": "x"})
    assert malformed.status_code == 400
    ok = stub.fire_webhook(
        url,
        stub.make_status_webhook("wamid.X", "failed", error_code=131047, error_title="Re-engagement message"),
    )
    assert ok.status_code == 200
    message, failed = app.events
    assert (message.text, message.contact_name, failed.error_code) == ("Sem internet", "Maria", "131047")
    query = {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "1158201444"}
    assert httpx.get(url, params=query).text == "1158201444"
    assert httpx.get(url, params=query | {"hub.verify_token": "no"}).status_code == 403


def test_telegram_webhook_after_set_webhook(stubs: dict[str, Any], app: WebhookApp) -> None:
    """After setWebhook, updates carry our secret; a button press also asks for an answer."""
    stub: TelegramStub = stubs["telegram"]
    url = f"{app.url}/webhooks/telegram"
    assert stub.fire_webhook(url, stub.make_text_update("/start")).status_code == 403
    with TelegramClient(app.creds["telegram"]) as tg:  # type: ignore[arg-type]
        tg.set_webhook(url)
    assert stub.fire_webhook(url, stub.make_text_update("/start")).status_code == 200
    press = stub.make_callback_update("csat:5", buttons=[("csat:5", "Ótimo"), ("csat:1", "Ruim")])
    assert stub.fire_webhook(url, press).status_code == 200
    start, reply, answer = app.events
    assert start.text == "/start"
    assert (reply.content_type, reply.interactive_reply_id, reply.text) == (
        ContentType.INTERACTIVE_REPLY,
        "csat:5",
        "Ótimo",
    )
    with TelegramClient(app.creds["telegram"]) as tg:  # type: ignore[arg-type]
        tg.answer_callback(answer.callback_query_id)
    assert stub.answered_callbacks == [press["callback_query"]["id"]]
