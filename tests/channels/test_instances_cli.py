"""Instances (QR/pair code, status, logout, webhook registration), health and the inbox commands."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from jobs.outbound import answer_callback, send_message
from models import Inbox
from models.outbound import Draft
from niochat.cli import cli, inbox_health, inboxes, manage  # noqa: F401  (registers the commands)
from tests.channels.conftest import compose_message

PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def inbox_row(db: Any, inbox_id: int) -> Inbox:
    with db.platform_session() as session:
        row = session.get(Inbox, inbox_id)
        assert row is not None
        return row


def test_connect_new_evolution_instance_shows_a_qr_code(jobctx, db, make_chat, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An instance Evolution does not know yet is created: its QR code is saved as a PNG, kept on the
    inbox for the UI, and the state 'connecting' is stored with its time."""
    chat = make_chat("evolution")
    with db.platform_session() as session:
        row = session.get(Inbox, chat.inbox_id)
        row.credentials = {**row.credentials, "instance": "novo"}
    qr = tmp_path / "qr.png"
    result = invoke("inbox", "connect", "--inbox", str(chat.inbox_id), "--qr-file", str(qr))
    assert result.exit_code == 0, result.output
    assert "Estado: connecting" in result.output and qr.read_bytes().startswith(PNG)
    row = inbox_row(db, chat.inbox_id)
    assert row.settings["qr_code"].startswith("data:image/png;base64,")
    assert row.connection_state == "connecting" and row.connection_changed_at is not None
    assert row.credentials["instance_token"] == chat.stub.instances["novo"]["token"]
    assert chat.stub.requests_to("/instance/create")[0].json["instanceName"] == "novo"


