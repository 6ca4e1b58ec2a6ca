"""What the browser tests share: logging in like a person, switching tabs, cutting the network, a
small real PNG, and the page-error collection every test asserts empty at the end."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import pyotp
import sqlalchemy as sa

from models import Message
from tests.browser.conftest import Live

PASSWORD = "senha-forte-123"


def png(width: int = 64, height: int = 40) -> bytes:
    """A small real PNG (a green-to-blue gradient), built without image libraries."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((20, 150 + y * 2, 80 + x * 2)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def provider_id(live: Live, text: str) -> str:
    with live.app.extensions["niochat"].db.platform_session() as session:
        return str(session.scalar(sa.select(Message.provider_message_id).where(Message.text == text)))


def unexpected(response: Any) -> bool:
    """An error answer the page should not have caused. Marking a conversation read races with it
    leaving the agent's sight (taken by a colleague a moment before): that 404 is expected and ignored."""
    if response.status < 400:
        return False
    return not (response.status == 404 and response.url.endswith("/read"))


def login(context: Any, live: Live, email: str, totp: pyotp.TOTP | None = None) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and "Failed to load resource" not in msg.text
            and errors.append(f"console: {msg.text}")
        ),
    )
    page.on("response", lambda r: unexpected(r) and errors.append(f"{r.status} {r.request.method} {r.url}"))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if totp is not None:
        page.wait_for_url("**/login/2fa")
        page.fill("input[name=code]", totp.now())
        page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/")
    page.wait_for_selector("body.inbox-ready")
    return page


class NetworkSwitch:
    """Cuts this browser's Socket.IO traffic (WebSocket and long-polling) on demand: a network drop
    that the page notices at once, unlike waiting for a ping timeout."""

    def __init__(self, context: Any) -> None:
        self.down = False
        self.sockets: list[Any] = []
        context.route_web_socket(re.compile(r"/socket\.io/"), self._websocket)
        context.route(re.compile(r"/socket\.io/"), self._polling)

    def _websocket(self, ws: Any) -> None:
        if self.down:
            ws.close()
            return
        ws.connect_to_server()
        self.sockets.append(ws)

    def _polling(self, route: Any) -> None:
        if self.down:
            route.abort()
        else:
            route.continue_()

    def cut(self) -> None:
        self.down = True
        for ws in self.sockets:
            ws.close()
        self.sockets.clear()

    def restore(self) -> None:
        self.down = False


def tab(page: Any, status: str) -> None:
    page.click(f"#tab-{status}")
    page.wait_for_selector(f"#tab-{status}[aria-selected=true]")
    page.wait_for_selector("#conv-list[aria-busy=false]")
