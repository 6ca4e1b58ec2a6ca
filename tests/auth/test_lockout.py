"""No one can lock someone else out: failures are throttled per account and source with growing
delays; the owner gets in from a clean IP or a known device, and is told about the attempts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from models import LoginThrottle, User
from models.base import utcnow
from models.login_throttle import LockoutPolicy
from tests.auth.conftest import PASSWORD, csrf, login

ATTACKER = "198.51.100.7"


def _login_from(client, ip: str, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def _throttle(db, user_id: int, source: str) -> LoginThrottle | None:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        return session.get(LoginThrottle, (user_id, source))


def _expire(db) -> None:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        session.execute(sa.update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(app, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Ten wrong passwords from one address: that address waits, the owner on hers signs in."""
    attacker = app.test_client()
    for _ in range(10):
        _login_from(attacker, ATTACKER, agent.email, "chute-123")
    refused = _login_from(attacker, ATTACKER, agent.email)  # waiting, or past the address's rate limit
    assert refused.status_code == 429 or "aguarde" in refused.get_data(as_text=True)
    owner = app.test_client()
    assert _login_from(owner, "203.0.113.20", agent.email).status_code == 302
    assert owner.get("/account").status_code == 200


def test_delays_grow_with_each_failure_after_the_fifth(app, agent, db) -> None:  # type: ignore[no-untyped-def]
    """1, 2, 4, 8 minutes, then the 15-minute cap: each failure past the limit doubles the wait."""
    attacker = app.test_client()
    waits = []
    for _ in range(9):
        _login_from(attacker, ATTACKER, agent.email, "chute-123")
        row = _throttle(db, agent.id, f"ip:{ATTACKER}")
        assert row is not None
        if row.locked_until is not None:
            waits.append(round((row.locked_until - row.updated_at).total_seconds() / 60))
            _expire(db)
    assert waits == [1, 2, 4, 8, 15]
    assert LockoutPolicy().delay_after(30) == timedelta(minutes=15)


def test_a_known_device_gets_in_from_a_limited_address(app, agent, db) -> None:  # type: ignore[no-untyped-def]
    """An office behind one NAT address: a colleague's typos exhaust the address's budget and the
    attacker's make it wait, but the owner's browser (signed in there before) still gets in."""
    owner = app.test_client()
    assert login(owner, agent.email).status_code == 302
    assert owner.get_cookie("niochat_device") is not None
    owner.post("/logout", data={"csrf_token": csrf(owner, "/account")})
    colleague = app.test_client()
    for i in range(12):
        _login_from(colleague, "127.0.0.1", f"colega{i}@x.com.br", "typo-123")
        _login_from(colleague, "127.0.0.1", agent.email, "typo-123")
    assert _login_from(colleague, "127.0.0.1", agent.email).status_code in (401, 429)
    assert login(owner, agent.email).status_code == 302
    assert owner.get("/account").status_code == 200


def test_anothers_device_cookie_is_worth_nothing(app, agent, make_user, db) -> None:  # type: ignore[no-untyped-def]
    """A browser known for Bruno does not make guesses at Ana's account any cheaper."""
    bruno = make_user("bruno@x.com.br")
    browser = app.test_client()
    assert login(browser, bruno.email).status_code == 302
    for _ in range(5):
        login(browser, agent.email, "chute-123")
    assert "aguarde" in login(browser, agent.email).get_data(as_text=True)
    assert _throttle(db, agent.id, "ip:127.0.0.1") is not None


def test_password_spraying_from_many_addresses_locks_unknown_sources_only(app, agent, db, settings) -> None:  # type: ignore[no-untyped-def]
    """Fifty failures from fifty addresses: a new address waits even with the right password, the
    owner's known device does not."""
    owner = app.test_client()
    assert login(owner, agent.email).status_code == 302
    owner.post("/logout", data={"csrf_token": csrf(owner, "/account")})
    bot = app.test_client()
    for i in range(settings.login_account_max_failures):
        _login_from(bot, f"10.9.{i // 250}.{i % 250 + 1}", agent.email, "spray-123")
    fresh = _login_from(app.test_client(), "192.0.2.99", agent.email)
    assert fresh.status_code == 401 and "aguarde" in fresh.get_data(as_text=True)
    assert login(owner, agent.email).status_code == 302


def test_the_owner_is_told_about_failed_attempts(app, agent, db) -> None:  # type: ignore[no-untyped-def]
    """The next sign-in says how many attempts failed, when and from where."""
    attacker = app.test_client()
    for _ in range(3):
        _login_from(attacker, ATTACKER, agent.email, "chute-123")
    owner = app.test_client()
    assert login(owner, agent.email).status_code == 302
    page = owner.get("/account").get_data(as_text=True)
    assert "3 tentativas" in page and ATTACKER in page
    owner.post("/logout", data={"csrf_token": csrf(owner, "/account")})
    login(owner, agent.email)
    assert "tentativa" not in owner.get("/account").get_data(as_text=True)  # told once


def test_the_api_throttles_per_address_too(client, agent) -> None:  # type: ignore[no-untyped-def]
    """API tokens: an attacker's address waits; the owner's address gets a token."""
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            json={"email": agent.email, "password": "x"},
            environ_base={"REMOTE_ADDR": ATTACKER},
        )
    refused = client.post(
        "/api/v1/auth/token",
        json={"email": agent.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": ATTACKER},
    )
    assert refused.status_code == 403
    ok = client.post("/api/v1/auth/token", json={"email": agent.email, "password": PASSWORD})
    assert ok.status_code == 200 and ok.get_json()["access_token"]
    with client.application.extensions["niochat"].db.platform_session() as session:
        assert session.get(User, agent.id).failed_logins == 0
