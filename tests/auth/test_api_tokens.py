"""REST API tokens: issue, use, refresh with rotation and reuse detection, expiry, and the refusals."""

from __future__ import annotations

import jwt
import sqlalchemy as sa

from models import AuditLog, Tenant, User
from models.enums import TenantStatus
from models.passwords import hash_password
from tests.auth.conftest import PASSWORD, enable_2fa


def _token(client, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})


def _me(client, access: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "request_id"} <= set(body["error"])
    return body["error"]


def test_issue_and_use_a_token(client, agent) -> None:  # type: ignore[no-untyped-def]
    """Right credentials give a Bearer pair with the documented claims; the access token opens /me."""
    response = _token(client, agent.email)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (
        claims["typ"] == "access" and claims["aud"] == "niochat-api" and claims["iss"] == "http://testserver"
    )
    assert claims["exp"] - claims["iat"] == 900 and claims["sub"] == str(agent.id) and claims["jti"]
    refresh = jwt.decode(body["refresh_token"], options={"verify_signature": False})
    assert refresh["typ"] == "refresh" and refresh["exp"] - refresh["iat"] == 30 * 24 * 3600
    me = _me(client, body["access_token"])
    assert me.status_code == 200 and me.get_json()["email"] == agent.email
    assert me.get_json()["tenant"]["name"] == "Provedor X"


def test_requests_without_a_valid_token_get_401(client, agent) -> None:  # type: ignore[no-untyped-def]
    """No header, a malformed token, a refresh token or a forged signature: 401 in the error shape."""
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and _error(missing)["code"] == "missing_token"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert _error(_me(client, "not-a-jwt"))["code"] == "invalid_token"
    pair = _token(client, agent.email).get_json()
    assert _me(client, pair["refresh_token"]).status_code == 401
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "guessed-key-guessed-key-guessed-key", algorithm="HS256")
    assert _error(_me(client, forged))["code"] == "invalid_token"


def test_bad_credentials_and_missing_fields(client, agent) -> None:  # type: ignore[no-untyped-def]
    """Wrong password and unknown e-mail are the same 401; missing fields are a 422 naming them."""
    wrong, unknown = _token(client, agent.email, "errada-123"), _token(client, "ninguem@x.com.br")
    assert wrong.status_code == unknown.status_code == 401
    assert _error(wrong)["code"] == _error(unknown)["code"] == "invalid_credentials"
    assert _error(wrong)["message"] == _error(unknown)["message"]
    missing = client.post("/api/v1/auth/token", json={"email": agent.email})
    assert missing.status_code == 422 and _error(missing)["fields"] == ["password"]
    not_json = client.post("/api/v1/auth/token", data="email=x")
    assert not_json.status_code == 422 and _error(not_json)["fields"] == ["email", "password"]


