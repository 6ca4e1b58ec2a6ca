"""Meta message templates (`GET /{waba-id}/message_templates`) read into plain values we can store.

One item of Meta's `data[]`:
`{"name","language","status":"APPROVED","category":"UTILITY","id","components":[{"type":"HEADER",
"format":"TEXT","text"},{"type":"BODY","text":"Olá {{1}}"},{"type":"FOOTER","text"},{"type":"BUTTONS",
"buttons":[{"type":"QUICK_REPLY","text"}]}]}`. Statuses become our lowercase words (`approved`,
`pending`, `rejected`, `paused`, `disabled`, …); categories stay Meta's (`UTILITY`, `MARKETING`,
`AUTHENTICATION`). Only the BODY text is needed to send and preview a template; the other components
are kept as Meta gave them. An item without a name or a language is skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from integrations.channels.normalize import as_dict, opt_str

FIELDS = "name,language,status,category,components"
PAGE_LIMIT = 100
MAX_PAGES = 100  # 10,000 templates: far above Meta's cap per account; stops a looping cursor

# Meta's status → ours. Anything else (a status Meta adds later) is kept, lowercased.
STATUSES = {
    "APPROVED": "approved",
    "PENDING": "pending",
    "IN_APPEAL": "pending",
    "REJECTED": "rejected",
    "PAUSED": "paused",
    "DISABLED": "disabled",
    "LIMIT_EXCEEDED": "disabled",
    "PENDING_DELETION": "removed",
    "DELETED": "removed",
    "ARCHIVED": "removed",
}
CATEGORIES = frozenset({"UTILITY", "MARKETING", "AUTHENTICATION"})
# Meta's older category names, still returned for templates created before 2023.
_OLD_CATEGORIES = {"TRANSACTIONAL": "UTILITY", "ACCOUNT_UPDATE": "UTILITY", "OTP": "AUTHENTICATION"}
BODY_MAX = 1024


@dataclass(frozen=True)
class MetaTemplate:
    """One template of a WhatsApp Business Account, as our tables want it."""

    name: str
    language: str
    status: str
    category: str
    body: str
    components: list[dict[str, Any]] = field(default_factory=list)
    meta_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies it in an account: Meta allows one template per name and language."""
        return (self.name, self.language)


def map_status(value: Any) -> str:
    text = (opt_str(value) or "").strip().upper()
    return STATUSES.get(text, text.lower()[:16] or "pending")


def map_category(value: Any) -> str:
    text = (opt_str(value) or "").strip().upper()
    text = _OLD_CATEGORIES.get(text, text)
    return text[:32] if text else "UNKNOWN"  # never UTILITY by default: CSAT sends approved UTILITY ones


def body_text(components: Iterable[dict[str, Any]]) -> str:
    """The BODY component's text (with its `{{1}}` placeholders), or "" when there is none."""
    for component in components:
        if str(component.get("type") or "").upper() == "BODY":
            return (opt_str(component.get("text")) or "")[:BODY_MAX]
    return ""


def parse_template(item: Any) -> MetaTemplate | None:
    """One `data[]` item → MetaTemplate; None when it lacks a name or a language."""
    data = as_dict(item)
    name = (opt_str(data.get("name")) or "").strip()
    language = (opt_str(data.get("language")) or "").strip()
    if not name or not language:
        return None
    raw = data.get("components")
    components = [dict(c) for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []
    return MetaTemplate(
        name=name[:120],
        language=language[:16],
        status=map_status(data.get("status")),
        category=map_category(data.get("category")),
        body=body_text(components),
        components=components,
        meta_id=opt_str(data.get("id")),
    )


def parse_page(body: Any) -> tuple[list[MetaTemplate], str | None]:
    """One page of the listing → its templates and the `after` cursor of the next page (None: last)."""
    page = as_dict(body)
    items = page.get("data")
    templates = [t for t in map(parse_template, items if isinstance(items, list) else []) if t is not None]
    paging = as_dict(page.get("paging"))
    after = opt_str(as_dict(paging.get("cursors")).get("after"))
    return templates, (after if paging.get("next") and after else None)
