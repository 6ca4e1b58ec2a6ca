"""JWTs for /api/v1: short access tokens checked without state, refresh tokens rotated with reuse detection.

Access tokens (15 min) are only verified (signature, iss, aud, exp, typ) and then the user is re-read, so a
deactivated user, a suspended tenant or a changed password (`ver` claim = session version) stops them at
once. Refresh tokens belong to a *family* started at login; Redis keeps the jti of the one current refresh
token of each family. Refreshing swaps it atomically (Lua); presenting any other jti of the family means a
stolen token was used, so the whole family is revoked and both holders must log in again (RFC 9700 §4.14).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

import jwt
from redis import Redis

from models.base import utcnow

AUDIENCE = "niochat-api"
ACCESS = "access"
REFRESH = "refresh"
ALGORITHM = "HS256"
_FAMILY_KEY = "niochat:jwt-family:{}"
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti", "typ"]

# KEYS[1] family key; ARGV: presented jti, new jti, ttl seconds. 1 rotated, 0 reuse (family revoked),
# -1 family unknown (revoked or expired).
_ROTATE = """
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""


class TokenError(Exception):
    """A token that must be refused; `code` and `message` go into the JSON error body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TokenService:
    secret_key: str
    issuer: str
    redis: Redis
    access_ttl: timedelta
    refresh_ttl: timedelta

    @cached_property
    def key(self) -> bytes:
        """A key of its own, derived from SECRET_KEY, so a JWT can never pass for a session cookie."""
        return hmac.new(self.secret_key.encode(), b"niochat/jwt/v1", hashlib.sha256).digest()

    def _encode(self, claims: dict[str, Any], typ: str, ttl: timedelta) -> tuple[str, str]:
        now = utcnow()
        jti = uuid.uuid4().hex
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + ttl,
            "jti": jti,
            "typ": typ,
        }
        return jwt.encode(payload, self.key, algorithm=ALGORITHM), jti

    def issue_pair(self, *, user_id: int, tenant_id: int | None, version: str) -> dict[str, Any]:
        """A login: a new access + refresh pair starting a new refresh family."""
        claims = {"sub": str(user_id), "tid": tenant_id, "ver": version}
        access, _ = self._encode(claims, ACCESS, self.access_ttl)
        family = uuid.uuid4().hex
        refresh, jti = self._encode({**claims, "fam": family}, REFRESH, self.refresh_ttl)
        self.redis.set(_FAMILY_KEY.format(family), jti, ex=int(self.refresh_ttl.total_seconds()))
        return self._body(access, refresh)

    def _body(self, access: str, refresh: str) -> dict[str, Any]:
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": int(self.access_ttl.total_seconds()),
            "refresh_expires_in": int(self.refresh_ttl.total_seconds()),
        }

    def decode(self, token: str, typ: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": _REQUIRED},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("token_expired", "Token expirado.") from None
        except jwt.InvalidTokenError:
            raise TokenError("invalid_token", "Token inválido.") from None
        if claims.get("typ") != typ or (typ == REFRESH and not claims.get("fam")):
            raise TokenError("invalid_token", "Token inválido para esta operação.")
        return claims

    def rotate(self, claims: dict[str, Any], *, version: str) -> dict[str, Any]:
        """Trade a valid refresh token for a new pair of the same family, once."""
        claims_out = {"sub": claims["sub"], "tid": claims.get("tid"), "ver": version}
        access, _ = self._encode(claims_out, ACCESS, self.access_ttl)
        refresh, jti = self._encode({**claims_out, "fam": claims["fam"]}, REFRESH, self.refresh_ttl)
        ttl = int(self.refresh_ttl.total_seconds())
        outcome = self.redis.eval(_ROTATE, 1, _FAMILY_KEY.format(claims["fam"]), claims["jti"], jti, ttl)
        if outcome == 0:
            raise TokenError("token_reused", "Token de atualização já usado: a sessão foi encerrada.")
        if outcome != 1:
            raise TokenError("token_revoked", "Sessão encerrada. Faça login novamente.")
        return self._body(access, refresh)

    def revoke_family(self, family: str) -> None:
        self.redis.delete(_FAMILY_KEY.format(family))
