"""Who may open the dashboards, and the one-use signed token the inbox's link carries to Streamlit.

The token is a JWT signed with a key of its own (derived from SECRET_KEY, so it never passes for an API
token or a cookie), valid for seconds, bound to the user and to the session version (a password or 2FA
change voids it), and spent once: its jti is claimed in Redis on the first verification. No Flask, no
Streamlit: web issues it, dashboards verify it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
import sqlalchemy as sa
from redis import Redis
from sqlalchemy.orm import Session

from models.accounts import load_user, refusal, session_version
from models.base import utcnow
from models.enums import Role
from models.tenant import Tenant
from models.user import User

AUDIENCE = "niochat-dashboards"
TYP = "dashboards"
_ALGORITHM = "HS256"
_USED_KEY = "niochat:dashboards-token:{}"
DASHBOARD_ROLES = frozenset({Role.SUPERADMIN, Role.ADMIN, Role.SUPERVISOR})


class AccessError(Exception):
    """Refused: the message (pt-BR) can be shown as it is."""


@dataclass(frozen=True)
class Viewer:
    """The verified person behind a dashboards session; `tenant_id` None is a superadmin yet to pick.

    `team_scope`: the teams whose reports this person may read, None for the whole tenant (admins,
    the superadmin, a supervisor in no team). Read from the database with the rest of the viewer on
    every page run, so a change of membership applies at once."""

    user_id: int
    name: str
    role: Role
    tenant_id: int | None
    version: str
    team_scope: tuple[int, ...] | None


def can_view_dashboards(user: User) -> bool:
    return user.role in DASHBOARD_ROLES


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"niochat/dashboards-token/v1", hashlib.sha256).digest()


def issue_token(user: User, *, secret_key: str, ttl: timedelta) -> str:
    """For the inbox's link; refuses a user whose role has no dashboards."""
    if not can_view_dashboards(user):
        raise AccessError("Seu perfil não tem acesso aos dashboards.")
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "tid": user.tenant_id,
        "ver": session_version(user, secret_key),
        "aud": AUDIENCE,
        "typ": TYP,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _key(secret_key), algorithm=_ALGORITHM)


def redeem_token(session: Session, token: str, *, secret_key: str, redis: Redis) -> Viewer:
    """Verify signature, expiry and audience, spend the jti, then re-read the user as on every request."""
    try:
        claims = jwt.decode(
            token,
            _key(secret_key),
            algorithms=[_ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "jti", "aud", "typ", "ver"]},
        )
    except jwt.ExpiredSignatureError:
        raise AccessError("O link expirou. Abra os dashboards de novo pela caixa de entrada.") from None
    except jwt.InvalidTokenError:
        raise AccessError("Link de acesso inválido.") from None
    if claims.get("typ") != TYP or not str(claims["sub"]).isdigit():
        raise AccessError("Link de acesso inválido.")
    if not redis.set(_USED_KEY.format(claims["jti"]), "1", nx=True, ex=3600):
        raise AccessError("Este link já foi usado. Abra os dashboards de novo pela caixa de entrada.")
    viewer = current_viewer(session, int(claims["sub"]), secret_key=secret_key, version=claims["ver"])
    if viewer.tenant_id != claims.get("tid"):
        raise AccessError("Link de acesso inválido.")
    return viewer


def team_scope(session: Session, user: User) -> tuple[int, ...] | None:
    """The teams whose reports `user` may read: a supervisor's own teams; None (the whole tenant) for
    admins, the superadmin and a supervisor who belongs to no team (a tenant-wide supervisor).

    Plain SQL naming the tenant, so it reads the same in a tenant session and in the plain session the
    login and the per-run check use (which refuses ORM reads of tenant-owned tables)."""
    if user.role is not Role.SUPERVISOR or user.tenant_id is None:
        return None
    teams = session.scalars(
        sa.text(
            "SELECT team_id FROM team_members WHERE user_id = :user AND tenant_id = :tenant ORDER BY team_id"
        ),
        {"user": user.id, "tenant": user.tenant_id},
    ).all()
    return tuple(int(t) for t in teams) or None


def viewer_for(session: Session, user: User, tenant: Tenant | None, secret_key: str) -> Viewer:
    """After every factor passed (login form) or a token was redeemed."""
    if refusal(user, tenant) is not None:
        raise AccessError("Acesso bloqueado: usuário inativo ou empresa suspensa.")
    if not can_view_dashboards(user):
        raise AccessError("Seu perfil não tem acesso aos dashboards: peça a um administrador.")
    return Viewer(
        user.id,
        user.name,
        user.role,
        user.tenant_id,
        session_version(user, secret_key),
        team_scope(session, user),
    )


def current_viewer(session: Session, user_id: int, *, secret_key: str, version: str) -> Viewer:
    """Re-checked on every page run: a deactivated user, a suspended tenant, a lost role or a changed
    password ends the dashboards session at once; a change of teams narrows or widens it at once."""
    loaded = load_user(session, user_id)
    if loaded is None:
        raise AccessError("Sessão encerrada. Entre novamente.")
    viewer = viewer_for(session, *loaded, secret_key)
    if not hmac.compare_digest(viewer.version, version):
        raise AccessError(
            "Sessão encerrada (a senha ou a verificação em duas etapas mudou). Entre novamente."
        )
    return viewer
