"""Fixtures for the channel jobs: real stubs, one tenant with inboxes pointing at them, and RQ helpers.

Jobs read the database and Redis through `jobs.context`, which follows the settings the `settings`
fixture puts in the environment; the context is reset around each test so every test uses the test
database. Retries are scheduled with RQ's scheduler: `fast_forward` moves scheduled jobs to their
queues (as if their time had come) instead of sleeping through the backoff.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from jobs.queues import ALL_QUEUES, connect
from models import Contact, Conversation, Message
from models.enums import ChannelType, ConversationStatus
from models.lifecycle import BOT
from models.outbound import Draft, compose
from models.provisioning import create_inbox, create_tenant
from tests.stubs import EvolutionStub, StubServer, TelegramStub, UazapiStub, WhatsAppCloudStub
from tests.stubs import evolution as evo_stub
from tests.stubs import telegram as tg_stub
from tests.stubs import uazapi as uaz_stub
from tests.stubs import whatsapp_cloud as cloud_stub

CUSTOMER = "5511987654321"
TELEGRAM_CHAT = 111


@pytest.fixture()
def jobctx(settings: Any, db: Any, redis_url: str) -> Iterator[None]:
    import jobs.context

    shutil.rmtree(settings.instance_path / "media", ignore_errors=True)  # storage starts empty too
    jobs.context.reset()
    yield
    jobs.context.get_db().dispose()
    jobs.context.reset()


@pytest.fixture()
def stubs() -> Iterator[dict[str, StubServer]]:
    classes: dict[str, Callable[[], StubServer]] = {
        "evolution": EvolutionStub,
        "uazapi": UazapiStub,
        "whatsapp_cloud": WhatsAppCloudStub,
        "telegram": TelegramStub,
    }

    class _Lazy(dict[str, StubServer]):
        """Starts a provider's stub on first use; a test may put its own (started) subclass in first."""

        def __missing__(self, key: str) -> StubServer:
            self[key] = classes[key]().start()
            return self[key]

        def __setitem__(self, key: str, stub: StubServer) -> None:
            started.append(stub)
            super().__setitem__(key, stub)

    started: list[StubServer] = []
    yield _Lazy()
    for stub in started:
        stub.stop()


def credentials_for(channel: str, stub: StubServer) -> dict[str, Any]:
    if channel == "evolution":
        return {"base_url": stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
    if channel == "uazapi":
        return {"base_url": stub.url, "token": uaz_stub.TOKEN, "admin_token": uaz_stub.ADMIN_TOKEN}
    if channel == "whatsapp_cloud":
        return {
            "graph_base_url": f"{stub.url}/{cloud_stub.VERSION}",
            "access_token": cloud_stub.ACCESS_TOKEN,
            "phone_number_id": cloud_stub.PHONE_NUMBER_ID,
            "app_secret": cloud_stub.APP_SECRET,
        }
    return {"api_base_url": stub.url, "bot_token": tg_stub.BOT_TOKEN}


@dataclass
class Chat:
    """One inbox (pointing at its stub), one contact and an open conversation."""

    tenant_id: int
    inbox_id: int
    conversation_id: int
    contact_id: int
    channel: str
    stub: Any


@pytest.fixture()
def tenant_id(db: Any) -> int:
    with db.platform_session() as session:
        return int(create_tenant(session, slug="isp", name="ISP").id)


@pytest.fixture()
def make_chat(db: Any, tenant_id: int, stubs: dict[str, StubServer]) -> Callable[..., Chat]:
    def _make(channel: str, *, inbound_ago: timedelta = timedelta(minutes=5), **inbox_kw: Any) -> Chat:
        stub = stubs[channel]
        with db.tenant_session(tenant_id) as session:
            inbox = create_inbox(
                session,
                tenant_id=tenant_id,
                channel=ChannelType(channel),
                name=channel,
                credentials=credentials_for(channel, stub),
                **inbox_kw,
            )
            if channel == "telegram":
                key = Contact.telegram_chat_id == TELEGRAM_CHAT
                new = Contact(tenant_id=tenant_id, name="Ana", telegram_chat_id=TELEGRAM_CHAT)
            else:
                key = Contact.phone_e164 == f"+{CUSTOMER}"
                new = Contact(tenant_id=tenant_id, name="Maria", phone_e164=f"+{CUSTOMER}", wa_id=CUSTOMER)
            contact = session.scalar(sa.select(Contact).where(key))  # one person across inboxes
            if contact is None:
                contact = new
                session.add(contact)
                session.flush()
            conv = Conversation(
                tenant_id=tenant_id,
                inbox_id=inbox.id,
                contact_id=contact.id,
                status=ConversationStatus.OPEN,
                last_inbound_at=datetime.now(UTC) - inbound_ago,
            )
            session.add(conv)
            session.flush()
            return Chat(tenant_id, inbox.id, conv.id, contact.id, channel, stub)

    return _make


def compose_message(db: Any, chat: Chat, draft: Draft) -> int:
    with db.tenant_session(chat.tenant_id) as session:
        conv = session.get(Conversation, chat.conversation_id)
        message, _ = compose(session, conv, draft, BOT)
        return int(message.id)


def load_message(db: Any, tenant_id: int, message_id: int) -> Message:
    with db.tenant_session(tenant_id) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def messages_of(db: Any, tenant_id: int, *where: Any) -> list[Message]:
    with db.tenant_session(tenant_id) as session:
        return list(session.scalars(sa.select(Message).where(*where).order_by(Message.id)))


def scheduled(redis_url: str) -> list[tuple[str, float, tuple[Any, ...]]]:
    """(function, seconds from now, args) of every job waiting in RQ's scheduler."""
    conn = connect(redis_url)
    now = time.time()
    out = []
    for name in ALL_QUEUES:
        registry = ScheduledJobRegistry(name, connection=conn)
        for job_id in registry.get_job_ids():
            job = Job.fetch(job_id, connection=conn)
            when = registry.get_scheduled_time(job_id).timestamp()
            out.append((job.func_name, when - now, tuple(job.args)))
    return out


def fast_forward(redis_url: str) -> int:
    """Enqueue every scheduled job now, as if its delay had passed; returns how many."""
    conn = connect(redis_url)
    moved = 0
    for name in ALL_QUEUES:
        registry = ScheduledJobRegistry(name, connection=conn)
        queue = Queue(name, connection=conn)
        for job_id in registry.get_jobs_to_schedule(time.time() + 10**7):
            job = Job.fetch(job_id, connection=conn)
            registry.remove(job)
            queue.enqueue_job(job)
            moved += 1
    return moved


def drain(redis_url: str, group: str = "live", *, fork: bool = False, rounds: int = 20) -> None:
    """Run burst workers, fast-forwarding scheduled retries, until nothing is left to do.

    `fork=True` is the production worker (`jobs.worker.run_worker`: a work horse per job); the default
    runs the same queues through RQ in this process, which skips ~0.2 s of fork and warm-up per job.
    """
    from rq import SimpleWorker

    from jobs.queues import WORKER_GROUPS
    from jobs.worker import run_worker

    for _ in range(rounds):
        if fork:
            run_worker(redis_url, group, burst=True)
        else:
            conn = connect(redis_url)
            SimpleWorker(list(WORKER_GROUPS[group]), connection=conn).work(
                burst=True, logging_level="WARNING"
            )
        if not fast_forward(redis_url):
            return
    raise AssertionError("jobs kept rescheduling themselves")