def test_uazapi_pair_code_status_and_logout(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Pairing by phone gives a code; status and logout update the inbox with timestamps."""
    chat = make_chat("uazapi")
    chat.stub.instances[chat.stub.token]["status"] = "disconnected"
    result = invoke(
        "inbox", "connect", "--inbox", str(chat.inbox_id), "--phone", "+55 11 99999-0000", "--json"
    )
    assert json.loads(result.output) == {
        "inbox_id": chat.inbox_id, "state": "connecting", "qr_code": None, "pair_code": "ABCD-1234",
    }  # fmt: skip
    assert chat.stub.requests_to("/instance/connect")[0].json == {"phone": "5511999990000"}
    chat.stub.instances[chat.stub.token]["status"] = "connected"  # the phone typed the code
    assert "Estado: open" in invoke("inbox", "status", "--inbox", str(chat.inbox_id)).output
    opened = inbox_row(db, chat.inbox_id)
    assert opened.connection_state == "open" and "pair_code" not in opened.settings
    assert invoke("inbox", "logout", "--inbox", str(chat.inbox_id)).exit_code == 0
    closed = inbox_row(db, chat.inbox_id)
    assert closed.connection_state == "close" and closed.last_disconnected_at is not None
    assert closed.connection_changed_at >= opened.connection_changed_at
    assert chat.stub.instances[chat.stub.token]["status"] == "disconnected"


def test_set_webhook_registers_our_url_and_secret(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Evolution gets our URL and the secret header; Telegram the secret_token; Meta explains itself."""
    evo, tg, meta = make_chat("evolution"), make_chat("telegram"), make_chat("whatsapp_cloud")
    for chat in (evo, tg):
        result = invoke("inbox", "set-webhook", "--inbox", str(chat.inbox_id))
        assert result.exit_code == 0, result.output
    evo_row, tg_row = inbox_row(db, evo.inbox_id), inbox_row(db, tg.inbox_id)
    hook = evo.stub.instances["isp01"]["webhook"]
    assert hook["url"] == f"http://testserver/webhooks/evolution/{evo_row.webhook_key}"
    assert hook["headers"] == {"X-NioChat-Secret": evo_row.webhook_secret} and hook["base64"] is True
    assert tg.stub.webhook["url"] == f"http://testserver/webhooks/telegram/{tg_row.webhook_key}"
    assert tg.stub.webhook["secret_token"] == tg_row.webhook_secret
    refused = CliRunner().invoke(cli, ["inbox", "set-webhook", "--inbox", str(meta.inbox_id)])
    assert refused.exit_code == 1 and "painel do app" in refused.output


def test_telegram_button_press_is_answered(jobctx, make_chat) -> None:  # type: ignore[no-untyped-def]
    chat = make_chat("telegram")
    assert answer_callback(chat.tenant_id, chat.inbox_id, "4382bfdwdsb323b2d9") is True
    assert chat.stub.answered_callbacks == ["4382bfdwdsb323b2d9"]


def test_sync_command_draws_progress_from_the_run(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """`inbox sync --contact` recovers one chat in the foreground and reports what the SyncRun says."""
    chat = make_chat("evolution")
    chat.stub.seed_text_history(120)
    chat.stub.seed_text_history(7, number="5521988887777")
    result = invoke("inbox", "sync", "--inbox", str(chat.inbox_id), "--contact", "11 98765-4321")
    assert result.exit_code == 0, result.output
    assert "Recuperando histórico" in result.output
    assert "done — 120 lidas, 120 novas" in result.output
    where = chat.stub.requests_to("/chat/findMessages")[0].json["where"]
    assert where == {"key": {"remoteJid": "5511987654321@s.whatsapp.net"}}
    refused = CliRunner().invoke(cli, ["inbox", "sync", "--inbox", str(make_chat("telegram").inbox_id)])
    assert refused.exit_code == 1 and "não guarda histórico" in refused.output


def test_health_dead_letters_replay_and_ack(jobctx, db, redis_url, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A failed send shows as a dead letter in `inbox health`; `replay --all` sends it; `ack` files one."""
    from tests.channels.conftest import drain

    chat = make_chat("evolution")
    chat.stub.missing_numbers.add("5511987654321")
    first = compose_message(db, chat, Draft(text="primeira"))
    second = compose_message(db, chat, Draft(text="segunda"))
    # The first's job sends the second too (it waited behind it), so the second's own job finds it done.
    assert [send_message(chat.tenant_id, i) for i in (first, second)] == ["failed", "skip"]
    pending = compose_message(db, chat, Draft(text="ainda na fila"))
    report = json.loads(invoke("inbox", "health", "--json").output)
    [health] = [h for h in report if h["inbox_id"] == chat.inbox_id]
    assert health["dead_letters"] == 2 and health["pending_outbound"] == 1
    assert health["oldest_pending_seconds"] >= 0 and health["connection_state"] == "unknown"
    assert health["unrelayed_outbox"] > 0  # nobody relayed the composes in this test
    text = invoke("inbox", "health").output
    assert "ATENÇÃO" in text and "falhas sem tratamento: 2" in text
    listed = json.loads(invoke("inbox", "failed", "--inbox", str(chat.inbox_id), "--json").output)
    assert {r["id"] for r in listed} == {first, second}
    assert "não tem WhatsApp" in listed[0]["error"]
    assert "1 falha(s) marcada(s)" in invoke("inbox", "ack", "--inbox", str(chat.inbox_id), str(first)).output
    chat.stub.missing_numbers.clear()
    assert "1 mensagem(ns)" in invoke("inbox", "replay", "--inbox", str(chat.inbox_id), "--all").output
    drain(redis_url)
    with db.tenant_session(chat.tenant_id) as session:
        rows = dict(session.execute(sa.text("SELECT id, status FROM messages")).all())
    # The replayed second goes, and the message written after it follows it out (never relayed here).
    assert rows == {first: "failed", second: "sent", pending: "sent"}
    [health] = json.loads(invoke("inbox", "health", "--json", "--tenant", "isp").output)[:1]
    assert health["dead_letters"] == 0


def test_read_marks_and_typing_reach_the_provider(jobctx, db, make_chat) -> None:  # type: ignore[no-untyped-def]
    """An agent opens the conversation (read marks for the customer's messages) and types."""
    from jobs.presence import mark_read, send_typing
    from models import Message

    chat = make_chat("evolution")
    with db.tenant_session(chat.tenant_id) as session:
        for mid in ("3EB0IN1", "3EB0IN2"):
            session.add(Message(tenant_id=chat.tenant_id, conversation_id=chat.conversation_id,
                                inbox_id=chat.inbox_id, direction="inbound", sender_kind="contact",
                                content_type="text", text="oi", provider_message_id=mid))  # fmt: skip
    assert mark_read(chat.tenant_id, chat.conversation_id) is True
    assert send_typing(chat.tenant_id, chat.conversation_id) is True
    read = chat.stub.requests_to("/chat/markMessageAsRead")[0].json["readMessages"]
    assert [r["id"] for r in read] == ["3EB0IN1", "3EB0IN2"]
    assert chat.stub.requests_to("/chat/sendPresence")[0].json["presence"] == "composing"
