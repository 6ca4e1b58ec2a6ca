"""Run one stub in the foreground for the dev runner: `python -m tests.stubs evolution --port 9001`."""

from __future__ import annotations

import argparse
import time

from tests.stubs import STUBS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("provider", choices=sorted(STUBS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    stub = STUBS[args.provider](host=args.host, port=args.port).start()  # type: ignore[call-arg]
    print(f"{args.provider} stub listening on {stub.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stub.stop()


if __name__ == "__main__":
    main()
