"""Running a query of this package: SQL text in, a DataFrame out, in the caller's session."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

# The fact table's column for each dimension a page can group or filter by.
DIMENSIONS: dict[str, str] = {
    "channel": "f.channel",
    "inbox": "f.inbox_id",
    "team": "f.team_id",
    "agent": "f.agent_id",
}

CHANNEL_NAMES = {
    "evolution": "WhatsApp (Evolution)",
    "uazapi": "WhatsApp (Uazapi)",
    "whatsapp_cloud": "WhatsApp Oficial",
    "telegram": "Telegram",
}


def frame(session: Session, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    result = session.execute(sa.text(sql), params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def one(session: Session, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    row = session.execute(sa.text(sql), params).mappings().one()
    return dict(row)


def ratio(part: float | int | None, whole: float | int | None) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as "—", never as 0 %)."""
    if not whole or part is None:
        return None
    return float(part) / float(whole)


def dimension(by: str) -> str:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}; one of {sorted(DIMENSIONS)} or 'label'")
    return DIMENSIONS[by]


def named(session: Session, tenant_id: int, df: pd.DataFrame, by: str) -> pd.DataFrame:
    """A `name` column for a `key` column of ids (one small lookup, not a join per fact row)."""
    names = dimension_names(session, tenant_id, by)
    df.insert(1, "name", [names.get(k, "—") if k is not None else _none_name(by) for k in df["key"]])
    return df


def _none_name(by: str) -> str:
    return {"team": "Sem equipe", "agent": "Sem atendente", "inbox": "—"}.get(by, "—")


def dimension_names(session: Session, tenant_id: int, by: str) -> dict[Any, str]:
    """Id -> name of the tenant's inboxes, teams, agents or labels (channels: their display names)."""
    if by == "channel":
        return dict(CHANNEL_NAMES)
    table = {"inbox": "inboxes", "team": "teams", "agent": "users", "label": "labels"}[by]
    rows = frame(
        session, f"SELECT id, name FROM {table} WHERE tenant_id = :tenant_id", {"tenant_id": tenant_id}
    )
    return dict(zip(rows["id"], rows["name"], strict=True))
