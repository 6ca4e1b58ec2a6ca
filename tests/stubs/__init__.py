"""Loopback stubs of the outside systems, speaking their real wire formats (wire-formats.md).

Each stub is a `StubServer`: `with EvolutionStub() as stub: client(base_url=stub.url)…`.
"""

from __future__ import annotations

from tests.stubs.evolution import EvolutionStub
from tests.stubs.server import RecordedRequest, StubServer
from tests.stubs.sgp import SgpStub
from tests.stubs.telegram import TelegramStub
from tests.stubs.uazapi import UazapiStub
from tests.stubs.whatsapp_cloud import WhatsAppCloudStub

STUBS: dict[str, type[StubServer]] = {
    "evolution": EvolutionStub,
    "uazapi": UazapiStub,
    "whatsapp_cloud": WhatsAppCloudStub,
    "telegram": TelegramStub,
    "sgp": SgpStub,
}

__all__ = [
    "STUBS",
    "EvolutionStub",
    "RecordedRequest",
    "SgpStub",
    "StubServer",
    "TelegramStub",
    "UazapiStub",
    "WhatsAppCloudStub",
]
