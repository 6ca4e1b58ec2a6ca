"""A tenant with an inbox, two agents and a team, for the dashboards' metric tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from models.enums import ChannelType, Role
from models.provisioning import create_inbox, create_team, create_tenant, create_user

WEEKDAYS_8_18 = {
    "weekly": {str(d): [["08:00", "18:00"]] for d in range(1, 6)} | {"6": [["08:00", "12:00"]], "7": []},
    "holidays": [],
}


@dataclass
class Shop:
    tenant_id: int
    inbox_id: int
    agent_id: int
    other_agent_id: int
    team_id: int


def make_shop(session: Any, slug: str, hours: dict[str, Any] | None = None) -> Shop:
    tenant = create_tenant(session, slug=slug, name=f"Provedor {slug}")
    tenant.business_hours = hours if hours is not None else WEEKDAYS_8_18
    tenant.timezone = "America/Sao_Paulo"
    inbox = create_inbox(session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name=f"WhatsApp {slug}")
    a = create_user(session, tenant_id=tenant.id, email=f"a@{slug}.test", name=f"Ana {slug}",
                    password="x-very-long-pass", role=Role.AGENT)  # fmt: skip
    b = create_user(session, tenant_id=tenant.id, email=f"b@{slug}.test", name=f"Bruno {slug}",
                    password="x-very-long-pass", role=Role.AGENT)  # fmt: skip
    team = create_team(session, tenant_id=tenant.id, name=f"Financeiro {slug}", member_ids=[a.id, b.id])
    session.flush()
    return Shop(tenant.id, inbox.id, a.id, b.id, team.id)


@pytest.fixture()
def shop(db: Any) -> Shop:
    with db.platform_session() as session:
        return make_shop(session, "isp")
