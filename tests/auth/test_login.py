"""Browser login: sessions, refusals, lockout, rate limit, CSRF, idle timeout, logout and audit."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from models import AuditLog, LoginThrottle, Tenant, User
from models.base import utcnow
from models.enums import Role, TenantStatus
from tests.auth.conftest import PASSWORD, csrf, login

GENERIC = "E-mail ou senha inválidos."


def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        return list(session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def _update_user(db, user_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    with db.platform_session() as session:
        session.execute(sa.update(User).where(User.id == user_id).values(**values))


def test_login_and_logout(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Right password: session, header with name and role; logout ends it and is audited with IP/UA."""
    assert client.get("/account").status_code == 302
    response = login(client, agent.email, headers={"User-Agent": "pytest-browser"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Agente" in page and 'action="/logout"' in page and "Provedor X" in page
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/account").status_code == 302
    assert _actions(db) == ["auth.login", "auth.logout"]
    with db.platform_session() as session:
        row = session.scalar(sa.select(AuditLog).where(AuditLog.action == "auth.login"))
        assert row.ip == "127.0.0.1" and row.actor_user_id == agent.id and row.tenant_id == agent.tenant_id
        assert session.get(User, agent.id).last_login_at is not None


def test_login_is_case_insensitive_and_redirects_to_safe_next(client, agent) -> None:  # type: ignore[no-untyped-def]
    """E-mail case does not matter; `next` is followed only when it is a local path."""
    response = login(client, agent.email.upper(), next="/account?tab=x")
    assert response.location.endswith("/account?tab=x")
    response = login(client, agent.email, next="https://evil.example/")
    assert "evil" not in response.location
    response = login(client, agent.email, next="//evil.example/")
    assert "evil" not in response.location


def test_wrong_password_and_unknown_email_read_the_same(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """No user enumeration: wrong password and unknown e-mail give the same message and status."""
    wrong = login(client, agent.email, "senha-errada-1")
    unknown = login(client, "ninguem@x.com.br", "senha-errada-1")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert _actions(db) == ["auth.login_failed", "auth.login_failed"]
    with db.platform_session() as session:
        assert session.get(User, agent.id).failed_logins == 1


def test_lockout_after_five_failures_and_unlock_after_expiry(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """The fifth wrong password from one place makes that place wait; even the right one is refused
    from there until the wait ends, then it gets in and the count starts over."""
    for _ in range(4):
        assert GENERIC in login(client, agent.email, "errada-123").get_data(as_text=True)
    fifth = login(client, agent.email, "errada-123").get_data(as_text=True)
    assert "aguarde 1 minuto" in fifth
    refused = login(client, agent.email)
    assert refused.status_code == 401 and "aguarde" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert "auth.locked" in _actions(db)
    with db.platform_session() as session:
        session.execute(sa.update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert login(client, agent.email).status_code == 302
    assert client.get("/account").status_code == 200
    with db.platform_session() as session:
        assert session.get(User, agent.id).failed_logins == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_rate_limit_per_ip_on_failed_logins(client, agent, redis_url) -> None:  # type: ignore[no-untyped-def]
    """The 11th failed attempt in a minute from one IP gets 429, counted in Redis; other IPs go on."""
    from jobs.queues import connect

    for i in range(10):
        assert login(client, f"x{i}@x.com.br", "errada-123").status_code == 401
    assert connect(redis_url).keys("*niochat-rl/127.0.0.1/auth.login*")
    blocked = login(client, "y@x.com.br", "errada-123")
    assert blocked.status_code == 429 and "Muitas tentativas" in blocked.get_data(as_text=True)
    assert login(client, agent.email).status_code == 429
    other_ip = client.post(
        "/login",
        data={"email": "z@x.com.br", "password": "errada-123", "csrf_token": csrf(client)},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert other_ip.status_code == 401


def test_successful_logins_do_not_use_up_the_limit(client, agent) -> None:  # type: ignore[no-untyped-def]
    """Agents behind one office NAT can all log in: only refused attempts count against the IP."""
    for _ in range(12):
        assert login(client, agent.email).status_code == 302


def test_rate_limit_can_be_turned_off(settings, db, agent) -> None:  # type: ignore[no-untyped-def]
    """RATE_LIMIT_ENABLED=false (for tests that need many attempts) lifts the per-IP limit."""
    from web import create_app

    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    client = app.test_client()
    try:
        statuses = {login(client, f"n{i}@x.com.br", "errada-123").status_code for i in range(12)}
    finally:
        app.extensions["niochat"].db.dispose()
    assert statuses == {401}


def test_csrf_token_is_required(client, agent) -> None:  # type: ignore[no-untyped-def]
    """Forms without the CSRF token are refused with 400; the JSON API is exempt."""
    missing = client.post("/login", data={"email": agent.email, "password": PASSWORD})
    assert missing.status_code == 400 and "expirou" in missing.get_data(as_text=True)
    forged = client.post("/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": "x"})
    assert forged.status_code == 400
    assert login(client, agent.email).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    assert client.post("/api/v1/auth/token", json={}).status_code == 422


def test_idle_session_expires_per_user_timeout(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Activity within the user's timeout keeps the session; a longer idle period ends it."""
    _update_user(db, agent.id, session_timeout_minutes=5)
    login(client, agent.email)
    with client.session_transaction() as sess:
        sess["seen"] = int(time.time()) - 4 * 60
    assert client.get("/account").status_code == 200
    with client.session_transaction() as sess:
        assert sess["seen"] >= int(time.time()) - 5  # the request refreshed the activity stamp
        sess["seen"] = int(time.time()) - 6 * 60
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.location
    assert "expirou por inatividade" in client.get("/login").get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_copied_cookie_dies_with_logout(app, client, agent) -> None:  # type: ignore[no-untyped-def]
    """Logout deny-lists the session id, so a copy of the cookie taken before is refused."""
    login(client, agent.email)
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert thief.get("/account").status_code == 302


def test_suspended_tenant_cannot_log_in_and_open_sessions_end(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Suspension refuses the login with a clear message and ends sessions already open."""
    login(client, agent.email)
    with db.platform_session() as session:
        session.execute(sa.update(Tenant).values(status=TenantStatus.SUSPENDED))
    assert client.get("/account").status_code == 302
    response = login(client, agent.email)
    assert response.status_code == 401
    assert "Sua empresa está suspensa" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    suspended_wrong = login(client, agent.email, "errada-123").get_data(as_text=True)
    assert GENERIC in suspended_wrong  # the reason is only told to whoever knows the password


def test_deactivated_user_cannot_log_in(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """A deactivated user is refused and an open session ends at the next request."""
    login(client, agent.email)
    _update_user(db, agent.id, is_active=False)
    assert client.get("/account").status_code == 302
    response = login(client, agent.email)
    assert response.status_code == 401 and "desativada" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, client, agent) -> None:  # type: ignore[no-untyped-def]
    """Changing the password keeps this session, ends the others, and the new password works."""
    other = app.test_client()
    login(client, agent.email)
    login(other, agent.email)
    token = csrf(client, "/account")
    wrong = client.post(
        "/account/password",
        data={"current": "errada-123", "new": "nova-senha-9", "confirm": "nova-senha-9", "csrf_token": token},
    )
    assert wrong.status_code == 400 and "Senha atual incorreta" in wrong.get_data(as_text=True)
    mismatch = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "nova-senha-9", "confirm": "outra-senha", "csrf_token": token},
    )
    assert mismatch.status_code == 400 and "não conferem" in mismatch.get_data(as_text=True)
    done = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "nova-senha-9", "confirm": "nova-senha-9", "csrf_token": token},
    )
    assert done.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert login(other, agent.email).status_code == 401
    assert login(other, agent.email, "nova-senha-9").status_code == 302


def test_roles_required_and_tenant_session(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    """`roles_required` refuses other roles with 403; `tenant_session` reads only the user's tenant."""
    from models import Team
    from web.auth.context import current_user, login_required, roles_required, tenant_session

    @login_required
    @roles_required(Role.ADMIN, Role.SUPERVISOR)
    def admin_only() -> str:
        with tenant_session() as session:
            teams = session.scalars(sa.select(Team.name)).all()
        return f"{current_user().email}:{len(teams)}"

    app.add_url_rule("/_test/admin-only", "admin_only", admin_only)
    admin = make_user("admin@x.com.br", Role.ADMIN)
    agent = make_user("agente2@x.com.br", Role.AGENT)
    login(client, agent.email)
    assert client.get("/_test/admin-only").status_code == 403
    login(client, admin.email)
    response = client.get("/_test/admin-only")
    assert response.status_code == 200 and response.get_data(as_text=True) == "admin@x.com.br:0"
    anonymous = app.test_client().get("/_test/admin-only", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthorized"


def test_unknown_email_costs_a_password_check(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An unknown e-mail still runs one Argon2 verification, so timing does not reveal it."""
    import models.accounts as accounts

    calls: list[str] = []
    real = accounts.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    assert login(client, "ninguem@x.com.br", "qualquer-1").status_code == 401
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_session_cookie_flags(settings, db, agent) -> None:  # type: ignore[no-untyped-def]
    """The session cookie is HttpOnly and SameSite=Lax, and Secure when SESSION_COOKIE_SECURE is on."""
    from web import create_app

    app = create_app(settings.model_copy(update={"session_cookie_secure": True}))
    try:
        client = app.test_client()
        cookie = login(client, agent.email).headers["Set-Cookie"]
    finally:
        app.extensions["niochat"].db.dispose()
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_superadmin_logs_in_without_a_tenant(app, client, make_user) -> None:  # type: ignore[no-untyped-def]
    """The platform superadmin can log in; tenant-scoped helpers refuse them with 403."""
    from web.auth.context import login_required, tenant_session

    @login_required
    def tenant_page() -> str:
        with tenant_session():
            return "never"

    app.add_url_rule("/_test/tenant-page", "tenant_page", tenant_page)
    root = make_user("root@niochat.com.br", Role.SUPERADMIN)
    assert root.tenant_id is None
    assert login(client, root.email).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Superadmin" in page
    assert client.get("/_test/tenant-page").status_code == 403
