"""Hand-computed facts: first response without the AI's time, business hours over a weekend and a
holiday, queue time, AI resolution verified against a return within 72 h, incremental refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from models.enums import ActorKind
from models.facts import ConversationFact
from models.facts_refresh import backfill, refresh, refresh_incremental
from tests.dashboards.conftest import Shop
from tests.dashboards.timeline import Timeline


def _local(*args: int) -> datetime:
    """A São Paulo wall-clock time (UTC-3, no DST since 2019) as UTC."""
    return datetime(*args, tzinfo=UTC) + timedelta(hours=3)  # type: ignore[misc]


def _fact(db: Any, shop: Shop, conversation_id: int) -> ConversationFact:
    with db.tenant_session(shop.tenant_id) as session:
        fact = session.get(ConversationFact, conversation_id)
        assert fact is not None
        session.expunge(fact)
        return fact


def test_first_response_leaves_out_the_time_with_the_ai(db: Any, shop: Shop) -> None:
    """Customer 10:00, bot 10:00:05, hand-off 10:02, taken 10:05, agent 10:12, closed 10:30 (a Monday)."""
    t0 = _local(2026, 11, 30, 10, 0)
    with db.tenant_session(shop.tenant_id) as session:
        tl = Timeline(session, shop.tenant_id, shop.inbox_id, t0)
        tl.customer(t0).bot(t0 + timedelta(seconds=5)).tool(t0 + timedelta(seconds=4), "segunda_via")
        tl.handoff(t0 + timedelta(minutes=2), "billing", team_id=shop.team_id)
        tl.assign(t0 + timedelta(minutes=5), shop.agent_id)
        tl.agent(t0 + timedelta(minutes=12), shop.agent_id)
        tl.close(t0 + timedelta(minutes=30), user_id=shop.agent_id)
        backfill(session, shop.tenant_id)
    f = _fact(db, shop, tl.id)
    assert f.frt_s == 600 and f.frt_business_s == 600  # hand-off 10:02 -> reply 10:12
    assert f.frt_total_s == 720  # customer 10:00 -> reply 10:12
    assert f.ai_s == 120 and f.first_bot_reply_s == 5
    assert f.queue_s == 180  # pending 10:02 -> 10:05
    assert f.resolution_s == 1800 and f.resolution_business_s == 1800
    assert (f.handoff, f.handoff_reason, f.team_id, f.agent_id) == (
        True,
        "billing",
        shop.team_id,
        shop.agent_id,
    )
    assert f.first_agent_id == shop.agent_id and f.tools == ["segunda_via"]
    assert not f.ai_closed and f.closed_by == "user"
    assert (f.local_dow, f.local_hour) == (1, 10)


def test_business_time_skips_the_weekend_and_a_national_holiday(db: Any, shop: Shop) -> None:
    """Thu 19/11 17:30 -> Mon 23/11 08:30: 87 h of calendar; business = Thu 30 min + Fri 20/11 (Zumbi,
    national holiday) 0 + Sat 08–12 4 h + Sun 0 + Mon 30 min = 5 h."""
    start, reply = _local(2026, 11, 19, 17, 30), _local(2026, 11, 23, 8, 30)
    with db.tenant_session(shop.tenant_id) as session:
        tl = Timeline(session, shop.tenant_id, shop.inbox_id, start, status="pending")
        tl.customer(start).assign(reply - timedelta(minutes=1), shop.agent_id).agent(reply, shop.agent_id)
        backfill(session, shop.tenant_id)
    f = _fact(db, shop, tl.id)
    assert f.frt_s == 87 * 3600 and f.frt_total_s == 87 * 3600
    assert f.frt_business_s == 5 * 3600
    assert f.queue_s == 87 * 3600 - 60 and f.queue_business_s == 5 * 3600 - 60
    assert f.ai_s is None and not f.handled_by_ai


def test_business_time_counts_the_holiday_when_the_tenant_works_on_it(db: Any, shop: Shop) -> None:
    """With national holidays off, Friday 20/11 adds its 10 h: 15 h."""
    from models import Tenant

    start, reply = _local(2026, 11, 19, 17, 30), _local(2026, 11, 23, 8, 30)
    with db.platform_session() as session:
        tenant = session.get(Tenant, shop.tenant_id)
        tenant.business_hours = {**tenant.business_hours, "national_holidays": False}
    with db.tenant_session(shop.tenant_id) as session:
        tl = Timeline(session, shop.tenant_id, shop.inbox_id, start, status="pending")
        tl.customer(start).agent(reply, shop.agent_id)
        backfill(session, shop.tenant_id)
    assert _fact(db, shop, tl.id).frt_business_s == 15 * 3600


def test_ai_resolution_is_verified_only_without_a_return_within_72_hours(db: Any, shop: Shop) -> None:
    """Closed by the AI 5 days ago, nothing since: verified. Closed by the AI 4 days ago and the contact
    wrote again 2 days later: returned. Closed by the AI 10 h ago: pending. Reopened: not the AI's."""
    from dashboards.queries import Filters, ai_summary, kpis

    now = datetime.now(UTC)
    with db.tenant_session(shop.tenant_id) as session:
        ok = Timeline(
            session,
            shop.tenant_id,
            shop.inbox_id,
            now - timedelta(days=5, minutes=10),
            phone="+5511900000001",
        )
        ok.customer(now - timedelta(days=5, minutes=10)).bot(now - timedelta(days=5, minutes=9))
        ok.close(now - timedelta(days=5), ActorKind.BOT)
        back = Timeline(
            session, shop.tenant_id, shop.inbox_id, now - timedelta(days=4, minutes=5), phone="+5511900000002"
        )
        back.customer(now - timedelta(days=4, minutes=5)).bot(now - timedelta(days=4, minutes=4))
        back.close(now - timedelta(days=4), ActorKind.BOT)
        again = Timeline(
            session, shop.tenant_id, shop.inbox_id, now - timedelta(days=2), contact_id=back.contact_id
        )
        again.customer(now - timedelta(days=2))
        fresh = Timeline(
            session,
            shop.tenant_id,
            shop.inbox_id,
            now - timedelta(hours=10, minutes=5),
            phone="+5511900000003",
        )
        fresh.customer(now - timedelta(hours=10, minutes=5)).close(now - timedelta(hours=10), ActorKind.BOT)
        reopened = Timeline(
            session, shop.tenant_id, shop.inbox_id, now - timedelta(days=6), phone="+5511900000004"
        )
        reopened.customer(now - timedelta(days=6)).close(
            now - timedelta(days=6) + timedelta(minutes=3), ActorKind.BOT
        )
        reopened.reopen(now - timedelta(days=5, hours=23), shop.agent_id)
        reopened.close(now - timedelta(days=5, hours=22), ActorKind.BOT)
        backfill(session, shop.tenant_id)
    assert _fact(db, shop, back.id).returned_at == again.conv.created_at
    assert _fact(db, shop, ok.id).returned_at is None
    assert not _fact(db, shop, reopened.id).ai_closed
    f = Filters(now - timedelta(days=7), now)
    with db.tenant_session(shop.tenant_id) as session:
        ai = ai_summary(session, shop.tenant_id, f)
        card = kpis(session, shop.tenant_id, f).current
    assert (ai.handled, ai.ai_closed, ai.verified, ai.returned, ai.pending_verification) == (5, 3, 1, 1, 1)
    assert ai.verified_rate == 1 / 5
    assert card.ai_resolved_verified == 1 and card.ai_pending_verification == 1
    assert card.reopen_rate == 1 / 4  # 4 closed, 1 of them reopened


