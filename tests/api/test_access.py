"""Who gets in: bearer or session cookie (+ CSRF for changes), never anonymous, never the superadmin, and
never into another company's rows — on every endpoint."""

from __future__ import annotations

import time
from typing import Any

import pytest

from models import User
from models.base import utcnow
from tests.api.conftest import PASSWORD, World

# (method, path, JSON body) — {conv}, {contact}, {message} are filled per test.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/conversations", None),
    ("GET", "/api/v1/conversations/{conv}", None),
    ("GET", "/api/v1/conversations/{conv}/messages", None),
    ("POST", "/api/v1/conversations/{conv}/messages", {"text": "Olá"}),
    ("GET", "/api/v1/conversations/{conv}/events", None),
    ("POST", "/api/v1/conversations/{conv}/take", None),
    ("POST", "/api/v1/conversations/{conv}/assign", {"agent_id": 1}),
    ("POST", "/api/v1/conversations/{conv}/transfer", {"team_id": 1, "reason": "Financeiro"}),
    ("POST", "/api/v1/conversations/{conv}/close", None),
    ("POST", "/api/v1/conversations/{conv}/reopen", None),
    ("POST", "/api/v1/conversations/{conv}/read", None),
    ("PUT", "/api/v1/conversations/{conv}/labels", {"label_ids": []}),
    ("GET", "/api/v1/contacts", None),
    ("GET", "/api/v1/contacts/{contact}", None),
    ("PATCH", "/api/v1/contacts/{contact}", {"name": "Outro nome"}),
    ("GET", "/api/v1/labels", None),
    ("POST", "/api/v1/labels", {"name": "Nova"}),
    ("GET", "/api/v1/teams", None),
    ("GET", "/api/v1/agents", None),
    ("GET", "/api/v1/quick-replies", None),
    ("GET", "/api/v1/templates", None),
    ("GET", "/api/v1/inboxes", None),
    ("GET", "/media/{message}", None),
]
BY_ID = [e for e in ENDPOINTS if "{" in e[1]]


def _path(template: str, world: World, tenant_key: str = "other") -> str:
    return template.format(
        conv=world.convs[tenant_key if tenant_key == "other" else "ana_open"],
        contact=world.contacts[tenant_key if tenant_key == "other" else "ana_open"],
        message=world.messages["other_media"],
    )


def _call(api, method: str, path: str, body: dict[str, Any] | None, **kwargs: Any):  # type: ignore[no-untyped-def]
    return (
        api.request(method, path, json=body, **kwargs)
        if body is not None
        else api.request(method, path, **kwargs)
    )


def test_every_endpoint_refuses_anonymous_callers(anonymous, world) -> None:  # type: ignore[no-untyped-def]
    """No token and no session: 401 with a Bearer challenge, on every endpoint."""
    for method, template, body in ENDPOINTS:
        response = _call(anonymous, method, _path(template, world), body)
        assert response.status_code == 401, (method, template)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_endpoint_refuses_the_superadmin(as_user, app, db, world, contract) -> None:  # type: ignore[no-untyped-def]
    """The platform superadmin has no inbox: 403 on every tenant endpoint, by token and by session."""
    from tests.api.clients import Api, browser_client

    api = as_user("root")
    for method, template, body in ENDPOINTS:
        response = _call(api, method, _path(template, world), body)
        assert response.status_code == 403, (method, template)
        assert response.get_json()["error"]["code"] == "forbidden"
    client = browser_client(app, db, world.users["root"])
    browser = Api(client, contract)
    assert browser.get("/api/v1/conversations").status_code == 403


