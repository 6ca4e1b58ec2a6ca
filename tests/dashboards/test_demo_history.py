"""The demo history: realistic shares (AI resolution, hand-offs, ~30 % CSAT answers, sentiments) and
every page's queries answering over it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from dashboards.queries import (
    PAGES,
    QUERY_FUNCTIONS,
    Drill,
    Filters,
    ai_summary,
    count,
    csat_summary,
    handoff_reasons,
    insights,
    kpis,
)
from models.facts_refresh import backfill
from models.tenant import Tenant
from niochat.demo import DEMO_SLUG, seed_demo
from niochat.demo_history import POPS, seed_history


def test_history_has_the_expected_shape_and_feeds_every_page(db: Any) -> None:
    """600 conversations over 60 days: facts for each, shares in plausible ranges, all queries answer."""
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant_id) as session:
        written = seed_history(session, tenant_id, days=60, conversations=600)
    with db.tenant_session(tenant_id) as session:
        assert backfill(session, tenant_id) >= written > 550
    now = datetime.now(UTC)
    period = Filters(now - timedelta(days=61), now)
    with db.tenant_session(tenant_id) as session:
        card = kpis(session, tenant_id, period).current
        csat = csat_summary(session, tenant_id, period)
        for page, names in PAGES.items():
            for name in names:
                fn, extra = QUERY_FUNCTIONS[name]
                assert fn(session, tenant_id, period, **extra) is not None, (page, name)
        found = insights(session, tenant_id, period)
        ai = ai_summary(session, tenant_id, period)
        reasons = handoff_reasons(session, tenant_id, period)
        # Every number drills down to exactly its conversations.
        assert count(session, tenant_id, period, Drill("ai_verified")) == ai.verified
        assert count(session, tenant_id, period, Drill("ai_returned")) == ai.returned
        assert count(session, tenant_id, period, Drill("handoff")) == card.handoffs
        assert count(session, tenant_id, period, Drill("closed")) == card.closed
        assert count(session, tenant_id, period, Drill("csat_alert")) == csat.alerts
        top = reasons.iloc[0]
        assert (
            count(session, tenant_id, period, Drill("handoff_reason", top["reason"])) == top["conversations"]
        )
        assert all(count(session, tenant_id, i.filters, i.drill) > 0 for i in found)
    assert 0.15 < (card.ai_resolution_rate or 0) < 0.5
    assert 0.4 < (card.handoff_rate or 0) < 0.85
    assert card.frt_median_s and card.frt_business_median_s is not None
    assert csat.response_rate is not None and 0.2 < csat.response_rate < 0.4
    assert card.return_rate is not None and card.return_rate > 0
    assert all(i.text and i.numbers for i in found)


def test_history_names_the_pop_of_the_contracts_the_ai_looked_up(db: Any) -> None:
    """Conversations where the AI found the customer's contract carry one of the demo's four POPs, the
    same for a customer every time; the others (no AI, or no lookup) carry none."""
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant_id) as session:
        seed_history(session, tenant_id, days=30, conversations=300)
    with db.tenant_session(tenant_id) as session:
        backfill(session, tenant_id)
        pops = session.execute(
            sa.text(
                "SELECT pop, count(*) AS n, count(*) FILTER (WHERE NOT handled_by_ai) AS without_ai,"
                " count(*) FILTER (WHERE 'consultar_cliente' <> ALL(tools)) AS no_lookup"
                " FROM conversation_facts WHERE tenant_id = :t GROUP BY pop"
            ),
            {"t": tenant_id},
        ).all()
        per_contact = session.scalar(
            sa.text(
                "SELECT max(n) FROM (SELECT count(DISTINCT pop) AS n FROM conversation_facts"
                " WHERE tenant_id = :t AND pop IS NOT NULL GROUP BY contact_id) AS c"
            ),
            {"t": tenant_id},
        )
    named = {r.pop: r for r in pops if r.pop is not None}
    assert set(named) == {p for p, _ in POPS}
    assert all(r.without_ai == 0 and r.no_lookup == 0 for r in named.values())
    assert sum(r.n for r in named.values()) > 100 and per_contact == 1


def test_the_seeded_tables_have_statistics_before_the_backfill_reads_them(db: Any) -> None:
    """The facts backfill right after seeding is planned on the new rows' statistics, not on what the
    tables held before (a stale plan took minutes of CPU on the first `make run`)."""
    with db.platform_session() as session:
        seed_demo(session, "http://testserver")
        tenant_id = session.scalar(sa.select(Tenant.id).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant_id) as session:
        seed_history(session, tenant_id, days=30, conversations=200)
    with db.platform_session() as session:
        for table in ("conversations", "messages", "conversation_events", "csat_surveys"):
            estimated = session.scalar(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
            )
            actual = session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
            assert actual and estimated == actual, table
