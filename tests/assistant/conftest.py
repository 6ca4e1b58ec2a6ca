"""Scenario fixtures for the attendant, on the real path: a webhook posted as Evolution → ingest → outbox
relay → `jobs.ai` (RQ, run in-process by `drain`) → the SGP stub → outgoing messages at the Evolution
stub. `Scenario.say(text, phone=...)` is one customer message; `replies()` what the customer received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from jobs.queues import connect
from jobs.relay import Relay
from models import AISettings, Conversation, ConversationEvent, SgpIntegration
from models.enums import ChannelType
from models.provisioning import create_inbox, create_tenant
from tests.channels.conftest import credentials_for, drain
from tests.channels.conftest import jobctx as jobctx  # the fixture, shared
from tests.stubs import EvolutionStub
from tests.stubs import sgp as sgp_stub
from tests.stubs.sgp import SgpStub

MARIA = "5511987654321"  # active but offline, contract 17402
JOAO = "5521998765432"  # suspended for debt, contract 17410
LUCAS_CPF = "987.654.321-00"  # active, online, one bill; his phone is not a contact here
CARLA_CPF = "314.159.265-90"  # two contracts
FERNANDA = "5531991234567"  # POP outage
RICARDO = "5541988887777"  # nothing open
PEDRO_CPF = "271.828.182-05"  # suspended, promise already used
UNKNOWN = "5511900000000"


@dataclass
class Scenario:
    client: Any
    db: Any
    redis_url: str
    tenant_id: int
    inbox_id: int
    inbox_key: str
    inbox_secret: str
    evolution: EvolutionStub
    sgp: SgpStub

    def post(self, text: str, phone: str = MARIA, **kw: Any) -> None:
        self.post_payload(
            self.evolution.make_text_webhook(text, number=phone, timestamp=int(time.time()), **kw)
        )

    def post_payload(self, payload: dict[str, Any]) -> None:
        response = self.client.post(
            f"/webhooks/evolution/{self.inbox_key}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-NioChat-Secret": self.inbox_secret},
        )
        assert response.status_code == 200, response.data

    def say(self, text: str, phone: str = MARIA) -> list[str]:
        """One message, answered: returns the texts the customer received for it."""
        before = len(self.sent())
        self.post(text, phone)
        self.settle()
        return [m["text"] for m in self.sent()[before:] if m.get("text")]

    def relay_now(self) -> None:
        """Relay and run what is due now (the `on_message` jobs), leaving scheduled runs in their time."""
        from rq import SimpleWorker

        Relay(self.db, connect(self.redis_url)).relay()
        SimpleWorker(["ai"], connection=connect(self.redis_url)).work(burst=True, logging_level="WARNING")

    def settle(self, *, fork: bool = False) -> None:
        """What the worker's sweeper and workers do, until nothing is left."""
        relay = Relay(self.db, connect(self.redis_url))
        for _ in range(10):
            moved = relay.relay()
            drain(self.redis_url, fork=fork)
            if not moved and not relay.relay():
                return

    def sent(self) -> list[dict[str, Any]]:
        """What reached the provider, in order: {"kind": "text"|"media", "text", "number", "body"}."""
        out = []
        for req in self.evolution.requests:
            if "/message/send" not in req.path:
                continue
            body = req.json or {}
            kind = "text" if "sendText" in req.path else "media"
            out.append(
                {
                    "kind": kind,
                    "text": body.get("text") or body.get("caption"),
                    "number": body.get("number"),
                    "body": body,
                }
            )
        return out

    def conversation(self, phone: str = MARIA) -> Conversation:
        with self.db.tenant_session(self.tenant_id) as session:
            convs = session.scalars(sa.select(Conversation).order_by(Conversation.id.desc())).all()
            for conv in convs:
                if conv.contact.phone_e164 == f"+{phone}":
                    return conv
        raise AssertionError(f"no conversation for {phone}")

    def events(self, phone: str = MARIA, kind: str | None = None) -> list[ConversationEvent]:
        conv = self.conversation(phone)
        with self.db.tenant_session(self.tenant_id) as session:
            query = sa.select(ConversationEvent).where(ConversationEvent.conversation_id == conv.id)
            if kind:
                query = query.where(ConversationEvent.kind == kind)
            return list(session.scalars(query.order_by(ConversationEvent.id)))

    def settings(self, **values: Any) -> None:
        with self.db.tenant_session(self.tenant_id) as session:
            row = session.scalar(sa.select(AISettings))
            for key, value in values.items():
                setattr(row, key, value)

    def sgp_settings(self, **values: Any) -> None:
        with self.db.tenant_session(self.tenant_id) as session:
            row = session.scalar(sa.select(SgpIntegration))
            for key, value in values.items():
                setattr(row, key, value)


@pytest.fixture()
def sgp() -> Iterator[SgpStub]:
    stub = SgpStub().start()
    yield stub
    stub.stop()


@pytest.fixture()
def evolution() -> Iterator[EvolutionStub]:
    stub = EvolutionStub().start()
    yield stub
    stub.stop()


ALWAYS_OPEN = {
    "weekly": {str(d): [["00:00", "23:59"]] for d in range(1, 8)},
    "holidays": [],
    "national_holidays": False,  # open on a national holiday too: tests must not depend on the date
}


@pytest.fixture()
def scenario(
    jobctx: Any, client: Any, db: Any, redis_url: str, evolution: EvolutionStub, sgp: SgpStub
) -> Scenario:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="Provedor Fibra")
        tenant.business_hours = ALWAYS_OPEN
        tenant.persona = {"name": "Nina"}
        inbox = create_inbox(
            session, tenant_id=tenant.id, channel=ChannelType.EVOLUTION, name="WhatsApp",
            credentials=credentials_for("evolution", evolution),
        )  # fmt: skip
        session.flush()
        ai = session.scalar(sa.select(AISettings).where(AISettings.tenant_id == tenant.id))
        ai.provider, ai.burst_seconds = "builtin", 0
        session.add(
            SgpIntegration(tenant_id=tenant.id, base_url=sgp.url, app_name=sgp_stub.APP, token=sgp_stub.TOKEN)
        )
        session.flush()
        return Scenario(
            client,
            db,
            redis_url,
            tenant.id,
            inbox.id,
            inbox.webhook_key,
            inbox.webhook_secret,
            evolution,
            sgp,
        )


@pytest.fixture()
def model(scenario: Scenario) -> Iterator[Any]:
    """The scenario's tenant on the model engine, pointed at an OpenAI-compatible stub."""
    from tests.stubs.openai import API_KEY, OpenAIStub

    stub = OpenAIStub().start()
    scenario.settings(provider="openai", base_url=stub.base_url, api_key=API_KEY, model="gpt-4o-mini")
    yield stub
    stub.stop()


def api_get(scenario: Scenario, path: str) -> Any:
    """GET the REST API as an agent of the scenario's tenant (bearer token)."""
    from models.enums import Role
    from models.user import User
    from tests.api.clients import access_token

    with scenario.db.tenant_session(scenario.tenant_id) as session:
        user = User(tenant_id=scenario.tenant_id, email="ana@isp.test", name="Ana", role=Role.AGENT)
        user.password_hash = "x"
        session.add(user)
        session.flush()
        user_id = user.id
    token = access_token(scenario.client.application, scenario.db, user_id)
    response = scenario.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data
    return response.get_json()
