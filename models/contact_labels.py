"""Labels on a contact ("Cliente VIP", "Inadimplente"): they stay with the customer from one conversation
to the next, unlike a conversation's labels, which describe one conversation and end with it.

Every change records a `contact.updated` outbox row (ids only), so each screen showing the contact
reloads its labels. Contacts are tenant-wide — every inbox user may look a customer up — and so are
their labels; the caller's tenant session keeps another tenant's contact or label out of reach.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from models import outbox_ops as topics
from models.contact import Contact
from models.label import ContactLabel, Label


def labels_of(session: Session, contact_id: int) -> list[Label]:
    """By name, as labels are listed everywhere."""
    return list(
        session.scalars(
            sa.select(Label)
            .join(ContactLabel, ContactLabel.label_id == Label.id)
            .where(ContactLabel.contact_id == contact_id)
            .order_by(Label.name, Label.id)
        )
    )


def _changed(session: Session, contact: Contact) -> None:
    topics.record(session, contact.tenant_id, topics.CONTACT_UPDATED, contact_id=contact.id, change="labels")


def add_label(session: Session, contact: Contact, label: Label) -> bool:
    """True if the contact did not have it (adding twice is harmless and broadcasts nothing)."""
    inserted = session.execute(
        pg_insert(ContactLabel)
        .values(tenant_id=contact.tenant_id, contact_id=contact.id, label_id=label.id)
        .on_conflict_do_nothing()
        .returning(ContactLabel.label_id)
    ).first()
    if inserted is not None:
        _changed(session, contact)
    return inserted is not None


def remove_label(session: Session, contact: Contact, label: Label) -> bool:
    """True if the contact had it."""
    removed = session.execute(
        sa.delete(ContactLabel)
        .where(ContactLabel.contact_id == contact.id, ContactLabel.label_id == label.id)
        .returning(ContactLabel.label_id)
    ).first()
    if removed is not None:
        _changed(session, contact)
    return removed is not None


def set_labels(session: Session, contact: Contact, labels: list[Label]) -> bool:
    """Replace the contact's labels (the panel's editor saves the whole set); True if anything changed."""
    wanted = {label.id for label in labels}
    current = set(
        session.scalars(sa.select(ContactLabel.label_id).where(ContactLabel.contact_id == contact.id))
    )
    if wanted == current:
        return False
    if current - wanted:
        session.execute(
            sa.delete(ContactLabel).where(
                ContactLabel.contact_id == contact.id, ContactLabel.label_id.in_(current - wanted)
            )
        )
    for label_id in sorted(wanted - current):
        session.add(ContactLabel(tenant_id=contact.tenant_id, contact_id=contact.id, label_id=label_id))
    _changed(session, contact)
    return True
