"""The model engine through the real path, with a scripted OpenAI-compatible stub: tool loop, guardrails
(facts only from tools), unknown tools, invalid JSON arguments, a wrong CPF, and the model down."""

from __future__ import annotations

from typing import Any

from integrations.sgp import format_brl
from tests.assistant.conftest import MARIA, Scenario
from tests.stubs.openai import text, tool_call
from tests.stubs.sgp_customers import scripted_customers


def maria_bill() -> Any:
    for customer in scripted_customers():
        for contract in customer.contracts:
            if contract.contract_id == "17402":
                return contract.bills[0]
    raise AssertionError


def tool_messages(model: Any) -> list[str]:
    return [m["content"] for m in model.chat_requests()[-1]["messages"] if m["role"] == "tool"]


def test_bill_with_tools_and_values_from_them(scenario: Scenario, model: Any) -> None:
    amount = format_brl(maria_bill().amount)
    model.script(
        tool_call("buscar_cliente", {}),
        tool_call("segunda_via", {"contrato": "17402"}),
        text(f"Sua fatura do contrato 17402 é de {amount}. Posso ajudar em mais alguma coisa?"),
    )
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts == [f"Sua fatura do contrato 17402 é de {amount}. Posso ajudar em mais alguma coisa?"]
    first = model.chat_requests()[0]
    assert first["messages"][0]["role"] == "system" and "Provedor Fibra" in first["messages"][0]["content"]
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "segunda_via",
        "liberacao_confianca",
        "encerrar",
    }
    assert [e.data["tool"] for e in scenario.events(MARIA, "tool_call")] == ["buscar_cliente", "segunda_via"]


def test_invented_value_is_corrected_once(scenario: Scenario, model: Any) -> None:
    amount = format_brl(maria_bill().amount)
    model.script(
        tool_call("segunda_via", {"contrato": "17402"}),
        text("Sua fatura é de R$ 79,90."),
        text(f"Sua fatura é de {amount}."),
    )
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts == [f"Sua fatura é de {amount}."]
    correction = model.chat_requests()[-1]["messages"][-1]
    assert correction["role"] == "user" and "R$ 79.90" in correction["content"]


def test_invented_value_twice_hands_off_with_ai_guardrail(scenario: Scenario, model: Any) -> None:
    model.script(
        tool_call("segunda_via", {"contrato": "17402"}),
        text("Sua fatura é de R$ 79,90 e vence em 05/01."),
        text("Seu protocolo é 99887766."),
    )
    texts = scenario.say("quero a segunda via", MARIA)
    assert all("79,90" not in t and "99887766" not in t for t in texts)
    assert texts  # a holding message, never silence
    assert scenario.conversation(MARIA).status == "pending"
    assert "(ai_guardrail)" in scenario.events(MARIA, "handoff")[0].reason


def test_unknown_tool_and_invalid_json_come_back_as_errors(scenario: Scenario, model: Any) -> None:
    model.script(
        tool_call("apagar_cliente", {"contrato": "17402"}),
        tool_call("segunda_via", "{contrato: 17402"),
        text("Desculpe, pode repetir?"),
    )
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts == ["Desculpe, pode repetir?"]
    errors = tool_messages(model)
    assert '"unknown_tool"' in errors[0] and '"invalid_arguments"' in errors[1]
    events = scenario.events(MARIA, "tool_call")
    assert [(e.data["tool"], e.data["ok"]) for e in events] == [
        ("apagar_cliente", False),
        ("segunda_via", False),
    ]


def test_wrong_cpf_is_refused_by_the_tool(scenario: Scenario, model: Any) -> None:
    model.script(
        tool_call("buscar_cliente", {"cpfcnpj": "529.982.247-24"}),
        text("Esse CPF parece ter um dígito errado. Pode conferir?"),
    )
    scenario.say("meu cpf é 529.982.247-24", "5511900000000")
    assert '"invalid_document"' in tool_messages(model)[0]
    assert not scenario.sgp.requests_to("consultacliente")  # never sent to the SGP
    masked = scenario.events("5511900000000", "tool_call")[0].data["arguments"]["cpfcnpj"]
    assert "247" not in masked and "*" in masked


def test_model_down_holding_message_and_handoff(scenario: Scenario, model: Any) -> None:
    model.fail_next(2, 500)  # the client's one retry, then give up
    texts = scenario.say("quero a segunda via", MARIA)
    assert texts and "atendente" in texts[0]
    assert len(model.chat_requests()) == 2
    assert "(ai_unavailable)" in scenario.events(MARIA, "handoff")[0].reason


def test_rate_limited_then_answers(scenario: Scenario, model: Any) -> None:
    model.fail_next(1, 429, headers={"retry-after": "0"})
    model.script(text("Olá! Como posso ajudar?"))
    assert scenario.say("oi", MARIA) == ["Olá! Como posso ajudar?"]


def test_bad_key_hands_off(scenario: Scenario, model: Any) -> None:
    scenario.settings(api_key="sk-wrong")
    texts = scenario.say("oi", MARIA)
    assert texts and scenario.conversation(MARIA).status == "pending"


def test_trust_unlock_needs_the_customers_yes(scenario: Scenario, model: Any) -> None:
    from tests.assistant.conftest import JOAO

    model.script(
        tool_call("buscar_cliente", {}),
        tool_call("status_conexao", {}),
        tool_call("liberacao_confianca", {}),  # too early: the customer has not said yes
        text("Sua conexão está suspensa por débito. Posso fazer a liberação em confiança? (sim/não)"),
        tool_call("liberacao_confianca", {"confirmado": True}),
        text("Pronto! Sua conexão foi liberada em confiança."),
    )
    first = scenario.say("minha internet parou", JOAO)
    assert first == ["Sua conexão está suspensa por débito. Posso fazer a liberação em confiança? (sim/não)"]
    assert '"confirmation_required"' in tool_messages(model)[-1]
    assert scenario.sgp.unlocks == []
    assert scenario.say("sim", JOAO) == ["Pronto! Sua conexão foi liberada em confiança."]
    assert scenario.sgp.unlocks == ["17410"]
    tools = [e.data["tool"] for e in scenario.events(JOAO, "tool_call")]
    assert tools == ["buscar_cliente", "status_conexao", "liberacao_confianca", "liberacao_confianca"]


def test_model_hands_off_through_its_tool(scenario: Scenario, model: Any) -> None:
    model.script(
        tool_call("transferir_para_humano", {"motivo": "sales", "detalhe": "quer plano de 1 giga"}),
        text("Vou te passar para o nosso time comercial!"),
    )
    assert scenario.say("quero contratar 1 giga", MARIA) == ["Vou te passar para o nosso time comercial!"]
    reason = scenario.events(MARIA, "handoff")[0].reason
    assert "(sales)" in reason and "1 giga" in reason


def test_an_empty_answer_is_never_silence(scenario: Scenario, model: Any) -> None:
    model.script(text(""), text(""))
    assert "não entendi" in scenario.say("hmm", MARIA)[0]
    assert scenario.say("hmm?", MARIA)
    assert scenario.conversation(MARIA).status == "pending"
