"""Insights state numbers the data holds: a first response that doubled on Monday mornings, and the
leading hand-off reason, with the conversations behind each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.queries import Filters, count, insights
from models.facts_refresh import backfill
from tests.dashboards.conftest import Shop
from tests.dashboards.timeline import Timeline


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC) + timedelta(hours=3)  # type: ignore[misc]


def test_monday_morning_slowdown_and_top_handoff_reason(db: Any, shop: Shop) -> None:
    """25 Monday 08:30 conversations answered in 5 min the week before, 25 answered in 10 min this week,
    all handed off by the AI for billing: +100 % at "segundas, 8h–10h", and billing leads."""
    with db.tenant_session(shop.tenant_id) as session:
        for week, wait in ((_local(2026, 11, 23, 8, 30), 5), (_local(2026, 11, 30, 8, 30), 10)):
            for i in range(25):
                t = week + timedelta(minutes=i)
                tl = Timeline(session, shop.tenant_id, shop.inbox_id, t, phone=f"+551190003{week.day}{i:03d}")
                tl.customer(t).handoff(t + timedelta(seconds=30), "billing")
                tl.agent(t + timedelta(seconds=30) + timedelta(minutes=wait), shop.agent_id)
                tl.close(t + timedelta(minutes=30), user_id=shop.agent_id)
        backfill(session, shop.tenant_id)
    period = Filters(_local(2026, 11, 30, 0, 0), _local(2026, 12, 7, 0, 0))
    with db.tenant_session(shop.tenant_id) as session:
        found = {i.kind: i for i in insights(session, shop.tenant_id, period)}
        frt = found["frt_block"]
        assert frt.numbers["change"] == 1.0 and frt.numbers["conversations"] == 25
        assert frt.numbers["frt_median_s"] == 600 and frt.numbers["previous_frt_median_s"] == 300
        assert frt.text.startswith("O tempo de primeira resposta subiu 100 % às segundas, 8h–10h")
        assert "10 min contra 5,0 min" in frt.text
        assert count(session, shop.tenant_id, frt.filters, frt.drill) == 25
        reason = found["handoff_reason"]
        assert reason.numbers == {"reason": "billing", "conversations": 25, "handoffs": 25, "share": 1.0}
        assert "Assunto financeiro (100 % das 25 transferências)" in reason.text
        assert count(session, shop.tenant_id, reason.filters, reason.drill) == 25
