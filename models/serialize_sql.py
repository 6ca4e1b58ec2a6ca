"""The rows `models.serialize` turns into dicts, loaded by prebuilt Core statements for the outbox relay.

The relay serialises every new message for Socket.IO. Loading ORM entities for that cost most of its
time (identity map, joined and selectin loads, the raw provider payload parsed for nothing); these
statements are built once, select only the `*_FIELDS` the dict functions read, and answer a batch in
one query for the messages and one for the conversations with their contact, inbox and labels.

They read across tenants, like the relay that calls them: the ids come from outbox rows, which the
domain wrote for the tenant that owns them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSON

from models.contact import Contact
from models.conversation import Conversation, ConversationLabel
from models.inbox import Inbox
from models.label import Label
from models.message import Message
from models.serialize import (
    CONVERSATION_FIELDS,
    MESSAGE_FIELDS,
    ContactFields,
    CoreRow,
    LabelFields,
    conversation_view,
)

contacts = cast(sa.Table, Contact.__table__)
conversations = cast(sa.Table, Conversation.__table__)
conversation_labels = cast(sa.Table, ConversationLabel.__table__)
inboxes = cast(sa.Table, Inbox.__table__)
labels = cast(sa.Table, Label.__table__)
messages = cast(sa.Table, Message.__table__)

# One array parameter, not an expanded IN list: the SQL text is the same for every batch size, so
# psycopg prepares it once.
_ids = sa.bindparam("ids", type_=ARRAY(sa.BigInteger))

MESSAGES = sa.select(*(messages.c[name] for name in MESSAGE_FIELDS)).where(messages.c.id == sa.any_(_ids))

# A conversation's labels as one JSON array of [id, name, color] arrays (NULL without labels): values by
# position for `LabelFields`, so the dict shape stays in `models.serialize`.
_LABELS = (
    sa.select(sa.func.json_agg(sa.func.json_build_array(*(labels.c[name] for name in LabelFields._fields))))
    .select_from(conversation_labels)
    .join(labels, labels.c.id == conversation_labels.c.label_id)
    .where(conversation_labels.c.conversation_id == conversations.c.id)
    .scalar_subquery()
)
# The contact's columns come first so `ContactFields` is a slice of the row; labelled, since contacts
# and conversations share column names.
_CONTACT = slice(0, len(ContactFields._fields))
CONVERSATIONS = (
    sa.select(
        *(contacts.c[name].label(f"contact__{name}") for name in ContactFields._fields),
        *(conversations.c[name] for name in CONVERSATION_FIELDS),
        conversations.c.tenant_id,
        inboxes.c.channel_type.label("channel"),
        inboxes.c.name.label("inbox_name"),
        sa.type_coerce(_LABELS, JSON).label("labels"),
    )
    .join_from(conversations, contacts, contacts.c.id == conversations.c.contact_id)
    .join(inboxes, inboxes.c.id == conversations.c.inbox_id)
    .where(conversations.c.id == sa.any_(_ids))
)


def load_messages(conn: sa.Connection, ids: Collection[int]) -> dict[int, CoreRow]:
    """Rows `message_dict` takes, by id."""
    if not ids:
        return {}
    return {row.id: row for row in conn.execute(MESSAGES, {"ids": list(ids)}).all()}


def load_conversations(
    conn: sa.Connection, ids: Collection[int]
) -> dict[int, tuple[CoreRow, dict[str, Any]]]:
    """By id: the row (for the rooms: tenant, status, assignee, team) and its `conversation_dict`."""
    if not ids:
        return {}
    return {
        row.id: (
            row,
            conversation_view(
                row,
                ContactFields._make(row[_CONTACT]),
                str(row.channel),
                row.inbox_name,
                [LabelFields._make(label) for label in row.labels or ()],
            ),
        )
        for row in conn.execute(CONVERSATIONS, {"ids": list(ids)}).all()
    }
