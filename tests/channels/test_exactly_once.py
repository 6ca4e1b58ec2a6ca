"""Never twice: a worker killed mid-send, lost answers, and concurrent runs of one message's job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import jobs.outbound
from integrations.channels.registry import get_adapter
from jobs.outbound import requeue_stalled, send_message
from jobs.queues import connect
from jobs.relay import Relay
from models import Inbox, delivery
from models.base import utcnow
from models.ingest import InboxRef, ingest
from models.outbound import Draft
from niochat.config import PROJECT_ROOT
from tests.channels.conftest import compose_message, drain, fast_forward, load_message, scheduled
from tests.stubs import whatsapp_cloud_payloads as cloud


def wait_for(predicate: Any, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def kill_session(session_id: int) -> int:
    """SIGKILL every process of a session: the RQ worker, its scheduler, and the work horse that makes
    the HTTP call (RQ puts the horse in a process group of its own, so killpg would miss it)."""
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == session_id:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (ProcessLookupError, PermissionError):
            continue
    return killed


def claim_long_ago(db: Any, tenant_id: int, message_id: int) -> None:
    """What a worker that died mid-send two minutes ago leaves behind: a committed, stale claim."""
    with db.tenant_session(tenant_id) as session:
        got = delivery.claim(session, message_id, now=utcnow() - timedelta(minutes=2))
    assert got.decision == delivery.Decision.SEND


def test_worker_killed_mid_send_still_sends_once(jobctx, db, redis_url, make_chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A real worker process is SIGKILLed while Evolution is answering. The next run waits while the
    claim is fresh, then reconciles with Evolution's history and stores the id: one message in all."""
    chat = make_chat("evolution")
    chat.stub.delay(1.5)
    message_id = compose_message(db, chat, Draft(text="Técnico a caminho"))
    Relay(db, connect(redis_url)).relay()
    worker = subprocess.Popen(
        [sys.executable, "-m", "niochat", "worker", "--group", "live", "--burst"],
        cwd=PROJECT_ROOT, env=os.environ.copy(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: chat.stub.requests_to("/message/sendText"), what="the send to reach Evolution")
        assert kill_session(worker.pid) >= 1  # the worker, mid-request (live jobs run in the worker itself)
    finally:
        worker.wait(timeout=10)
    chat.stub.delay(0)
    wait_for(lambda: chat.stub.history, timeout=5, what="Evolution to store the message")
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "pending" and msg.send_attempts == 1 and "sending" in msg.raw

    assert send_message(chat.tenant_id, message_id) == "busy"  # the claim is fresh: someone may be sending
    assert requeue_stalled() == 0
    monkeypatch.setattr(delivery, "CLAIM_TTL", timedelta(seconds=1))  # …and then the claim expires
    time.sleep(max(0.0, 1.05 - (utcnow() - msg.updated_at).total_seconds()))
    assert requeue_stalled() == 1
    drain(redis_url)
    assert len(chat.stub.requests_to("/message/sendText")) == 1
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "sent" and "sending" not in msg.raw
    assert [r["key"]["id"] for r in chat.stub.history] == [msg.provider_message_id]


def test_lost_answer_is_found_by_our_track_id(jobctx, db, redis_url, make_chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Uazapi takes longer than our timeout (the request left, the answer is lost): the check that
    follows finds the message by our id in Uazapi's history instead of sending it again."""
    monkeypatch.setattr(jobs.outbound, "SEND_TIMEOUT", httpx.Timeout(0.3, connect=2.0))
    chat = make_chat("uazapi")
    chat.stub.delay(0.8)
    message_id = compose_message(db, chat, Draft(text="Boleto enviado"))
    assert send_message(chat.tenant_id, message_id) == "uncertain"
    chat.stub.delay(0)
    wait_for(lambda: chat.stub.history, timeout=5, what="Uazapi to store the message")
    assert [f for f, _, _ in scheduled(redis_url)] == ["jobs.outbound.send_message"]
    fast_forward(redis_url)
    drain(redis_url)
    assert len(chat.stub.requests_to("/send/text")) == 1
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "sent" and msg.provider_message_id == chat.stub.history[0]["messageid"]


def test_answer_without_id_and_nothing_at_provider_is_sent_again(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Evolution answers without a message id (maybe sent); its history shows nothing of ours, so the
    retry is safe: two calls, one message."""
    chat = make_chat("evolution")
    chat.stub.fail_next(1, status=201, body={"status": "PENDING"})
    message_id = compose_message(db, chat, Draft(text="Plano alterado"))
    assert send_message(chat.tenant_id, message_id) == "uncertain"
    drain(redis_url)
    assert len(chat.stub.requests_to("/message/sendText")) == 2
    assert len(chat.stub.requests_to("/chat/findMessages")) == 1
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "sent" and [r["key"]["id"] for r in chat.stub.history] == [
        msg.provider_message_id
    ]


def test_without_a_lookup_a_maybe_sent_message_is_not_resent(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Telegram cannot tell whether a message arrived: rather than risk a duplicate, it fails with a
    reason telling the agent to check."""
    chat = make_chat("telegram")
    message_id = compose_message(db, chat, Draft(text="oi"))
    claim_long_ago(db, chat.tenant_id, message_id)
    assert send_message(chat.tenant_id, message_id) == "failed"
    assert chat.stub.requests == []
    msg = load_message(db, chat.tenant_id, message_id)
    assert msg.error_code == "maybe_sent" and "Confira a conversa" in msg.error_text


def test_meta_status_with_our_id_proves_a_maybe_sent_message(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Meta reports on a send whose answer we lost, echoing our id: the message takes Meta's id and
    moves on to delivered; the 'maybe sent' failure is lifted."""
    chat = make_chat("whatsapp_cloud")
    message_id = compose_message(db, chat, Draft(text="oi"))
    claim_long_ago(db, chat.tenant_id, message_id)
    assert send_message(chat.tenant_id, message_id) == "failed"
    webhook = cloud.envelope(
        statuses=[cloud.status("wamid.LOST1", "delivered", callback_data=str(message_id))]
    )
    events = get_adapter("whatsapp_cloud").parse(webhook)
    with db.tenant_session(chat.tenant_id) as session:
        report = ingest(session, InboxRef.of(session.get(Inbox, chat.inbox_id)), events)
    assert report.statuses_unmatched == 1
    Relay(db, connect(redis_url)).relay()
    drain(redis_url)
    msg = load_message(db, chat.tenant_id, message_id)
    assert (str(msg.status), msg.provider_message_id, msg.error_code) == ("delivered", "wamid.LOST1", None)
    assert msg.delivered_at is not None and chat.stub.sent == []


def test_status_before_the_send_commits_is_applied_later(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """'read' arrives for an id we have not stored yet; once the send stores it, the retry applies it."""
    chat = make_chat("whatsapp_cloud")
    message_id = compose_message(db, chat, Draft(text="oi"))
    events = get_adapter("whatsapp_cloud").parse(
        cloud.envelope(statuses=[cloud.status("wamid.EARLY", "read")])
    )
    with db.tenant_session(chat.tenant_id) as session:
        ingest(session, InboxRef.of(session.get(Inbox, chat.inbox_id)), events)
    Relay(db, connect(redis_url)).relay()
    with db.tenant_session(chat.tenant_id) as session:
        delivery.record_sent(session, message_id, "wamid.EARLY")
    drain(redis_url)
    assert str(load_message(db, chat.tenant_id, message_id).status) == "read"


@pytest.mark.parametrize("stale", [False, True])
def test_a_fresh_claim_keeps_others_away(jobctx, db, redis_url, make_chat, stale) -> None:  # type: ignore[no-untyped-def]
    """While one worker holds a fresh claim a second run only reschedules itself; requeue_stalled
    leaves it alone until the claim is stale."""
    chat = make_chat("evolution")
    message_id = compose_message(db, chat, Draft(text="oi"))
    with db.tenant_session(chat.tenant_id) as session:
        when = utcnow() - (timedelta(minutes=5) if stale else timedelta(0))
        delivery.claim(session, message_id, now=when)
    if stale:
        assert requeue_stalled() == 1
        drain(redis_url)  # Evolution's history has nothing of ours: sent now, once
        assert len(chat.stub.requests_to("/message/sendText")) == 1
    else:
        assert send_message(chat.tenant_id, message_id) == "busy"
        [(_, delay, _)] = scheduled(redis_url)
        assert 55 < delay <= 62 and chat.stub.requests == []
        assert requeue_stalled() == 0
