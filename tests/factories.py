"""Small builders for test data; each returns flushed rows so ids are known."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Contact, Conversation, Message
from models.enums import ContentType, ConversationStatus, Direction, SenderKind


def make_conversation(
    session: Session,
    tenant_id: int,
    inbox_id: int,
    *,
    phone: str,
    status: ConversationStatus = ConversationStatus.PENDING,
) -> Conversation:
    contact = Contact(tenant_id=tenant_id, name=f"Cliente {phone[-4:]}", phone_e164=phone)
    session.add(contact)
    session.flush()
    conv = Conversation(tenant_id=tenant_id, inbox_id=inbox_id, contact_id=contact.id, status=status)
    session.add(conv)
    session.flush()
    return conv


def make_message(session: Session, conv: Conversation, text: str, provider_id: str | None = None) -> Message:
    message = Message(
        tenant_id=conv.tenant_id,
        conversation_id=conv.id,
        inbox_id=conv.inbox_id,
        direction=Direction.INBOUND,
        sender_kind=SenderKind.CONTACT,
        content_type=ContentType.TEXT,
        text=text,
        provider_message_id=provider_id,
    )
    session.add(message)
    session.flush()
    return message
