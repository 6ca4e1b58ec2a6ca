"""Visão geral's "Ver conversas" on an insight lists the conversations behind that finding: a spike's
own hour and POP, not the whole period the sidebar shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.dashboards.conftest import TenantWorld

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _facts(db: Any, world: TenantWorld, rows: list[tuple[datetime, str]]) -> None:
    """Fact rows written directly, one conversation each: (local start, POP), intent 'sem_internet'."""
    from models.facts import ConversationFact
    from tests.factories import make_conversation

    with db.tenant_session(world.tenant_id) as session:
        for n, (local, pop) in enumerate(rows):
            conv = make_conversation(session, world.tenant_id, world.inbox_id, phone=f"+5511944{n:06d}")
            session.add(
                ConversationFact(
                    tenant_id=world.tenant_id, conversation_id=conv.id, inbox_id=world.inbox_id,
                    channel="evolution", contact_id=conv.contact_id, status="closed",
                    started_at=local.replace(tzinfo=SAO_PAULO), local_date=local.date(),
                    local_dow=local.isoweekday(), local_hour=local.hour, intent="sem_internet", pop=pop,
                )
            )  # fmt: skip


def test_spike_drill_lists_only_its_hour(app_test: Any, db: Any, worlds: dict[str, TenantWorld]) -> None:
    """8 'sem internet' at POP Centro on earlier days, 12 yesterday at 14h: the spike's drill lists the 12."""
    world = worlds["a"]
    yesterday = datetime.now(SAO_PAULO).replace(tzinfo=None, minute=0, second=0, microsecond=0) - timedelta(
        days=1
    )
    spike = yesterday.replace(hour=14)
    earlier = [(spike - timedelta(days=2 + h % 2, hours=6 - h), "POP Centro") for h in range(8)]
    _facts(db, world, earlier + [(spike + timedelta(minutes=m), "POP Centro") for m in range(12)])
    at = app_test(world.supervisor)
    at.run()
    assert not at.exception, at.exception
    listed = [m.value for m in at.markdown if m.value.startswith("• ")]  # the insights, in button order
    [n] = [i for i, text in enumerate(listed) if "Pico de 'sem internet' no POP Centro" in text]
    assert "12 conversas" in listed[n]
    at.button(key=f"insight_{n}").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert len(table) == 12
    assert any("(12)" in h.value for h in at.subheader)
