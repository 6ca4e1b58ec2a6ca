"""CSAT outside Meta's window with templates synced from Meta: an approved one goes out in the language
Meta approved it in; one Meta paused or no longer lists is not sent (`template_unavailable`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from integrations.channels.whatsapp_cloud_templates import MetaTemplate
from models.inbox import Inbox
from models.template_sync import apply_listing
from tests.channels.test_csat_send import close_chat, configure, deliver, survey_of

NAME = "pesquisa_satisfacao"


def synced(db: Any, chat: Any, *templates: MetaTemplate) -> None:
    with db.tenant_session(chat.tenant_id) as session:
        inbox = session.get(Inbox, chat.inbox_id)
        assert inbox is not None
        apply_listing(session, inbox, templates)


def meta(language: str, status: str = "approved", name: str = NAME) -> MetaTemplate:
    return MetaTemplate(name=name, language=language, status=status, category="UTILITY", body="Avalie")


def test_approved_synced_template_goes_in_its_language(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Only an en_US approval synced (the pt_BR one is pending): the survey template goes as en_US."""
    configure(db, tenant_id, template_name=NAME)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    synced(db, chat, meta("en_US"), meta("pt_BR", "pending"))
    close_chat(db, chat)
    deliver(db, redis_url)
    [body] = chat.stub.sent
    assert body["template"] == {"name": NAME, "language": {"code": "en_US"}}
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "sent" and survey.form == "template"


def test_pt_br_wins_when_both_are_approved(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Approved in en_US and pt_BR: the Brazilian one."""
    configure(db, tenant_id, template_name=NAME)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    synced(db, chat, meta("en_US"), meta("pt_BR"))
    close_chat(db, chat)
    deliver(db, redis_url)
    [body] = chat.stub.sent
    assert body["template"]["language"] == {"code": "pt_BR"}


def test_paused_or_removed_template_is_not_sent(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """Meta paused it: nothing reaches Meta and the survey is skipped `template_unavailable`."""
    configure(db, tenant_id, template_name=NAME)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    synced(db, chat, meta("pt_BR", "paused"))
    close_chat(db, chat)
    deliver(db, redis_url)
    assert chat.stub.sent == []
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "skipped"
    assert survey.reason == "template_unavailable"
