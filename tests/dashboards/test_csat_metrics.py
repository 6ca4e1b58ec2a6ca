"""CSAT by hand: four conversations closed in the period, three surveys sent, two answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.queries import Filters, csat_by, csat_summary, kpis
from models import CsatResponse, CsatSurvey
from models.enums import ActorKind, CsatStatus
from models.facts_refresh import backfill
from tests.dashboards.conftest import Shop
from tests.dashboards.timeline import Timeline


def _survey(session: Any, tl: Timeline, at: datetime, *, agent_id: int | None, score: int | None,
            themes: list[str] | None = None) -> None:  # fmt: skip
    survey = CsatSurvey(
        tenant_id=tl.tenant_id, conversation_id=tl.id, contact_id=tl.contact_id, inbox_id=tl.conv.inbox_id,
        agent_id=agent_id, status=CsatStatus.ANSWERED if score else CsatStatus.SENT, scheduled_for=at,
        sent_at=at, answered_at=at + timedelta(minutes=2) if score else None,
    )  # fmt: skip
    session.add(survey)
    session.flush()
    if score:
        session.add(
            CsatResponse(tenant_id=tl.tenant_id, survey_id=survey.id, score=score, themes=themes or [],
                         created_at=at + timedelta(minutes=2))
        )  # fmt: skip
        session.flush()


def test_score_average_response_rate_coverage_alerts_and_recovery(db: Any, shop: Shop) -> None:
    """Closed 4, sent 3, answered 2 (5 and 2): coverage 2/4, response rate 2/3, score 1/2, average 3.5;
    the 2 is an alert (threshold 2) recovered by the same contact's 5 a week later, outside the period."""
    now = datetime.now(UTC)
    t = now - timedelta(days=20)
    with db.tenant_session(shop.tenant_id) as session:
        convs = []
        for n in range(4):
            tl = Timeline(
                session, shop.tenant_id, shop.inbox_id, t + timedelta(hours=n), phone=f"+55119000011{n:02d}"
            )
            tl.customer(t + timedelta(hours=n)).assign(t + timedelta(hours=n, minutes=1), shop.agent_id)
            tl.agent(t + timedelta(hours=n, minutes=2), shop.agent_id)
            tl.close(t + timedelta(hours=n, minutes=10), ActorKind.USER, shop.agent_id)
            convs.append(tl)
        _survey(session, convs[0], t + timedelta(minutes=12), agent_id=shop.agent_id, score=5)
        _survey(session, convs[1], t + timedelta(hours=1, minutes=12), agent_id=shop.agent_id, score=2,
                themes=["atendimento demorado"])  # fmt: skip
        _survey(session, convs[2], t + timedelta(hours=2, minutes=12), agent_id=shop.agent_id, score=None)
        later = Timeline(
            session, shop.tenant_id, shop.inbox_id, t + timedelta(days=7), contact_id=convs[1].contact_id
        )
        later.customer(t + timedelta(days=7)).close(
            t + timedelta(days=7, minutes=5), ActorKind.USER, shop.agent_id
        )
        _survey(session, later, t + timedelta(days=7, minutes=7), agent_id=shop.agent_id, score=5)
        backfill(session, shop.tenant_id)
    period = Filters(t - timedelta(days=1), t + timedelta(days=1))
    with db.tenant_session(shop.tenant_id) as session:
        s = csat_summary(session, shop.tenant_id, period)
        by_agent = csat_by(session, shop.tenant_id, period, "agent")
        card = kpis(session, shop.tenant_id, period).current
    assert (s.closed, s.surveys_sent, s.responses) == (4, 3, 2)
    assert s.coverage == 0.5 and s.response_rate == 2 / 3
    assert s.score == 0.5 and s.average == 3.5
    assert (s.alerts, s.recovered) == (1, 1)
    row = by_agent.set_index("key").loc[shop.agent_id]
    assert (row["closed"], row["responses"], row["coverage"]) == (4, 2, 0.5)
    assert card.csat_score == 0.5 and card.csat_response_rate == 2 / 3
