"""One verified TLS context per process, shared by every outgoing HTTP client.

httpx builds a new `SSLContext` for each client and loads the whole CA bundle into it: 20–40 ms on an
idle machine, hundreds under load. The attendant makes an SGP client, a model client and a channel
client per run, so that load dominated a run with stubs that answer at once. An `SSLContext` is safe to
share between clients and threads; verification is unchanged (certifi's bundle, hostname checked).
"""

from __future__ import annotations

import ssl
from functools import lru_cache

import certifi


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())
