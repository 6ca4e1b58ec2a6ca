"""Never twice, never after a person took over: once-only SGP actions and "Assumir" mid-run."""

from __future__ import annotations

from typing import Any

import pytest

import assistant.runner
from models import AIAction
from models.lifecycle import take
from models.user import User
from tests.assistant.conftest import JOAO, MARIA, Scenario


def test_a_killed_worker_never_unlocks_twice(scenario: Scenario) -> None:
    """The row is committed before the SGP call: a run that finds it `started` (its worker died mid-call)
    does not call again — it hands off for a person to check."""
    scenario.say("estou sem internet", JOAO)
    conv = scenario.conversation(JOAO)
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        session.add(AIAction(tenant_id=scenario.tenant_id, conversation_id=conv.id,
                             action="liberacao_confianca", target="17410", status="started"))  # fmt: skip
    texts = scenario.say("sim", JOAO)
    assert scenario.sgp.unlocks == []
    assert texts and "(action_in_doubt)" in scenario.events(JOAO, "handoff")[0].reason


def test_unlock_asked_twice_in_a_conversation_is_done_once(scenario: Scenario) -> None:
    scenario.say("estou sem internet", JOAO)
    scenario.say("sim", JOAO)
    scenario.say("quero o desbloqueio da internet", JOAO)
    scenario.say("sim", JOAO)
    assert scenario.sgp.unlocks == ["17410"]
    assert len(scenario.sgp.requests_to("liberacaopromessa")) == 1


def test_taken_by_an_agent_mid_run_the_ai_says_nothing(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.enums import Role

    with scenario.db.tenant_session(scenario.tenant_id) as session:
        agent = User(tenant_id=scenario.tenant_id, email="bia@isp.test", name="Bia", role=Role.AGENT)
        agent.password_hash = "x"
        session.add(agent)
        session.flush()
        agent_id = agent.id
    real_think = assistant.runner.think

    def think_then_taken(engine: Any, turn: Any) -> Any:
        result = real_think(engine, turn)
        conv = scenario.conversation(MARIA)
        with scenario.db.tenant_session(scenario.tenant_id) as session:
            take(session, session.get(type(conv), conv.id), agent_id)  # "Assumir" while the AI thinks
        return result

    monkeypatch.setattr(assistant.runner, "think", think_then_taken)
    assert scenario.say("quero a segunda via", MARIA) == []
    assert scenario.conversation(MARIA).status == "open"
    assert [e.data["tool"] for e in scenario.events(MARIA, "tool_call")][:1] == ["buscar_cliente"]
