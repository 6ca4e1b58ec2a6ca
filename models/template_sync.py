"""Storing what Meta listed for one Cloud API inbox as its message templates.

A template bound to a Cloud inbox (`inbox_id` set) is that inbox's Meta template, whether it came from a
sync or was typed in by hand before syncing existed; a local template (`inbox_id` NULL) is ours and is
never read or written here. Rows are keyed like Meta keys them (inbox, name, language): a listed one is
created or brought up to date; one Meta no longer lists is marked `removed` (kept, so the messages that
used it still show its text, and a name typed in the CSAT settings keeps pointing at something readable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.enums import ChannelType
from models.inbox import Inbox
from models.reply import MessageTemplate

REMOVED = "removed"
APPROVED = "approved"


class ListedTemplate(Protocol):
    """What a sync needs of one listed template (`integrations.channels.whatsapp_cloud_templates`)."""

    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def components(self) -> list[dict[str, Any]]: ...


@dataclass
class SyncReport:
    """What a sync changed, by `name/language`, for the flash message and the audit row."""

    listed: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_audit(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
        }


def _label(name: str, language: str) -> str:
    return f"{name}/{language}"


def apply_listing(session: Session, inbox: Inbox, listed: Iterable[ListedTemplate]) -> SyncReport:
    """Upsert the inbox's Meta templates from Meta's listing; mark the ones it no longer lists removed.
    The inbox row is locked first, so two syncs of one inbox run one after the other."""
    if inbox.channel_type != ChannelType.WHATSAPP_CLOUD:
        raise ValueError("Só caixas da API oficial da Meta têm modelos sincronizados.")
    session.execute(sa.select(Inbox.id).where(Inbox.id == inbox.id).with_for_update())
    wanted = {(t.name, t.language): t for t in listed}  # Meta lists a name+language once; last one wins
    rows = {
        (row.name, row.language): row
        for row in session.scalars(sa.select(MessageTemplate).where(MessageTemplate.inbox_id == inbox.id))
    }
    report = SyncReport(listed=len(wanted))
    for key, template in sorted(wanted.items()):
        values = {
            "status": template.status,
            "category": template.category,
            "body": template.body,
            "components": list(template.components),
        }
        row = rows.get(key)
        if row is None:
            session.add(
                MessageTemplate(
                    tenant_id=inbox.tenant_id, inbox_id=inbox.id, name=key[0], language=key[1], **values
                )
            )
            report.created.append(_label(*key))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.updated.append(_label(*key))
    for key, row in sorted(rows.items()):
        if key not in wanted and row.status != REMOVED:
            row.status = REMOVED
            report.removed.append(_label(*key))
    session.flush()
    return report


def approved_template(
    session: Session, inbox_id: int, name: str, *, category: str | None = "UTILITY"
) -> MessageTemplate | None:
    """The inbox's approved Meta template of this name (pt_BR first, then any language), or None."""
    query = sa.select(MessageTemplate).where(
        MessageTemplate.inbox_id == inbox_id,
        MessageTemplate.name == name,
        MessageTemplate.status == APPROVED,
    )
    if category is not None:
        query = query.where(MessageTemplate.category == category)
    rows = list(session.scalars(query))
    rows.sort(key=lambda r: (r.language != "pt_BR", not r.language.startswith("pt"), r.language))
    return rows[0] if rows else None


def known_templates(session: Session, inbox_id: int, name: str) -> bool:
    """Whether the inbox has any Meta template of this name, in any status (synced or typed in)."""
    found = session.scalar(
        sa.select(sa.exists().where(MessageTemplate.inbox_id == inbox_id, MessageTemplate.name == name))
    )
    return bool(found)
