"""§7 failure scenarios on both engines, through the real path: bursts racing (two runs at once), the
SGP down, the model down mid-loop, and a wrong CPF never reaching the SGP. (Unknown tools and invalid
JSON arguments only exist on the model engine: `test_model_engine.py`.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest

import jobs.ai
from assistant.builtin import texts as t
from tests.assistant.conftest import LUCAS_CPF, MARIA, UNKNOWN, Scenario
from tests.stubs.openai import text, tool_call


@pytest.fixture(params=["builtin", "model"])
def engine(request: pytest.FixtureRequest, scenario: Scenario) -> Any:
    """The scenario's tenant on each engine in turn (the model one scripted through the OpenAI stub)."""
    if request.param == "model":
        return request.getfixturevalue("model")
    return None


def race(scenario: Scenario, conversation_id: int) -> list[str]:
    """Two workers picking up runs of the same conversation at the same moment."""
    start = threading.Barrier(2)
    results: list[str] = []

    def one() -> None:
        start.wait()
        results.append(jobs.ai.run(scenario.tenant_id, conversation_id))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(results)


def test_bursts_racing_are_answered_once(scenario: Scenario, engine: Any) -> None:
    if engine is not None:
        engine.script(
            tool_call("buscar_cliente", {}),
            text("Encontrei seu cadastro! Vou buscar sua fatura."),
        )
        engine.delay(0.4)  # the first run is still thinking when the second one starts
    else:
        scenario.sgp.delay(0.4)
    for message in ("oi", "tudo bem?", "preciso da fatura"):
        scenario.post(message, MARIA)
    conv = scenario.conversation(MARIA)
    assert race(scenario, conv.id) == ["answered", "busy"]
    (engine or scenario.sgp).delay(0)
    scenario.settle()  # the relayed on_message jobs and the follow-up find nothing new
    texts = [m["text"] for m in scenario.sent() if m["text"]]
    assert sum("Encontrei seu cadastro" in t for t in texts) == 1
    if engine is not None:
        first_user = [m for m in engine.chat_requests()[0]["messages"] if m["role"] == "user"][-1]
        assert first_user["content"] == "oi\ntudo bem?\npreciso da fatura"  # the burst read whole
        assert len(engine.chat_requests()) == 2
    else:
        assert len(scenario.sgp.requests_to("consultacliente")) == 1


def test_sgp_down_holding_message_and_handoff(scenario: Scenario, engine: Any) -> None:
    if engine is not None:
        engine.script(
            tool_call("segunda_via", {"contrato": "17402"}),
            text("Nosso sistema está instável agora, desculpe a demora."),
        )
    scenario.sgp.fail_next(40, 503)
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts  # never silence
    assert scenario.conversation(MARIA).status == "pending"
    assert "(sgp_unavailable)" in scenario.events(MARIA, "handoff")[0].reason
    failed = scenario.events(MARIA, "tool_call")[-1].data
    assert (failed["ok"], failed["error"]) == (False, "sgp_unavailable")


def test_model_down_in_the_middle_of_the_tool_loop(scenario: Scenario, model: Any) -> None:
    model.script(tool_call("buscar_cliente", {}))
    real_chat = model.chat

    def then_down(request: Any) -> Any:
        if len(model.chat_requests()) > 1:
            return model.json_response(model.error_body(500), 500)
        return real_chat(request)

    model.chat = then_down
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts == [t.HOLDING]
    assert "(ai_unavailable)" in scenario.events(MARIA, "handoff")[0].reason
    assert [e.data["tool"] for e in scenario.events(MARIA, "tool_call")] == ["buscar_cliente"]


def test_wrong_cpf_never_reaches_the_sgp(scenario: Scenario, engine: Any) -> None:
    if engine is not None:
        engine.script(
            tool_call("buscar_cliente", {"cpfcnpj": "529.982.247-24"}),
            text("Esse CPF parece ter um dígito errado. Pode conferir?"),
            tool_call("buscar_cliente", {"cpfcnpj": LUCAS_CPF}),
            text("Encontrei seu cadastro, Lucas!"),
        )
    else:
        scenario.say("quero a segunda via", UNKNOWN)  # asks for the CPF
    wrong = scenario.say("meu cpf é 529.982.247-24", UNKNOWN)
    assert wrong and ("não parece correto" in wrong[-1] or "dígito errado" in wrong[-1])
    assert scenario.conversation(UNKNOWN).status == "bot"  # answered kindly, not handed off
    right = scenario.say(f"ah, é {LUCAS_CPF}", UNKNOWN)
    assert right
    bodies = [r.body.decode() for r in scenario.sgp.requests_to("consultacliente")]
    assert not any("52998224724" in b or "529.982.247-24" in b for b in bodies)
    assert any("98765432100" in b or LUCAS_CPF in b for b in bodies)
    refused = [e.data for e in scenario.events(UNKNOWN, "tool_call") if e.data["error"] == "invalid_document"]
    if engine is not None:
        assert refused and "*" in refused[0]["arguments"]["cpfcnpj"]
