"""History recovery: gaps filled through the same ingest, without duplicates, resumable, observable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from werkzeug.wrappers import Request, Response

from integrations.channels.registry import get_adapter
from jobs.queues import connect
from jobs.relay import Relay
from jobs.sync import recover, recover_gap, start_sync
from models import Inbox, Message, OutboxEvent, SyncRun
from models.history import progress
from models.ingest import InboxRef, ingest
from models.outbound import Draft
from tests.channels.conftest import compose_message, drain, fast_forward, messages_of
from tests.stubs import EvolutionStub
from tests.stubs import evolution_payloads as evo
from tests.stubs import uazapi_payloads as uaz

T0 = 1764000000  # 2025-11-24T16:00:00Z


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def deliver(db: Any, redis_url: str, chat: Any, payload: Any) -> None:
    events = get_adapter(chat.channel).parse(payload)
    with db.tenant_session(chat.tenant_id) as session:
        ingest(session, InboxRef.of(session.get(Inbox, chat.inbox_id)), events)
    Relay(db, connect(redis_url)).relay()


class FlakyEvolution(EvolutionStub):
    """Fails the first request for page 4 with a 500, as a provider hiccup in the middle of a run."""

    failed = False

    def find_messages(self, request: Request, instance: str) -> Response:
        if (request.get_json(silent=True) or {}).get("page") == 4 and not self.failed:
            self.failed = True
            return self.json_response(self.error_body(500), 500)
        return super().find_messages(request, instance)


def test_500_message_gap_is_recovered_once_and_resumes_after_a_failure(  # type: ignore[no-untyped-def]
    jobctx, db, redis_url, make_chat, stubs
) -> None:
    """520 messages at Evolution, 20 of them already delivered by webhook; the gap covers 500. A 500
    on page 4 pauses the run; it resumes from its cursor (pages 1-3 are not fetched again). Result:
    exactly the 500 messages, each once, none notifying anyone, and a progress record at 100 %."""
    stubs["evolution"] = FlakyEvolution().start()
    chat = make_chat("evolution")
    chat.stub.seed_text_history(520, start=T0)
    for record in chat.stub.history[100:120]:  # these arrived by webhook before the drop
        deliver(db, redis_url, chat, chat.stub.envelope("messages.upsert", record))
    # the gap, plus recover_gap's 5-minute margins, spans messages 10..509
    assert recover_gap(chat.tenant_id, chat.inbox_id, iso(T0 + 15 * 60), iso(T0 + 504 * 60)) == "paused"
    with db.tenant_session(chat.tenant_id) as session:
        run = session.scalars(sa.select(SyncRun)).one()
        assert (str(run.status), run.processed, run.cursor["next"]) == ("queued", 150, "4")
        assert "Evolution respondeu 500" in run.error
    fast_forward(redis_url)
    drain(redis_url, "bulk")
    pages = [r.json["page"] for r in chat.stub.requests_to("/chat/findMessages")]
    assert pages == [1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10]
    rows = messages_of(db, chat.tenant_id)
    ids = sorted(m.provider_message_id for m in rows)
    assert ids == [f"3EB0HIST{i:04d}" for i in range(10, 510)]
    with db.tenant_session(chat.tenant_id) as session:
        run = session.get(SyncRun, run.id)
        shown = progress(run)
    expected = {"status": "done", "processed": 500, "imported": 480, "total": 500, "fraction": 1.0,
                "error": None, "reason": "reconnect"}  # fmt: skip
    assert {k: shown[k] for k in expected} == expected
    with db.platform_session() as session:
        created = session.scalars(
            sa.select(OutboxEvent.payload).where(OutboxEvent.topic == "message.created")
        ).all()
    assert len(created) == 500
    assert sum(1 for p in created if p["notify"]) == 20  # only the webhook deliveries notify
    with db.tenant_session(chat.tenant_id) as session:
        conv_last = session.scalar(sa.text("SELECT max(last_message_at) FROM conversations"))
    assert conv_last == datetime.fromtimestamp(T0 + 509 * 60, UTC)  # newest-first pages never move it back


def test_connection_drop_and_return_recovers_the_gap(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """open → close → open (webhooks): the return schedules recovery of what arrived while closed."""
    chat = make_chat("evolution")
    closed_at, back_at = T0, T0 + 31 * 60
    before = [evo.record(*evo.text_message(f"antiga {i}"), timestamp=T0 - 3600 - 60 * i) for i in range(5)]
    during = [
        evo.record(
            *evo.text_message(f"durante {i}"),
            timestamp=closed_at + 60 * (i + 1),
            message_id=f"3EB0GAP{i:02d}",
        )
        for i in range(30)
    ]
    chat.stub.seed_history(before + during)
    for state, at in (("open", T0 - 7200), ("close", closed_at), ("open", back_at)):
        payload = chat.stub.make_connection_webhook(state)
        payload["date_time"] = iso(at)
        deliver(db, redis_url, chat, payload)
    with db.platform_session() as session:
        inbox = session.get(Inbox, chat.inbox_id)
        assert inbox.connection_state == "open"
        assert inbox.last_disconnected_at == datetime.fromtimestamp(closed_at, UTC)
        assert inbox.connection_changed_at == datetime.fromtimestamp(back_at, UTC)
    drain(redis_url, "bulk")
    texts = sorted(m.text for m in messages_of(db, chat.tenant_id))
    assert texts == sorted(f"durante {i}" for i in range(30))
    [query] = [r.json for r in chat.stub.requests_to("/chat/findMessages")]
    assert query["where"]["messageTimestamp"]["gte"].startswith("2025-11-24T15:55")
    with db.tenant_session(chat.tenant_id) as session:
        run = session.scalars(sa.select(SyncRun)).one()
    assert (run.reason, str(run.status), run.imported) == ("reconnect", "done", 30)


def test_one_contact_history_keeps_media_and_skips_our_own_sends(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Uazapi: a contact's history with an image and a message we sent ourselves. The image is stored
    with its bytes; our message stays one row (matched by the provider id we stored)."""
    from jobs.outbound import send_message

    chat = make_chat("uazapi")
    sent_id = compose_message(db, chat, Draft(text="Olá, aqui é o suporte"))
    assert send_message(chat.tenant_id, sent_id) == "sent"
    image = uaz.media_record("image", caption="foto", message_id="3A7CIMG1", timestamp_ms=T0 * 1000)
    chat.stub.seed_media("3A7CIMG1", b"\xff\xd8 jpeg bytes", "image/jpeg")
    texts = [uaz.text_record(f"oi {i}", timestamp_ms=(T0 + i) * 1000) for i in range(3)]
    other = uaz.text_record("outro cliente", number="5521999998888", timestamp_ms=T0 * 1000)
    chat.stub.seed_history([image, *texts, other])
    run_id = start_sync(chat.tenant_id, chat.inbox_id, phone="+55 11 98765-4321")
    assert recover(chat.tenant_id, run_id) == "done"
    Relay(db, connect(redis_url)).relay()
    drain(redis_url)
    rows = messages_of(db, chat.tenant_id)
    assert sorted(m.text or "" for m in rows) == ["Olá, aqui é o suporte", "foto", "oi 0", "oi 1", "oi 2"]
    [img] = [m for m in rows if m.provider_message_id == "3A7CIMG1"]
    assert (img.media_status, img.media_size) == ("ready", len(b"\xff\xd8 jpeg bytes"))
    outbound = messages_of(db, chat.tenant_id, Message.direction == "outbound")
    assert [m.id for m in outbound] == [sent_id]
    assert chat.stub.requests_to("/message/find")[0].json["chatid"] == "5511987654321@s.whatsapp.net"
