"""Keyboard shortcuts of the inbox, as in Gmail and Chatwoot: j/k (or Alt+↓/Alt+↑ even while typing)
for the next/previous conversation, / for the search, a to take ("Assumir"), e (or Alt+E) to close
through the usual confirmation, and ? for the overlay that lists them. Letters typed in a text box stay
text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Live
from tests.browser.helpers import login, tab
from tests.browser.small_inbox import AGENT, CUSTOMERS, seed

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(live: Live, db: Any, browser: Any) -> Iterator[Any]:
    """The agent's inbox on a desktop screen, the three waiting conversations listed."""
    seed(db, live)
    context = browser.new_context(
        viewport={"width": 1360, "height": 800}, locale="pt-BR", timezone_id="America/Sao_Paulo"
    )
    page = login(context, live, AGENT)
    tab(page, "pending")
    expect(page.locator("a.conv-item")).to_have_count(len(CUSTOMERS))
    yield page
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def _listed(page: Any) -> list[str]:
    return [str(n) for n in page.locator("a.conv-item .conv-name").all_inner_texts()]


def _open_is(page: Any, name: str) -> None:
    page.wait_for_selector(f"#chat-name >> text={name}")
    page.wait_for_selector(f"a.conv-item[aria-current=true] >> text={name}")


def _leave_text_box(page: Any) -> None:
    """Opening a conversation puts the cursor in the reply box once it has loaded; after that, move it
    to the messages (before it, the opening would take the cursor back and the key would be typed)."""
    page.wait_for_selector("#chat[data-opened]", state="attached")
    page.locator("#chat-scroll").focus()


def test_j_k_and_alt_arrows_move_between_conversations(page: Any) -> None:
    first, second, third = _listed(page)
    page.keyboard.press("j")
    _open_is(page, first)
    page.keyboard.press("j")
    _open_is(page, second)
    page.keyboard.press("j")
    _open_is(page, third)
    page.keyboard.press("k")
    _open_is(page, second)
    # While typing (here a note: the conversation is not taken), letters are text — no "a" taking it,
    # no "e" closing it; Alt+arrows still move.
    page.locator("#composer-text").click()
    page.keyboard.type("já volto")
    assert page.locator("#composer-text").input_value() == "já volto"
    assert page.locator(".status-badge.status-pending").is_visible()
    assert page.locator("#close-dialog").is_hidden()
    _open_is(page, second)
    page.keyboard.press("Alt+ArrowUp")
    _open_is(page, first)
    page.keyboard.press("Alt+ArrowDown")
    _open_is(page, second)
    assert page.evaluate("document.activeElement.id") == "composer-text"


def test_slash_focuses_the_search(page: Any) -> None:
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "conv-search"
    assert page.locator("#conv-search").input_value() == "", "the / itself is not typed"
    page.keyboard.type("João")
    expect(page.locator("a.conv-item")).to_have_count(1)
    # In the reply box "/" opens the quick replies instead.
    page.locator("a.conv-item").first.click()
    page.wait_for_selector("#chat-name >> text=João")
    page.locator("#composer-text").press("/")
    assert page.evaluate("document.activeElement.id") == "composer-text"


def test_a_takes_the_conversation(page: Any) -> None:
    page.locator("a.conv-item", has_text="Ana Costa").click()
    page.wait_for_selector("#action-take")
    page.locator("#composer-blocked").wait_for()
    _leave_text_box(page)
    page.keyboard.press("a")
    page.wait_for_selector(".status-badge.status-open")
    page.wait_for_selector(".sys-event >> text=Carlos Souza assumiu a conversa")


def test_e_and_alt_e_close_through_the_confirmation(page: Any) -> None:
    page.locator("a.conv-item", has_text="Ana Costa").click()
    page.wait_for_selector("#action-take")
    page.click("#action-take")
    page.wait_for_selector("#action-close")
    # Alt+E works from the reply box; the confirmation opens, and cancelling closes nothing.
    page.locator("#composer-text").click()
    page.keyboard.press("Alt+e")
    page.wait_for_selector("#close-dialog[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#close-dialog", state="hidden")
    assert page.locator(".status-badge.status-open").is_visible()
    assert page.locator("#chat").is_visible(), "Esc in the confirmation closes only the confirmation"
    _leave_text_box(page)
    page.keyboard.press("e")
    page.wait_for_selector("#close-dialog[open]")
    page.fill("#close-reason", "Resolvido pelo teclado")
    page.click("#close-submit")
    page.wait_for_selector(".status-badge.status-closed")


def test_question_mark_opens_the_help_overlay(page: Any) -> None:
    page.locator("a.conv-item").first.click()
    page.wait_for_selector("#chat-name")
    _leave_text_box(page)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Atalhos de teclado")
    dialog.wait_for()
    text = dialog.inner_text()
    for line in (
        "Próxima conversa",
        "Conversa anterior",
        "Buscar conversas",
        "Assumir a conversa",
        "Encerrar a conversa",
        "Mostrar os atalhos",
    ):
        assert line in text, line
    for key in ("j", "k", "/", "a", "e", "?", "Esc"):
        assert dialog.locator("kbd", has_text=key).count(), key
    # Focus moves into the overlay and stays there.
    inside = "document.querySelector('#shortcuts-dialog').contains(document.activeElement)"
    assert page.evaluate(inside)
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    # While it is open, shortcuts do nothing; Esc closes it alone and gives the focus back.
    page.keyboard.press("j")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "chat-scroll"
    assert page.locator("#chat").is_visible(), "Esc on the overlay must not close the conversation"
    # The overlay can be opened without a keyboard shortcut too (the button on the empty screen).
    page.keyboard.press("Escape")
    page.wait_for_selector("#chat-empty", state="visible")
    page.click("#shortcuts-open")
    dialog.wait_for()
    page.click("#shortcuts-dialog [data-close]")
    dialog.wait_for(state="hidden")
