"""The AI's `encerrar` closes through the same lifecycle as an agent: the CSAT survey is scheduled, marked
as handled by the AI alone, and goes out on the closed conversation at its time."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from jobs.csat import send_due
from models import CsatSurvey
from models.base import utcnow
from tests.assistant.conftest import MARIA, Scenario


def test_the_ai_closing_schedules_the_survey(scenario: Scenario) -> None:
    """Maria gets her bill and says she needs nothing else: the AI closes; the survey waits 90 s, then the
    list goes to Maria's number."""
    scenario.say("quero a segunda via", MARIA)
    scenario.say("não, obrigado", MARIA)
    conv = scenario.conversation(MARIA)
    assert conv.status == "closed" and conv.closed_at is not None
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        survey = session.scalar(sa.select(CsatSurvey).where(CsatSurvey.conversation_id == conv.id))
        assert survey is not None and str(survey.status) == "scheduled"
        assert survey.handled_by_ai is True and survey.agent_id is None
        delay = (survey.scheduled_for - conv.closed_at).total_seconds()
        assert abs(delay - 90) < 1
        survey.scheduled_for = utcnow() - timedelta(seconds=1)  # its time has come
    assert send_due(scenario.tenant_id) == {"sent": 1}
    [call] = scenario.evolution.requests_to("/message/sendList")
    assert call.json["number"] == MARIA
    assert [r["rowId"] for r in call.json["sections"][0]["rows"]] == [f"csat:{n}" for n in range(1, 6)]
