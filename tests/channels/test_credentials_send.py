"""An inbox whose credentials lack a sending field fails its sends at once, naming the field."""

from __future__ import annotations

from jobs.queues import connect
from jobs.relay import Relay
from models import Inbox
from models.outbound import Draft
from tests.channels.conftest import compose_message, drain, load_message


def test_send_with_incomplete_credentials_fails_at_once_naming_the_field(
    jobctx, db, redis_url, make_chat
) -> None:  # type: ignore[no-untyped-def]
    """No retry can fix an inbox's settings: failed on the first try, the reason names api_key."""
    chat = make_chat("evolution")
    with db.platform_session() as session:
        inbox = session.get(Inbox, chat.inbox_id)
        inbox.credentials = {k: v for k, v in inbox.credentials.items() if k != "api_key"}
    message_id = compose_message(db, chat, Draft(text="Olá"))
    Relay(db, connect(redis_url)).relay()
    drain(redis_url)
    msg = load_message(db, chat.tenant_id, message_id)
    assert str(msg.status) == "failed" and msg.send_attempts <= 1
    assert "api_key" in (msg.error_text or "") and msg.error_code == "credentials"
    assert chat.stub.requests_to("/message/send") == []
