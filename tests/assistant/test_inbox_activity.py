"""What the inbox shows of the AI: last intent and tools in "Com IA", the hand-off reason afterwards,
served on the conversation itself (no N+1), and "Assumir" stopping a run in flight."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from assistant.tools.base import ToolBox
from models.enums import Role
from models.lifecycle import take
from models.outbox import OutboxEvent
from models.user import Team, User
from tests.assistant.conftest import JOAO, MARIA, RICARDO, Scenario


def _agent(scenario: Scenario, email: str = "bia@isp.test", role: Role = Role.AGENT) -> int:
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        agent = User(tenant_id=scenario.tenant_id, email=email, name="Bia", role=role)
        agent.password_hash = "x"
        session.add(agent)
        session.flush()
        return agent.id


_TOKENS: dict[int, str] = {}


def api_get(scenario: Scenario, path: str) -> Any:
    """GET the REST API as an admin of the scenario's tenant (sees every list)."""
    from tests.api.clients import access_token

    key = id(scenario)
    if key not in _TOKENS:
        admin = _agent(scenario, f"admin{key}@isp.test", Role.ADMIN)
        _TOKENS[key] = access_token(scenario.client.application, scenario.db, admin)
    response = scenario.client.get(path, headers={"Authorization": f"Bearer {_TOKENS[key]}"})
    assert response.status_code == 200, response.data
    return response.get_json()


def test_com_ia_list_shows_the_last_intent_and_tools(scenario: Scenario) -> None:
    """The "Com IA" list item carries what the AI understood and the tools it called, in call order."""
    scenario.say("quero a segunda via", MARIA)
    conv = scenario.conversation(MARIA)
    body = api_get(scenario, "/api/v1/conversations?status=bot")
    item = next(i for i in body["items"] if i["id"] == conv.id)
    ai = item["ai"]
    assert ai["last_intent"] == "fatura"
    names = [t["name"] for t in ai["last_tools"]]
    assert names[0] == "buscar_cliente" and "segunda_via" in names and all(t["ok"] for t in ai["last_tools"])
    assert ai["handoff_reason"] is None and ai["updated_at"]
    # A later turn that calls no tool keeps showing what the AI did last.
    scenario.say("obrigado", MARIA)
    ai = api_get(scenario, f"/api/v1/conversations/{conv.id}")["ai"]
    assert ai["last_intent"] == "agradecimento" and [t["name"] for t in ai["last_tools"]] == names


def test_handoff_reason_and_team_on_the_conversation(scenario: Scenario) -> None:
    """After a hand-off the reason (code, pt-BR label, the customer's words) and the team chosen by the
    tenant's rules are on the conversation, in the list and in its detail."""
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        team = Team(tenant_id=scenario.tenant_id, name="Retenção")
        session.add(team)
        session.flush()
        team_id = team.id
    scenario.settings(handoff_rules={"teams": {"retencao": team_id}})
    scenario.say("quero cancelar meu plano", MARIA)
    conv = scenario.conversation(MARIA)
    detail = api_get(scenario, f"/api/v1/conversations/{conv.id}")
    assert detail["status"] == "pending"
    ai = detail["ai"]
    assert ai["handoff_reason"] == "cancellation" and ai["handoff_label"] == "Pedido de cancelamento"
    assert ai["handoff_detail"] == "quero cancelar meu plano" and ai["handoff_team_id"] == team_id
    assert ai["last_intent"] == "cancelamento" and ai["handoff_at"]
    listed = api_get(scenario, "/api/v1/conversations?status=pending")["items"]
    assert next(i for i in listed if i["id"] == conv.id)["ai"] == ai


def test_conversations_the_ai_never_ran_on_have_no_ai(scenario: Scenario) -> None:
    scenario.settings(enabled=False)
    scenario.post("oi", RICARDO)
    scenario.settle()
    conv = scenario.conversation(RICARDO)
    assert api_get(scenario, f"/api/v1/conversations/{conv.id}")["ai"] is None


