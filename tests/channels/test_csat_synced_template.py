"""CSAT outside Meta's window with templates synced from Meta: an approved one goes out in the language
Meta approved it in; one Meta paused or no longer lists is not sent (`template_unavailable`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from integrations.channels.whatsapp_cloud_templates import MetaTemplate
from models.contact import Contact
from models.csat_surveys import template_parameters
from models.inbox import Inbox
from models.template_sync import apply_listing
from models.tenant import Tenant
from tests.channels.test_csat_send import close_chat, configure, deliver, survey_of

NAME = "pesquisa_satisfacao"


def synced(db: Any, chat: Any, *templates: MetaTemplate) -> None:
    with db.tenant_session(chat.tenant_id) as session:
        inbox = session.get(Inbox, chat.inbox_id)
        assert inbox is not None
        apply_listing(session, inbox, templates)


def assert_skipped(db: Any, chat: Any, reason: str) -> None:
    """Nothing reached Meta, and the survey says why."""
    assert chat.stub.sent == []
    survey = survey_of(db, chat)
    assert survey is not None and str(survey.status) == "skipped"
    assert survey.reason == reason


def meta(language: str, status: str = "approved", name: str = NAME, body: str = "Avalie") -> MetaTemplate:
    return MetaTemplate(name=name, language=language, status=status, category="UTILITY", body=body)


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
    assert_skipped(db, chat, "template_unavailable")


def test_template_variables_are_filled(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A body with {{1}} and {{2}}: the customer's first name and the company's name go as its parameters."""
    configure(db, tenant_id, template_name=NAME)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    synced(db, chat, meta("pt_BR", body="Olá {{1}}! Como foi seu atendimento na {{2}}? Responda de 1 a 5."))
    with db.tenant_session(chat.tenant_id) as session:
        session.get(Contact, chat.contact_id).name = "Maria Oliveira"  # type: ignore[union-attr]
        company = session.get(Tenant, chat.tenant_id).name  # type: ignore[union-attr]
    close_chat(db, chat)
    deliver(db, redis_url)
    [body] = chat.stub.sent
    assert body["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Maria"}, {"type": "text", "text": company}]}
    ]


def test_unfillable_template_is_skipped(jobctx, db, redis_url, tenant_id, make_chat) -> None:  # type: ignore[no-untyped-def]
    """A body asking for {{3}} (a protocol, say): nothing reaches Meta, skipped `template_variables`."""
    configure(db, tenant_id, template_name=NAME)
    chat = make_chat("whatsapp_cloud", inbound_ago=timedelta(hours=25))
    synced(db, chat, meta("pt_BR", body="Olá {{1}}, protocolo {{3}} da {{2}}: avalie de 1 a 5."))
    close_chat(db, chat)
    deliver(db, redis_url)
    assert_skipped(db, chat, "template_variables")


def test_template_parameters_rules() -> None:
    """No variables: none sent; a name unknown: "cliente"; named variables: refused (None)."""
    assert template_parameters("Avalie de 1 a 5", "Ana", "Fibra") == []
    assert template_parameters("Oi {{1}}", None, "Fibra") == ["cliente"]
    assert template_parameters("Oi {{ 1 }}, da {{2}}", "  José  da Silva", "Fibra") == ["José", "Fibra"]
    assert template_parameters("Oi {{nome}}", "Ana", "Fibra") is None
