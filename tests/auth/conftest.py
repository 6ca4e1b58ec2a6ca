"""Accounts for the auth tests: a tenant with users of each role, and helpers that log in like a browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
import pytest

from models.enums import Role

PASSWORD = "senha-forte-123"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Account:
    id: int
    email: str
    tenant_id: int | None
    password: str = PASSWORD


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def csrf(client, path: str = "/login") -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of a page (following redirects), as a browser script would read it."""
    return csrf_from(client.get(path, follow_redirects=True).get_data(as_text=True))


def login(client, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(client), **extra}
    )


def submit_code(client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/login/2fa", data={"code": code, "csrf_token": csrf(client, "/login/2fa")})


@pytest.fixture()
def tenant_id(db) -> int:  # type: ignore[no-untyped-def]
    from models.provisioning import create_tenant

    with db.platform_session() as session:
        return create_tenant(session, slug="provedor-x", name="Provedor X").id


@pytest.fixture()
def make_user(db, tenant_id) -> Callable[..., Account]:  # type: ignore[no-untyped-def]
    from models.provisioning import create_user

    def make(email: str = "agente@x.com.br", role: Role = Role.AGENT, tenant: int | None = None) -> Account:
        with db.platform_session() as session:
            user = create_user(
                session,
                tenant_id=tenant or tenant_id,
                email=email,
                name=email.split("@")[0].title(),
                password=PASSWORD,
                role=role,
            )
            return Account(user.id, user.email, user.tenant_id)

    return make


@pytest.fixture()
def agent(make_user) -> Account:  # type: ignore[no-untyped-def]
    return make_user("agente@x.com.br", Role.AGENT)


def enable_2fa(db, account: Account) -> tuple[pyotp.TOTP, list[str]]:  # type: ignore[no-untyped-def]
    """2FA set up directly in the database (the enrolment pages have their own test)."""
    from models import User
    from models.base import utcnow
    from models.twofactor import hash_recovery_codes, new_recovery_codes, new_secret

    secret, codes = new_secret(), new_recovery_codes()
    with db.platform_session() as session:
        user = session.get(User, account.id)
        user.totp_secret = secret
        user.totp_enabled_at = utcnow()
        user.recovery_codes = hash_recovery_codes(codes)
    return pyotp.TOTP(secret), codes
