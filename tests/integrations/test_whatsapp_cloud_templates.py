"""Listing a WhatsApp Business Account's message templates against the Graph stub: paging, mapping,
errors; and the `waba_id` credential."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.channels.base import ProviderError, WhatsAppCloudCredentials
from integrations.channels.credentials import CredentialError, build_credentials, check_credentials
from integrations.channels.whatsapp_cloud import WhatsAppCloudClient
from integrations.channels.whatsapp_cloud_templates import map_category, map_status, parse_page
from tests.integrations.shared import HTTP
from tests.stubs import whatsapp_cloud_payloads as payloads
from tests.stubs.whatsapp_cloud import ACCESS_TOKEN, PHONE_NUMBER_ID, WABA_ID, WhatsAppCloudStub


@pytest.fixture
def stub() -> Iterator[WhatsAppCloudStub]:
    with WhatsAppCloudStub() as server:
        yield server


def make_client(
    stub: WhatsAppCloudStub, *, token: str = ACCESS_TOKEN, waba_id: str | None = WABA_ID, timeout: float = 2.0
) -> WhatsAppCloudClient:
    creds = WhatsAppCloudCredentials(
        access_token=token,
        phone_number_id=PHONE_NUMBER_ID,
        app_secret="s",
        graph_base_url=stub.graph_url,
        waba_id=waba_id,
    )
    return WhatsAppCloudClient(creds, http=HTTP, timeout=timeout)


def test_lists_every_page_with_the_bearer_token(stub: WhatsAppCloudStub) -> None:
    """Seven templates in pages of four: two GETs, the second with the first page's `after` cursor."""
    with make_client(stub) as client:
        found = client.list_templates()
    assert [t.key for t in found] == [(t["name"], t["language"]) for t in stub.templates]
    first, second = stub.requests_to("/message_templates")
    assert first.path == f"/v21.0/{WABA_ID}/message_templates"
    assert first.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert first.query["fields"] == "name,language,status,category,components"
    assert first.query["limit"] == "100" and "after" not in first.query
    assert second.query["after"] and second.query["fields"] == first.query["fields"]


def test_one_page_is_one_request(stub: WhatsAppCloudStub) -> None:
    """No `paging.next` on the first page: the client stops there."""
    stub.template_page_size = 50
    with make_client(stub) as client:
        assert len(client.list_templates()) == len(stub.templates)
    assert len(stub.requests_to("/message_templates")) == 1


def test_maps_meta_fields_to_ours(stub: WhatsAppCloudStub) -> None:
    """Status lowercased (PAUSED → paused), category kept, BODY text with placeholders, every component
    kept as Meta sent it."""
    with make_client(stub) as client:
        found = {t.key: t for t in client.list_templates()}
    invoice = found[("fatura_aberta", "pt_BR")]
    assert (invoice.status, invoice.category) == ("approved", "UTILITY")
    assert invoice.body == "Olá {{1}}, sua fatura de {{2}} vence em {{3}}."
    assert [c["type"] for c in invoice.components] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    assert invoice.components[3]["buttons"] == [{"type": "QUICK_REPLY", "text": "Pagar com PIX"}]
    assert invoice.meta_id
    assert found[("aviso_corte", "pt_BR")].status == "paused"
    assert found[("promo_fibra", "pt_BR")].status == "rejected"
    assert found[("manutencao_programada", "pt_BR")].status == "pending"
    assert found[("codigo_acesso", "pt_BR")].category == "AUTHENTICATION"
    assert found[("fatura_aberta", "en_US")].body.startswith("Hello {{1}}")


def test_refused_token_is_a_readable_error(stub: WhatsAppCloudStub) -> None:
    """401 with OAuthException 190: not retryable, code 190, the sentence about the token."""
    with make_client(stub, token="EAA-wrong") as client, pytest.raises(ProviderError) as caught:
        client.list_templates()
    error = caught.value
    assert (error.code, error.retryable, error.status_code) == ("190", False, 401)
    assert "Token de acesso da Meta" in error.reason


