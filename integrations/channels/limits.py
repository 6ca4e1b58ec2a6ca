"""How long a message each channel accepts, so an agent learns it while typing, not from a failed send.

Telegram documents 4096 characters for a message's text and 1024 for a media caption (Bot API,
sendMessage/sendPhoto, counted after entity parsing). Meta's Cloud API documents the same figures for a
text body and a media caption; Evolution and Uazapi speak WhatsApp Web, which cuts captions and long
texts at about the same sizes, so every WhatsApp channel shares the Cloud API's limits. Lengths are
counted in Unicode code points (Python's `len`, the browser's `[...text].length`), the same on both
sides of the page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TextLimits:
    text: int  # a text message
    caption: int  # the text that goes with a file


WHATSAPP = TextLimits(text=4096, caption=1024)
TELEGRAM = TextLimits(text=4096, caption=1024)
DEFAULT = TextLimits(text=4096, caption=1024)  # a channel added later starts with the strictest known

CHANNEL_LIMITS: dict[str, TextLimits] = {
    "evolution": WHATSAPP,
    "uazapi": WHATSAPP,
    "whatsapp_cloud": WHATSAPP,
    "telegram": TELEGRAM,
}


def limits_for(channel_type: str) -> TextLimits:
    return CHANNEL_LIMITS.get(str(channel_type), DEFAULT)


def limits_table() -> dict[str, dict[str, int]]:
    """Every channel's limits as plain JSON, for the inbox page's composer."""
    return {channel: asdict(limits) for channel, limits in CHANNEL_LIMITS.items()}
