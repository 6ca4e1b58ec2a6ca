"""The rows `models.serialize` turns into dicts, looked up by the outbox relay inside its claiming statement.

The relay serialises every new message for Socket.IO. Loading ORM entities for that cost most of its
time (identity map, joined and selectin loads, the raw provider payload parsed for nothing), and so did
separate queries: a batch of one row paid for three statements. Here a message and a conversation (with
its contact, inbox and labels) are LATERAL lookups that the relay joins to the outbox rows it claims,
so one statement claims, marks and loads. They select only the fields the dict functions read
(`MessageRow`, `ConversationRow`, `ContactFields`, `LabelFields`).

Each lookup is keyed by one outbox row's id, so it plans as primary-key probes. The loads they replace
took a batch's ids as one array, for which PostgreSQL's generic plan guesses ten rows: it hashed every
contact of every tenant rather than probe a few, a cost that grew with the contact table.

They read across tenants, like the relay that calls them: the ids come from outbox rows, which the
domain wrote for the tenant that owns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql.selectable import LateralFromClause

from models.contact import Contact
from models.conversation import Conversation, ConversationLabel
from models.inbox import Inbox
from models.label import Label
from models.message import Message
from models.serialize import (
    ContactFields,
    ConversationRow,
    LabelFields,
    MessageRow,
    conversation_view,
)

contacts = cast(sa.Table, Contact.__table__)
conversations = cast(sa.Table, Conversation.__table__)
conversation_labels = cast(sa.Table, ConversationLabel.__table__)
inboxes = cast(sa.Table, Inbox.__table__)
labels = cast(sa.Table, Label.__table__)
messages = cast(sa.Table, Message.__table__)

MESSAGE_WIDTH = len(MessageRow._fields)
# A `conversation_lookup` row: the contact's fields, the conversation's, then channel, inbox name, labels.
_CONTACT = slice(0, len(ContactFields._fields))
_CONVERSATION = slice(_CONTACT.stop, _CONTACT.stop + len(ConversationRow._fields))
CONVERSATION_WIDTH = _CONVERSATION.stop + 3


def message_lookup(message_id: sa.ColumnElement[Any], name: str = "m") -> LateralFromClause:
    """`MESSAGE_WIDTH` columns of the message with this id (none when there is no such message)."""
    return (
        sa.select(*(messages.c[field].label(f"{name}__{field}") for field in MessageRow._fields))
        .where(messages.c.id == message_id)
        .lateral(name)
    )


def conversation_lookup(conversation_id: sa.ColumnElement[Any], name: str = "cv") -> LateralFromClause:
    """`CONVERSATION_WIDTH` columns: the conversation with this id, its contact, inbox and labels."""
    conv = conversations.alias(f"{name}_conversation")
    # Its labels as one JSON array of [id, name, color] arrays (NULL without labels): values by
    # position for `LabelFields`, so the dict shape stays in `models.serialize`.
    label_list = (
        sa.select(sa.func.json_agg(sa.func.json_build_array(*(labels.c[f] for f in LabelFields._fields))))
        .select_from(conversation_labels)
        .join(labels, labels.c.id == conversation_labels.c.label_id)
        .where(conversation_labels.c.conversation_id == conv.c.id)
        .scalar_subquery()
    )
    return (
        sa.select(
            *(contacts.c[field].label(f"{name}__contact__{field}") for field in ContactFields._fields),
            *(conv.c[field].label(f"{name}__{field}") for field in ConversationRow._fields),
            inboxes.c.channel_type.label(f"{name}__channel"),
            inboxes.c.name.label(f"{name}__inbox_name"),
            sa.type_coerce(label_list, JSON).label(f"{name}__labels"),
        )
        .select_from(conv)
        .join(contacts, contacts.c.id == conv.c.contact_id)
        .join(inboxes, inboxes.c.id == conv.c.inbox_id)
        .where(conv.c.id == conversation_id)
        .lateral(name)
    )


def message_row(values: Sequence[Any]) -> MessageRow | None:
    """The `MESSAGE_WIDTH` values of `message_lookup` as a row, or None if it found nothing."""
    return None if values[0] is None else MessageRow._make(values)


def conversation_row(values: Sequence[Any]) -> tuple[ConversationRow, dict[str, Any]] | None:
    """The `CONVERSATION_WIDTH` values of `conversation_lookup`: the row (for the rooms: tenant, status,
    assignee, team) and its `conversation_dict`; None if it found nothing."""
    if values[0] is None:
        return None
    conv = ConversationRow._make(values[_CONVERSATION])
    channel, inbox_name, label_values = values[_CONVERSATION.stop :]
    view = conversation_view(
        conv,
        ContactFields._make(values[_CONTACT]),
        str(channel),
        inbox_name,
        [LabelFields._make(label) for label in label_values or ()],
    )
    return conv, view