def test_refresh_rotates_and_reuse_revokes_the_family(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Each refresh token works once; presenting a used one ends the whole family (both holders)."""
    first = _token(client, agent.email).get_json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.get_json()
    assert (
        second["refresh_token"] != first["refresh_token"]
        and _me(client, second["access_token"]).status_code == 200
    )
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and _error(reused)["code"] == "token_reused"
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401 and _error(after)["code"] == "token_revoked"
    with db.platform_session() as session:
        assert session.scalar(sa.select(AuditLog.id).where(AuditLog.action == "auth.refresh_token_reused"))
    assert (
        _error(client.post("/api/v1/auth/refresh", json={"refresh_token": first["access_token"]}))["code"]
        == "invalid_token"
    )


def test_revoke_ends_the_refresh_family(client, agent) -> None:  # type: ignore[no-untyped-def]
    """API logout: after revoke, the refresh token no longer works."""
    pair = _token(client, agent.email).get_json()
    assert (
        client.post("/api/v1/auth/revoke", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    )
    refused = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert _error(refused)["code"] == "token_revoked"


def test_expired_tokens_are_refused(app, client, agent) -> None:  # type: ignore[no-untyped-def]
    """Access and refresh tokens past `exp` (signed with the real key) answer 401 token_expired."""
    from web.api.auth import token_service

    pair = _token(client, agent.email).get_json()
    with app.test_request_context():
        key = token_service().key

    def expired(token: str) -> str:
        claims = jwt.decode(token, options={"verify_signature": False})
        return jwt.encode({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}, key)

    assert _me(client, pair["access_token"]).status_code == 200
    assert _error(_me(client, expired(pair["access_token"])))["code"] == "token_expired"
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": expired(pair["refresh_token"])})
    assert refresh.status_code == 401 and _error(refresh)["code"] == "token_expired"


def test_two_factor_users_must_send_otp(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """With 2FA: no otp → otp_required; wrong otp → invalid_otp; TOTP or a recovery code → tokens."""
    totp, codes = enable_2fa(db, agent)
    assert _error(_token(client, agent.email))["code"] == "otp_required"
    assert _error(_token(client, agent.email, otp="000000"))["code"] == "invalid_otp"
    assert _token(client, agent.email, otp=totp.now()).status_code == 200
    assert _token(client, agent.email, otp=codes[0]).status_code == 200
    assert _error(_token(client, agent.email, otp=codes[0]))["code"] == "invalid_otp"


def test_suspended_tenant_and_inactive_user_are_refused(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """Suspension and deactivation refuse new tokens (403) and stop tokens already issued."""
    pair = _token(client, agent.email).get_json()
    with db.platform_session() as session:
        session.execute(sa.update(Tenant).values(status=TenantStatus.SUSPENDED))
    suspended = _token(client, agent.email)
    assert suspended.status_code == 403 and _error(suspended)["code"] == "tenant_suspended"
    assert "suspensa" in _error(suspended)["message"]
    assert _error(_me(client, pair["access_token"]))["code"] == "tenant_suspended"
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 403
    with db.platform_session() as session:
        session.execute(sa.update(Tenant).values(status=TenantStatus.ACTIVE))
        session.execute(sa.update(User).values(is_active=False))
    disabled = _token(client, agent.email)
    assert disabled.status_code == 403 and _error(disabled)["code"] == "account_disabled"


def test_locked_account_gets_403(client, agent) -> None:  # type: ignore[no-untyped-def]
    """Five wrong passwords lock the account for the API too, with the unlock time."""
    for _ in range(5):
        last = _token(client, agent.email, "errada-123")
    assert last.status_code == 403 and _error(last)["code"] == "account_locked"
    locked = _token(client, agent.email)
    assert locked.status_code == 403 and "locked_until" in _error(locked)


def test_password_change_revokes_tokens(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """A new password ends tokens issued before it (the `ver` claim no longer matches)."""
    pair = _token(client, agent.email).get_json()
    with db.platform_session() as session:
        session.get(User, agent.id).password_hash = hash_password("outra-senha-1")
    assert _error(_me(client, pair["access_token"]))["code"] == "token_revoked"
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert _error(refresh)["code"] == "token_revoked"


def test_required_2fa_without_enrolment_gets_no_token(client, agent, db) -> None:  # type: ignore[no-untyped-def]
    """A tenant requiring 2FA gets no API tokens for users who have not enrolled."""
    with db.platform_session() as session:
        session.execute(sa.update(Tenant).values(require_2fa=True))
    response = _token(client, agent.email)
    assert response.status_code == 403 and _error(response)["code"] == "2fa_enrollment_required"


def test_token_endpoint_is_rate_limited(client) -> None:  # type: ignore[no-untyped-def]
    """Ten refused attempts per minute per IP, then 429 in the JSON error shape."""
    for i in range(10):
        assert _token(client, f"n{i}@x.com.br", "errada-123").status_code == 401
    limited = _token(client, "n@x.com.br", "errada-123")
    assert limited.status_code == 429 and _error(limited)["code"] == "too_many_requests"
