"""Each ISP flow on the built-in engine, through the real path (webhook → job → SGP stub → provider)."""

from __future__ import annotations

from tests.assistant.conftest import CARLA_CPF, FERNANDA, JOAO, MARIA, Scenario


def test_bill_by_whatsapp_number(scenario: Scenario) -> None:
    texts = scenario.say("quero a segunda via", MARIA)
    joined = "\n".join(texts)
    assert "17402" in joined
    assert "R$ " in joined and "Linha digitável" in joined and "Boleto:" in joined
    assert any(t.startswith("000201") for t in texts)  # the PIX code, a message of its own
    assert texts[-1] == "Posso ajudar em mais alguma coisa?"
    media = [m for m in scenario.sent() if m["kind"] == "media"]
    assert media and media[0]["body"].get("mediatype") == "image"  # the QR code
    assert scenario.sgp.requests_to("consultacliente")
    assert scenario.conversation(MARIA).status == "bot"
    events = scenario.events(MARIA, "tool_call")
    assert [e.data["tool"] for e in events][:2] == ["buscar_cliente", "segunda_via"]
    assert events[1].reason == "IA consultou a 2ª via — contrato 17402"


def test_several_contracts_offer_a_choice_and_cpf_is_asked_once(scenario: Scenario) -> None:
    first = scenario.say("preciso da fatura", "5511900000000")
    assert "CPF" in first[-1]
    wrong = scenario.say("meu cpf é 314.159.265-91", "5511900000000")
    assert "não parece correto" in wrong[-1]
    choice = scenario.say(f"{CARLA_CPF}", "5511900000000")
    assert "17440" in choice[-1] and "17441" in choice[-1]
    bill = scenario.say("o primeiro", "5511900000000")
    assert any("Vencimento" in t for t in bill)
    events = scenario.events("5511900000000", "tool_call")
    masked = [e.data["arguments"].get("cpfcnpj") for e in events if e.data["tool"] == "buscar_cliente"]
    assert all(m is None or "*" in m for m in masked)


def test_outage_is_announced_without_ticket(scenario: Scenario) -> None:
    texts = scenario.say("estou sem internet", FERNANDA)
    assert any("manutenção" in t for t in texts)
    assert not scenario.sgp.requests_to("chamado")


def test_suspended_offers_trust_unlock_once(scenario: Scenario) -> None:
    texts = scenario.say("minha internet não funciona", JOAO)
    assert "liberação em confiança" in texts[-1]
    done = scenario.say("sim", JOAO)
    assert any("liberada" in t for t in done)
    assert scenario.sgp.unlocks == ["17410"]


def test_offline_guided_steps_then_ticket_with_protocol(scenario: Scenario) -> None:
    texts = scenario.say("to sem internet", MARIA)
    assert any("ONU" in t for t in texts) and "chamado" in texts[-1]
    done = scenario.say("sim", MARIA)
    assert any("protocolo" in t for t in done)
    assert len(scenario.sgp.requests_to("chamado")) == 1


def test_asking_for_a_person_hands_off(scenario: Scenario) -> None:
    texts = scenario.say("quero falar com um atendente", MARIA)
    assert texts
    conv = scenario.conversation(MARIA)
    assert conv.status == "pending"
    handoff = scenario.events(MARIA, "handoff")
    assert handoff and "(customer_request)" in handoff[0].reason
    assert scenario.say("alô?", MARIA) == []  # silent afterwards


def test_several_open_bills_oldest_first(scenario: Scenario) -> None:
    texts = scenario.say("quero a segunda via", JOAO)
    intro = next(t for t in texts if t.startswith("Você tem 2 faturas"))
    first, second = (line.split(" — ")[0].lstrip("• ") for line in intro.splitlines()[1:3])
    as_date = [tuple(reversed(d.split("/"))) for d in (first, second)]
    assert as_date[0] < as_date[1]
    assert sum(t.startswith("000201") for t in texts) == 2


def test_trust_unlock_respects_the_tenant_switch(scenario: Scenario) -> None:
    scenario.sgp_settings(allow_trust_unlock=False)
    scenario.say("estou sem internet", JOAO)
    assert scenario.sgp.unlocks == []
    assert scenario.conversation(JOAO).status == "pending"


def test_ticket_respects_the_tenant_switch(scenario: Scenario) -> None:
    scenario.sgp_settings(allow_open_ticket=False)
    scenario.say("to sem internet", MARIA)
    assert not scenario.sgp.requests_to("chamado")
    assert scenario.conversation(MARIA).status == "pending"


def test_runs_in_the_production_worker(scenario: Scenario) -> None:
    """The forking RQ worker (`niochat worker`) imports and runs jobs.ai like the in-process one."""
    scenario.post("quero a segunda via", MARIA)
    scenario.settle(fork=True)
    assert any(m["text"] == "Posso ajudar em mais alguma coisa?" for m in scenario.sent())


def test_tool_call_events_name_the_identified_contracts_pop(scenario: Scenario) -> None:
    """Carla has two contracts: the lookup by CPF names no POP; once she picks one (a later run, so the
    POP comes from the memory), the bill's event names POP CENTRO. Her CPF stays masked."""
    scenario.say("preciso da fatura", "5511900000000")
    scenario.say(f"{CARLA_CPF}", "5511900000000")
    scenario.say("o primeiro", "5511900000000")
    events = scenario.events("5511900000000", "tool_call")
    lookup = next(e.data for e in events if e.data["tool"] == "buscar_cliente" and e.data["ok"])
    assert "pop" not in lookup and "*" in lookup["arguments"]["cpfcnpj"]
    bill = next(e.data for e in events if e.data["tool"] == "segunda_via")
    assert (bill["contract"], bill["pop"]) == ("17440", "POP CENTRO")
