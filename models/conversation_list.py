"""The inbox list: which conversations a user sees, filtered, counted per status and paged by keyset.

Filtering, ordering, counting and paging all happen in PostgreSQL under
`models.permissions.conversation_visibility`, so an agent's tab counts and pages can never include a
conversation they could not open. Paging is by keyset on the sort's keys (`Sort`: newest activity, longest
wait, priority), not OFFSET: new messages reorder the list while an agent scrolls, and a keyset neither
repeats nor skips a conversation that did not move.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from models.contact import Contact
from models.conversation import Conversation, ConversationLabel, ConversationRead
from models.csat_answers import csat_clause
from models.enums import ConversationStatus, Direction
from models.message import Message
from models.permissions import conversation_visibility
from models.search import contact_matches, message_text_matches
from models.user import User

NONE: Literal["none"] = "none"  # "no assignee" / "no team" as a filter value
PREVIEW_CHARS = 120


@dataclass(frozen=True)
class ConversationFilters:
    """None means "do not filter on this"; NONE means "only those without one"."""

    status: ConversationStatus | None = None
    inbox_id: int | None = None
    team_id: int | Literal["none"] | None = None
    assignee_id: int | Literal["none"] | None = None
    label_id: int | None = None
    q: str | None = None
    snoozed: bool = False  # False: the active lists, without snoozed ones; True: only "Adiadas"
    csat: str | None = None  # models.csat_answers.CSAT_FILTERS: answered, low (alerted), waiting


class Sort(StrEnum):
    """The orders an agent can choose. "Em espera" defaults to WAITING: the customer waiting longest is
    served first, whoever wrote last."""

    RECENT = "recent"  # newest activity first
    WAITING = "waiting"  # longest wait first (waiting_since), those not waiting last
    PRIORITY = "priority"  # urgent first, then the longest wait, then the oldest


@dataclass(frozen=True)
class SortKey:
    """One column of an order. NULLs always sort last, whatever the direction."""

    column: InstrumentedAttribute[Any]
    descending: bool = False
    nullable: bool = False


SORT_KEYS: dict[Sort, tuple[SortKey, ...]] = {
    Sort.RECENT: (SortKey(Conversation.last_message_at, True, True), SortKey(Conversation.id, True)),
    Sort.WAITING: (SortKey(Conversation.waiting_since, nullable=True), SortKey(Conversation.id)),
    Sort.PRIORITY: (
        SortKey(Conversation.priority_rank),
        SortKey(Conversation.waiting_since, nullable=True),
        SortKey(Conversation.id),
    ),
}


def default_sort(status: ConversationStatus | None) -> Sort:
    return Sort.WAITING if status == ConversationStatus.PENDING else Sort.RECENT


@dataclass(frozen=True)
class Position:
    """Where a page ended: the next page starts strictly after the row with these sort-key values."""

    sort: Sort
    values: tuple[Any, ...]


def filter_clauses(filters: ConversationFilters, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters (without visibility), shared by the page and the counts."""
    clauses: list[ColumnElement[bool]] = [
        Conversation.snoozed_until.is_not(None) if filters.snoozed else Conversation.snoozed_until.is_(None)
    ]
    if with_status and filters.status is not None:
        clauses.append(Conversation.status == filters.status)
    if filters.inbox_id is not None:
        clauses.append(Conversation.inbox_id == filters.inbox_id)
    if filters.team_id == NONE:
        clauses.append(Conversation.team_id.is_(None))
    elif filters.team_id is not None:
        clauses.append(Conversation.team_id == filters.team_id)
    if filters.assignee_id == NONE:
        clauses.append(Conversation.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        clauses.append(Conversation.assignee_id == filters.assignee_id)
    if filters.label_id is not None:
        clauses.append(
            sa.exists().where(
                ConversationLabel.conversation_id == Conversation.id,
                ConversationLabel.label_id == filters.label_id,
            )
        )
    if filters.csat is not None:
        clauses.append(csat_clause(filters.csat))
    term = (filters.q or "").strip()
    if term:
        clauses.append(
            sa.or_(
                sa.exists().where(Contact.id == Conversation.contact_id, contact_matches(term)),
                sa.exists().where(Message.conversation_id == Conversation.id, message_text_matches(term)),
            )
        )
    return clauses


def _order(sort: Sort) -> list[ColumnElement[Any]]:
    return [
        (key.column.desc() if key.descending else key.column.asc()).nulls_last() for key in SORT_KEYS[sort]
    ]


def _after(position: Position) -> ColumnElement[bool]:
    """Rows strictly after `position` in its sort: for some key, every earlier key is equal and this one
    comes later. With NULLs last, nothing comes after a NULL, and a NULL comes after every value."""
    ways: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for key, value in zip(SORT_KEYS[position.sort], position.values, strict=True):
        column = key.column
        if value is None:
            equal.append(column.is_(None))
            continue
        later = column < value if key.descending else column > value
        if key.nullable:
            later = sa.or_(later, column.is_(None))
        ways.append(sa.and_(*equal, later))
        equal.append(column == value)
    return sa.or_(*ways) if ways else sa.false()


def position_of(conv: Conversation, sort: Sort) -> Position:
    return Position(sort, tuple(getattr(conv, key.column.key) for key in SORT_KEYS[sort]))


def page_query(
    user: User, filters: ConversationFilters, after: Position | None, limit: int, sort: Sort
) -> sa.Select[Any]:
    """The statement of one page (tests EXPLAIN it: each sort reads its index, not the table)."""
    stmt = sa.select(Conversation).where(conversation_visibility(user), *filter_clauses(filters))
    if after is not None:
        if after.sort != sort:
            raise ValueError("the cursor belongs to another sort")
        stmt = stmt.where(_after(after))
    return stmt.order_by(*_order(sort)).limit(limit)


def page(
    session: Session,
    user: User,
    filters: ConversationFilters,
    after: Position | None,
    limit: int,
    sort: Sort = Sort.RECENT,
) -> tuple[list[Conversation], Position | None]:
    """One page of the list and the position to continue from (None on the last page)."""
    rows = list(session.scalars(page_query(user, filters, after, limit + 1, sort)).unique())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, position_of(rows[-1], sort)


def status_counts(session: Session, user: User, filters: ConversationFilters) -> dict[str, int]:
    """Per-status totals under the same visibility and filters except status: the tab badges."""
    stmt = (
        sa.select(Conversation.status, sa.func.count())
        .where(conversation_visibility(user), *filter_clauses(filters, with_status=False))
        .group_by(Conversation.status)
    )
    counts = {str(status): 0 for status in ConversationStatus}
    for status, count in session.execute(stmt):
        counts[str(status)] = int(count)
    return counts


def snoozed_count(session: Session, user: User, filters: ConversationFilters) -> int:
    """How many of what `user` sees are snoozed, under the same filters except status: the "Adiadas"
    badge, whichever list is shown."""
    other = replace(filters, snoozed=True)
    stmt = sa.select(sa.func.count()).where(
        conversation_visibility(user), *filter_clauses(other, with_status=False)
    )
    return int(session.scalar(stmt) or 0)


def previews(session: Session, conversation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The newest customer-visible message of each conversation (internal notes are not previews)."""
    if not conversation_ids:
        return {}
    stmt = (
        sa.select(
            Message.conversation_id,
            Message.text,
            Message.content_type,
            Message.direction,
            Message.created_at,
            Message.deleted_at,
        )
        .where(Message.conversation_id.in_(conversation_ids), Message.is_private.is_(False))
        .order_by(Message.conversation_id, Message.id.desc())
        .ext(distinct_on(Message.conversation_id))
    )
    result: dict[int, dict[str, Any]] = {}
    for conv_id, text, content_type, direction, created_at, deleted_at in session.execute(stmt):
        preview = None if deleted_at is not None or text is None else " ".join(text.split())
        result[conv_id] = {
            "text": preview[:PREVIEW_CHARS] if preview is not None else None,
            "content_type": str(content_type),
            "direction": str(direction),
            "created_at": created_at.isoformat() if created_at else None,
        }
    return result


def unread_counts(session: Session, user_id: int, conversation_ids: list[int]) -> dict[int, int]:
    """Customer messages newer than what `user_id` has read (`lifecycle.mark_read`), per conversation."""
    if not conversation_ids:
        return {}
    read = aliased(ConversationRead)
    stmt = (
        sa.select(Message.conversation_id, sa.func.count())
        .outerjoin(read, sa.and_(read.conversation_id == Message.conversation_id, read.user_id == user_id))
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.direction == Direction.INBOUND,
            Message.id > sa.func.coalesce(read.last_read_message_id, 0),
        )
        .group_by(Message.conversation_id)
    )
    return {conv_id: int(count) for conv_id, count in session.execute(stmt)}
