"""One httpx.Client for all client tests: it is injected like production shares a pool, and building
one per test (an SSL context each) would cost more than the tests themselves."""

from __future__ import annotations

import httpx

HTTP = httpx.Client()
