"""`niochat run` in development starts the provider stubs the demo inboxes point at, with their keys."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from integrations.channels.base import OutboundMessage
from integrations.channels.events import ContentType
from integrations.channels.registry import client_for
from models.enums import ChannelType
from niochat.config import PROJECT_ROOT
from niochat.demo import DEMO_STUBS, demo_credentials
from niochat.supervisor import dev_stubs_child
from tests.stubs import STUBS


def test_stubs_child_only_in_development() -> None:
    child = dev_stubs_child(SimpleNamespace(is_production=False))  # type: ignore[arg-type]
    assert child is not None and child.command[-2:] == ["-m", "tests.stubs.dev"]
    assert child.cwd == PROJECT_ROOT and child.essential is False  # a stub dying never stops `run`
    assert dev_stubs_child(SimpleNamespace(is_production=True)) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("channel", list(ChannelType))
def test_demo_credentials_are_accepted_by_the_demo_stubs(channel: ChannelType) -> None:
    """Each demo inbox's stored credentials, pointed at a stub built from the same table, can send."""
    options = {**DEMO_STUBS[channel.value], "port": 0}
    with STUBS[channel.value](**options) as stub:
        fixed = f"127.0.0.1:{DEMO_STUBS[channel.value]['port']}"
        here = stub.url.removeprefix("http://")
        creds = {
            k: v.replace(fixed, here) if k.endswith("url") else v
            for k, v in demo_credentials(channel).items()
        }
        to = "111222333" if channel is ChannelType.TELEGRAM else "5511987654321"
        client = client_for(channel.value, creds)
        try:
            result = client.send(OutboundMessage("1", to, ContentType.TEXT, text="Olá da demo"))
        finally:
            client.close()
    assert result.provider_message_id


def test_dev_stubs_process_starts_and_stops_on_sigterm() -> None:
    """One line per provider (listening, or port taken and skipped); SIGTERM ends it cleanly."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.stubs.dev"], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in DEMO_STUBS]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    for provider, line in zip(DEMO_STUBS, lines, strict=True):
        port = DEMO_STUBS[provider]["port"]
        assert line.startswith(f"stub {provider}") and (f":{port}" in line or f"porta {port}" in line), line
