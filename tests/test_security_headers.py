"""Every route answers with the security headers, whatever its status (issue #14: /login, /account and
the API had no Content-Security-Policy)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from niochat.config import Settings
from web import create_app
from web.security_headers import LOCKED_CSP, PAGE_CSP

REQUIRED = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def _urls(app: Any) -> list[tuple[str, str]]:
    """One concrete URL per rule and method: each converter filled with a plausible value."""
    out = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        url = re.sub(r"<path:[^>]+>", "js/inbox/main.js", url)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def test_every_route_sends_the_headers(app, client) -> None:  # type: ignore[no-untyped-def]
    """Pages, API, webhooks, health and static files, signed out: all carry the four headers."""
    urls = _urls(app)
    assert len(urls) > 40
    for method, url in urls:
        response = client.open(url, method=method)
        missing = [h for h in REQUIRED if h not in response.headers]
        assert not missing, (method, url, response.status_code, missing)


def test_pages_get_the_page_policy_and_json_the_locked_one(client) -> None:  # type: ignore[no-untyped-def]
    """/login renders under a policy with no inline script; JSON answers can load nothing at all."""
    login = client.get("/login")
    assert login.status_code == 200 and login.headers["Content-Security-Policy"] == PAGE_CSP
    assert "unsafe-inline" not in PAGE_CSP
    api = client.get("/api/v1/conversations")
    assert api.status_code == 401 and api.headers["Content-Security-Policy"] == LOCKED_CSP
    assert client.get("/healthz").headers["Content-Security-Policy"] == LOCKED_CSP


def test_views_with_their_own_policy_keep_it(client) -> None:  # type: ignore[no-untyped-def]
    """The API docs page sets its own policy (Swagger UI); the default never overwrites it."""
    docs = client.get("/api/v1/docs")
    assert docs.headers["Content-Security-Policy"] not in (PAGE_CSP, LOCKED_CSP)


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_only_when_served_over_https(settings: Settings, db, secure: bool) -> None:  # type: ignore[no-untyped-def]
    """HSTS follows the secure-cookie setting: a plain-HTTP development server must not pin browsers."""
    app = create_app(settings.model_copy(update={"session_cookie_secure": secure}))
    try:
        response = app.test_client().get("/login")
        assert ("Strict-Transport-Security" in response.headers) is secure
    finally:
        app.extensions["niochat"].relay.close()
        app.extensions["niochat"].db.dispose()


def test_webhooks_only_service_sends_them_too(settings: Settings, db) -> None:  # type: ignore[no-untyped-def]
    """The compose `webhooks` service (no pages) answers with the locked policy."""
    app = create_app(settings.model_copy(update={"web_role": "webhooks"}))
    try:
        response = app.test_client().post("/webhooks/evolution/nope", data=b"{}")
        assert response.status_code == 404 and response.headers["Content-Security-Policy"] == LOCKED_CSP
    finally:
        app.extensions["niochat"].relay.close()
        app.extensions["niochat"].db.dispose()
