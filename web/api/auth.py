"""Tokens for API clients: `POST /auth/token` (email, password, otp), `POST /auth/refresh` (rotation),
`POST /auth/revoke` (logout), and `api_auth_required` for every other endpoint.

The same account rules as the web login apply (models.accounts): lockout, suspended tenant, deactivated
user, required 2FA. Failures answer with the one JSON error shape; only checked-credential failures count
against the per-IP rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from redis import RedisError

from models.accounts import (
    LoginResult,
    LoginStatus,
    complete_login,
    load_user,
    password_login,
    refusal,
    second_factor_login,
    session_version,
)
from models.audit import record_user_event
from models.tenant import Tenant
from models.twofactor import has_2fa
from models.user import User
from web.api import api_bp
from web.api.tokens import ACCESS, REFRESH, TokenError, TokenService
from web.auth.context import AuthState, client_info, current_tenant, current_user, set_current
from web.auth.guards import lockout_policy, totp_first_use
from web.auth.messages import refusal_message
from web.extensions import credentials_limit, mark_credentials_accepted
from web.requests import error_body
from web.services import services

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])

_REFUSAL_CODES = {
    LoginStatus.INVALID: (401, "invalid_credentials"),
    LoginStatus.LOCKED: (403, "account_locked"),
    LoginStatus.SUSPENDED: (403, "tenant_suspended"),
    LoginStatus.INACTIVE: (403, "account_disabled"),
}


def token_service() -> TokenService:
    settings = services().settings
    return TokenService(
        secret_key=current_app.config["SECRET_KEY"],
        issuer=current_app.config["PUBLIC_URL"],
        redis=services().redis,
        access_ttl=timedelta(minutes=settings.jwt_access_minutes),
        refresh_ttl=timedelta(days=settings.jwt_refresh_days),
    )


def _version(user: User) -> str:
    return session_version(user, current_app.config["SECRET_KEY"])


def _unauthorized(code: str, message: str) -> Response:
    response = error_body(401, code, message)
    response.headers["WWW-Authenticate"] = f'Bearer realm="niochat", error="{code}"'
    return response


def _refused(result: LoginResult) -> Response:
    status, code = _REFUSAL_CODES.get(result.status, (401, "invalid_credentials"))
    extra: dict[str, Any] = {}
    if result.status is LoginStatus.LOCKED and result.locked_until is not None:
        extra["locked_until"] = result.locked_until.isoformat()
    message = refusal_message(result)
    if status == 401:
        return _unauthorized(code, message)
    return error_body(status, code, message, **extra)


def _body_fields(*names: str) -> dict[str, str] | Response:
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    missing = [n for n in names if not isinstance(body.get(n), str) or not body[n].strip()]
    if missing:
        return error_body(
            422, "validation_error", "Campos obrigatórios ausentes: " + ", ".join(missing), fields=missing
        )
    return {k: v for k, v in body.items() if isinstance(v, str)}


def _user_refusal(user: User, tenant: Tenant | None) -> Response | None:
    refused = refusal(user, tenant)
    if refused is not None:
        return _refused(LoginResult(refused, user, tenant))
    if tenant is not None and tenant.require_2fa and not has_2fa(user):
        return error_body(
            403,
            "2fa_enrollment_required",
            "Sua empresa exige verificação em duas etapas: ative-a no NioChat pelo navegador.",
        )
    return None


@api_bp.post("/auth/token")
@credentials_limit()
def issue_token() -> ResponseReturnValue:
    fields = _body_fields("email", "password")
    if isinstance(fields, Response):
        return fields
    client = client_info("api")
    with services().db.session() as db_session, db_session.begin():
        result = password_login(
            db_session, fields["email"], fields["password"], client=client, policy=lockout_policy()
        )
        if not result.ok or result.user is None:
            return _refused(result)
        user, tenant = result.user, result.tenant
        if (refused := _user_refusal(user, tenant)) is not None:
            return refused
        method = "password"
        if has_2fa(user):
            otp = fields.get("otp", "").strip()
            if not otp:
                return _unauthorized("otp_required", "Informe o código de verificação em duas etapas (otp).")
            second = second_factor_login(
                db_session, user.id, otp, client=client, policy=lockout_policy(), replay_guard=totp_first_use
            )
            if not second.ok:
                if second.status is LoginStatus.INVALID:
                    return _unauthorized("invalid_otp", "Código de verificação inválido ou já usado.")
                return _refused(second)
            method = str(second.method)
        complete_login(db_session, user, client=client, method=method)
    try:
        pair = token_service().issue_pair(user_id=user.id, tenant_id=user.tenant_id, version=_version(user))
    except RedisError:
        return error_body(503, "unavailable", "Serviço temporariamente indisponível. Tente de novo.")
    mark_credentials_accepted()
    return jsonify(pair)


@api_bp.post("/auth/refresh")
@credentials_limit()
def refresh_token() -> ResponseReturnValue:
    fields = _body_fields("refresh_token")
    if isinstance(fields, Response):
        return fields
    tokens = token_service()
    try:
        claims = tokens.decode(fields["refresh_token"], REFRESH)
    except TokenError as exc:
        return _unauthorized(exc.code, exc.message)
    with services().db.session() as db_session:
        loaded = load_user(db_session, int(claims["sub"]))
    if loaded is None or loaded[0].tenant_id != claims.get("tid"):
        return _unauthorized("invalid_token", "Token inválido.")
    user, tenant = loaded
    try:
        if (refused := _user_refusal(user, tenant)) is not None:
            tokens.revoke_family(claims["fam"])
            return refused
        if claims.get("ver") != _version(user):
            tokens.revoke_family(claims["fam"])
            return _unauthorized("token_revoked", "A senha ou a verificação mudou. Faça login novamente.")
        pair = tokens.rotate(claims, version=_version(user))
    except TokenError as exc:
        if exc.code == "token_reused":
            with services().db.session() as db_session, db_session.begin():
                record_user_event(db_session, user, "auth.refresh_token_reused", client_info("api"))
        return _unauthorized(exc.code, exc.message)
    except RedisError:
        return error_body(503, "unavailable", "Serviço temporariamente indisponível. Tente de novo.")
    mark_credentials_accepted()
    return jsonify(pair)


@api_bp.post("/auth/revoke")
@credentials_limit()
def revoke_token() -> ResponseReturnValue:
    """Logout for API clients: the refresh token's family ends (its access tokens expire on their own)."""
    fields = _body_fields("refresh_token")
    if isinstance(fields, Response):
        return fields
    tokens = token_service()
    try:
        claims = tokens.decode(fields["refresh_token"], REFRESH)
        tokens.revoke_family(claims["fam"])
    except TokenError as exc:
        return _unauthorized(exc.code, exc.message)
    except RedisError:
        return error_body(503, "unavailable", "Serviço temporariamente indisponível. Tente de novo.")
    mark_credentials_accepted()
    return Response(status=204)


