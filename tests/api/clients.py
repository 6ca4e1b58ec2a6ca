"""Ways to call the API in tests: as a bearer client or as a logged-in browser, every response checked
against the OpenAPI document (`tests.api.contract`)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from models import User
from tests.api.contract import Contract


class Api:
    """A Flask test client that authenticates one way and checks every response against the contract."""

    def __init__(self, client: Any, contract: Contract, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.contract = contract
        self.headers = headers or {}

    def request(
        self,
        method: str,
        path: str,
        *,
        check: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        response = self.client.open(
            path, method=method, headers={**self.headers, **(headers or {})}, **kwargs
        )
        if check:
            body = response.get_json(silent=True) if response.mimetype == "application/json" else None
            self.contract.check(method, path, response.status_code, response.mimetype or "", body)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


def access_token(app: Any, db: Any, user_id: int) -> str:
    from models.accounts import session_version
    from web.api.auth import token_service

    with db.platform_session() as session:
        user = session.get(User, user_id)
        version = session_version(user, app.config["SECRET_KEY"])
        tenant_id = user.tenant_id
    with app.test_request_context():
        return str(
            token_service().issue_pair(user_id=user_id, tenant_id=tenant_id, version=version)["access_token"]
        )


def browser_client(app: Any, db: Any, user_id: int, **overrides: Any) -> Any:
    """A test client holding a signed session cookie as `web.auth.session.begin` writes it (the login form
    itself is exercised in tests/auth and once in tests/api/test_access.py)."""
    from models.accounts import session_version

    with db.platform_session() as session:
        user = session.get(User, user_id)
        values = {
            "uid": user.id,
            "tid": user.tenant_id,
            "ver": session_version(user, app.config["SECRET_KEY"]),
            "sid": secrets.token_urlsafe(16),
            "at": int(time.time()),
            "seen": int(time.time()),
            "mfa": True,
            **overrides,
        }
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session.update(values)
    return client


def csrf_token(client: Any) -> str:
    """The token the inbox page's <meta name="csrf-token"> carries."""
    from tests.auth.conftest import csrf_from

    return csrf_from(client.get("/account").get_data(as_text=True))
