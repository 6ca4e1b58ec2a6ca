"""Password login, lockout, password change and the session version: shared by the web login and the API.

No Flask: callers pass the session and who is asking (`Client`). Each outcome that matters to security
(success, failure, lockout, refusal) writes an `AuditLog` row in the caller's transaction, so a failure
count and its audit row commit together. Users and tenants are not tenant-owned rows, so these functions
work in a plain `Database.session()` that would refuse any tenant table.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit import Client, record, record_user_event
from models.base import utcnow
from models.enums import TenantStatus
from models.login_throttle import LockoutPolicy, count_failure, forget_source, locked_until
from models.passwords import hash_password, needs_rehash, verify_password
from models.tenant import Tenant
from models.twofactor import ReplayGuard, SecondFactor, remaining_recovery_codes, verify_second_factor
from models.user import User


class LoginStatus(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # unknown e-mail, wrong password or code: callers show one generic message
    LOCKED = "locked"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"


@dataclass
class LoginResult:
    status: LoginStatus
    user: User | None = None
    tenant: Tenant | None = None
    locked_until: datetime | None = None
    method: SecondFactor | None = None

    @property
    def ok(self) -> bool:
        return self.status is LoginStatus.OK


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so that answer takes as long as a wrong password."""
    return hash_password("dummy-password-never-matches")


def find_user_by_email(session: Session, email: str) -> User | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    return session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))


def load_user(
    session: Session, user_id: int, *, for_update: bool = False
) -> tuple[User, Tenant | None] | None:
    user = session.get(User, user_id, with_for_update=for_update)
    if user is None:
        return None
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    return user, tenant


def refusal(user: User, tenant: Tenant | None) -> LoginStatus | None:
    """Why a user with the right credentials still may not in (checked on every request, too)."""
    if not user.is_active:
        return LoginStatus.INACTIVE
    if tenant is not None and tenant.status is not TenantStatus.ACTIVE:
        return LoginStatus.SUSPENDED
    return None


def password_login(
    session: Session, email: str, password: str, *, client: Client, policy: LockoutPolicy
) -> LoginResult:
    """First step. OK does not reset the failure count: only `complete_login` does, after any 2FA step,
    so knowing the password does not buy unlimited guesses at the code."""
    user = find_user_by_email(session, email)
    if user is None:
        verify_password(_dummy_hash(), password)
        record(session, "auth.login_failed", client=client, data={"email": email[:254], "reason": "unknown"})
        return LoginResult(LoginStatus.INVALID)
    tenant = session.get(Tenant, user.tenant_id) if user.tenant_id is not None else None
    if (until := locked_until(session, user, client)) is not None:
        verify_password(_dummy_hash(), password)
        record_user_event(session, user, "auth.login_refused", client, reason="locked")
        return LoginResult(LoginStatus.LOCKED, user, tenant, until)
    if not verify_password(user.password_hash, password):
        return register_failure(session, user, tenant, client=client, policy=policy, reason="password")
    refused = refusal(user, tenant)
    if refused is not None:
        record_user_event(session, user, "auth.login_refused", client, reason=refused.value)
        return LoginResult(refused, user, tenant)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(LoginStatus.OK, user, tenant)


def second_factor_login(
    session: Session,
    user_id: int,
    code: str,
    *,
    client: Client,
    policy: LockoutPolicy,
    replay_guard: ReplayGuard | None = None,
) -> LoginResult:
    """Second step: a TOTP or recovery code. Wrong codes count towards the same lockout as passwords."""
    loaded = load_user(session, user_id, for_update=True)  # a recovery code is spent exactly once
    if loaded is None:
        return LoginResult(LoginStatus.INVALID)
    user, tenant = loaded
    if (until := locked_until(session, user, client)) is not None:
        return LoginResult(LoginStatus.LOCKED, user, tenant, until)
    refused = refusal(user, tenant)
    if refused is not None:
        record_user_event(session, user, "auth.login_refused", client, reason=refused.value)
        return LoginResult(refused, user, tenant)
    method = verify_second_factor(user, code, replay_guard=replay_guard)
    if method is None:
        return register_failure(session, user, tenant, client=client, policy=policy, reason="otp")
    if method is SecondFactor.RECOVERY:
        record_user_event(
            session, user, "auth.recovery_code_used", client, remaining=remaining_recovery_codes(user)
        )
    return LoginResult(LoginStatus.OK, user, tenant, method=method)


def register_failure(
    session: Session,
    user: User,
    tenant: Tenant | None,
    *,
    client: Client,
    policy: LockoutPolicy,
    reason: str,
) -> LoginResult:
    """Counts the failure for this source (and, from an unknown source, for the account), per
    `models.login_throttle`; LOCKED when this failure started a wait."""
    until = count_failure(session, user, client, policy)
    record_user_event(session, user, "auth.login_failed", client, reason=reason)
    if until is not None:
        record_user_event(session, user, "auth.locked", client, until=until.isoformat())
        return LoginResult(LoginStatus.LOCKED, user, tenant, until)
    return LoginResult(LoginStatus.INVALID, user, tenant)


def complete_login(session: Session, user: User, *, client: Client, method: str = "password") -> None:
    """All factors passed: forget past failures and record the login."""
    now = utcnow()
    session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=0, last_login_at=now, last_seen_at=now)
        .execution_options(synchronize_session="fetch")
    )
    forget_source(session, user, client)
    record_user_event(session, user, "auth.login", client, method=method)


def change_password(session: Session, user: User, current: str, new: str, *, client: Client) -> bool:
    """False when `current` is wrong. Raises ValueError for a weak new password (message for the user).
    The new hash changes the session version: every other session and API token of the user ends."""
    if not verify_password(user.password_hash, current):
        record_user_event(session, user, "auth.password_change_failed", client)
        return False
    user.password_hash = hash_password(new)
    record_user_event(session, user, "auth.password_changed", client)
    return True


def session_version(user: User, secret_key: str) -> str:
    """A fingerprint of what proves identity (password hash, 2FA state). Stored in each web session and
    API token and compared on every request: changing either logs out everywhere else."""
    key = hmac.new(secret_key.encode(), b"niochat/session-version", hashlib.sha256).digest()
    enabled = user.totp_enabled_at.isoformat() if user.totp_enabled_at else ""
    material = f"{user.id}|{user.password_hash}|{enabled}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:20]
