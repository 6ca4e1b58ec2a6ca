"""Conversations written as timelines with exact timestamps, so metrics can be computed by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Contact, Conversation, ConversationEvent, Message
from models.enums import ActorKind, ContentType, ConversationStatus, Direction, EventKind, SenderKind


class Timeline:
    """One conversation; each call appends an event or a message at the given instant."""

    def __init__(
        self,
        session: Session,
        tenant_id: int,
        inbox_id: int,
        at: datetime,
        *,
        contact_id: int | None = None,
        phone: str = "+5511999990000",
        status: str = "bot",
        team_id: int | None = None,
    ) -> None:
        self.session, self.tenant_id = session, tenant_id
        if contact_id is None:
            contact = Contact(tenant_id=tenant_id, name=f"Cliente {phone[-4:]}", phone_e164=phone)
            session.add(contact)
            session.flush()
            contact_id = contact.id
        self.contact_id = contact_id
        self.status = status
        self.conv = Conversation(
            tenant_id=tenant_id,
            inbox_id=inbox_id,
            contact_id=contact_id,
            status=ConversationStatus(status),
            team_id=team_id,
            created_at=at,
        )
        session.add(self.conv)
        session.flush()
        self.id = self.conv.id
        self.event(at, EventKind.CREATED, ActorKind.CONTACT, to_status=status, to_team_id=team_id)

    def event(self, at: datetime, kind: EventKind, actor: ActorKind, **fields: Any) -> Timeline:
        if "to_status" in fields and "from_status" not in fields and kind != EventKind.CREATED:
            fields["from_status"] = self.status
        if fields.get("to_status"):
            self.status = fields["to_status"]
            self.conv.status = ConversationStatus(self.status)  # the partial unique index follows it
        self.session.add(
            ConversationEvent(
                tenant_id=self.tenant_id,
                conversation_id=self.id,
                kind=kind,
                actor_kind=actor,
                created_at=at,
                **fields,
            )
        )
        self.session.flush()
        return self

    def message(
        self, at: datetime, sender: str, *, user_id: int | None = None, text: str = "…", **extra: Any
    ) -> Timeline:
        inbound = sender == "contact"
        self.session.add(
            Message(
                tenant_id=self.tenant_id,
                conversation_id=self.id,
                inbox_id=self.conv.inbox_id,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                sender_kind=SenderKind(sender),
                sender_user_id=user_id,
                content_type=ContentType.TEXT,
                text=text,
                created_at=at,
                **extra,
            )
        )
        self.session.flush()
        return self

    def customer(self, at: datetime, **extra: Any) -> Timeline:
        return self.message(at, "contact", **extra)

    def bot(self, at: datetime) -> Timeline:
        return self.message(at, "bot")

    def agent(self, at: datetime, user_id: int) -> Timeline:
        return self.message(at, "agent", user_id=user_id)

    def handoff(self, at: datetime, code: str = "billing", team_id: int | None = None) -> Timeline:
        return self.event(
            at, EventKind.HANDOFF, ActorKind.BOT, to_status="pending", to_team_id=team_id,
            reason=f"Assunto ({code})",
        )  # fmt: skip

    def assign(self, at: datetime, user_id: int) -> Timeline:
        return self.event(
            at, EventKind.ASSIGNED, ActorKind.USER, actor_user_id=user_id, to_status="open",
            to_assignee_id=user_id,
        )  # fmt: skip

    def close(self, at: datetime, actor: ActorKind = ActorKind.USER, user_id: int | None = None) -> Timeline:
        self.conv.closed_at = at
        return self.event(at, EventKind.CLOSED, actor, actor_user_id=user_id, to_status="closed")

    def reopen(self, at: datetime, user_id: int) -> Timeline:
        return self.event(
            at, EventKind.REOPENED, ActorKind.USER, actor_user_id=user_id, to_status="open",
            to_assignee_id=user_id,
        )  # fmt: skip

    def tool(self, at: datetime, name: str, ok: bool = True, pop: str | None = None) -> Timeline:
        """A tool call; `pop`: the identified contract's POP, as the runner records it."""
        data: dict[str, Any] = {"tool": name, "ok": ok} | ({"pop": pop} if pop else {})
        return self.event(at, EventKind.TOOL_CALL, ActorKind.BOT, data=data)
