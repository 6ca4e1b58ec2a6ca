"""Two-step verification: TOTP (RFC 6238, any authenticator app) and one-time recovery codes.

The TOTP secret lives encrypted in `User.totp_secret`; it is *pending* until the user proves, with a code,
that the authenticator has it (`totp_enabled_at` set). Recovery codes are shown once and kept only as
Argon2 hashes in `User.recovery_codes` (`[{"hash": …, "used_at": null}, …]`), so a database dump cannot be
used to log in. Functions that change a user expect it loaded in the caller's session (ideally
`with_for_update`, so two requests cannot spend the same recovery code).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyotp.exceptions import OTPVerificationError
from sqlalchemy.orm import Session

from models.audit import Client, record_user_event
from models.base import utcnow
from models.user import User

ISSUER = "NioChat"
RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are read off paper
_RECOVERY_LENGTH = 10  # 31**10 ≈ 2**49.5
# Codes are random (≈50 bits), so a lighter Argon2 than passwords' is enough and keeps checking ten fast.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

# (user_id, timecode) -> True the first time that code step is used: a TOTP code works only once.
ReplayGuard = Callable[[int, int], bool]


class SecondFactor(StrEnum):
    TOTP = "totp"
    RECOVERY = "recovery"


def has_2fa(user: User) -> bool:
    return bool(user.totp_secret) and user.totp_enabled_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def totp_timecode(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), or None if it is wrong.
    Callers keep the step to refuse a second use of the same code."""
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(digits, for_time=now, valid_window=1)
    except OTPVerificationError:
        return None


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def hash_recovery_codes(codes: list[str]) -> list[dict[str, Any]]:
    return [{"hash": _recovery_hasher.hash(_normalize(c)), "used_at": None} for c in codes]


def remaining_recovery_codes(user: User) -> int:
    return sum(1 for entry in user.recovery_codes or [] if not entry.get("used_at"))


def consume_recovery_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Spend a matching unused code: marked used (not deleted) so the account page can count them."""
    candidate = _normalize(code)
    if len(candidate) != _RECOVERY_LENGTH:
        return False
    entries = [dict(e) for e in user.recovery_codes or []]
    for entry in entries:
        if entry.get("used_at"):
            continue
        try:
            _recovery_hasher.verify(entry["hash"], candidate)
        except (VerificationError, InvalidHashError, KeyError):
            continue
        entry["used_at"] = (now or utcnow()).isoformat()
        user.recovery_codes = entries  # a new list: JSONB columns only notice reassignment
        return True
    return False


def verify_second_factor(
    user: User, code: str, *, replay_guard: ReplayGuard | None = None, now: datetime | None = None
) -> SecondFactor | None:
    """Accept a current TOTP code (once) or an unused recovery code; None when neither matches."""
    if not has_2fa(user) or not code:
        return None
    assert user.totp_secret is not None
    step = totp_timecode(user.totp_secret, code, now)
    if step is not None:
        if replay_guard is not None and not replay_guard(user.id, step):
            return None
        return SecondFactor.TOTP
    if consume_recovery_code(user, code, now):
        return SecondFactor.RECOVERY
    return None


def pending_secret(user: User) -> str:
    """The secret being enrolled: kept across page reloads so a scanned QR code stays valid."""
    if has_2fa(user):
        raise ValueError("2FA is already enabled")
    if not user.totp_secret:
        user.totp_secret = new_secret()
    return user.totp_secret


def confirm_enrolment(
    session: Session,
    user: User,
    code: str,
    *,
    client: Client,
    replay_guard: ReplayGuard | None = None,
    now: datetime | None = None,
) -> list[str] | None:
    """Turn 2FA on if `code` matches the pending secret; returns the recovery codes to show, once."""
    if has_2fa(user) or not user.totp_secret:
        return None
    step = totp_timecode(user.totp_secret, code, now)
    if step is None or (replay_guard is not None and not replay_guard(user.id, step)):
        return None
    codes = new_recovery_codes()
    user.totp_enabled_at = now or utcnow()
    user.recovery_codes = hash_recovery_codes(codes)
    record_user_event(session, user, "auth.2fa_enabled", client)
    return codes


def regenerate_recovery_codes(session: Session, user: User, *, client: Client) -> list[str]:
    """New codes replace every old one (used or not). The caller has checked a current code first."""
    codes = new_recovery_codes()
    user.recovery_codes = hash_recovery_codes(codes)
    record_user_event(session, user, "auth.recovery_codes_regenerated", client)
    return codes


def disable(session: Session, user: User, *, client: Client) -> None:
    """Forget the secret and the codes. The caller has checked a current code first."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_codes = []
    record_user_event(session, user, "auth.2fa_disabled", client)