def api_auth_required(view: F) -> F:
    """`Authorization: Bearer <access token>` → the current user (`web.auth.context.current_user()`).
    The user and tenant are re-read on every call, so suspension, deactivation and password changes
    take effect before the token expires."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("missing_token", "Envie o token de acesso: Authorization: Bearer <token>.")
        try:
            claims = token_service().decode(token.strip(), ACCESS)
        except TokenError as exc:
            return _unauthorized(exc.code, exc.message)
        with services().db.session() as db_session:
            loaded = load_user(db_session, int(claims["sub"]))
        if loaded is None or loaded[0].tenant_id != claims.get("tid"):
            return _unauthorized("invalid_token", "Token inválido.")
        user, tenant = loaded
        if (refused := refusal(user, tenant)) is not None:
            return _refused(LoginResult(refused, user, tenant))
        if claims.get("ver") != _version(user):
            return _unauthorized("token_revoked", "A senha ou a verificação mudou. Faça login novamente.")
        set_current(user, tenant, AuthState.FULL, via="token")
        return view(*args, **kwargs)

    return cast(F, wrapper)


@api_bp.get("/me")
@api_auth_required
def me() -> ResponseReturnValue:
    """Who the token belongs to: lets a client check its token and show the user's name and role."""
    user, tenant = current_user(), current_tenant()
    return jsonify(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role.value,
        two_factor=has_2fa(user),
        tenant=None if tenant is None else {"id": tenant.id, "name": tenant.name, "slug": tenant.slug},
    )