def test_another_companys_ids_are_not_found_on_every_endpoint(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """An admin of company A gets 404 for each id of company B, exactly as for an id that does not exist."""
    api = as_user("admin")
    for method, template, body in BY_ID:
        foreign = _call(api, method, _path(template, world), body)
        missing = _call(api, method, template.format(conv=999999, contact=999999, message=999999), body)
        assert foreign.status_code == 404, (method, template, foreign.get_json())
        assert foreign.get_json()["error"]["code"] == missing.get_json()["error"]["code"] == "not_found"
        assert foreign.get_json()["error"]["message"] == missing.get_json()["error"]["message"]


def test_lists_never_show_another_companys_rows(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """Every list endpoint answers only the caller's company, even when filtered by a foreign id."""
    api = as_user("admin")
    convs = api.get("/api/v1/conversations?limit=100").get_json()
    assert world.convs["other"] not in {c["id"] for c in convs["items"]}
    assert api.get(f"/api/v1/conversations?inbox_id={world.inboxes['other']}").get_json()["items"] == []
    contacts = {c["id"] for c in api.get("/api/v1/contacts?limit=100").get_json()["items"]}
    assert world.contacts["other"] not in contacts and world.contacts["ana_open"] in contacts
    assert world.labels["other"] not in {x["id"] for x in api.get("/api/v1/labels").get_json()["items"]}
    assert world.teams["other"] not in {x["id"] for x in api.get("/api/v1/teams").get_json()["items"]}
    assert world.users["other_admin"] not in {x["id"] for x in api.get("/api/v1/agents").get_json()["items"]}
    assert world.inboxes["other"] not in {x["id"] for x in api.get("/api/v1/inboxes").get_json()["items"]}
    replies = api.get("/api/v1/quick-replies").get_json()["items"]
    assert "Texto de outra empresa" not in [r["content"] for r in replies]


def test_foreign_ids_inside_bodies_are_refused(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """Another company's agent, team, label or message cannot be named in a request body either."""
    api = as_user("admin")
    conv = world.convs["ana_open"]
    cases = [
        (f"/api/v1/conversations/{conv}/assign", {"agent_id": world.users["other_admin"]}, "invalid_agent"),
        (
            f"/api/v1/conversations/{conv}/transfer",
            {"team_id": world.teams["other"], "reason": "x"},
            "invalid_team",
        ),
        (
            f"/api/v1/conversations/{conv}/messages",
            {"text": "oi", "reply_to_id": world.messages["other_media"]},
            "invalid_reply",
        ),
    ]
    for path, body, code in cases:
        response = api.post(path, json=body)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == code, path
    labels = api.put(f"/api/v1/conversations/{conv}/labels", json={"label_ids": [world.labels["other"]]})
    assert labels.status_code == 422 and labels.get_json()["error"]["code"] == "invalid_label"


def test_session_cookie_works_and_changes_need_the_csrf_header(as_browser, world) -> None:  # type: ignore[no-untyped-def]
    """The inbox page's cookie reads freely; a change without X-CSRFToken is refused (400 csrf_failed)."""
    api, token = as_browser("ana")
    assert api.get("/api/v1/conversations").status_code == 200
    path = f"/api/v1/conversations/{world.convs['ana_open']}/read"
    refused = api.post(path)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    forged = api.post(path, headers={"X-CSRFToken": "not-the-token"})
    assert forged.status_code == 400
    assert api.post(path, headers={"X-CSRFToken": token}).status_code == 200


def test_bearer_requests_need_no_csrf_token(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """API clients have no cookie to forge, so they are exempt: the same POST passes without a token."""
    response = as_user("ana").post(f"/api/v1/conversations/{world.convs['ana_open']}/read")
    assert response.status_code == 200


def test_a_real_browser_login_opens_the_api(app, world, contract) -> None:  # type: ignore[no-untyped-def]
    """Logging in through the /login form gives a cookie the API accepts."""
    from tests.api.clients import Api
    from tests.auth.conftest import login

    client = app.test_client()
    assert login(client, "ana@exemplo.com.br", PASSWORD).status_code == 302
    assert Api(client, contract).get("/api/v1/conversations").status_code == 200


def test_session_with_pending_2fa_or_idle_timeout_is_refused(as_browser, db, world) -> None:  # type: ignore[no-untyped-def]
    """Password without the second factor is not logged in; neither is a session idle past its timeout."""
    with db.platform_session() as session:
        user = session.get(User, world.users["bruno"])
        user.totp_secret, user.totp_enabled_at = "JBSWY3DPEHPK3PXP", utcnow()
    pending, _ = as_browser("bruno", csrf=False, mfa=False)
    response = pending.get("/api/v1/conversations")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "2fa_required"
    idle, _ = as_browser("ana", csrf=False, seen=int(time.time()) - 9 * 3600)
    assert idle.get("/api/v1/conversations").status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Basic YTpi"])
def test_a_bad_authorization_header_is_not_rescued_by_a_cookie(as_browser, header: str) -> None:
    """With an Authorization header the token alone decides, even if a valid session cookie comes along."""
    api, _ = as_browser("ana")
    assert api.get("/api/v1/conversations", headers={"Authorization": header}).status_code == 401
