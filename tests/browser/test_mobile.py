"""The inbox on a phone (390 × 844, touch): one pane at a time — list, then the conversation with a back
button, then the contact panel as a sheet over it. The header shows who the customer is, the reply box
takes the width, the top bar folds its links into a menu instead of wrapping, every control is a
thumb-sized target, Esc closes only the topmost layer, and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live, publish_screenshot, screenshot
from tests.browser.helpers import login, tab
from tests.browser.small_inbox import AGENT, seed

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 40
REPLY = "Já estou verificando, um momento."

# Controls outside the message flow: the top bar, the list's head, the chat's header and the reply box.
_SMALL_TARGETS = """([selector, min]) => [...document.querySelectorAll(selector)]
  .filter((el) => el.checkVisibility() && !el.closest('[hidden]'))
  .map((el) => ({el, box: el.getBoundingClientRect()}))
  .filter(({box}) => box.width > 0 && (box.width < min || box.height < min))
  .map(({el, box}) => `${el.id || el.className} ${Math.round(box.width)}×${Math.round(box.height)}`)
"""
CONTROLS = (
    ".topbar a, .topbar button, .list-head button, .list-head input, .list-head select, "
    "#chat .chat-header-bar button, #composer button, #composer textarea"
)
# The most lines any piece of an element's text is broken into (a wrapped link or label: two or more).
_LINES = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let most = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    most = Math.max(most, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size);
  }
  return most;
}"""
# Whether the first `n` characters of an element's text are painted inside its box (not cut by the ellipsis).
_PREFIX_VISIBLE = """(el, n) => {
  const text = el.firstChild;
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(text, n);
  const part = range.getBoundingClientRect();
  const box = el.getBoundingClientRect();
  return part.width > 0 && part.right <= box.right + 0.5 && box.right <= window.innerWidth;
}"""


def _small_targets(page: Any, selector: str) -> list[str]:
    """The visible controls matching `selector` that a thumb could miss (under 40 px either way)."""
    return list(page.evaluate(_SMALL_TARGETS, [selector, MIN_TARGET]))


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width} px wide at {PHONE['width']} px"


