"""Login throttling per account *and* source, so no one can lock someone else out.

Before, five wrong passwords from anywhere locked the account for everyone: anyone who knew an agent's
e-mail could keep her out all day. Now failures are counted per (user, source), where the source is a
device the user already signed in on (a signed cookie the web login sets) or else the client's IP:

- each source gets `max_failures` tries, then waits a delay that doubles with every further failure
  (1, 2, 4, 8 minutes, capped at the policy's duration); the owner on another IP or on a known device
  is not affected;
- failures from unknown sources are also counted on the account as a whole (`users.failed_logins`):
  past `account_max_failures` (a password-spraying botnet rotating IPs) unknown sources are locked out
  for the policy's duration, and known devices still get in.

Rows live in PostgreSQL, like the rest of the login state, so a Redis outage lifts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import AuditLog, Client
from models.base import Base, utcnow
from models.user import User


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5  # per source, before the first delay
    duration: timedelta = field(default_factory=lambda: timedelta(minutes=15))  # the longest delay
    first_delay: timedelta = field(default_factory=lambda: timedelta(minutes=1))
    account_max_failures: int = 50  # from unknown sources, across all of them, before they are locked out

    def delay_after(self, failures: int) -> timedelta | None:
        """None below the limit; then first_delay, doubling with each failure, at most `duration`."""
        if failures < self.max_failures:
            return None
        step = min(failures - self.max_failures, 20)  # 2**20 minutes is past any cap
        return min(self.duration, self.first_delay * (2**step))


class LoginThrottle(Base):
    __tablename__ = "login_throttles"

    user_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # device:<id> | ip:<address>
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), default=utcnow)


def known_device(user: User, client: Client) -> bool:
    """The client presented a device cookie this user earned by signing in (`<user id>:<device id>`,
    verified by the web layer); another user's cookie counts for nothing here."""
    return bool(client.device) and str(client.device).split(":", 1)[0] == str(user.id)


def source_of(user: User, client: Client) -> str:
    return f"device:{client.device}" if known_device(user, client) else f"ip:{client.ip or 'unknown'}"


def locked_until(
    session: Session, user: User, client: Client, now: datetime | None = None
) -> datetime | None:
    """Until when this source may not try this account's password or code; None when it may now."""
    now = now or utcnow()
    row = session.get(LoginThrottle, (user.id, source_of(user, client)))
    times = [row.locked_until] if row is not None and row.locked_until is not None else []
    if not known_device(user, client) and user.locked_until is not None:
        times.append(user.locked_until)  # the account-wide lock binds unknown sources only
    later = [t for t in times if t > now]
    return max(later) if later else None


def count_failure(session: Session, user: User, client: Client, policy: LockoutPolicy) -> datetime | None:
    """One atomic upsert per counter, so concurrent guesses cannot slip past a limit. Returns the new
    lock's end when this failure started one for this source."""
    now = utcnow()
    values = insert(LoginThrottle).values(
        user_id=user.id, source=source_of(user, client), failures=1, updated_at=now
    )
    upsert = values.on_conflict_do_update(
        index_elements=[LoginThrottle.user_id, LoginThrottle.source],
        set_={"failures": LoginThrottle.failures + 1, "updated_at": now},
    ).returning(LoginThrottle.failures)
    failures = int(session.execute(upsert).scalar_one())
    delay = policy.delay_after(failures)
    until = now + delay if delay is not None else None
    if until is not None:
        session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.user_id == user.id, LoginThrottle.source == source_of(user, client))
            .values(locked_until=until)
        )
    if not known_device(user, client):
        reached = User.failed_logins + 1 >= policy.account_max_failures
        account_until = now + policy.duration
        row = session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(
                failed_logins=sa.case((reached, 0), else_=User.failed_logins + 1),
                locked_until=sa.case((reached, account_until), else_=User.locked_until),
            )
            .returning(User.locked_until)
            .execution_options(synchronize_session="fetch")
        ).one()
        if row.locked_until is not None and row.locked_until >= account_until:
            until = max(until or account_until, account_until)
    return until


def forget_source(session: Session, user: User, client: Client) -> None:
    """All factors passed from this source: its count starts over (other sources' counts stay)."""
    session.execute(
        sa.delete(LoginThrottle).where(
            LoginThrottle.user_id == user.id, LoginThrottle.source == source_of(user, client)
        )
    )


@dataclass(frozen=True)
class FailedAttempts:
    """What the owner is told on the next sign-in: failures since the previous one."""

    count: int
    last_ip: str | None
    last_at: datetime | None


def failed_since_last_login(session: Session, user: User) -> FailedAttempts:
    stmt = sa.select(AuditLog.ip, AuditLog.created_at).where(
        AuditLog.actor_user_id == user.id, AuditLog.action == "auth.login_failed"
    )
    if user.last_login_at is not None:
        stmt = stmt.where(AuditLog.created_at > user.last_login_at)
    count = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    last = session.execute(stmt.order_by(AuditLog.created_at.desc()).limit(1)).first()
    return FailedAttempts(int(count), last.ip if last else None, last.created_at if last else None)
