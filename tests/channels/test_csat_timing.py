"""The survey's delay is honoured by the production worker (RQ with its scheduler), measured: never early,
and typically within the issue's 5 s. RQ's scheduler looks once a second; the forked work horse, the
database and the provider's answer add the rest: 2–3 s on the shared 2-core test machine, up to 5 when
other test runs load it, so one survey may pass 5 s there (bench/csat.py measures the p95 under load)."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

import sqlalchemy as sa

from jobs.queues import connect
from jobs.relay import Relay
from models import Contact, Conversation, CsatSurvey
from niochat.config import PROJECT_ROOT
from tests.channels.test_csat_send import close_chat, configure

WORKER = "import sys; from jobs.worker import run_worker; run_worker(sys.argv[1], 'live')"
DELAY = 4


def _wait(predicate: Any, timeout: float, what: str) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_surveys_go_out_after_the_configured_delay(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Delay 4 s, three closes on three channels: never sent early; median within +5 s, none past +10 s."""
    configure(db, tenant_id, delay_seconds=DELAY)
    chats = [make_chat("telegram"), make_chat("evolution"), make_chat("uazapi")]
    with db.tenant_session(tenant_id) as session:  # the WhatsApp two are different customers
        other = Contact(tenant_id=tenant_id, name="Rui", phone_e164="+5511922223333", wa_id="5511922223333")
        session.add(other)
        session.flush()
        session.get(Conversation, chats[2].conversation_id).contact_id = other.id  # type: ignore[union-attr]
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, redis_url], cwd=PROJECT_ROOT, env=env)
    try:
        conn = connect(redis_url)
        _wait(lambda: conn.keys("rq:scheduler-lock:*"), 30, "the worker's scheduler")
        for chat in chats:
            close_chat(db, chat)
            Relay(db, conn).relay()
            time.sleep(0.7)

        def sent() -> list[Any]:
            with db.tenant_session(tenant_id) as session:
                rows = session.execute(
                    sa.select(Conversation.closed_at, CsatSurvey.sent_at, CsatSurvey.status).join(
                        CsatSurvey, CsatSurvey.conversation_id == Conversation.id
                    )
                ).all()
            return rows if all(r.sent_at is not None for r in rows) and len(rows) == 3 else []

        _wait(sent, 40, "three surveys sent")
        errors = [(r.sent_at - r.closed_at).total_seconds() - DELAY for r in sent()]
        assert min(errors) >= -0.5 and statistics.median(errors) <= 5.0 and max(errors) <= 10.0, errors
        assert {str(r.status) for r in sent()} == {"sent"}
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
