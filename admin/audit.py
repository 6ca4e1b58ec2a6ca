"""The audit writer every back-office view uses: who, what, which target, before/after, IP, time.

The row is added to the request's session (`admin.db.request_session`), so it commits with the change it
describes or not at all. Values of secret fields never reach the log: they are replaced by `MASK`, and
only whether they changed is kept.

    from admin.audit import audit, snapshot
    before = snapshot(row)
    ... change row ...
    audit("label.update", row, before=before, after=snapshot(row))
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from admin.access import acting_tenant_id, admin_user
from admin.db import request_session
from models.audit import AuditLog, record
from web.auth.context import client_info

MASK = "••••••"
# Column or key names whose values are secrets wherever they appear (credentials JSON, settings…).
SECRET_NAME = re.compile(
    r"(secret|password|token|api_?key|credential|totp|recovery|private|hash|signature_key)", re.I
)


def is_secret(name: str, extra: Collection[str] = ()) -> bool:
    return name in extra or bool(SECRET_NAME.search(name))


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def mask(data: Mapping[str, Any], secret_fields: Collection[str] = ()) -> dict[str, Any]:
    """`data` with every secret value (by name, at any depth) replaced by `MASK` (empty stays empty)."""
    masked: dict[str, Any] = {}
    for key, value in data.items():
        if is_secret(str(key), secret_fields):
            masked[key] = MASK if value not in (None, "", {}, []) else value
        elif isinstance(value, Mapping):
            masked[key] = mask(value, secret_fields)
        else:
            masked[key] = value
    return masked


def snapshot(
    obj: Any, secret_fields: Collection[str] = (), extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The row's column values, secrets masked; `extra` adds derived values (team ids, …)."""
    values: dict[str, Any] = {}
    for column in sa.inspect(type(obj)).columns:
        key = column.key
        if key in ("created_at", "updated_at"):
            continue
        values[key] = _plain(getattr(obj, key, None))
    if extra:
        values.update({k: _plain(v) for k, v in extra.items()})
    return mask(values, secret_fields)


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only what changed: {"before": {...}, "after": {...}} restricted to the differing keys."""
    before, after = dict(before or {}), dict(after or {})
    if not before or not after:
        return {"before": before or None, "after": after or None}
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after.get(k) for k in keys}}


def target_of(obj: Any) -> tuple[str, str | None]:
    """(target_type, target_id) for an ORM row: its table name and primary key."""
    mapper = sa.inspect(type(obj))
    ident = mapper.primary_key_from_instance(obj)
    key = ",".join(str(v) for v in ident if v is not None) or None
    return mapper.local_table.name, key


def audit(
    action: str,
    target: Any = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    target_type: str | None = None,
    target_id: object = None,
    tenant_id: int | None = None,
    session: Session | None = None,
    **data: Any,
) -> AuditLog:
    """One audit row in the request's transaction. `target` (an ORM row) gives type and id; `before`/
    `after` are snapshots (already masked by `snapshot`); only their differing keys are stored.
    The tenant is the row's, else the acting tenant's; `data` adds other facts (masked by name too)."""
    if target is not None:
        found_type, found_id = target_of(target)
        target_type = target_type or found_type
        target_id = target_id if target_id is not None else found_id
        tenant_id = tenant_id if tenant_id is not None else getattr(target, "tenant_id", None)
        if target_type == "tenants" and tenant_id is None:
            tenant_id = getattr(target, "id", None)
    if tenant_id is None:
        tenant_id = acting_tenant_id()
    payload: dict[str, Any] = {"area": "admin", **mask({k: _plain(v) for k, v in data.items()})}
    if before is not None or after is not None:
        payload.update(diff(before, after))
    return record(
        session if session is not None else request_session(),
        action,
        client=client_info(),
        tenant_id=tenant_id,
        actor_user_id=admin_user().id,
        target_type=target_type,
        target_id=target_id,
        data=payload,
    )
