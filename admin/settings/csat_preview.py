"""The survey as the customer will see it, per channel, for the CSAT settings page.

Mirrors what issue #12 sends: Meta gets an interactive list of the five options (reply buttons stop at
three), Evolution and Uazapi their list/menu with the emoji line as the fallback, Telegram an inline
keyboard (`callback_data` `csat:N`); the "emoji" style sends the text line everywhere. Pure functions of
the settings values, so the page can preview unsaved edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

SCALE: tuple[tuple[int, str, str], ...] = (
    (1, "😡", "Péssimo"),
    (2, "😕", "Ruim"),
    (3, "😐", "Regular"),
    (4, "🙂", "Bom"),
    (5, "🤩", "Excelente"),
)
EMOJI_LINE = "Responda com um número de 1 a 5 ou um emoji: " + " · ".join(f"{e} {n}" for n, e, _l in SCALE)
LIST_BUTTON = "Avaliar"


@dataclass(frozen=True)
class Preview:
    channel: str  # a ChannelType value
    title: str
    kind: str  # list | keyboard | text
    body: str  # the tenant's question
    options: list[str] = field(default_factory=list)
    button: str | None = None  # the list's opening button
    notes: list[str] = field(default_factory=list)
    footer: str | None = None  # the emoji line, under the question, in the text style

    @property
    def text(self) -> str:
        """The message exactly as sent in the text style (question, blank line, emoji line)."""
        return f"{self.body}\n\n{self.footer}" if self.footer else self.body


def option_labels() -> list[str]:
    return [f"{emoji} {label}" for _n, emoji, label in SCALE]


def _text(channel: str, title: str, question: str, notes: list[str]) -> Preview:
    return Preview(channel, title, "text", question, notes=notes, footer=EMOJI_LINE)


def previews(values: Mapping[str, Any]) -> list[Preview]:
    """One preview per channel for these settings (`question`, `style`, `template_name`)."""
    question = str(values.get("question") or "").strip()
    emoji_style = values.get("style") == "emoji"
    template = str(values.get("template_name") or "").strip()
    window = (
        _("Fora da janela de 24 horas vai o modelo aprovado “%(name)s”.", name=template)
        if template
        else _("Fora da janela de 24 horas não é enviada (sem modelo aprovado configurado).")
    )
    meta_title = _("WhatsApp — API oficial da Meta")
    evo_title = _("WhatsApp — Evolution API e Uazapi")
    tg_title = _("Telegram")
    if emoji_style:
        return [
            _text("whatsapp_cloud", meta_title, question, [window]),
            _text("evolution", evo_title, question, []),
            _text("telegram", tg_title, question, []),
        ]
    options = option_labels()
    return [
        Preview("whatsapp_cloud", meta_title, "list", question, options, LIST_BUTTON, [window]),
        Preview(
            "evolution",
            evo_title,
            "list",
            question,
            options,
            LIST_BUTTON,
            [_("Se o servidor recusar a lista, vai a linha de emojis: “%(line)s”", line=EMOJI_LINE)],
        ),
        Preview("telegram", tg_title, "keyboard", question, options),
    ]
