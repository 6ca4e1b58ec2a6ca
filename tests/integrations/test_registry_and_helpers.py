"""Registry, credentials building, outbound validation and the shared readers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.channels.base import (
    ChannelClient,
    EvolutionCredentials,
    HistorySource,
    InstanceManager,
    OutboundMessage,
    TelegramCredentials,
    WhatsAppCloudCredentials,
    build_credentials,
)
from integrations.channels.events import ContentType, PayloadError
from integrations.channels.normalize import parse_vcard, phone_from_jid, to_utc
from integrations.channels.registry import UnknownChannel, channel_types, client_for, get_adapter


def test_registry_knows_the_four_channel_types() -> None:
    """Keys are the ChannelType values the inbox table stores."""
    assert channel_types() == ("evolution", "uazapi", "whatsapp_cloud", "telegram")
    assert [get_adapter(t).channel_type for t in channel_types()] == list(channel_types())
    with pytest.raises(UnknownChannel):
        get_adapter("sms")


@pytest.mark.parametrize(
    ("channel", "data", "instances", "history"),
    [
        ("evolution", {"base_url": "http://e", "api_key": "k", "instance": "i"}, True, True),
        ("uazapi", {"base_url": "http://u", "token": "t"}, True, True),
        ("whatsapp_cloud", {"access_token": "a", "phone_number_id": "1", "app_secret": "s"}, False, False),
        ("telegram", {"bot_token": "1:x"}, False, False),
    ],
)
def test_clients_expose_their_capabilities(
    channel: str, data: dict[str, Any], instances: bool, history: bool
) -> None:
    """Every client is a ChannelClient; instance and history capabilities match the adapter flags."""
    client = client_for(channel, data, webhook_secret="w")
    try:
        adapter = get_adapter(channel)
        assert isinstance(client, ChannelClient)
        assert isinstance(client, InstanceManager) is instances is adapter.has_instances
        assert isinstance(client, HistorySource) is history is adapter.has_history
    finally:
        client.close()


def test_build_credentials_places_our_webhook_secret() -> None:
    """The inbox secret becomes Evolution's header secret, Meta's verify token, Telegram's secret_token."""
    evo = build_credentials(
        "evolution", {"base_url": "b", "api_key": "k", "instance": "i", "junk": 1}, webhook_secret="w"
    )
    cloud = build_credentials(
        "whatsapp_cloud", {"access_token": "a", "phone_number_id": "1", "app_secret": "s"}, webhook_secret="w"
    )
    tg = build_credentials("telegram", {"bot_token": "1:x"}, webhook_secret="w")
    assert evo == EvolutionCredentials(base_url="b", api_key="k", instance="i", webhook_secret="w")
    assert isinstance(cloud, WhatsAppCloudCredentials)
    assert (cloud.verify_token, cloud.graph_base_url) == ("w", "https://graph.facebook.com/v21.0")
    assert tg == TelegramCredentials(bot_token="1:x", secret_token="w")


def test_build_credentials_rejects_missing_fields() -> None:
    """A missing required credential is a clear ValueError naming each field, not a half-built object."""
    with pytest.raises(ValueError, match="api_key: é obrigatório; instance: é obrigatório"):
        build_credentials("evolution", {"base_url": "b"})


def test_secrets_are_not_in_repr() -> None:
    """Credentials can be logged without leaking tokens."""
    text = repr(
        EvolutionCredentials(base_url="b", api_key="SUPERSECRET", instance="i", webhook_secret="HIDDEN")
    )
    assert "SUPERSECRET" not in text and "HIDDEN" not in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content_type": ContentType.TEXT},
        {"content_type": ContentType.IMAGE, "caption": "x"},
        {"content_type": ContentType.INTERACTIVE, "text": "x"},
        {"content_type": ContentType.TEMPLATE},
    ],
)
def test_outbound_message_validates_itself(kwargs: dict[str, Any]) -> None:
    """A message that cannot be sent anywhere fails at construction."""
    with pytest.raises(ValueError):
        OutboundMessage(message_id="m1", to="5511987654321", **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-21T14:40:00Z", datetime(2024, 11, 21, 14, 40, tzinfo=UTC)),
        ("2024-11-21T11:40:00-03:00", datetime(2024, 11, 21, 14, 40, tzinfo=UTC)),
        (1732200000.5, datetime(2024, 11, 21, 14, 40, 0, 500000, tzinfo=UTC)),
        (1732200000000000, datetime(2024, 11, 21, 14, 40, tzinfo=UTC)),
    ],
)
def test_to_utc_variants(value: Any, expected: datetime) -> None:
    """ISO strings with offsets, float seconds and microseconds all land on aware UTC."""
    assert to_utc(value) == expected


@pytest.mark.parametrize("value", [None, True, "", "yesterday", -5, [1]])
def test_to_utc_rejects_garbage(value: Any) -> None:
    """Values that are not times raise PayloadError."""
    with pytest.raises(PayloadError):
        to_utc(value)


@pytest.mark.parametrize(
    ("jid", "phone"),
    [
        ("5511987654321@s.whatsapp.net", "5511987654321"),
        ("5511987654321:12@s.whatsapp.net", "5511987654321"),
        ("5511987654321@c.us", "5511987654321"),
        ("120363025246125486@g.us", None),
        ("123456789@lid", None),
        (None, None),
    ],
)
def test_phone_from_jid(jid: str | None, phone: str | None) -> None:
    """Digits only from person JIDs; groups and LIDs have no phone."""
    assert phone_from_jid(jid) == phone


def test_vcard_with_item_prefix_and_several_numbers() -> None:
    """iPhone-style `item1.TEL` lines and duplicates are handled."""
    vcard = (
        "BEGIN:VCARD\r\nFN:Ana\r\nitem1.TEL;waid=5511911112222:+55 11 91111-2222\r\n"
        "TEL:+55 11 3333-4444\r\nTEL;waid=5511911112222:x\r\nEND:VCARD"
    )
    card = parse_vcard(vcard)
    assert (card["name"], card["phones"]) == ("Ana", ["5511911112222", "551133334444"])
