"""How a conversation ends, and a customer who wants no surveys, on a phone (375 px, touch): Carlos
closes one conversation as "Spam" in the Encerrar dialog (Resolvida is preselected; each choice is a
thumb-sized, labelled radio), which stores `close_kind = spam` and skips the CSAT survey; then he ticks
"Não enviar pesquisas de satisfação" in another customer's contact panel, which saves the contact row
and is still ticked after a reload."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from models import AuditLog, Contact, Conversation, CsatSurvey
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import login, tab
from tests.browser.small_inbox import AGENT, seed

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
MIN_TARGET = 40


def _fits(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5, (selector, box)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width} px wide at {PHONE['width']} px"


def _conversation_of(db: Any, tenant_id: int, name: str) -> Conversation:
    with db.tenant_session(tenant_id) as session:
        conv = session.scalar(sa.select(Conversation).join(Contact).where(Contact.name == name))
        assert conv is not None
        session.expunge(conv)
        return conv


def test_close_as_spam_and_opt_out_on_a_phone(live: Live, db: Any, browser: Any) -> None:
    """The dialog's choice reaches `close_kind` (no survey); the panel's box reaches `csat_opt_out`."""
    small = seed(db, live)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="pt-BR", timezone_id="America/Sao_Paulo"
    )
    page = login(context, live, AGENT)
    tab(page, "pending")
    page.locator("a.conv-item", has_text="Maria Oliveira").tap()
    page.tap("#action-take")
    page.wait_for_selector(".status-badge.status-open")

    # Encerrar: three labelled radios in a named group, "Resolvida" chosen, each big enough for a thumb.
    page.tap("#action-close")
    page.wait_for_selector("#close-dialog[open]")
    _fits(page, "#close-dialog")
    group = page.get_by_role("group", name="Como a conversa termina")
    assert group.get_by_role("radio", name="Resolvida").is_checked()
    spam = group.get_by_role("radio", name="Spam")
    assert not spam.is_checked() and not group.get_by_role("radio", name="Duplicada").is_checked()
    assert spam.get_attribute("aria-describedby") == "close-kind-spam-hint"
    for option in page.locator(".close-kind").all():
        box = option.bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET, box
    # The keyboard starts on the preselected choice and moves with the arrows, as native radios do.
    assert page.evaluate("document.activeElement.id") == "close-kind-resolved"
    page.keyboard.press("ArrowDown")
    assert spam.is_checked()
    page.keyboard.press("ArrowUp")
    assert group.get_by_role("radio", name="Resolvida").is_checked()
    page.locator(".close-kind", has_text="Spam").tap()  # anywhere on the choice, not only the dot
    assert spam.is_checked()
    screenshot(page, "close-kind-phone")
    page.tap("#close-submit")
    page.wait_for_selector("#close-dialog", state="hidden")
    page.wait_for_selector(".sys-event >> text=Encerrada como spam por Carlos Souza")

    maria = _conversation_of(db, small.tenant_id, "Maria Oliveira da Silva Albuquerque")
    assert (str(maria.status), maria.close_kind) == ("closed", "spam")
    with db.tenant_session(small.tenant_id) as session:
        survey = session.scalar(sa.select(CsatSurvey).where(CsatSurvey.conversation_id == maria.id))
        assert survey is not None and (str(survey.status), survey.reason) == ("skipped", "spam")

    # Another customer: "Não enviar pesquisas de satisfação" in the contact panel saves as it is ticked.
    page.tap("#chat-back")
    tab(page, "pending")
    page.locator("a.conv-item", has_text="João Pereira").tap()
    page.wait_for_selector("#chat-name >> text=João Pereira")
    page.tap("#toggle-contact")
    opt_out = page.get_by_role("checkbox", name="Não enviar pesquisas de satisfação")
    opt_out.wait_for()
    assert not opt_out.is_checked()
    _fits(page, "#contact-panel")
    label = page.locator(".contact-opt-out label").bounding_box()
    assert label is not None and label["height"] >= MIN_TARGET, label
    opt_out.tap()
    page.wait_for_selector(".toast >> text=Este contato não receberá mais pesquisas de satisfação.")
    joao = _conversation_of(db, small.tenant_id, "João Pereira")

    def opted_out() -> bool:
        with db.tenant_session(small.tenant_id) as session:
            return bool(session.scalar(sa.select(Contact.csat_opt_out).where(Contact.id == joao.contact_id)))

    live.wait(opted_out, what="contacts.csat_opt_out saved")
    with db.platform_session() as session:
        audit = session.scalar(sa.select(AuditLog).where(AuditLog.action == "contact.csat_opt_out"))
        assert audit is not None and audit.target_id == str(joao.contact_id)
        assert audit.data == {"channel": "web", "before": False, "after": True}
    assert opt_out.is_checked() and opt_out.is_enabled()
    screenshot(page, "contact-opt-out-phone")

    # Still ticked after a reload (read back from the contact API), and Maria's contact is untouched.
    page.reload()
    page.wait_for_selector("body.inbox-ready")
    page.wait_for_selector("#chat-name >> text=João Pereira")
    page.tap("#toggle-contact")
    page.get_by_role("checkbox", name="Não enviar pesquisas de satisfação").wait_for()
    assert page.get_by_role("checkbox", name="Não enviar pesquisas de satisfação").is_checked()
    with db.tenant_session(small.tenant_id) as session:
        assert session.scalar(sa.select(Contact.csat_opt_out).where(Contact.id == maria.contact_id)) is False

    assert page.errors == [], page.errors  # type: ignore[attr-defined]
    context.close()
