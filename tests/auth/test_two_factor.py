"""Two-step verification: enrolment with a QR code, login with TOTP or a recovery code, required 2FA."""

from __future__ import annotations

import re
import time

import pyotp
import sqlalchemy as sa

from models import AuditLog, LoginThrottle, Tenant, User
from tests.auth.conftest import csrf, enable_2fa, login, submit_code

_SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
_CODES = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def _next_step(totp: pyotp.TOTP) -> str:
    """The code of the next 30 s step: still accepted (one step of drift), but not yet used."""
    return totp.at(time.time() + totp.interval)


def _enrol(client) -> tuple[pyotp.TOTP, list[str]]:  # type: ignore[no-untyped-def]
    page = client.get("/account/2fa").get_data(as_text=True)
    secret = _SECRET.search(page).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    response = client.post(
        "/account/2fa", data={"code": totp.now(), "csrf_token": csrf(client, "/account/2fa")}
    )
    assert response.status_code == 200
    return totp, _CODES.findall(response.get_data(as_text=True))


def test_enrolment_shows_inline_qr_and_recovery_codes_once(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """The QR code is an inline SVG (no outside URL), a wrong code is refused, ten codes are shown once
    and stored only as hashes."""
    login(client, agent.email)
    page = client.get("/account/2fa").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    assert re.search(r'src="https?://', page) is None
    secret = _SECRET.search(page).group(1).replace(" ", "")
    assert secret == _SECRET.search(client.get("/account/2fa").get_data(as_text=True)).group(1).replace(
        " ", ""
    )
    wrong = client.post("/account/2fa", data={"code": "000000", "csrf_token": csrf(client, "/account/2fa")})
    assert wrong.status_code == 400 and "Código incorreto" in wrong.get_data(as_text=True)
    response = client.post(
        "/account/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(client, "/account/2fa")}
    )
    codes = _CODES.findall(response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert response.headers["Cache-Control"] == "no-store"
    with db.platform_session() as session:
        user = session.get(User, agent.id)
        stored = str(user.recovery_codes)
        assert user.totp_enabled_at is not None and len(user.recovery_codes) == 10
        assert all(code not in stored and code.replace("-", "") not in stored for code in codes)
        assert session.scalar(sa.select(AuditLog.id).where(AuditLog.action == "auth.2fa_enabled"))
    assert client.get("/account").status_code == 200  # the enrolling session stays signed in
    manage = client.get("/account/2fa").get_data(as_text=True)
    assert "10 códigos de recuperação disponíveis" in manage and not _CODES.search(manage)


def test_login_with_totp_and_replay_refused(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """With 2FA the password alone reaches only the code page; a code works once; wrong ones count."""
    totp, _codes = enable_2fa(db, agent)
    response = login(client, agent.email)
    assert response.location.endswith("/login/2fa")
    assert client.get("/account").location.endswith("/login/2fa")
    wrong = submit_code(client, "123456")
    assert wrong.status_code == 401 and "Código inválido" in wrong.get_data(as_text=True)
    code = _next_step(totp)
    assert submit_code(client, code).status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    login(client, agent.email)
    assert submit_code(client, code).status_code == 401  # same code, second time
    with db.platform_session() as session:
        # The replay counts for this browser, now a known device (the success reset its count).
        failures = session.scalars(sa.select(LoginThrottle.failures).where(LoginThrottle.user_id == agent.id))
        assert list(failures) == [1]


def test_recovery_code_works_once(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """A recovery code replaces the TOTP once, is audited, and is refused the second time."""
    _totp, codes = enable_2fa(db, agent)
    login(client, agent.email)
    response = submit_code(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert "Restam 9 códigos" in client.get("/account").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    login(client, agent.email)
    assert submit_code(client, codes[3]).status_code == 401
    assert submit_code(client, codes[4]).status_code == 302
    with db.platform_session() as session:
        used = [e for e in session.get(User, agent.id).recovery_codes if e["used_at"]]
        actions = session.scalars(sa.select(AuditLog.action)).all()
    assert len(used) == 2 and actions.count("auth.recovery_code_used") == 2


def test_five_wrong_codes_make_this_place_wait(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Guessing codes counts towards the lockout: the password does not buy unlimited guesses."""
    _totp, _codes = enable_2fa(db, agent)
    login(client, agent.email)
    for _ in range(4):
        assert submit_code(client, "000000").status_code == 401
    locked = submit_code(client, "000000")
    assert locked.status_code == 302 and locked.location.endswith("/login")
    login(client, agent.email)
    assert client.get("/account").status_code == 302
    with db.platform_session() as session:
        assert session.scalar(sa.select(LoginThrottle.locked_until).where(LoginThrottle.user_id == agent.id))


def test_pending_second_step_expires(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """The code must follow the password within five minutes."""
    totp, _codes = enable_2fa(db, agent)
    login(client, agent.email)
    with client.session_transaction() as sess:
        sess["at"] = int(time.time()) - 301
    assert submit_code(client, _next_step(totp)).location.endswith("/login")
    assert client.get("/account").status_code == 302


def test_tenant_requiring_2fa_forces_enrolment_first(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """With `require_2fa`, a password login reaches only the enrolment page until 2FA is on, and 2FA
    cannot then be turned off."""
    with db.platform_session() as session:
        session.execute(sa.update(Tenant).values(require_2fa=True))
    response = login(client, agent.email)
    assert response.location.endswith("/account/2fa")
    assert client.get("/account").location.endswith("/account/2fa")
    assert "Sua empresa exige" in client.get("/account/2fa").get_data(as_text=True)
    totp, _codes = _enrol(client)
    assert client.get("/account").status_code == 200
    refused = client.post(
        "/account/2fa/disable",
        data={"disable-code": _next_step(totp), "csrf_token": csrf(client, "/account")},
    )
    assert refused.location.endswith("/account/2fa")
    with db.platform_session() as session:
        assert session.get(User, agent.id).totp_enabled_at is not None


def test_disable_requires_a_valid_code(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Turning 2FA off needs a current code; after it the password alone logs in again."""
    login(client, agent.email)
    totp, _codes = _enrol(client)
    token = csrf(client, "/account")
    client.post("/account/2fa/disable", data={"disable-code": "000000", "csrf_token": token})
    with db.platform_session() as session:
        assert session.get(User, agent.id).totp_enabled_at is not None
    response = client.post(
        "/account/2fa/disable", data={"disable-code": _next_step(totp), "csrf_token": token}
    )
    assert response.location.endswith("/account")
    with db.platform_session() as session:
        user = session.get(User, agent.id)
        assert user.totp_enabled_at is None and user.totp_secret is None and user.recovery_codes == []
        assert session.scalar(sa.select(AuditLog.id).where(AuditLog.action == "auth.2fa_disabled"))
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert login(client, agent.email).location == "/"  # no code asked: straight to the inbox


def test_regenerating_recovery_codes_voids_the_old_ones(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """New codes need a current code and replace every old one."""
    login(client, agent.email)
    totp, old = _enrol(client)
    response = client.post(
        "/account/2fa/recovery-codes",
        data={"regen-code": _next_step(totp), "csrf_token": csrf(client, "/account")},
    )
    new = _CODES.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    login(client, agent.email)
    assert submit_code(client, old[0]).status_code == 401
    assert submit_code(client, new[0]).status_code == 302
