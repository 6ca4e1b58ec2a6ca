"""Every /api/v1 operation in web/api/openapi.yaml, called with hypothesis-drawn ids, queries and bodies:
as a logged-in admin (never a 5xx, and a 4xx changed nothing), anonymously (401), and from another
tenant (never its data). The company and its rival come from tests/api/conftest.py's `world`."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.clients import access_token
from tests.api.conftest import World
from tests.fuzz.openapi_cases import PREFIX, Call, calls, operations
from tests.fuzz.tables import row_counts

OPERATIONS = operations()
PUBLIC = {"POST /auth/token", "POST /auth/refresh", "POST /auth/revoke", "GET /openapi.json", "GET /docs"}


def _ids(world: World, tenant: str = "own") -> list[int]:
    groups = [world.users, world.teams, world.inboxes, world.labels]
    groups += [world.convs, world.contacts, world.messages]
    own = {v for g in groups for k, v in g.items() if not k.startswith("other")}
    other = {v for g in groups for k, v in g.items() if k.startswith("other")}
    return sorted(own if tenant == "own" else other)


def _send(client: Any, call: Call, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if call.content_type:
        headers["Content-Type"] = call.content_type
    if call.form is not None:
        form = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in call.form.items()}
        return client.open(call.url, method=call.method.upper(), data=form, headers=headers)
    return client.open(call.url, method=call.method.upper(), data=call.body, headers=headers)


@pytest.fixture()
def admin_token(app, db, world) -> str:  # type: ignore[no-untyped-def]
    return access_token(app, db, world.users["admin"])


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@given(data=st.data())
def test_operation_never_500(app, db, world, admin_token, op, data) -> None:  # type: ignore[no-untyped-def]
    call = data.draw(calls(op, _ids(world) + _ids(world, "other")), label="call")
    before = row_counts(db)
    response = _send(app.test_client(), call, admin_token)
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    if 400 <= response.status_code < 500:
        assert row_counts(db) == before, f"a refused {op.id} changed the database"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@settings(max_examples=max(3, settings.default.max_examples // 4))  # the door is the same for every call
@given(data=st.data())
def test_anonymous_is_refused(app, db, world, op, data) -> None:  # type: ignore[no-untyped-def]
    call = data.draw(calls(op, _ids(world)), label="call")
    token = data.draw(st.sampled_from([None, "", "x", "a.b.c", "\x00"]), label="token")
    before = row_counts(db)
    response = _send(app.test_client(), call, token and token.replace("\x00", "%00"))
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    if op.id not in PUBLIC:
        assert response.status_code in {400, 401, 404, 405, 413}, response.status_code
    if response.status_code >= 400:
        assert row_counts(db) == before


GROUPS = {
    "conversation_id": "convs",
    "contact_id": "contacts",
    "team_id": "teams",
    "user_id": "users",
    "label_id": "labels",
    "message_id": "messages",
}


def _foreign(world: World, param: str, of_other: bool) -> list[int]:
    """Ids of that parameter's table in the other company (or in ours, for the other company's admin)."""
    group: dict[str, int] = getattr(world, GROUPS[param])
    return [v for k, v in group.items() if k.startswith("other") == of_other]


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.params("path")], ids=lambda op: op.id)
def test_other_tenant_ids_are_404(app, db, world, op) -> None:  # type: ignore[no-untyped-def]
    """Our admin names the rival's rows, and the rival's admin names ours: each time 404, nothing changes."""
    names = [p["name"] for p in op.params("path")]
    for who, of_other in [("admin", True), ("other_admin", False)]:
        token = access_token(app, db, world.users[who])
        for name in names:
            for value in _foreign(world, name, of_other):
                path = op.template
                for other_name in names:  # the other parameters name rows of the caller's own company
                    own = [*_foreign(world, other_name, not of_other), 1]
                    path = path.replace("{" + other_name + "}", str(value if other_name == name else own[0]))
                before = row_counts(db)
                call = Call(op.method, PREFIX + path, b"{}" if op.body else None, "application/json")
                response = _send(app.test_client(), call, token)
                assert response.status_code in {404, 405, 422}, (who, path, response.status_code)
                assert row_counts(db) == before
