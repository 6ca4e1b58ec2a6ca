"""Webhook authentication: secrets, tokens and signatures, right and wrong, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from integrations.channels import base
from integrations.channels.base import (
    AuthError,
    EvolutionCredentials,
    TelegramCredentials,
    UazapiCredentials,
    WhatsAppCloudCredentials,
)
from integrations.channels.evolution import EvolutionAdapter
from integrations.channels.telegram import TelegramAdapter
from integrations.channels.uazapi import UazapiAdapter
from integrations.channels.whatsapp_cloud import WhatsAppCloudAdapter, sign

EVO = EvolutionCredentials(base_url="http://evo", api_key="k", instance="isp01", webhook_secret="s3cr3t-evo")
UAZ = UazapiCredentials(base_url="http://uaz", token="uaz-token")
CLOUD = WhatsAppCloudCredentials(
    access_token="t", phone_number_id="1", app_secret="app-secret", verify_token="vt-123"
)
TG = TelegramCredentials(bot_token="1:x", secret_token="tg_secret-1")
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


@pytest.fixture
def compare_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Spy on hmac.compare_digest to prove every check goes through the constant-time comparison."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(base.hmac, "compare_digest", spy)
    return calls


def test_evolution_secret_header(compare_calls: list[tuple[bytes, bytes]]) -> None:
    """The X-NioChat-Secret header (any case) must equal the inbox secret."""
    EvolutionAdapter().verify({"x-niochat-secret": "s3cr3t-evo"}, b"{}", {}, EVO)
    assert compare_calls == [(b"s3cr3t-evo", b"s3cr3t-evo")]


def test_evolution_secret_in_query_is_refused() -> None:
    """?secret= would land in proxy and access logs: refused, with a reason that says what to configure."""
    with pytest.raises(AuthError, match="configure the X-NioChat-Secret header"):
        EvolutionAdapter().verify({}, b"{}", {"secret": "s3cr3t-evo"}, EVO)


@pytest.mark.parametrize("headers", [{}, {"X-NioChat-Secret": "wrong"}, {"X-NioChat-Secret": ""}])
def test_evolution_wrong_or_missing_secret(headers: dict[str, str]) -> None:
    """Missing or wrong secret → AuthError 401."""
    with pytest.raises(AuthError) as exc:
        EvolutionAdapter().verify(headers, b"{}", {}, EVO)
    assert exc.value.status_code == 401


def test_unset_secret_never_matches() -> None:
    """An inbox without a configured secret rejects everything (fail closed)."""
    creds = EvolutionCredentials(base_url="http://evo", api_key="k", instance="i", webhook_secret="")
    with pytest.raises(AuthError):
        EvolutionAdapter().verify({"X-NioChat-Secret": ""}, b"{}", {}, creds)


def test_uazapi_token_in_body(compare_calls: list[tuple[bytes, bytes]]) -> None:
    """The `token` field of the body must equal the instance token."""
    UazapiAdapter().verify({}, json.dumps({"EventType": "messages", "token": "uaz-token"}).encode(), {}, UAZ)
    assert compare_calls == [(b"uaz-token", b"uaz-token")]


@pytest.mark.parametrize("raw", [b'{"token":"nope"}', b'{"EventType":"messages"}', b"not json", b"[1]", b""])
def test_uazapi_wrong_missing_or_unreadable_token(raw: bytes) -> None:
    """Wrong token, no token, or a body that is not JSON → AuthError."""
    with pytest.raises(AuthError):
        UazapiAdapter().verify({}, raw, {}, UAZ)


def test_cloud_signature(compare_calls: list[tuple[bytes, bytes]]) -> None:
    """X-Hub-Signature-256 is HMAC-SHA256 of the raw body with the app secret."""
    expected = "sha256=" + hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert sign("app-secret", BODY) == expected
    WhatsAppCloudAdapter().verify({"X-Hub-Signature-256": expected}, BODY, {}, CLOUD)
    assert len(compare_calls) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": sign("other-secret", BODY)},
        {"X-Hub-Signature-256": sign("app-secret", BODY + b" ")},
        {"X-Hub-Signature-256": sign("app-secret", BODY)[7:]},
    ],
)
def test_cloud_wrong_signature(headers: dict[str, str]) -> None:
    """Missing, zeroed, other secret, other body, or no `sha256=` prefix → AuthError."""
    with pytest.raises(AuthError):
        WhatsAppCloudAdapter().verify(headers, BODY, {}, CLOUD)


def test_cloud_handshake_returns_challenge() -> None:
    """GET with our verify token → the challenge, as plain text."""
    query = {"hub.mode": "subscribe", "hub.verify_token": "vt-123", "hub.challenge": "1158201444"}
    assert WhatsAppCloudAdapter().handshake(query, CLOUD) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "vt-123", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "vt-123"},
        {},
    ],
)
def test_cloud_handshake_refused(query: dict[str, str]) -> None:
    """Wrong token, wrong mode or no challenge → AuthError 403."""
    with pytest.raises(AuthError) as exc:
        WhatsAppCloudAdapter().handshake(query, CLOUD)
    assert exc.value.status_code == 403


def test_other_providers_have_no_handshake() -> None:
    """Only Meta has a GET handshake; others answer None (the web answers 405)."""
    assert EvolutionAdapter().handshake({}, EVO) is None
    assert TelegramAdapter().handshake({}, TG) is None


def test_telegram_secret_header(compare_calls: list[tuple[bytes, bytes]]) -> None:
    """X-Telegram-Bot-Api-Secret-Token must equal our secret_token."""
    TelegramAdapter().verify({"X-Telegram-Bot-Api-Secret-Token": "tg_secret-1"}, b"{}", {}, TG)
    assert compare_calls == [(b"tg_secret-1", b"tg_secret-1")]


def test_telegram_wrong_secret_is_403() -> None:
    """Telegram's docs: answer 403 to a wrong secret."""
    with pytest.raises(AuthError) as exc:
        TelegramAdapter().verify({"X-Telegram-Bot-Api-Secret-Token": "nope"}, b"{}", {}, TG)
    assert exc.value.status_code == 403


def test_wrong_credentials_type_is_a_programming_error() -> None:
    """Passing Telegram credentials to the Evolution adapter is a TypeError, not an AuthError."""
    with pytest.raises(TypeError):
        EvolutionAdapter().verify({}, b"{}", {}, TG)