def test_a_new_conversation_marks_the_previous_one_returned_incrementally(db: Any, shop: Shop) -> None:
    """The worker's pass sees the new conversation and rebuilds the contact's earlier fact."""
    now = datetime.now(UTC)
    with db.tenant_session(shop.tenant_id) as session:
        first = Timeline(
            session, shop.tenant_id, shop.inbox_id, now - timedelta(days=2), phone="+5511900000009"
        )
        first.customer(now - timedelta(days=2)).close(
            now - timedelta(days=2) + timedelta(minutes=1), ActorKind.BOT
        )
        assert refresh_incremental(session, shop.tenant_id) == 1  # first pass: backfill
    assert _fact(db, shop, first.id).ai_closed and _fact(db, shop, first.id).returned_at is None
    with db.tenant_session(shop.tenant_id) as session:
        second = Timeline(session, shop.tenant_id, shop.inbox_id, now, contact_id=first.contact_id)
        second.customer(now)
        session.flush()
        refreshed = refresh_incremental(session, shop.tenant_id)
    assert refreshed == 2
    assert _fact(db, shop, first.id).returned_at == second.conv.created_at
    assert _fact(db, shop, second.id).customer_messages == 1


def test_refresh_ignores_conversations_of_another_tenant(db: Any, shop: Shop) -> None:
    """Ids of another tenant passed to refresh build nothing."""
    from tests.dashboards.conftest import make_shop

    with db.platform_session() as session:
        other = make_shop(session, "outro")
    with db.tenant_session(other.tenant_id) as session:
        tl = Timeline(session, other.tenant_id, other.inbox_id, datetime.now(UTC))
        tl.customer(datetime.now(UTC))
    with db.tenant_session(shop.tenant_id) as session:
        assert refresh(session, shop.tenant_id, [tl.id]) == 0
    with db.platform_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ConversationFact)) == 0


