"""`niochat run` in development starts the provider stubs the demo inboxes point at, with their keys."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from types import SimpleNamespace

import httpx
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


def test_dev_stubs_process_skips_a_taken_port_and_stops_on_sigterm() -> None:
    """One line per provider, a taken port skipped (not fatal); SIGTERM ends it cleanly. Ports are the
    OS's choice, so the test passes while a developer's `make run` holds the demo's fixed ones."""
    taken_by, *others = DEMO_STUBS
    with socket.create_server(("127.0.0.1", 0)) as holder:
        taken = holder.getsockname()[1]
        ports = [f"--port={taken_by}={taken}", *(f"--port={provider}=0" for provider in others)]
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.stubs.dev", *ports],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            lines = {
                line.split()[1].rstrip(":"): line for line in (proc.stdout.readline() for _ in DEMO_STUBS)
            }
            for provider in others:  # the ones that started really answer
                url = lines[provider].rsplit(" ", 1)[1].strip()
                assert httpx.get(url + "/nothing-here", timeout=5).status_code in (401, 403, 404, 405)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    assert proc.returncode == 0
    assert f"porta {taken} indisponível" in lines[taken_by]
    assert all("ouvindo em http://127.0.0.1:" in lines[provider] for provider in others)


def test_dev_stubs_refuse_an_unknown_provider() -> None:
    """A typo in --port is a clear usage error, not a silently ignored option."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.stubs.dev", "--port", "evolucao=1"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode == 2 and "PROVIDER=N" in proc.stderr
