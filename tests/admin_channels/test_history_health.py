"""History recovery from the back office (queued, one at a time, progress) and the health card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from admin.inboxes import health, history
from jobs.scheduling import relay_now
from models import Message
from models.enums import DeliveryStatus, Direction, SenderKind
from models.outbound import Draft
from tests.channels.conftest import compose_message, drain, messages_of

T0 = 1764000000


def test_sync_is_queued_and_its_progress_is_readable(
    jobctx: Any, db: Any, redis_url: str, make_chat: Any
) -> None:
    """The run goes to the sync queue; a worker finishes it; the page reads 100 % from the SyncRun."""
    chat = make_chat("evolution")
    chat.stub.seed_text_history(120, start=T0)
    with db.tenant_session(chat.tenant_id) as session:
        run_id = history.start(session, chat.tenant_id, chat.inbox_id, since="2025-11-24")
        with pytest.raises(history.SyncStartError, match="andamento"):
            history.start(session, chat.tenant_id, chat.inbox_id)
        queued = history.runs(session, chat.inbox_id)
    assert queued[0]["id"] == run_id and queued[0]["status"] == "queued"
    assert queued[0]["since"] == "2025-11-24T00:00:00+00:00"
    drain(redis_url, "bulk")
    with db.tenant_session(chat.tenant_id) as session:
        done = history.runs(session, chat.inbox_id)[0]
    assert done["status"] == "done" and done["imported"] == 120 and done["fraction"] == 1.0


def test_sync_refusals_are_sentences(jobctx: Any, db: Any, make_chat: Any) -> None:
    """Telegram keeps no history, dates must parse and be in order."""
    tg, evo = make_chat("telegram"), make_chat("evolution")
    with db.tenant_session(tg.tenant_id) as session:
        with pytest.raises(history.SyncStartError, match="histórico"):
            history.start(session, tg.tenant_id, tg.inbox_id)
        with pytest.raises(history.SyncStartError, match="Data inválida"):
            history.start(session, evo.tenant_id, evo.inbox_id, since="ontem")
        with pytest.raises(history.SyncStartError, match="depois"):
            history.start(session, evo.tenant_id, evo.inbox_id, since="2025-12-02", until="2025-12-01")
        assert history.runs(session, evo.inbox_id) == []


def _fail(db: Any, chat: Any, text: str) -> int:
    message_id = compose_message(db, chat, Draft(text=text))
    with db.tenant_session(chat.tenant_id) as session:
        msg = session.get(Message, message_id)
        msg.status, msg.failed_at, msg.error_code, msg.error_text = (
            DeliveryStatus.FAILED, datetime.now(UTC), "500", "servidor fora",
        )  # fmt: skip
    return message_id


def test_health_card_lag_and_replay(jobctx: Any, db: Any, redis_url: str, make_chat: Any) -> None:
    """The card counts dead letters and shows the ingestion lag; replay sends only this inbox's
    failures again (an id from another inbox is ignored) and acknowledging files them away."""
    chat, other = make_chat("evolution"), make_chat("telegram")
    now = datetime.now(UTC)
    with db.tenant_session(chat.tenant_id) as session:
        for i, lag in enumerate((2, 4, 30)):
            session.add(Message(
                tenant_id=chat.tenant_id, conversation_id=chat.conversation_id, inbox_id=chat.inbox_id,
                direction=Direction.INBOUND, sender_kind=SenderKind.CONTACT, text=f"oi {i}",
                provider_message_id=f"IN{i}", provider_timestamp=now - timedelta(seconds=lag),
                created_at=now,
            ))  # fmt: skip
    failed = [_fail(db, chat, "a"), _fail(db, chat, "b")]
    foreign = _fail(db, other, "c")
    with db.tenant_session(chat.tenant_id) as session:
        card = health.card(session, chat.inbox_id)
        assert card["dead_letters"] == 2 and not card["ok"]
        assert card["lag"] == {"median_seconds": 4.0, "max_seconds": 30.0, "sample": 3}
        assert [f["id"] for f in health.failed_sends(session, chat.inbox_id)] == failed[::-1]
        replayed, outbox = health.replay(session, chat.inbox_id, [failed[0], foreign])
        assert replayed == [failed[0]] and outbox
        assert health.acknowledge(session, chat.inbox_id, [failed[1], foreign], user_id=None) == 1
        assert health.card(session, chat.inbox_id)["dead_letters"] == 0
    relay_now(outbox)  # after the commit, as the view does
    drain(redis_url)
    sent = messages_of(db, chat.tenant_id, Message.id == failed[0])[0]
    assert sent.status == DeliveryStatus.SENT and sent.provider_message_id
    assert messages_of(db, chat.tenant_id, Message.id == foreign)[0].status == DeliveryStatus.FAILED


def test_health_of_another_tenants_inbox_is_none(jobctx: Any, db: Any, make_chat: Any) -> None:
    """A tenant session sees no card, no failures for an inbox of another tenant."""
    from models.provisioning import create_tenant

    chat = make_chat("evolution")
    _fail(db, chat, "x")
    with db.platform_session() as session:
        other = create_tenant(session, slug="outro", name="Outro").id
    with db.tenant_session(other) as session:
        assert health.card(session, chat.inbox_id) is None
        assert health.failed_sends(session, chat.inbox_id) == []
        assert health.replay(session, chat.inbox_id, None) == ([], [])
