"""The waiting queue and the contact panel in a real Chromium: "Em espera" longest wait first with
"esperando há…" against the tenant's SLA (in words, not colour alone), the sort choices, priority set
in the header and seen live by a colleague, search counts on every tab; the contact's own labels apart
from the conversation's, and the contact's other conversations (earlier / newer) kept current live."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from models import Contact, Conversation, Label, Tenant
from models.base import utcnow
from models.enums import ChannelType, ConversationStatus, Role
from models.provisioning import create_inbox, create_tenant, create_user
from tests.browser.conftest import Live, screenshot
from tests.browser.helpers import PASSWORD, login, tab
from tests.stubs import evolution as evo_stub

pytestmark = pytest.mark.browser
S = ConversationStatus
VIEWPORT = {"width": 1360, "height": 800}


@dataclass
class Office:
    tenant: int
    inbox_key: str
    inbox_secret: str
    convs: dict[str, int] = field(default_factory=dict)


@pytest.fixture()
def office(db: Any, live: Live) -> Office:
    """SLA of 10 minutes; three customers waiting 25, 6 and 1 minutes (the one waiting longest wrote
    least recently); Maria with an old closed conversation and a waiting one."""
    now = utcnow()
    with db.platform_session() as session:
        tenant = create_tenant(session, slug="provedor-fila", name="Provedor Fila")
        session.get(Tenant, tenant.id).sla_first_response_minutes = 10
        for email, name, role in [
            ("sofia@fila.com.br", "Sofia Supervisora", Role.SUPERVISOR),
            ("andre@fila.com.br", "André Admin", Role.ADMIN),
        ]:
            create_user(session, tenant_id=tenant.id, email=email, name=name, password=PASSWORD, role=role)
        credentials = {"base_url": live.stub.url, "api_key": evo_stub.API_KEY, "instance": "isp01"}
        inbox = create_inbox(
            session,
            tenant_id=tenant.id,
            channel=ChannelType.EVOLUTION,
            name="WhatsApp Suporte",
            credentials=credentials,
            ai_enabled=False,
        )
        session.add_all(
            [
                Label(tenant_id=tenant.id, name="Cliente VIP", color="#7c3aed"),
                Label(tenant_id=tenant.id, name="Sem internet", color="#dc2626"),
            ]
        )
        office = Office(tenant.id, inbox.webhook_key, inbox.webhook_secret)

        def conversation(key: str, name: str, phone: str, status: S, waited: int | None, last: int,
                         created: int = 0, contact: Contact | None = None) -> Contact:  # fmt: skip
            if contact is None:
                contact = Contact(tenant_id=tenant.id, name=name, phone_e164=phone)
                session.add(contact)
                session.flush()
            conv = Conversation(
                tenant_id=tenant.id,
                inbox_id=inbox.id,
                contact_id=contact.id,
                status=status,
                waiting_since=None if waited is None else now - timedelta(minutes=waited),
                last_message_at=now - timedelta(minutes=last),
                created_at=now - timedelta(minutes=created or last),
                closed_at=now - timedelta(minutes=last) if status == S.CLOSED else None,
            )
            session.add(conv)
            session.flush()
            office.convs[key] = conv.id
            return contact

        conversation("alice", "Alice Demorada", "+5511911110001", S.PENDING, 25, 30)
        conversation("bruno", "Bruno Meio", "+5511911110002", S.PENDING, 6, 20)
        conversation("carla", "Carla Recente", "+5511911110003", S.PENDING, 1, 1)
        alice = session.get(Conversation, office.convs["alice"]).contact
        conversation("alice_old", "-", "-", S.CLOSED, None, 60 * 24 * 3, contact=alice)
        maria = conversation("maria_old", "Maria Oliveira", "+5511987654321", S.CLOSED, None, 60 * 24 * 10)
        conversation("maria", "-", "-", S.PENDING, 2, 2, created=60, contact=maria)
    return office


def _names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("#conv-list a.conv-item .conv-name").all_inner_texts()]


def _wait_for_order(page: Any, expected: list[str]) -> None:
    page.wait_for_function(
        """(expected) => {
            const nodes = document.querySelectorAll('#conv-list a.conv-item .conv-name');
            const names = [...nodes].map((n) => n.textContent.trim());
            return JSON.stringify(names.slice(0, expected.length)) === JSON.stringify(expected);
        }""",
        arg=expected,
    )


def _item(page: Any, name: str) -> Any:
    return page.locator("#conv-list a.conv-item", has_text=name)


def test_waiting_queue_order_wait_sla_priority_and_counts(live: Live, office: Office, browser: Any) -> None:
    sofia_ctx = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    andre_ctx = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    sofia = login(sofia_ctx, live, "sofia@fila.com.br")
    andre = login(andre_ctx, live, "andre@fila.com.br")

    # "Em espera" (a supervisor's first tab): the longest wait first, though Carla wrote last.
    sofia.wait_for_selector("#tab-pending[aria-selected=true]")
    _wait_for_order(sofia, ["Alice Demorada", "Bruno Meio", "Maria Oliveira", "Carla Recente"])
    assert sofia.locator("#conv-sort").input_value() == "waiting"
    late = _item(sofia, "Alice Demorada").locator(".wait")
    assert late.get_attribute("class") == "wait wait-late"
    assert re.fullmatch(r"esperando há 2[56] min · SLA estourado", late.inner_text().strip())
    warn = _item(sofia, "Bruno Meio").locator(".wait")
    assert warn.get_attribute("class") == "wait wait-warn"
    assert re.fullmatch(r"esperando há [67] min · SLA em [34] min", warn.inner_text().strip())
    fresh = _item(sofia, "Carla Recente").locator(".wait")
    assert fresh.get_attribute("class") == "wait wait-ok"
    assert re.fullmatch(r"esperando há [12] min", fresh.inner_text().strip())
    screenshot(sofia, "queue-waiting")

    # "Mais recentes": newest activity first.
    sofia.select_option("#conv-sort", "recent")
    _wait_for_order(sofia, ["Carla Recente", "Maria Oliveira", "Bruno Meio", "Alice Demorada"])

    # Priority: set in the header, shown as a badge, seen live by a colleague, and sorted by.
    tab(andre, "pending")
    _item(sofia, "Carla Recente").click()
    sofia.wait_for_selector("#chat-name >> text=Carla Recente")
    assert sofia.locator("#action-priority").input_value() == "normal"
    sofia.select_option("#action-priority", "urgent")
    _item(sofia, "Carla Recente").locator(".priority-badge", has_text="Urgente").wait_for()
    _item(andre, "Carla Recente").locator(".priority-badge", has_text="Urgente").wait_for()
    sofia.wait_for_selector(".sys-event >> text=Prioridade alterada para Urgente por Sofia Supervisora")
    andre.select_option("#conv-sort", "priority")
    _wait_for_order(andre, ["Carla Recente", "Alice Demorada", "Bruno Meio", "Maria Oliveira"])

    # A search counts every tab, "Encerradas" included.
    assert sofia.locator("#tab-closed .tab-count").count() == 0  # no search: closed is not a to-do
    sofia.fill("#conv-search", "Alice")
    sofia.wait_for_selector("#tab-closed .tab-count >> text=1")
    assert sofia.locator("#tab-pending .tab-count").inner_text() == "1"
    tab(sofia, "closed")
    assert _names(sofia) == ["Alice Demorada"]

    for page in (sofia, andre):
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
    sofia_ctx.close()
    andre_ctx.close()


def _chips(page: Any, section: str) -> list[str]:
    return [c.strip() for c in page.locator(f"#{section}-labels .chip").all_inner_texts()]


def _edit_labels(page: Any, section: str, names: list[str]) -> None:
    page.click(f"#{section}-labels-edit")
    for box in page.locator(f"#{section}-labels label.check").all():
        box.locator("input").set_checked(box.inner_text().strip() in names)
    page.click(f"#{section}-labels button[type=submit]")
    page.wait_for_selector(f"#{section}-labels-edit")


def test_contact_panel_labels_and_other_conversations(live: Live, office: Office, browser: Any) -> None:
    sofia_ctx = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    andre_ctx = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    sofia = login(sofia_ctx, live, "sofia@fila.com.br")
    andre = login(andre_ctx, live, "andre@fila.com.br")
    current, old = office.convs["maria"], office.convs["maria_old"]
    for page in (sofia, andre):
        page.goto(f"{live.url}/#/c/{current}")
        page.wait_for_selector("#contact-name >> text=Maria Oliveira")
        page.wait_for_selector(f"#contact-earlier li[data-id='{old}']")
    assert sofia.locator("#contact-earlier li").count() == 1 and sofia.locator("#contact-newer").count() == 0

    # The contact's label and the conversation's label are edited and shown apart; a colleague with
    # the same customer open sees the contact's label arrive live.
    _edit_labels(sofia, "contact", ["Cliente VIP"])
    sofia.wait_for_selector("#contact-labels .chip >> text=Cliente VIP")
    _edit_labels(sofia, "conversation", ["Sem internet"])
    sofia.wait_for_selector("#conversation-labels .chip >> text=Sem internet")
    assert _chips(sofia, "contact") == ["Cliente VIP"] and _chips(sofia, "conversation") == ["Sem internet"]
    andre.wait_for_selector("#contact-labels .chip >> text=Cliente VIP")
    andre.wait_for_selector("#conversation-labels .chip >> text=Sem internet")
    screenshot(sofia, "contact-panel-labels")

    # From the old conversation: the contact's label is still there, the other conversation's is not,
    # and the waiting one is listed as newer, not as "anterior".
    sofia.click(f"#contact-earlier a[href='#/c/{old}']")
    sofia.wait_for_selector(f"#contact-newer li[data-id='{current}']")
    assert _chips(sofia, "contact") == ["Cliente VIP"] and _chips(sofia, "conversation") == []
    assert sofia.locator("#contact-earlier li").count() == 0

    # Live: a colleague takes the newer conversation (its status changes in the panel) and closes it;
    # the customer writes again, and the new conversation appears without a reload.
    andre.click("#action-take")
    newer = sofia.locator(f"#contact-newer li[data-id='{current}'] .status-badge")
    newer.locator("text=Em atendimento").wait_for()
    andre.click("#action-close")
    andre.click("#close-submit")
    newer.locator("text=Encerrada").wait_for()
    payload = live.stub.make_text_webhook(
        "Voltou a cair a internet",
        number="5511987654321",
        push_name="Maria Oliveira",
        timestamp=int(time.time()),
    )
    response = live.stub.fire_webhook(
        f"{live.url}/webhooks/evolution/{office.inbox_key}",
        payload,
        headers={"X-NioChat-Secret": office.inbox_secret},
    )
    assert response.status_code == 200, response.text
    sofia.locator("#contact-newer li").nth(1).wait_for()

    for page in (sofia, andre):
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
    sofia_ctx.close()
    andre_ctx.close()
