"""CSAT sending: each channel's survey against its provider stub (with the fallbacks and the template
outside Meta's window), the statuses it goes through, and every reason it is cancelled or skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from integrations.channels.registry import get_adapter
from jobs.csat import expire_surveys, send_survey
from jobs.queues import connect
from jobs.relay import Relay
from models import Contact, Conversation, CsatSettings, CsatSurvey, Message
from models.csat_surveys import EMOJI_LINE, prepare_send
from models.enums import CloseKind, EventKind
from models.event import ConversationEvent
from models.inbox import Inbox
from models.ingest import InboxRef, ingest_delivery
from models.lifecycle import BOT, SYSTEM, close, lock, reopen
from tests.channels.conftest import drain, scheduled
from tests.factories import make_message

ROW_IDS = [f"csat:{n}" for n in range(1, 6)]
ROW_TITLES = ["😡 Péssimo", "😕 Ruim", "😐 Regular", "🙂 Bom", "🤩 Excelente"]
QUESTION = "De 1 a 5, como foi o atendimento da Fibra Norte?"


def configure(db: Any, tenant_id: int, **values: Any) -> None:
    with db.tenant_session(tenant_id) as session:
        row = session.scalar(sa.select(CsatSettings))
        if row is None:
            row = CsatSettings(tenant_id=tenant_id)
            session.add(row)
        row.question = QUESTION
        row.delay_seconds = 0
        for name, value in values.items():
            setattr(row, name, value)


def close_chat(db: Any, chat: Any, *, customer_wrote: bool = True, kind: str | None = None) -> None:
    with db.tenant_session(chat.tenant_id) as session:
        conv = lock(session, chat.conversation_id)
        if customer_wrote:
            make_message(session, conv, "minha internet voltou, obrigado")
        close(session, conv, BOT, reason="Resolvido", kind=kind)


def survey_of(db: Any, chat: Any) -> CsatSurvey | None:
    with db.tenant_session(chat.tenant_id) as session:
        return session.scalar(sa.select(CsatSurvey).where(CsatSurvey.conversation_id == chat.conversation_id))


def deliver(db: Any, redis_url: str) -> None:
    """Relay what the close recorded and run the jobs (scheduled ones fast-forwarded), relaying again
    what a job's own immediate relay left behind, as the worker's sweeper does in production."""
    relay = Relay(db, connect(redis_url))
    for _ in range(5):
        relay.relay()
        drain(redis_url)
        if not relay.relay():
            return
    drain(redis_url)


def survey_message(db: Any, chat: Any, survey: CsatSurvey) -> Message:
    with db.tenant_session(chat.tenant_id) as session:
        message = session.get(Message, survey.message_id)
        assert message is not None
        return message


def events(db: Any, chat: Any, kind: EventKind) -> list[ConversationEvent]:
    with db.tenant_session(chat.tenant_id) as session:
        return list(
            session.scalars(
                sa.select(ConversationEvent).where(
                    ConversationEvent.conversation_id == chat.conversation_id, ConversationEvent.kind == kind
                )
            )
        )


# --- what the customer sees, per channel -----------------------------------------------------------------


def test_cloud_sends_a_list_of_five(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Meta: a list (buttons allow only three) with the five rated rows, csat:1…csat:5, the tenant's text."""
    configure(db, tenant_id)
    chat = make_chat("whatsapp_cloud")
    close_chat(db, chat)
    deliver(db, redis_url)
    [body] = chat.stub.sent
    assert body["type"] == "interactive" and body["interactive"]["type"] == "list"
    assert body["interactive"]["body"]["text"] == QUESTION
    [section] = body["interactive"]["action"]["sections"]
    assert [r["id"] for r in section["rows"]] == ROW_IDS
    assert [r["title"] for r in section["rows"]] == ROW_TITLES
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "list"
    message = survey_message(db, chat, survey)
    assert message.conversation_id == chat.conversation_id and str(message.direction) == "outbound"
    assert message.provider_message_id and message.provider_message_id.startswith("wamid.")
    assert survey.sent_at is not None and survey.expires_at is not None
    [sent_event] = events(db, chat, EventKind.CSAT_SENT)
    assert sent_event.data["survey_id"] == survey.id and sent_event.data["form"] == "list"


