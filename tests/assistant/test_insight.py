"""Every inbound customer message gets a stored intent and sentiment — with the AI or with a person —
read by `jobs.analysis` off the relay, never in the webhook request, and returned by the API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models.enums import Role
from models.lifecycle import take
from models.message import Message
from models.user import User
from tests.assistant.conftest import MARIA, RICARDO, Scenario, api_get
from tests.channels.conftest import drain


def customer_messages(scenario: Scenario, phone: str) -> list[Message]:
    conv = scenario.conversation(phone)
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        return list(
            session.scalars(
                sa.select(Message)
                .where(Message.conversation_id == conv.id, Message.direction == "inbound")
                .order_by(Message.id)
            )
        )


def take_conversation(scenario: Scenario, phone: str) -> None:
    with scenario.db.tenant_session(scenario.tenant_id) as session:
        agent = User(tenant_id=scenario.tenant_id, email="bia@isp.test", name="Bia", role=Role.AGENT)
        agent.password_hash = "x"
        session.add(agent)
        session.flush()
        conv = scenario.conversation(phone)
        take(session, session.get(type(conv), conv.id), agent.id)


def analyse(scenario: Scenario) -> None:
    scenario.settle()
    drain(scenario.redis_url, "bulk")


def test_a_message_to_a_person_is_read_too(scenario: Scenario) -> None:
    scenario.say("oi", RICARDO)
    take_conversation(scenario, RICARDO)
    before = len(scenario.sent())
    scenario.post("não estou feliz, minha internet caiu de novo 😡", RICARDO)
    analyse(scenario)
    last = customer_messages(scenario, RICARDO)[-1]
    assert (last.intent, last.sentiment) == ("sem_conexao", "negative")
    assert last.sentiment_score is not None and last.sentiment_score < 0
    assert len(scenario.sent()) == before  # the AI stayed silent: a person has it


def test_every_message_of_a_burst_is_read_not_only_the_last(scenario: Scenario) -> None:
    scenario.settings(burst_seconds=30.0)
    for text in ("boa tarde", "obrigado, vcs são ótimos"):
        scenario.post(text, MARIA)
    analyse(scenario)
    readings = [(m.intent, m.sentiment) for m in customer_messages(scenario, MARIA)]
    assert readings == [("saudacao", "neutral"), ("agradecimento", "positive")]


def test_reading_happens_off_the_webhook_request(scenario: Scenario) -> None:
    scenario.post("quero a segunda via", RICARDO)
    [message] = customer_messages(scenario, RICARDO)
    assert message.intent is None  # the webhook answered without reading it
    analyse(scenario)
    assert customer_messages(scenario, RICARDO)[0].intent == "fatura"


def test_sentiment_off_keeps_the_intent_only(scenario: Scenario) -> None:
    scenario.settings(analyse_sentiment=False, enabled=False)
    scenario.post("que ótimo atendimento, obrigado!", RICARDO)
    analyse(scenario)
    [message] = customer_messages(scenario, RICARDO)
    assert (message.intent, message.sentiment) == ("agradecimento", None)


def test_the_api_returns_the_reading(scenario: Scenario) -> None:
    scenario.settings(enabled=False)
    scenario.post("minha net ta horrivel, sem sinal desde ontem", RICARDO)
    analyse(scenario)
    conv = scenario.conversation(RICARDO)
    body: Any = api_get(scenario, f"/api/v1/conversations/{conv.id}/messages")
    [item] = [m for m in body["items"] if m["direction"] == "inbound"]
    assert item["intent"] == "sem_conexao" and item["sentiment"] == "negative"
    assert -1 <= item["sentiment_score"] < 0


def test_the_relay_hands_a_batch_over_in_one_job_per_tenant(scenario: Scenario) -> None:
    """An RQ job per message would cost the web process's relay more than reading the message."""
    from rq import Queue

    from jobs.queues import ANALYSIS, connect
    from jobs.relay import Relay
    from models import outbox_ops as topics
    from models.provisioning import create_tenant

    with scenario.db.platform_session() as session:
        other = create_tenant(session, slug="outra", name="Outra").id
    with scenario.db.platform_session() as session:
        for tenant, message_id, direction in [
            (scenario.tenant_id, 11, "inbound"),
            (other, 21, "inbound"),
            (scenario.tenant_id, 12, "inbound"),
            (scenario.tenant_id, 13, "outbound"),
        ]:
            topics.record(session, tenant, topics.MESSAGE_CREATED, message_id=message_id, conversation_id=1,
                          direction=direction, status="open", notify=True)  # fmt: skip
    redis = connect(scenario.redis_url)
    Queue(ANALYSIS, connection=redis).empty()
    Relay(scenario.db, redis).relay()
    jobs = Queue(ANALYSIS, connection=redis).jobs
    assert sorted((j.func_name, j.args) for j in jobs) == sorted([
        ("jobs.analysis.analyse_messages", (scenario.tenant_id, [11, 12])),
        ("jobs.analysis.analyse_messages", (other, [21])),
    ])  # fmt: skip
