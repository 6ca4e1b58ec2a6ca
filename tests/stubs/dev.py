"""The demo's outside systems, for `niochat run` in development: `python -m tests.stubs.dev`.

Starts one stub per provider on the ports and with the keys the demo inboxes use (`niochat.demo.
DEMO_STUBS`), so sending from the demo inbox goes end to end without the internet. A port already taken
(another `niochat run`) is skipped with a line, not fatal: the other stubs still serve.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from niochat.demo import DEMO_STUB_HOST, DEMO_STUBS
from tests.stubs import STUBS, StubServer


def start_all(host: str = DEMO_STUB_HOST) -> list[StubServer]:
    started: list[StubServer] = []
    for provider, options in DEMO_STUBS.items():
        try:
            stub = STUBS[provider](host=host, **options).start()  # type: ignore[call-arg]
        except (OSError, SystemExit) as exc:  # werkzeug exits (SystemExit) when the port is taken
            reason = getattr(exc, "strerror", None) or "em uso"
            print(f"stub {provider}: porta {options['port']} indisponível ({reason}); ignorado", flush=True)
            continue
        started.append(stub)
        print(f"stub {provider} ouvindo em {stub.url}", flush=True)
    return started


def main() -> None:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stubs = start_all()
    stop.wait()
    for stub in stubs:
        stub.stop()


if __name__ == "__main__":
    main()
