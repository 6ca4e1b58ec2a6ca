"""The demo's outside systems, for `niochat run` in development: `python -m tests.stubs.dev`.

Starts one stub per provider on the ports and with the keys the demo inboxes use (`niochat.demo.
DEMO_STUBS`), so sending from the demo inbox goes end to end without the internet. A port already taken
(another `niochat run`) is skipped with a line, not fatal: the other stubs still serve.

`--port PROVIDER=N` moves one stub (0: a port the OS picks), so tests never depend on the demo's fixed
ports being free while a developer's `make run` holds them.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType

from niochat.demo import DEMO_STUB_HOST, DEMO_STUBS
from tests.stubs import STUBS, StubServer

# In development the back office's "Conectar com QR code" ends as if the phone scanned it (~10 s).
DEV_SCAN_AFTER_POLLS = 5


def start_all(host: str = DEMO_STUB_HOST, ports: Mapping[str, int] | None = None) -> list[StubServer]:
    started: list[StubServer] = []
    for provider, demo_options in DEMO_STUBS.items():
        options = {**demo_options, **({"port": ports[provider]} if ports and provider in ports else {})}
        try:
            stub = STUBS[provider](host=host, **options).start()  # type: ignore[call-arg]
        except OSError as exc:
            print(
                f"stub {provider}: porta {options['port']} indisponível ({exc.strerror}); ignorado",
                flush=True,
            )
            continue
        if hasattr(stub, "connect_after_polls"):  # a QR code "read" a few seconds after it is shown
            stub.connect_after_polls = DEV_SCAN_AFTER_POLLS
        started.append(stub)
        print(f"stub {provider} ouvindo em {stub.url}", flush=True)
    return started


def _ports(argv: Sequence[str]) -> dict[str, int]:
    parser = argparse.ArgumentParser(prog="python -m tests.stubs.dev")
    parser.add_argument("--port", action="append", default=[], metavar="PROVIDER=N")
    ports: dict[str, int] = {}
    for item in parser.parse_args(argv).port:
        provider, _, port = item.partition("=")
        if provider not in DEMO_STUBS or not port.isdigit():
            parser.error(f"--port {item}: use PROVIDER=N with PROVIDER in {', '.join(DEMO_STUBS)}")
        ports[provider] = int(port)
    return ports


def main(argv: Sequence[str] | None = None) -> None:
    ports = _ports(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stubs = start_all(ports=ports)
    stop.wait()
    for stub in stubs:
        stub.stop()


if __name__ == "__main__":
    main()
