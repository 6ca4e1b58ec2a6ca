"""The API's answer to hostile values: 400/404/413/422, never a 500 (issue #14's fuzzing found each)."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from models import Contact, Message

BIG = "9223372036854775808"  # 2**63: one past PostgreSQL's bigint


def _cursor(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/conversations/{BIG}",
        f"/api/v1/conversations/{BIG}/messages",
        f"/api/v1/conversations/{BIG}/events",
        f"/api/v1/contacts/{BIG}",
        "/api/v1/conversations/99999999999999999999999999",
        f"/media/{BIG}",
    ],
)
def test_ids_beyond_bigint_in_paths_are_404(as_user, path) -> None:  # type: ignore[no-untyped-def]
    """No row can have that id: 404, as for any other missing one."""
    assert as_user("admin").get(path, check=False).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/conversations?inbox_id=99999999999999999999",
        f"/api/v1/conversations?team_id={BIG}",
        f"/api/v1/conversations?assignee_id={BIG}",
        f"/api/v1/conversations/{{conv}}/messages?after={BIG}",
        "/api/v1/contacts?cursor=" + _cursor({"i": True}),
        "/api/v1/contacts?cursor=" + _cursor({"i": 2**64}),
        "/api/v1/conversations?cursor=" + _cursor({"t": None, "i": True}),
        "/api/v1/conversations/{conv}/messages?before=" + _cursor({"i": True}),
        "/api/v1/conversations/{conv}/messages?before=" + _cursor({"i": "x\x00"}),
    ],
)
def test_bad_numbers_and_cursors_in_queries_are_422(as_user, world, query) -> None:  # type: ignore[no-untyped-def]
    """Out-of-range ids and hand-made cursors name the parameter; nothing reaches PostgreSQL."""
    path = query.replace("{conv}", str(world.convs["ana_open"]))
    response = as_user("admin").get(path, check=False)
    assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("where", ["q", "status"])
def test_nul_in_query_strings_is_400(as_user, where) -> None:  # type: ignore[no-untyped-def]
    """NUL in a query parameter: 400 naming the parameter (PostgreSQL cannot compare text with NUL)."""
    response = as_user("admin").get(f"/api/v1/conversations?{where}=abc%00", check=False)
    assert response.status_code == 400 and where in response.get_json()["error"]["message"]
    assert as_user("admin").get("/api/v1/contacts?q=%00", check=False).status_code == 400


def test_deep_json_on_json_endpoints_is_4xx(as_user, anonymous, world) -> None:  # type: ignore[no-untyped-def]
    """A thousand levels of nesting on the token refresh and a message post: refused, not a 500."""
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    headers = {"Content-Type": "application/json"}
    assert anonymous.post("/api/v1/auth/refresh", data=deep, headers=headers, check=False).status_code in (
        400,
        401,
        422,
    )
    path = f"/api/v1/conversations/{world.convs['ana_open']}/messages"
    assert as_user("admin").post(path, data=deep, headers=headers, check=False).status_code in (400, 422)


def test_big_ids_in_bodies_are_422(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """agent_id, team_id and reply_to_id beyond bigint are invalid fields."""
    api, conv = as_user("admin"), world.convs["ana_open"]
    for path, body in [
        (f"/api/v1/conversations/{conv}/assign", {"agent_id": 2**63}),
        (f"/api/v1/conversations/{conv}/transfer", {"team_id": 2**70}),
        (f"/api/v1/conversations/{conv}/messages", {"text": "oi", "reply_to_id": 2**63}),
    ]:
        assert api.post(path, json=body, check=False).status_code == 422, path
    form = {"text": "oi", "reply_to_id": BIG}
    assert api.post(f"/api/v1/conversations/{conv}/messages", data=form, check=False).status_code == 422


def test_nul_and_broken_emoji_in_bodies_are_repaired(as_user, db, world) -> None:  # type: ignore[no-untyped-def]
    """Text, client_key, contact name and attributes with NUL or a lone surrogate store cleaned."""
    api, conv, tenant = as_user("admin"), world.convs["ana_open"], world.tenant
    raw = json.dumps({"text": "Ol\x00á \ud83d", "client_key": "k\x00ey-1"})
    response = api.post(
        f"/api/v1/conversations/{conv}/messages",
        data=raw,
        headers={"Content-Type": "application/json"},
        check=False,
    )
    assert response.status_code in (200, 201), response.get_json()
    contact = world.contacts["ana_open"]
    raw = json.dumps({"name": "Jo\x00ão \udcc3", "attributes": {"pl\x00ano": "600\x00MB"}})
    response = api.patch(
        f"/api/v1/contacts/{contact}", data=raw, headers={"Content-Type": "application/json"}, check=False
    )
    assert response.status_code == 200, response.get_json()
    with db.tenant_session(tenant) as session:
        text, key = session.execute(
            sa.select(Message.text, Message.client_key)
            .where(Message.conversation_id == conv)
            .order_by(Message.id.desc())
        ).first()
        stored = session.get(Contact, contact)
        assert (text, key) == ("Olá \ufffd", "key-1")
        assert stored.name == "João \ufffd" and stored.attributes.get("plano") == "600MB"


def test_oversized_json_body_is_413(as_user, world) -> None:  # type: ignore[no-untyped-def]
    """The API's JSON bodies are small: 2 MB is refused before parsing."""
    big = json.dumps({"text": "x" * (2 * 1024 * 1024)})
    path = f"/api/v1/conversations/{world.convs['ana_open']}/messages"
    response = as_user("admin").post(
        path, data=big, headers={"Content-Type": "application/json"}, check=False
    )
    assert response.status_code == 413


@pytest.mark.parametrize("value", [[], {}, ["high"], {"high": 1}, 1, None])
def test_unhashable_or_non_string_choice_is_422(as_user, world, value) -> None:  # type: ignore[no-untyped-def]
    """Found by tests/fuzz: `{"priority": []}` was a TypeError (a list cannot be a set member), a 500."""
    path = f"/api/v1/conversations/{world.convs['ana_open']}/priority"
    response = as_user("admin").put(path, json={"priority": value}, check=False)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == ["priority"]
