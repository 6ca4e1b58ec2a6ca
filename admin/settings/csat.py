"""The CSAT settings page: delay, expiry, style, texts, alert threshold — and a preview of the survey
as the customer will see it on each channel (`admin.settings.csat_preview`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from admin.settings.common import Reader
from models.csat import CsatSettings
from models.reply import MessageTemplate, template_parameter_count

STYLES: dict[str, LazyString] = {
    "buttons": _l("Botões ou lista (um toque)"),
    "emoji": _l("Linha de emojis (resposta por texto)"),
}
MAX_DELAY_SECONDS = 7 * 24 * 3600
MAX_EXPIRY_MINUTES = 30 * 24 * 60
FIELDS = (
    "enabled",
    "delay_seconds",
    "expiry_minutes",
    "style",
    "question",
    "thanks_message",
    "template_name",
    "alert_threshold",
    "reopen_on_bad",
)


def load(session: Session, tenant_id: int) -> CsatSettings:
    """The tenant's row (created with the defaults if missing)."""
    row = session.scalar(sa.select(CsatSettings).where(CsatSettings.tenant_id == tenant_id))
    if row is None:
        row = CsatSettings(tenant_id=tenant_id)
        session.add(row)
        session.flush()
    return row


def template_options(session: Session) -> list[str]:
    """Names fit for the survey outside Meta's window: approved Utility templates of a Cloud inbox
    (synced from Meta or typed in) whose body needs no value — the survey sends none."""
    rows = session.execute(
        sa.select(MessageTemplate.name, MessageTemplate.body).where(
            MessageTemplate.inbox_id.is_not(None),
            MessageTemplate.status == "approved",
            MessageTemplate.category == "UTILITY",
        )
    )
    return sorted({name for name, body in rows if template_parameter_count(body or "") == 0})


def snapshot(row: CsatSettings) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def read(data: Mapping[str, Any], current: CsatSettings) -> dict[str, Any]:
    """The submitted form, validated (SettingsError lists every bad field); the preview uses it too."""
    r = Reader(data)
    values = {
        "enabled": r.flag("enabled"),
        "delay_seconds": r.integer("delay_seconds", 0, MAX_DELAY_SECONDS),
        "expiry_minutes": r.integer("expiry_minutes", 1, MAX_EXPIRY_MINUTES),
        "style": r.choice("style", STYLES, current.style),
        "question": r.text("question", required=True, max_len=1000),
        "thanks_message": r.text("thanks_message", required=True, max_len=1000),
        "template_name": r.text("template_name", max_len=120),
        "alert_threshold": r.integer("alert_threshold", 1, 5),
        "reopen_on_bad": r.flag("reopen_on_bad"),
    }
    r.done()
    return values


def save(session: Session, tenant_id: int, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store the form; returns (before, after) for the audit log. Columns added later by other features
    are left as they are."""
    row = load(session, tenant_id)
    before = snapshot(row)
    for name, value in read(data, row).items():
        setattr(row, name, value)
    session.flush()
    return before, snapshot(row)