def test_cloud_outside_window_template(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The customer last wrote 25 h ago: the approved Utility template goes out instead of the list."""
    configure(db, tenant_id, template_name="pesquisa_satisfacao")
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    close_chat(db, chat)
    deliver(db, redis_url)
    [body] = chat.stub.sent
    assert body["type"] == "template" and body["template"]["name"] == "pesquisa_satisfacao"
    assert body["template"]["language"] == {"code": "pt_BR"}
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "template"


def test_cloud_outside_window_no_template(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """No template configured: nothing reaches Meta and the survey says `window_closed`."""
    configure(db, tenant_id)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    close_chat(db, chat)
    deliver(db, redis_url)
    assert chat.stub.sent == []
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "skipped" and survey.reason == "window_closed"
    assert survey.message_id is None and events(db, chat, EventKind.CSAT_SENT) == []


def test_evolution_sends_a_list(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Evolution: sendList with the five rows (rowId csat:N)."""
    configure(db, tenant_id)
    chat = make_chat("evolution")
    close_chat(db, chat)
    deliver(db, redis_url)
    [call] = chat.stub.requests_to("/message/sendList")
    assert call.json["description"] == QUESTION
    rows = call.json["sections"][0]["rows"]
    assert [r["rowId"] for r in rows] == ROW_IDS and [r["title"] for r in rows] == ROW_TITLES
    assert chat.stub.requests_to("/message/sendText") == []
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "list"


def test_evolution_refusal_falls_back(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The instance answers 400 to sendList: the question and the emoji line go out as text, at once."""
    configure(db, tenant_id)
    chat = make_chat("evolution")
    chat.stub.refuse_interactive = True
    close_chat(db, chat)
    deliver(db, redis_url)
    assert len(chat.stub.requests_to("/message/sendList")) == 1
    [text] = chat.stub.requests_to("/message/sendText")
    assert text.json["text"] == f"{QUESTION}\n\n{EMOJI_LINE}"
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "emoji"
    message = survey_message(db, chat, survey)
    assert str(message.content_type) == "text" and message.payload["fallback_from"]["code"] == "http_400"
    assert "sendList is not supported" in message.payload["fallback_from"]["reason"]


def test_uazapi_sends_a_list_menu(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Uazapi: /send/menu type list, choices "title|id" under the section."""
    configure(db, tenant_id)
    chat = make_chat("uazapi")
    close_chat(db, chat)
    deliver(db, redis_url)
    [call] = chat.stub.requests_to("/send/menu")
    assert call.json["type"] == "list" and call.json["text"] == QUESTION
    assert call.json["choices"][1:] == [f"{t}|{i}" for t, i in zip(ROW_TITLES, ROW_IDS, strict=True)]
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "list"


def test_uazapi_refusal_falls_back(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """/send/menu answers 400: /send/text carries the emoji line, tracked under the same message id."""
    configure(db, tenant_id)
    chat = make_chat("uazapi")
    chat.stub.refuse_menus = True
    close_chat(db, chat)
    deliver(db, redis_url)
    assert len(chat.stub.requests_to("/send/menu")) == 1
    [text] = chat.stub.requests_to("/send/text")
    assert text.json["text"].endswith(EMOJI_LINE)
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "emoji"
    assert text.json["track_id"] == str(survey.message_id)


def test_telegram_sends_an_inline_keyboard(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Telegram: the question with one button per rating, callback_data csat:N; the message key is kept
    (chat:message) so capture can edit it."""
    configure(db, tenant_id)
    chat = make_chat("telegram")
    close_chat(db, chat)
    deliver(db, redis_url)
    [call] = chat.stub.requests_to("/sendMessage")
    assert call.json["text"] == QUESTION
    buttons = [row[0] for row in call.json["reply_markup"]["inline_keyboard"]]
    assert [b["callback_data"] for b in buttons] == ROW_IDS and [b["text"] for b in buttons] == ROW_TITLES
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "keyboard"
    assert survey_message(db, chat, survey).provider_message_id.startswith("111:")


@pytest.mark.parametrize("channel", ["evolution", "telegram"])
def test_emoji_style_sends_the_text_line(jobctx, db, redis_url, tenant_id, make_chat, channel) -> None:  # type: ignore[no-untyped-def]
    """style=emoji: no list or keyboard anywhere, the question and the emoji line."""
    configure(db, tenant_id, style="emoji")
    chat = make_chat(channel)
    close_chat(db, chat)
    deliver(db, redis_url)
    path = "/message/sendText" if channel == "evolution" else "/sendMessage"
    [call] = chat.stub.requests_to(path)
    assert call.json["text"] == f"{QUESTION}\n\n{EMOJI_LINE}" and "reply_markup" not in call.json
    survey = survey_of(db, chat)
    assert survey is not None and survey.form == "emoji" and str(survey.status) == "sent"


# --- statuses --------------------------------------------------------------------------------------------


def test_statuses_delivered_then_read(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Evolution's status webhooks for the survey message: delivered, then read; a late repeat of
    delivered does not move it back; `csat_sent` is written once."""
    configure(db, tenant_id)
    chat = make_chat("evolution")
    close_chat(db, chat)
    deliver(db, redis_url)
    survey = survey_of(db, chat)
    assert survey is not None
    provider_id = survey_message(db, chat, survey).provider_message_id
    with db.tenant_session(tenant_id) as session:
        inbox = InboxRef.of(session.get(Inbox, chat.inbox_id))
    adapter = get_adapter("evolution")
    seen = []
    for state in ("DELIVERY_ACK", "READ", "DELIVERY_ACK"):
        ingest_delivery(db, inbox, adapter.parse(chat.stub.make_status_webhook(provider_id, state)))
        current = survey_of(db, chat)
        assert current is not None
        seen.append(str(current.status))
    assert seen == ["delivered", "read", "read"]
    assert len(events(db, chat, EventKind.CSAT_SENT)) == 1


def test_send_failures_retried_then_failed(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Evolution answers 500 twice (retried with backoff, then sent); a provider always failing leaves the
    survey failed with the provider's reason."""
    from jobs.outbound import MAX_TRIES

    configure(db, tenant_id)
    chat = make_chat("evolution")
    chat.stub.fail_next(2, status=500)
    close_chat(db, chat)
    Relay(db, connect(redis_url)).relay()
    drain(redis_url)
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent"
    assert len(chat.stub.requests_to("/message/sendList")) == 3

    # another customer (the cooldown would skip a second survey to the first one)
    failing = _chat_for_new_contact(db, make_chat, "uazapi", "+5511911112222")
    failing.stub.fail_next(50, status=500)
    close_chat(db, failing)
    Relay(db, connect(redis_url)).relay()
    drain(redis_url)
    survey = survey_of(db, failing)
    assert survey is not None and str(survey.status) == "failed"
    assert survey.reason == "http_500" and f"após {MAX_TRIES} tentativas" in (survey.error or "")
    assert len(failing.stub.requests_to("/send/menu")) == MAX_TRIES


def _chat_for_new_contact(db: Any, make_chat: Any, channel: str, phone: str) -> Any:
    """A chat like `make_chat`'s, moved to a contact of its own."""
    chat = make_chat(channel)
    with db.tenant_session(chat.tenant_id) as session:
        contact = Contact(tenant_id=chat.tenant_id, name="Outra", phone_e164=phone, wa_id=phone.lstrip("+"))
        session.add(contact)
        session.flush()
        conv = session.get(Conversation, chat.conversation_id)
        assert conv is not None
        conv.contact_id = contact.id
        chat.contact_id = contact.id
    return chat


def test_expiry_job_expires_unanswered_surveys_only(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Past `expires_at`, a sent survey expires; one still within its time stays open."""
    configure(db, tenant_id, expiry_minutes=1)
    old, fresh = make_chat("telegram"), _chat_for_new_contact(db, make_chat, "evolution", "+5511933334444")
    for chat in (old, fresh):
        close_chat(db, chat)
    deliver(db, redis_url)
    with db.tenant_session(tenant_id) as session:
        session.execute(
            sa.update(CsatSurvey)
            .where(CsatSurvey.conversation_id == old.conversation_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert expire_surveys() == 1
    assert str(survey_of(db, old).status) == "expired"  # type: ignore[union-attr]
    assert str(survey_of(db, fresh).status) == "sent"  # type: ignore[union-attr]


# --- cancelled and skipped -------------------------------------------------------------------------------


def test_reopen_before_the_send_cancels(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Closed, then reopened within the delay: the survey is cancelled (`reopened`), nothing is sent; closing
    again schedules it anew."""
    configure(db, tenant_id, delay_seconds=60)
    chat = make_chat("telegram")
    close_chat(db, chat)
    with db.tenant_session(tenant_id) as session:
        reopen(session, lock(session, chat.conversation_id), SYSTEM, reason="cliente voltou")
    deliver(db, redis_url)
    assert chat.stub.requests_to("/sendMessage") == []
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "cancelled" and survey.reason == "reopened"
    with db.tenant_session(tenant_id) as session:
        close(session, lock(session, chat.conversation_id), BOT)
    again = survey_of(db, chat)
    assert again is not None and again.id == survey.id and str(again.status) == "scheduled"
    assert again.scheduled_for > survey.scheduled_for


def test_a_new_conversation_before_the_send_cancels(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The customer writes again before the survey's time: ingestion opens a new conversation, and the
    survey of the closed one is cancelled (`new_conversation`) instead of sent."""
    configure(db, tenant_id, delay_seconds=60)
    chat = make_chat("evolution")
    close_chat(db, chat)
    with db.tenant_session(tenant_id) as session:
        inbox = InboxRef.of(session.get(Inbox, chat.inbox_id))
    payload = chat.stub.make_text_webhook("caiu de novo a internet")
    report = ingest_delivery(db, inbox, get_adapter("evolution").parse(payload))
    assert report.created_messages
    with db.tenant_session(tenant_id) as session:  # its time has come
        session.execute(sa.update(CsatSurvey).values(scheduled_for=datetime.now(UTC)))
        survey_id = session.scalar(sa.select(CsatSurvey.id))
    assert send_survey(tenant_id, survey_id) == "cancelled"
    survey = survey_of(db, chat)
    assert survey is not None and survey.reason == "new_conversation"
    assert chat.stub.requests_to("/message/send") == []


def test_cooldown_one_survey_per_customer(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """One customer, two inboxes: after a survey went out, the next close within 24 h is skipped
    (`cooldown`); two closes waiting at once send one survey."""
    configure(db, tenant_id)
    first, second = make_chat("evolution"), make_chat("uazapi")
    assert first.contact_id == second.contact_id
    close_chat(db, first)
    deliver(db, redis_url)
    close_chat(db, second)
    survey = survey_of(db, second)
    assert survey is not None and str(survey.status) == "skipped" and survey.reason == "cooldown"

    third = _chat_for_new_contact(db, make_chat, "evolution", "+5511977778888")  # a fresh customer…
    fourth = make_chat("whatsapp_cloud")  # …on two inboxes, both closed before either survey is sent
    with db.tenant_session(tenant_id) as session:
        session.get(Conversation, fourth.conversation_id).contact_id = third.contact_id  # type: ignore[union-attr]
    close_chat(db, third)
    close_chat(db, fourth)
    deliver(db, redis_url)
    statuses = sorted(str(survey_of(db, c).status) for c in (third, fourth))  # type: ignore[union-attr]
    assert statuses == ["sent", "skipped"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("opted_out", "opted_out"),
        ("no_customer_message", "no_customer_message"),
        ("spam", "spam"),
        ("merge", "merge"),
    ],
)
def test_skipped_with_the_reason(jobctx, db, redis_url, tenant_id, make_chat, setup, reason) -> None:  # type: ignore[no-untyped-def]
    """Opted-out contacts, conversations without a customer message, spam and merged duplicates get no
    survey; the reason is stored and nothing reaches the provider."""
    configure(db, tenant_id)
    chat = make_chat("telegram")
    if setup == "opted_out":
        with db.tenant_session(tenant_id) as session:
            session.get(Contact, chat.contact_id).csat_opt_out = True  # type: ignore[union-attr]
    kind = {"spam": CloseKind.SPAM, "merge": CloseKind.MERGE}.get(setup)
    close_chat(db, chat, customer_wrote=setup != "no_customer_message", kind=kind)
    deliver(db, redis_url)
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "skipped" and survey.reason == reason
    assert chat.stub.requests_to("/sendMessage") == [] and scheduled(redis_url) == []


@pytest.mark.parametrize("where", ["tenant", "inbox"])
def test_no_survey_when_csat_is_off(jobctx, db, redis_url, tenant_id, make_chat, where) -> None:  # type: ignore[no-untyped-def]
    """CSAT off for the tenant, or for the inbox: no survey row at all; turned off after the close, the
    scheduled survey is cancelled (`disabled`) at its time."""
    configure(db, tenant_id, enabled=where != "tenant")
    chat = make_chat("telegram", csat_enabled=where != "inbox") if where == "inbox" else make_chat("telegram")
    close_chat(db, chat)
    assert survey_of(db, chat) is None

    configure(db, tenant_id, enabled=True)
    later = _chat_for_new_contact(db, make_chat, "evolution", "+5511955556666")
    close_chat(db, later)
    configure(db, tenant_id, enabled=False)
    deliver(db, redis_url)
    survey = survey_of(db, later)
    assert survey is not None and str(survey.status) == "cancelled" and survey.reason == "disabled"


def test_agent_team_and_ai_are_recorded_at_close(jobctx, db, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Closed by the AI with no human reply: handled_by_ai; the team at close time is kept."""
    from models.user import Team

    configure(db, tenant_id)
    chat = make_chat("telegram")
    with db.tenant_session(tenant_id) as session:
        team = Team(tenant_id=tenant_id, name="Suporte")
        session.add(team)
        session.flush()
        session.get(Conversation, chat.conversation_id).team_id = team.id  # type: ignore[union-attr]
        team_id = team.id
    close_chat(db, chat)
    survey = survey_of(db, chat)
    assert survey is not None and survey.team_id == team_id and survey.handled_by_ai is True
    assert survey.agent_id is None and str(survey.status) == "scheduled"


def test_a_job_of_an_earlier_schedule_does_nothing(jobctx, db, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """The job carries the schedule it was made for: after a reopen and a new close, the old job finds
    another schedule and leaves the survey to its own job."""
    configure(db, tenant_id, delay_seconds=60)
    chat = make_chat("telegram")
    close_chat(db, chat)
    first = survey_of(db, chat)
    assert first is not None
    with db.tenant_session(tenant_id) as session:
        reopen(session, lock(session, chat.conversation_id), SYSTEM)
        close(session, lock(session, chat.conversation_id), BOT)
    with db.tenant_session(tenant_id) as session:
        assert prepare_send(session, first.id, first.scheduled_for).action == "stale"
        assert prepare_send(session, first.id).action == "wait"