def test_the_list_reads_the_ai_activity_without_a_query_per_conversation(scenario: Scenario) -> None:
    """GET /conversations runs as many statements for three conversations with AI activity as for one."""
    from tests.api.clients import access_token

    agent_id = _agent(scenario, "ana2@isp.test")
    token = access_token(scenario.client.application, scenario.db, agent_id)

    def statements() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        sa.event.listen(scenario.db.engine, "before_cursor_execute", count)
        try:
            response = scenario.client.get(
                "/api/v1/conversations?status=bot", headers={"Authorization": f"Bearer {token}"}
            )
        finally:
            sa.event.remove(scenario.db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        assert all(item["ai"] for item in response.get_json()["items"])
        return len(seen)

    scenario.say("quero a segunda via", MARIA)
    one = statements()
    scenario.say("quero a segunda via", JOAO)
    scenario.say("oi", RICARDO)
    assert statements() == one


def test_a_run_that_sends_nothing_still_updates_the_screens(scenario: Scenario) -> None:
    """Taken mid-run, the AI sends nothing, but its tools ran: a `conversation.updated` ("ai") tells the
    screens, since no reply's event will."""
    agent_id = _agent(scenario)
    real_call = ToolBox.call

    def take_after_first(box: ToolBox, name: str, arguments: dict[str, Any] | None) -> Any:
        result = real_call(box, name, arguments)
        if len(box.calls) == 1:
            conv = scenario.conversation(MARIA)
            with scenario.db.tenant_session(scenario.tenant_id) as session:
                take(session, session.get(type(conv), conv.id), agent_id)
        return result

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ToolBox, "call", take_after_first)
        assert scenario.say("quero a segunda via", MARIA) == []
    conv = scenario.conversation(MARIA)
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        changes = [
            e.payload.get("change")
            for e in session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id))
            if e.payload.get("conversation_id") == conv.id and e.topic == "conversation.updated"
        ]
    assert changes[-1] == "ai"
    assert [t["name"] for t in api_get(scenario, f"/api/v1/conversations/{conv.id}")["ai"]["last_tools"]] == [
        "buscar_cliente"
    ]


def test_assumir_during_a_run_stops_its_next_sgp_call_and_every_reply(scenario: Scenario) -> None:
    """An agent takes the conversation while the AI runs, just before it would unlock the connection: the
    unlock never reaches the SGP, nothing reaches the customer afterwards, and the AI stays silent."""
    agent_id = _agent(scenario)
    real_call = ToolBox.call

    def take_just_before_the_unlock(box: ToolBox, name: str, arguments: dict[str, Any] | None) -> Any:
        if name == "liberacao_confianca" and not box.taken:
            conv = scenario.conversation(JOAO)
            with scenario.db.tenant_session(scenario.tenant_id) as session:
                take(session, session.get(type(conv), conv.id), agent_id)
        return real_call(box, name, arguments)

    scenario.say("estou sem internet", JOAO)  # suspended for debt: the AI offers the trust unlock
    before = len(scenario.sent())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ToolBox, "call", take_just_before_the_unlock)
        scenario.say("sim", JOAO)  # confirms: the unlock would be the run's next SGP call
    assert scenario.sgp.unlocks == [] and scenario.sgp.requests_to("liberacaopromessa") == []
    assert scenario.sent()[before:] == []
    assert scenario.conversation(JOAO).status == "open"
    assert scenario.say("alguém aí?", JOAO) == []  # and it stays silent
    tools = [e.data["tool"] for e in scenario.events(JOAO, "tool_call")]
    assert "liberacao_confianca" not in tools


def test_model_engine_runs_show_an_intent_too(scenario: Scenario, model: Any) -> None:
    """The model names no intent; the inbox still says what the customer asked, from the offline NLU."""
    from tests.stubs.openai import text, tool_call

    model.script(tool_call("buscar_cliente", {}), text("Encontrei seu cadastro. Posso ajudar em mais algo?"))
    scenario.say("quero a segunda via", MARIA)
    ai = api_get(scenario, f"/api/v1/conversations/{scenario.conversation(MARIA).id}")["ai"]
    assert ai["last_intent"] == "fatura" and [t["name"] for t in ai["last_tools"]] == ["buscar_cliente"]
