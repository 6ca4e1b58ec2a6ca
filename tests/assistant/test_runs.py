"""How runs happen: bursts answered once, SGP down, hand-off visible through the API, after hours."""

from __future__ import annotations

import os
import time
from typing import Any

from rq import Queue

from jobs.queues import AI, connect
from jobs.relay import Relay
from tests.assistant.conftest import FERNANDA, JOAO, MARIA, RICARDO, Scenario, api_get


def test_burst_is_answered_once_reading_all_of_it(scenario: Scenario) -> None:
    scenario.settings(burst_seconds=1.0)
    for text in ("oi", "tudo bem?", "preciso da fatura"):
        scenario.post(text, MARIA)
        scenario.relay_now()  # each message pushes the run's due time
    assert not [m for m in scenario.sent() if m["text"]]  # nothing answered within the window
    time.sleep(1.1)
    scenario.settle()
    texts = [m["text"] for m in scenario.sent() if m["text"]]
    assert sum("Encontrei seu cadastro" in t for t in texts) == 1
    assert sum(t == "Posso ajudar em mais alguma coisa?" for t in texts) == 1
    assert len(scenario.sgp.requests_to("consultacliente")) == 1


def test_a_relayed_batch_is_one_ai_job_and_every_conversation_is_answered(scenario: Scenario) -> None:
    """Four customers' messages relayed together: one `on_messages` job (not one per message, on the
    webhook's path), which answers one conversation itself and queues a run for each other one."""
    scenario.settings(burst_seconds=0.0)
    phones = [MARIA, JOAO, FERNANDA, RICARDO]
    for phone in phones:
        scenario.post("oi, quero a segunda via", phone)
    scenario.post("e o pix?", MARIA)  # the same conversation twice in the batch: still one run for it
    redis = connect(scenario.redis_url)
    Relay(scenario.db, redis).relay()
    queued = Queue(AI, connection=redis).jobs
    assert [job.func_name for job in queued] == ["jobs.ai.on_messages"]
    assert len(queued[0].args[1]) == 5
    scenario.settle()
    for phone in phones:
        answered = [m for m in scenario.sent() if m["number"] == phone and m["text"]]
        assert answered and answered[-1]["text"] == "Posso ajudar em mais alguma coisa?", phone
    assert len([m for m in scenario.sent() if m["number"] == MARIA and "Encontrei" in (m["text"] or "")]) == 1


def test_runs_reach_the_sgp_through_the_process_pool(scenario: Scenario, monkeypatch: Any) -> None:
    """Every run's SGP calls go through the process's shared pool (connections kept alive between
    runs, no new TLS handshake per customer message), not a pool of their own."""
    import httpx

    from integrations.sgp import client as module

    seen: list[str] = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            return super().handle_request(request)

    monkeypatch.setattr(module, "_shared", (os.getpid(), Counting()))
    scenario.say("quero a segunda via", MARIA)
    scenario.say("quero a segunda via", JOAO)
    assert len(seen) == len(scenario.sgp.requests) >= 4
    assert any(path.endswith("/consultacliente/") for path in seen)


def test_sgp_down_gives_a_holding_message_and_hands_off(scenario: Scenario) -> None:
    scenario.sgp.fail_next(20, 500)
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts and "atendente" in texts[-1]
    assert "(sgp_unavailable)" in scenario.events(MARIA, "handoff")[0].reason


def test_handoff_and_tool_calls_visible_through_the_api(scenario: Scenario) -> None:
    scenario.say("quero a segunda via", MARIA)
    scenario.say("quero cancelar meu plano", MARIA)
    conv = scenario.conversation(MARIA)
    assert conv.status == "pending"
    body = api_get(scenario, f"/api/v1/conversations/{conv.id}/events")
    kinds = [e["kind"] for e in body["items"]]
    assert "tool_call" in kinds and kinds[-1] == "handoff"
    handoff = body["items"][-1]
    assert "(cancellation)" in handoff["reason"]
    tool = next(e for e in body["items"] if e["kind"] == "tool_call" and e["tool"]["name"] == "segunda_via")
    assert tool["reason"] == "IA consultou a 2ª via — contrato 17402" and tool["tool"]["ok"] is True


def test_team_from_handoff_rules(scenario: Scenario) -> None:
    from models.user import Team

    with scenario.db.tenant_session(scenario.tenant_id) as session:
        team = Team(tenant_id=scenario.tenant_id, name="Retenção")
        session.add(team)
        session.flush()
        team_id = team.id
    scenario.settings(handoff_rules={"teams": {"retencao": team_id}})
    scenario.say("quero cancelar", MARIA)
    assert scenario.conversation(MARIA).team_id == team_id


def test_after_hours_the_customer_is_told_when_people_are_back(scenario: Scenario) -> None:
    from models import Tenant

    with scenario.db.platform_session() as session:
        tenant = session.get(Tenant, scenario.tenant_id)
        tenant.business_hours = {"weekly": {str(d): [] for d in range(1, 8)} | {"1": [["08:00", "08:01"]]}}
    texts = scenario.say("quero falar com um atendente", MARIA)
    assert any("fora do horário" in t and "volta" in t for t in texts)
    assert scenario.conversation(MARIA).status == "pending"  # still queued