def _within_screen(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5, (selector, box)
    return box


def _topbar_on_one_line(page: Any) -> None:
    bar = page.locator(".topbar").bounding_box()
    assert bar is not None and bar["height"] <= 57, bar
    for item in page.locator(".topbar a:visible, .topbar button:visible").all():
        assert item.evaluate(_LINES) <= 1, f"{item.evaluate('(el) => el.outerHTML')} wraps"


def test_inbox_on_a_phone(live: Live, db: Any, browser: Any) -> None:
    seed(db, live)
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="pt-BR",
        timezone_id="America/Sao_Paulo",
    )
    page = login(context, live, AGENT)
    tab(page, "pending")
    page.wait_for_selector("a.conv-item >> text=Maria Oliveira")

    # The list alone fills the screen; the top bar keeps one line, its links folded into a menu.
    assert page.locator(".pane-list").is_visible() and page.locator(".pane-chat").is_hidden()
    _topbar_on_one_line(page)
    assert page.locator(".topnav").is_hidden()
    list_shot = screenshot(page, "mobile-01-list")
    page.tap(".menu-toggle")
    page.wait_for_selector(".topnav a >> text=Caixa de entrada")
    assert page.locator(".topbar button >> text=Sair").is_visible()
    page.keyboard.press("Escape")
    page.wait_for_selector(".topnav", state="hidden")
    assert _small_targets(page, CONTROLS) == []
    _no_sideways_scroll(page)

    # List → chat: the conversation replaces the list, with a back button; the header says who it is.
    page.locator("a.conv-item", has_text="Maria Oliveira").tap()
    page.wait_for_selector("#chat-name >> text=Maria Oliveira")
    assert page.locator(".pane-list").is_hidden()
    assert page.locator("#chat-back").is_visible()
    name = page.locator("#chat-name")
    assert name.evaluate("(el) => el.getBoundingClientRect().width") >= 150
    assert name.evaluate(_PREFIX_VISIBLE, len("Maria Oliveira"))
    sub = page.locator("#chat-header .chat-sub-text")
    assert sub.inner_text().startswith("+55 (11) 98765-4321")
    assert sub.evaluate(_PREFIX_VISIBLE, len("+55 (11) 98765-4321"))

    # Take it and reply: the text box takes the width, the send button sits under the thumb.
    page.tap("#action-take")
    page.wait_for_selector(".status-badge.status-open")
    box = page.locator("#composer-text")
    assert box.bounding_box()["width"] >= 300  # type: ignore[index]
    send = _within_screen(page, "#composer-send")
    assert send["y"] >= PHONE["height"] * 0.8 and send["x"] >= PHONE["width"] * 0.75, send
    assert _small_targets(page, CONTROLS) == []
    _no_sideways_scroll(page)

    # The popovers of the reply box fit the screen: emoji, quick replies, the template picker.
    page.tap("#composer-emoji")
    _within_screen(page, ".emoji-panel")
    assert _small_targets(page, ".emoji-panel button") == []
    page.tap(".emoji-panel .emoji >> nth=24")  # 👍
    page.wait_for_selector(".emoji-panel", state="hidden")
    box.fill("")
    box.type("/ol")
    page.wait_for_selector("#quick-replies .qr-item >> text=/ola")
    _within_screen(page, "#quick-replies")
    box.press("Escape")
    page.wait_for_selector("#quick-replies", state="hidden")
    assert page.locator("#chat").is_visible(), "Esc in the quick replies closes only them"
    page.evaluate("document.querySelector('#template-dialog').showModal()")
    _within_screen(page, "#template-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector("#template-dialog", state="hidden")
    _no_sideways_scroll(page)

    box.fill(REPLY)
    page.tap("#composer-send")
    live.wait(
        lambda: [r for r in live.stub.requests_to("/message/sendText") if r.json.get("text") == REPLY],
        what="sendText at Evolution",
    )
    page.wait_for_selector(f".msg-out:not(.msg-local) >> text={REPLY}")
    _no_sideways_scroll(page)
    chat_shot = screenshot(page, "mobile-02-chat")

    # Chat → contact panel, as a sheet over the conversation; Esc closes the sheet and nothing else.
    page.tap("#toggle-contact")
    page.wait_for_selector("#contact-name >> text=Maria Oliveira")
    sheet = _within_screen(page, "#contact-panel")
    assert sheet["width"] >= PHONE["width"] - 1, sheet
    _no_sideways_scroll(page)
    contact_shot = screenshot(page, "mobile-03-contact")
    page.keyboard.press("Escape")
    page.wait_for_selector("#contact-panel", state="hidden")
    assert page.locator("#chat").is_visible(), "Esc on the contact panel must not close the conversation"
    assert page.locator("#chat-name").inner_text().startswith("Maria Oliveira")

    # Back to the list.
    page.tap("#chat-back")
    page.wait_for_selector(".pane-list", state="visible")
    assert page.locator(".pane-chat").is_hidden()
    _no_sideways_scroll(page)

    # The account page fits too; so does the login page.
    page.goto(f"{live.url}/account")
    _topbar_on_one_line(page)
    _no_sideways_scroll(page)
    assert _small_targets(page, ".topbar a, .topbar button") == []
    anonymous = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="pt-BR")
    login_page = anonymous.new_page()
    login_page.goto(f"{live.url}/login")
    _no_sideways_scroll(login_page)
    assert login_page.locator("button[type=submit]").bounding_box()["height"] >= MIN_TARGET  # type: ignore[index]

    assert page.errors == [], page.errors  # type: ignore[attr-defined]
    publish_screenshot(list_shot, "inbox-mobile-list")
    publish_screenshot(chat_shot, "inbox-mobile-chat")
    publish_screenshot(contact_shot, "inbox-mobile-contact")
