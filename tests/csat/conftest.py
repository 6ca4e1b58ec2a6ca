"""Fixtures for CSAT capture: the webhook fixtures (an inbox per provider, `post`), and a survey factory."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from models import Conversation, CsatSurvey, Message
from models.base import utcnow
from models.enums import ContentType, CsatStatus, DeliveryStatus, Direction, SenderKind
from models.lifecycle import SYSTEM, close, lock
from tests.webhooks.conftest import inboxes, post  # noqa: F401  (fixtures)


def closed_with_survey(  # type: ignore[no-untyped-def]
    db, tenant_id: int, conversation_id: int, *, expires_in: float = 3600, provider_id: str | None = None
) -> int:
    """Close the conversation and send its survey (as csat-send would): an outgoing survey message and a
    `sent` survey expiring in `expires_in` seconds. Returns the survey id."""
    with db.tenant_session(tenant_id) as session:
        conv = lock(session, conversation_id)
        close(session, conv, SYSTEM)
        survey_message = Message(
            tenant_id=tenant_id,
            conversation_id=conv.id,
            inbox_id=conv.inbox_id,
            direction=Direction.OUTBOUND,
            sender_kind=SenderKind.SYSTEM,
            content_type=ContentType.INTERACTIVE,
            text="Como você avalia o nosso atendimento?",
            provider_message_id=provider_id,
            status=DeliveryStatus.SENT,
        )
        session.add(survey_message)
        session.flush()
        now = utcnow()
        # The close scheduled (or skipped) the conversation's one survey: it becomes the sent one.
        survey = session.scalar(sa.select(CsatSurvey).where(CsatSurvey.conversation_id == conv.id))
        if survey is None:
            survey = CsatSurvey(tenant_id=tenant_id, conversation_id=conv.id, contact_id=conv.contact_id,
                                inbox_id=conv.inbox_id, scheduled_for=now)  # fmt: skip
            session.add(survey)
        survey.status = CsatStatus.SENT
        survey.reason = None
        survey.sent_at = now
        survey.expires_at = now + timedelta(seconds=expires_in)
        survey.message_id = survey_message.id
        session.flush()
        return int(survey.id)


def conversations(db, tenant_id: int) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with db.tenant_session(tenant_id) as session:
        rows = session.execute(sa.select(Conversation.id, Conversation.status).order_by(Conversation.id))
        return [(int(i), str(s)) for i, s in rows]
