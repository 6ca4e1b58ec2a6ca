"""The rest of the built-in dialogue: memory across conversations, not understood, limits, receipts,
anger, and a message that arrives while a run is in progress."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

import assistant.runner
import jobs.ai
from models import OutboxEvent
from tests.assistant.conftest import MARIA, UNKNOWN, Scenario


def handoff_reason(scenario: Scenario, phone: str) -> str:
    return str(scenario.events(phone, "handoff")[-1].reason)


def test_next_conversation_confirms_last_contract(scenario: Scenario) -> None:
    scenario.say("quero a segunda via", MARIA)
    scenario.say("não, obrigado", MARIA)
    assert scenario.conversation(MARIA).status == "closed"
    texts = scenario.say("preciso da fatura", MARIA)
    assert texts == ["Da última vez falamos sobre o contrato 17402. É esse mesmo? (sim/não)"]
    assert any("Vencimento" in t for t in scenario.say("sim", MARIA))


def test_the_cpf_is_never_asked_twice(scenario: Scenario) -> None:
    assert "CPF" in scenario.say("quero a segunda via", UNKNOWN)[-1]
    scenario.say("não sei", UNKNOWN)
    texts = scenario.say("quero a segunda via", UNKNOWN)
    assert not any("CPF ou CNPJ" in t for t in texts)
    assert scenario.conversation(UNKNOWN).status == "pending"


def test_two_turns_not_understood_hand_off(scenario: Scenario) -> None:
    assert "não entendi" in scenario.say("xpto blargh", MARIA)[-1]
    scenario.say("zzz qwerty", MARIA)
    assert "(not_understood)" in handoff_reason(scenario, MARIA)


def test_max_bot_turns(scenario: Scenario) -> None:
    scenario.settings(max_bot_turns=1)
    scenario.say("oi", MARIA)
    scenario.say("oi de novo", MARIA)
    assert "(max_turns)" in handoff_reason(scenario, MARIA)


def test_strong_negative_sentiment_hands_off(scenario: Scenario) -> None:
    scenario.say("que serviço horrível, péssimo, estou revoltado, vocês são uma vergonha!", MARIA)
    assert "(negative_sentiment)" in handoff_reason(scenario, MARIA)


def test_payment_receipt_goes_to_financeiro_with_the_file(scenario: Scenario) -> None:
    from models.user import Team

    with scenario.db.tenant_session(scenario.tenant_id) as session:
        team = Team(tenant_id=scenario.tenant_id, name="Financeiro")
        session.add(team)
        session.flush()
        team_id = team.id
    scenario.settings(handoff_rules={"teams": {"financeiro": team_id}})
    scenario.evolution.seed_media("RECEIPT1", b"%PDF-1.4 receipt", "application/pdf", "comprovante.pdf")
    payload = scenario.evolution.make_media_webhook("document", message_id="RECEIPT1", number=MARIA,
                                                    timestamp=int(time.time()))  # fmt: skip
    scenario.post_payload(payload)
    scenario.settle()
    conv = scenario.conversation(MARIA)
    assert (conv.status, conv.team_id) == ("pending", team_id)
    assert "(payment_receipt)" in handoff_reason(scenario, MARIA)


def test_a_message_during_a_run_gets_a_follow_up(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second message arrives while the first run thinks; its own run finds the lock taken and
    leaves the flag, and the first run schedules the follow-up that answers it."""
    real = assistant.runner.think
    calls: list[str] = []

    def think_while_a_message_arrives(engine: Any, turn: Any) -> Any:
        calls.append(turn.text)
        if len(calls) == 1:
            scenario.post("quero a segunda via", MARIA)
            with scenario.db.platform_session() as session:  # its relay is the direct call below
                session.execute(sa.update(OutboxEvent).values(relayed_at=sa.func.now()))
            conv = scenario.conversation(MARIA)
            assert jobs.ai.run(scenario.tenant_id, conv.id) == "busy"
        return real(engine, turn)

    monkeypatch.setattr(assistant.runner, "think", think_while_a_message_arrives)
    scenario.say("oi", MARIA)
    scenario.settle()
    assert calls == ["oi", "quero a segunda via"]
    texts = [m["text"] for m in scenario.sent() if m["text"]]
    assert any("Olá" in t for t in texts) and any("Vencimento" in t for t in texts)


def test_a_run_handed_over_early_by_the_scheduler_still_answers(scenario: Scenario) -> None:
    """RQ's scheduler keeps due times in whole seconds, so the burst's job may start ~1 s early: it waits
    for the burst to end instead of returning "not_due" with nobody left to answer (seen on `make run`)."""
    from jobs.context import get_redis

    scenario.post("quero a segunda via", MARIA)
    conv = scenario.conversation(MARIA)
    get_redis().set(jobs.ai._key("due", conv.id), repr(time.time() + 1.0))
    started = time.monotonic()
    assert jobs.ai.run(scenario.tenant_id, conv.id) != "not_due"
    assert time.monotonic() - started >= 0.9  # it waited for the burst to end
    scenario.settle()
    assert any("Vencimento" in (m["text"] or "") for m in scenario.sent())
