"""Connecting an Evolution/Uazapi number from the back office: QR code or pair code, watched until open.

The page asks `poll` every few seconds. Each poll asks the provider for the session state through
`jobs.instances.refresh_status` (the same bookkeeping as a `connection.update` webhook), and when a QR
code has been on screen longer than WhatsApp keeps it valid, asks for a fresh one — so the code the
operator scans is always current even when the provider's `qrcode.updated` webhook cannot reach us.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from jobs import instances
from jobs.context import get_db
from models.base import utcnow
from models.inbox import Inbox

# WhatsApp rotates a linking QR code about every 20 s and refuses old ones: ask for a new one after this.
QR_REFRESH_SECONDS = 25.0

STATE_LABELS: dict[str, LazyString] = {
    "open": _l("Conectado"),
    "connecting": _l("Aguardando leitura do QR code"),
    "close": _l("Desconectado"),
    "refused": _l("Conexão recusada"),
    "unknown": _l("Desconhecido"),
}


class ConnectError(RuntimeError):
    """The provider refused or could not be reached; the message is for the operator (pt-BR)."""


@dataclass(frozen=True)
class ConnectionView:
    state: str
    qr_code: str | None = None
    pair_code: str | None = None

    @property
    def connected(self) -> bool:
        return self.state == "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "label": str(STATE_LABELS.get(self.state, self.state)),
            "connected": self.connected,
            "qr_code": None if self.connected else self.qr_code,
            "pair_code": None if self.connected else self.pair_code,
        }


def _view(conn: instances.Connection) -> ConnectionView:
    return ConnectionView(conn.state, conn.qr_code, conn.pair_code)


def _call(fn: Any, *args: Any) -> instances.Connection:
    try:
        conn: instances.Connection = fn(*args)
    except instances.InstanceError as exc:
        raise ConnectError(str(exc)) from exc
    return conn


def start(tenant_id: int, inbox_id: int, phone: str | None = None) -> ConnectionView:
    """Create or connect the instance: a QR code, or with `phone` a pair code to type on the phone."""
    phone = (phone or "").strip() or None
    if phone is not None and sum(c.isdigit() for c in phone) < 10:
        raise ConnectError(str(_l("Informe o telefone com DDD, por exemplo +55 11 99999-0000.")))
    return _view(_call(instances.connect, tenant_id, inbox_id, phone))


def _qr_age(settings: dict[str, Any], now: datetime) -> float | None:
    stamp = settings.get("qr_at")
    if not settings.get("qr_code") or not stamp:
        return None
    try:
        return (now - datetime.fromisoformat(str(stamp))).total_seconds()
    except ValueError:
        return None


def _stored_settings(tenant_id: int, inbox_id: int) -> dict[str, Any]:
    """Where `connect` and the `qrcode.updated` webhook keep the latest code and its time."""
    with get_db().tenant_session(tenant_id) as session:
        inbox = session.get(Inbox, inbox_id)
        return dict(inbox.settings or {}) if inbox is not None else {}


def poll(tenant_id: int, inbox_id: int) -> ConnectionView:
    """The state now (asked of the provider); a fresh QR code when the one shown has expired."""
    view = _view(_call(instances.refresh_status, tenant_id, inbox_id))
    if view.connected:
        return view
    age = _qr_age(_stored_settings(tenant_id, inbox_id), utcnow())
    if age is not None and age >= QR_REFRESH_SECONDS:
        view = _view(_call(instances.connect, tenant_id, inbox_id, None))
    return view


def logout(tenant_id: int, inbox_id: int) -> ConnectionView:
    return _view(_call(instances.logout, tenant_id, inbox_id))


def set_webhook(tenant_id: int, inbox_id: int, public_url: str) -> str:
    """Register our URL (and secret) with the provider; InstanceError's sentence on failure."""
    try:
        return instances.set_webhook(tenant_id, inbox_id, public_url)
    except instances.InstanceError as exc:
        raise ConnectError(str(exc)) from exc
