"""The SGP connection page: URL, token + app or HTTP Basic (secrets write-only), and "Testar conexão"
running `models.sgp.check_connection`, exactly what `niochat tenant sgp --test` runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from admin.settings.common import Reader, SettingsError, mask
from models.sgp import SgpIntegration, check_connection

AUTH_MODES = frozenset({"token", "basic"})


def load(session: Session, tenant_id: int) -> SgpIntegration | None:
    return session.scalar(sa.select(SgpIntegration).where(SgpIntegration.tenant_id == tenant_id))


def snapshot(row: SgpIntegration | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {
        "enabled": row.enabled,
        "base_url": row.base_url,
        "auth_mode": row.auth_mode,
        "app_name": row.app_name,
        "token": mask(row.token),
        "username": row.username,
        "password": mask(row.password),
        "allow_trust_unlock": row.allow_trust_unlock,
        "allow_open_ticket": row.allow_open_ticket,
    }


def save(session: Session, tenant_id: int, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create or update the tenant's SGP row. Blank token/password keep the stored ones; the mode's
    credentials must end up complete (as the CLI demands). Returns (before, after) for the audit log."""
    row = load(session, tenant_id)
    before = snapshot(row)
    r = Reader(data)
    base_url = r.url("base_url", required=True)
    mode = r.choice("auth_mode", AUTH_MODES, "token")
    app_name = r.text("app_name", max_len=120)
    username = r.text("username", max_len=120)
    token = r.text("token", max_len=500) or (row.token if row else None)
    password = r.text("password", max_len=500) or (row.password if row else None)
    if mode == "token":
        if not app_name:
            r.problems["app_name"] = _("Autenticação por token precisa do nome do app.")
        if not token:
            r.problems["token"] = _("Autenticação por token precisa do token.")
    else:
        if not username:
            r.problems["username"] = _("HTTP Basic precisa do usuário.")
        if not password:
            r.problems["password"] = _("HTTP Basic precisa da senha.")
    flags = {k: r.flag(k) for k in ("enabled", "allow_trust_unlock", "allow_open_ticket")}
    r.done()
    if row is None:
        row = SgpIntegration(tenant_id=tenant_id, base_url=base_url or "")
        session.add(row)
    row.base_url = base_url or row.base_url
    row.auth_mode, row.app_name, row.username = mode, app_name, username
    row.token, row.password = token, password
    for key, value in flags.items():
        setattr(row, key, value)
    session.flush()
    return before, snapshot(row)


def test(
    session: Session, tenant_id: int, *, transport: httpx.BaseTransport | None = None
) -> tuple[bool, str]:
    """Test the saved connection; the outcome is stored on the row (last test) and returned."""
    row = load(session, tenant_id)
    if row is None:
        raise SettingsError({"base_url": _("Salve a conexão com o SGP antes de testar.")})
    return check_connection(row, transport=transport)
