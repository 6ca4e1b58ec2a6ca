"""Socket.IO fixtures: the app with in-process rooms (the Flask-SocketIO test client refuses a message
queue), the relay's emitter pointed at that server, and a small world of two tenants, two teams and the
users whose browsers must, or must not, hear about each conversation."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from models import User
from models.accounts import session_version
from models.enums import ChannelType, ConversationStatus, Role
from models.provisioning import create_inbox, create_team, create_tenant
from tests.factories import make_conversation
from web import realtime
from web.auth import session as web_session


@dataclass
class World:
    tenant: int
    other_tenant: int
    users: dict[str, int]  # admin; ana, carla (suporte); bruno (financeiro); zeca (other tenant); root
    teams: dict[str, int]
    pending_suporte: int  # waiting for team "suporte"
    foreign: int  # a conversation of the other tenant


@pytest.fixture()
def rt_app(app: Flask) -> Iterator[Flask]:
    realtime.init_app(app, None)
    # Domain events reach the test clients through the real rooms logic of jobs.realtime.Emitter.
    app.extensions["niochat"].relay.relay.emitter.manager = realtime.socketio.server
    yield app


@pytest.fixture()
def world(db: Any) -> World:
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="isp", name="ISP").id
        other = create_tenant(session, slug="outro", name="Outro").id
        users = {}
        # Rows built directly: the rooms never look at passwords, and hashing is slow.
        for key, role, tenant_of in [
            ("admin", Role.ADMIN, tenant),
            ("ana", Role.AGENT, tenant),
            ("bruno", Role.AGENT, tenant),
            ("carla", Role.AGENT, tenant),
            ("zeca", Role.AGENT, other),
            ("root", Role.SUPERADMIN, None),
        ]:
            user = User(
                tenant_id=tenant_of, email=f"{key}@x.com.br", name=key.title(), password_hash="x", role=role
            )
            session.add(user)
            session.flush()
            users[key] = user.id
        teams = {
            "suporte": create_team(
                session, tenant_id=tenant, name="Suporte", member_ids=[users["ana"], users["carla"]]
            ).id,
            "financeiro": create_team(
                session, tenant_id=tenant, name="Financeiro", member_ids=[users["bruno"]]
            ).id,
        }
        inbox = create_inbox(session, tenant_id=tenant, channel=ChannelType.EVOLUTION, name="WhatsApp")
        conv = make_conversation(session, tenant, inbox.id, phone="+5511987650001")
        conv.team_id = teams["suporte"]
        other_inbox = create_inbox(session, tenant_id=other, channel=ChannelType.EVOLUTION, name="WhatsApp")
        foreign = make_conversation(
            session, other, other_inbox.id, phone="+5511987650002", status=ConversationStatus.BOT
        )
        return World(tenant, other, users, teams, conv.id, foreign.id)


def sign_in(app: Flask, client: Any, user_id: int) -> None:
    """A fully authenticated browser session, written the way `web.auth.session.begin` writes it."""
    with app.extensions["niochat"].db.session() as session:
        user = session.get(User, user_id)
        version = session_version(user, app.config["SECRET_KEY"])
        tenant_id = user.tenant_id
    now = int(time.time())
    with client.session_transaction() as sess:
        sess.update(
            {
                web_session.UID: user_id,
                web_session.TID: tenant_id,
                web_session.VER: version,
                web_session.SID: secrets.token_urlsafe(12),
                web_session.AUTH_AT: now,
                web_session.SEEN: now,
                web_session.MFA: True,
            }
        )


@pytest.fixture()
def connect(rt_app: Flask) -> Callable[..., SocketIOTestClient]:
    """connect(user_id or None) → a Socket.IO test client carrying that user's session cookie."""

    def _connect(user_id: int | None) -> SocketIOTestClient:
        http = rt_app.test_client()
        if user_id is not None:
            sign_in(rt_app, http, user_id)
        return realtime.socketio.test_client(rt_app, flask_test_client=http)

    return _connect


def events(client: SocketIOTestClient, name: str | None = None) -> list[dict[str, Any]]:
    received = client.get_received()
    return [e for e in received if name is None or e["name"] == name]


def relay_all(app: Flask) -> int:
    """Publish the outbox rows the domain recorded, synchronously, through the real Emitter."""
    return int(app.extensions["niochat"].relay.relay.relay())


class RedisSpy:
    """Stands in for a Socket.IO manager's Redis client and forwards to it: each direct PUBLISH and each
    pipeline executed is one round trip, recorded with the messages it carried, in order."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.round_trips: list[list[str]] = []

    def publish(self, channel: str, message: str) -> Any:
        self.round_trips.append([message])
        return self.real.publish(channel, message)

    def pipeline(self, transaction: bool = True) -> PipelineSpy:
        return PipelineSpy(self, self.real.pipeline(transaction=transaction))


class PipelineSpy:
    def __init__(self, spy: RedisSpy, pipe: Any) -> None:
        self.spy, self.pipe = spy, pipe
        self.messages: list[str] = []

    def __enter__(self) -> PipelineSpy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pipe.reset()

    def publish(self, channel: str, message: str) -> None:
        self.messages.append(message)
        self.pipe.publish(channel, message)

    def execute(self) -> list[Any]:
        self.spy.round_trips.append(self.messages)
        return list(self.pipe.execute())


def spy_on(manager: Any) -> RedisSpy:
    """Connect a python-socketio Redis manager now and put a spy between it and Redis."""
    manager._redis_connect()
    manager.redis = RedisSpy(manager.redis)
    return manager.redis