def test_unknown_account_is_code_100(stub: WhatsAppCloudStub) -> None:
    """A WABA id the token cannot see: Graph's 400 code 100 subcode 33, not retryable."""
    with make_client(stub, waba_id="999999999") as client, pytest.raises(ProviderError) as caught:
        client.list_templates()
    assert (caught.value.code, caught.value.retryable) == ("100", False)


def test_without_waba_id_nothing_is_asked(stub: WhatsAppCloudStub) -> None:
    """No `waba_id` in the credentials: a pt-BR error and no request at all."""
    with make_client(stub, waba_id=None) as client, pytest.raises(ProviderError) as caught:
        client.list_templates()
    assert caught.value.code == "no_waba_id" and "WhatsApp Business Account ID" in caught.value.reason
    assert stub.requests == []


def test_server_error_and_timeout_are_retryable(stub: WhatsAppCloudStub) -> None:
    """A 5xx and a slow answer both fail as retryable (the transport's rules)."""
    with make_client(stub, timeout=0.3) as client:
        stub.template_page_size = 4
        stub.fail_next(1, status=503)
        with pytest.raises(ProviderError) as failed:
            client.list_templates()
        assert failed.value.retryable is True and failed.value.status_code == 503
        stub.delay(1.0)
        with pytest.raises(ProviderError) as slow:
            client.list_templates()
        stub.delay(0)
    assert slow.value.code == "timeout" and slow.value.retryable is True


def test_a_looping_cursor_stops() -> None:
    """A page that repeats its own cursor ends the listing instead of looping."""

    class Looping(WhatsAppCloudStub):
        def message_templates(self, request: Any, version: str, waba_id: str) -> Any:
            data = [payloads.template("sempre", "Oi")]
            paging = {"cursors": {"after": "QUZURVI="}, "next": f"{self.url}/x?after=QUZURVI="}
            return self.json_response({"data": data, "paging": paging})

    with Looping() as loop, make_client(loop) as client:
        found = client.list_templates()
        assert len(found) == 2 and len(loop.requests) == 2


def test_parse_page_skips_items_without_name_or_language() -> None:
    """Junk items are dropped; the cursor counts only when `next` is there."""
    body = {
        "data": [{"name": "ok", "language": "pt_BR", "status": "APPROVED"}, {"name": "x"}, "junk", {}],
        "paging": {"cursors": {"after": "abc"}},
    }
    templates, after = parse_page(body)
    assert [t.key for t in templates] == [("ok", "pt_BR")] and after is None
    assert templates[0].body == "" and templates[0].components == []
    assert parse_page(None) == ([], None)


def test_status_and_category_words() -> None:
    """Meta's words → ours; old category names read as today's; nothing unknown becomes UTILITY."""
    assert [map_status(s) for s in ("APPROVED", "IN_APPEAL", "DISABLED", "DELETED", None)] == [
        "approved",
        "pending",
        "disabled",
        "removed",
        "pending",
    ]
    assert map_status("SOMETHING_NEW") == "something_new"
    assert [map_category(c) for c in ("TRANSACTIONAL", "OTP", "MARKETING", None)] == [
        "UTILITY",
        "AUTHENTICATION",
        "MARKETING",
        "UNKNOWN",
    ]


def test_waba_id_credential() -> None:
    """Optional, digits only; carried into the client's credentials when stored."""
    base = {"access_token": "EAA", "phone_number_id": PHONE_NUMBER_ID, "app_secret": "s"}
    assert check_credentials("whatsapp_cloud", {**base, "waba_id": f" {WABA_ID} "})["waba_id"] == WABA_ID
    assert "waba_id" not in check_credentials("whatsapp_cloud", base)
    with pytest.raises(CredentialError) as caught:
        check_credentials("whatsapp_cloud", {**base, "waba_id": "conta-123"})
    assert "waba_id" in caught.value.problems
    creds = build_credentials("whatsapp_cloud", {**base, "waba_id": WABA_ID})
    assert isinstance(creds, WhatsAppCloudCredentials) and creds.waba_id == WABA_ID
    assert build_credentials("whatsapp_cloud", base).waba_id is None  # type: ignore[union-attr]
