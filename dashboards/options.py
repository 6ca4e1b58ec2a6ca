"""What the sidebar's filters offer: the tenant's inboxes, teams, agents, labels and channels, read
through the read-only role and scoped to the verified session's tenant; for a supervisor limited to
their teams, only those teams and the people in them."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboards.queries.filters import TeamScope
from models.enums import ChannelType

CHANNEL_LABELS = {
    ChannelType.EVOLUTION.value: "WhatsApp (Evolution)",
    ChannelType.UAZAPI.value: "WhatsApp (Uazapi)",
    ChannelType.WHATSAPP_CLOUD.value: "WhatsApp (Cloud API)",
    ChannelType.TELEGRAM.value: "Telegram",
}


@dataclass(frozen=True)
class FilterOptions:
    inboxes: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    agents: dict[int, str] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)


def load_options(session: Session, tenant_id: int, team_scope: TeamScope) -> FilterOptions:
    """Every list filtered by tenant_id explicitly (users are not a tenant-scoped model). With a
    `team_scope` (a supervisor's teams), teams are those and agents the members of those: an id the URL
    names outside them is dropped from the widgets (and the queries would ignore it anyway)."""
    t: dict[str, object] = {"t": tenant_id}
    inboxes = session.execute(
        sa.text("SELECT id, name, channel_type FROM inboxes WHERE tenant_id = :t ORDER BY name"), t
    ).all()
    if team_scope is None:
        teams = session.execute(
            sa.text("SELECT id, name FROM teams WHERE tenant_id = :t ORDER BY name"), t
        ).all()
        agents = session.execute(
            sa.text("SELECT id, name FROM users WHERE tenant_id = :t AND role <> 'superadmin' ORDER BY name"),
            t,
        ).all()
    else:
        scoped = {**t, "teams": list(team_scope)}
        teams = session.execute(
            sa.text("SELECT id, name FROM teams WHERE tenant_id = :t AND id = ANY(:teams) ORDER BY name"),
            scoped,
        ).all()
        agents = session.execute(
            sa.text(
                "SELECT u.id, u.name FROM users u WHERE u.tenant_id = :t AND u.role <> 'superadmin'"
                " AND EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.tenant_id = :t"
                " AND m.team_id = ANY(:teams)) ORDER BY u.name"
            ),
            scoped,
        ).all()
    labels = session.execute(
        sa.text("SELECT id, name FROM labels WHERE tenant_id = :t ORDER BY name"), t
    ).all()
    channels = sorted({str(row.channel_type) for row in inboxes})
    return FilterOptions(
        inboxes={r.id: r.name for r in inboxes},
        teams={r.id: r.name for r in teams},
        agents={r.id: r.name for r in agents},
        labels={r.id: r.name for r in labels},
        channels={c: CHANNEL_LABELS.get(c, c) for c in channels},
    )
