"""Insights state numbers the data holds: a first response that doubled on Monday mornings, and the
leading hand-off reason, with the conversations behind each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from dashboards.queries import Drill, Filters, conversations, count, insights
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


def _hand_built(db: Any, shop: Shop, rows: list[tuple[datetime, str, str | None, int]]) -> None:
    """Fact rows written directly: (local start, intent, POP, inbox) each, on a conversation of its own."""
    from models.facts import ConversationFact
    from tests.factories import make_conversation

    with db.tenant_session(shop.tenant_id) as session:
        for n, (local, intent, pop, inbox_id) in enumerate(rows):
            conv = make_conversation(session, shop.tenant_id, inbox_id, phone=f"+5511955{n:06d}")
            session.add(
                ConversationFact(
                    tenant_id=shop.tenant_id, conversation_id=conv.id, inbox_id=inbox_id, channel="evolution",
                    contact_id=conv.contact_id, status="closed", started_at=local + timedelta(hours=3),
                    local_date=local.date(), local_dow=local.isoweekday(), local_hour=local.hour,
                    intent=intent, pop=pop,
                )
            )  # fmt: skip


def _second_inbox(db: Any, shop: Shop) -> int:
    from models.enums import ChannelType
    from models.provisioning import create_inbox

    with db.platform_session() as session:
        inbox = create_inbox(session, tenant_id=shop.tenant_id, channel=ChannelType.TELEGRAM, name="Telegram")
        session.flush()
        return int(inbox.id)


def _wall(day: int, hour: int, minute: int = 0) -> datetime:
    """A São Paulo wall-clock time, naive (the hand-built facts' local date and hour)."""
    return datetime(2026, 12, day, hour, minute)


SPIKE_PERIOD = Filters(_local(2026, 12, 1, 0, 0), _local(2026, 12, 8, 0, 0))


def test_an_outage_at_one_pop_is_named_even_when_no_inbox_sees_it(db: Any, shop: Shop) -> None:
    """'sem_internet' at POP Centro: one conversation in each of 8 hours on 01–02/12, then 12 on 03/12 at
    14h split 6/6 between WhatsApp and Telegram (no inbox reaches the 10 of a spike); 3 at POP Vila Nova
    in that hour too. The finding names POP Centro, and its conversations are those 12."""
    telegram = _second_inbox(db, shop)
    rows: list[tuple[datetime, str, str | None, int]] = [
        (_wall(1 + h % 2, 8 + h), "sem_internet", "POP Centro", shop.inbox_id) for h in range(8)
    ]
    rows += [
        (_wall(3, 14, m), "sem_internet", "POP Centro", shop.inbox_id if m % 2 else telegram)
        for m in range(12)
    ]
    rows += [(_wall(3, 14, 30 + m), "sem_internet", "POP Vila Nova", shop.inbox_id) for m in range(3)]
    _hand_built(db, shop, rows)
    with db.tenant_session(shop.tenant_id) as session:
        found = {i.kind: i for i in insights(session, shop.tenant_id, SPIKE_PERIOD)}
        spike = found["intent_spike"]
        assert spike.text == (
            "Pico de 'sem internet' no POP Centro no dia 03/12 às 14h: 12 conversas, contra 2,2 por hora "
            "com esse assunto no período."
        )
        assert spike.numbers == {
            "intent": "sem_internet", "pop": "POP Centro", "day": date(2026, 12, 3), "hour": 14,
            "conversations": 12, "hourly_mean": pytest.approx(20 / 9),
        }  # fmt: skip
        assert spike.drill == Drill("intent_pop", ("sem_internet", "POP Centro"))
        assert count(session, shop.tenant_id, spike.filters, spike.drill) == 12
        listed = conversations(session, shop.tenant_id, spike.filters, spike.drill)
        assert set(listed["pop"]) == {"POP Centro"} and len(listed) == 12


def test_without_a_pop_spike_the_spike_is_found_per_inbox(db: Any, shop: Shop) -> None:
    """The same 12 conversations at 14h spread over four POPs and none (no POP reaches 10), all in one
    inbox: the finding is the inbox's, as before POPs were recorded."""
    pops = ["POP Centro", "POP Vila Nova", "POP Industrial", None]
    rows: list[tuple[datetime, str, str | None, int]] = [
        (_wall(1 + h % 2, 8 + h), "sem_internet", None, shop.inbox_id) for h in range(8)
    ]
    rows += [(_wall(3, 14, m), "sem_internet", pops[m % 4], shop.inbox_id) for m in range(12)]
    _hand_built(db, shop, rows)
    with db.tenant_session(shop.tenant_id) as session:
        spike = {i.kind: i for i in insights(session, shop.tenant_id, SPIKE_PERIOD)}["intent_spike"]
        assert spike.text == (
            "Pico de 'sem internet' em WhatsApp isp no dia 03/12 às 14h: 12 conversas, contra 2,2 por hora "
            "com esse assunto no período."
        )
        assert spike.numbers["inbox_id"] == shop.inbox_id and "pop" not in spike.numbers
        assert spike.drill == Drill("intent", "sem_internet")
        assert count(session, shop.tenant_id, spike.filters, spike.drill) == 12