def test_the_worker_pass_refreshes_each_tenant_once_and_skips_a_tenant_in_progress(
    db: Any, shop: Shop
) -> None:
    """`refresh_all` builds the facts; while another pass holds the tenant's lock, a second one skips it."""
    from jobs.dashboards import refresh_all, refresh_tenant

    now = datetime.now(UTC)
    with db.tenant_session(shop.tenant_id) as session:
        Timeline(session, shop.tenant_id, shop.inbox_id, now).customer(now)
    assert refresh_all(db) == 1
    with db.tenant_session(shop.tenant_id) as session:
        session.execute(sa.text("SELECT pg_advisory_xact_lock(1913, :t)"), {"t": shop.tenant_id})
        assert refresh_tenant(shop.tenant_id, db) == 0  # the holder's pass covers it
    assert refresh_tenant(shop.tenant_id, db) == 1  # touched within the look-back: rebuilt, same row


def test_tools_count_calls_and_conversations(db: Any, shop: Shop) -> None:
    """Two calls of one tool in a conversation and one in another: 3 calls, 2 conversations."""
    from dashboards.queries import Filters, tools_used

    now = datetime.now(UTC)
    with db.tenant_session(shop.tenant_id) as session:
        a = Timeline(session, shop.tenant_id, shop.inbox_id, now - timedelta(hours=2), phone="+5511900000071")
        a.customer(now - timedelta(hours=2)).tool(now - timedelta(hours=2), "segunda_via")
        a.tool(now - timedelta(hours=2) + timedelta(seconds=5), "segunda_via")
        a.tool(now - timedelta(hours=2) + timedelta(seconds=9), "pix")
        b = Timeline(session, shop.tenant_id, shop.inbox_id, now - timedelta(hours=1), phone="+5511900000072")
        b.customer(now - timedelta(hours=1)).tool(now - timedelta(hours=1), "segunda_via")
        backfill(session, shop.tenant_id)
        df = tools_used(session, shop.tenant_id, Filters(now - timedelta(days=1), now)).set_index("tool")
    assert (df.loc["segunda_via", "calls"], df.loc["segunda_via", "conversations"]) == (3, 2)
    assert (df.loc["pix", "calls"], df.loc["pix", "conversations"]) == (1, 1)


def test_a_conversation_without_messages_still_gets_its_fact(db: Any, shop: Shop) -> None:
    """A conversation with events but no message yet builds a fact under its own id."""
    with db.tenant_session(shop.tenant_id) as session:
        tl = Timeline(session, shop.tenant_id, shop.inbox_id, datetime.now(UTC) - timedelta(hours=1))
        assert refresh(session, shop.tenant_id, [tl.id]) == 1
    fact = _fact(db, shop, tl.id)
    assert fact.customer_messages in (0, None)


def test_pop_is_the_newest_tool_call_that_named_one(db: Any, shop: Shop) -> None:
    """The lookup names POP Centro, a later call on the other contract names POP Vila Nova, and a call
    after that names none: the fact holds POP Vila Nova. A conversation whose calls name none has NULL."""
    t0 = _local(2026, 11, 30, 14, 0)
    with db.tenant_session(shop.tenant_id) as session:
        tl = Timeline(session, shop.tenant_id, shop.inbox_id, t0, phone="+5511900000081")
        tl.customer(t0, intent="sem_internet").tool(
            t0 + timedelta(seconds=2), "buscar_cliente", pop="POP Centro"
        )
        tl.tool(t0 + timedelta(seconds=30), "status_conexao", pop="POP Vila Nova")
        tl.tool(t0 + timedelta(seconds=40), "transferir_para_humano")
        none = Timeline(session, shop.tenant_id, shop.inbox_id, t0, phone="+5511900000082")
        none.customer(t0).tool(t0 + timedelta(seconds=2), "buscar_cliente", ok=False)
        backfill(session, shop.tenant_id)
    assert _fact(db, shop, tl.id).pop == "POP Vila Nova"
    assert _fact(db, shop, none.id).pop is None
