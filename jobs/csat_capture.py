"""Capturing a customer's answer to a CSAT survey, after ingestion stored it on the closed conversation.

The relay routes here every inbound `message.created` of a closed conversation (`csat: true`, set by
`ingest_messages` only for a message it was told is a rating or the comment). The reply is read again,
fully: free text the offline rules only guessed goes to the tenant's model engine, outside any
transaction; then `models.csat_answers.capture` stores it under the conversation's lock. A Telegram tap
on the survey's keyboard also gets the survey message edited to show the choice.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from assistant.context import ai_settings, engine_config
from assistant.csat import interpret, themes
from assistant.csat.model import interpret_with_model
from assistant.nlu import sentiment
from integrations.channels.base import ProviderError
from jobs.context import get_db
from jobs.outbound import inbox_client
from jobs.scheduling import relay_now
from models import outbox_ops as topics
from models.csat import CsatSurvey
from models.csat_answers import WAITING, Captured, Reading, capture
from models.enums import ChannelType, Direction
from models.inbox import Inbox
from models.message import Message

log = logging.getLogger(__name__)

LABELS = {1: "😡 Péssimo", 2: "😕 Ruim", 3: "😐 Regular", 4: "🙂 Bom", 5: "🤩 Excelente"}


def capture_reply(tenant_id: int, conversation_id: int, message_id: int) -> str:
    """The job (queue `csat`): rating, comment or nothing; idempotent, so a retried job changes nothing."""
    db = get_db()
    with db.tenant_session(tenant_id) as session:
        message = session.get(Message, message_id)
        if message is None or message.direction != Direction.INBOUND:
            return "ignored"
        status = session.scalar(
            sa.select(CsatSurvey.status).where(CsatSurvey.conversation_id == conversation_id)
        )
        text = message.text or (message.payload or {}).get("emoji") or ""
        reply_id = (message.payload or {}).get("reply_id")
        config = engine_config(ai_settings(session, tenant_id)) if str(status) in WAITING else None
    if config is not None:  # a rating: the model may read free text (a network call, no transaction open)
        reading = interpret_with_model(text, reply_id, config)
    else:  # the comment after a low rating: only its themes and feeling matter
        reading = interpret(text, reply_id)
    found = Reading(
        reading.is_answer,
        reading.score,
        reading.interpreted_by,
        reading.sentiment if reading.is_answer else (sentiment(text).label if text else None),
        themes(text) if text else (),
    )
    with db.tenant_session(tenant_id) as session:
        message = session.get(Message, message_id)
        if message is None:
            return "ignored"
        captured = capture(session, message, found)
        recorded = list(session.info.get(topics.RECORDED, []))
        session.flush()
        outbox_ids = [row.id for row in recorded]
    relay_now(outbox_ids)
    if captured.kind == "rating" and reading.interpreted_by == "button":
        _show_choice(tenant_id, captured)
    return captured.kind


def _show_choice(tenant_id: int, captured: Captured) -> None:
    """Telegram: the survey message now reads the choice, its keyboard gone (one attempt, logged)."""
    with get_db().tenant_session(tenant_id) as session:
        row = session.execute(
            sa.select(Inbox.id, Inbox.channel_type, Message.provider_message_id, Message.text)
            .join(CsatSurvey, CsatSurvey.inbox_id == Inbox.id)
            .join(Message, Message.id == CsatSurvey.message_id)
            .where(CsatSurvey.id == captured.survey_id)
        ).first()
    if row is None or row.channel_type != ChannelType.TELEGRAM or not row.provider_message_id:
        return
    client = inbox_client(tenant_id, row.id)
    if client is None or not hasattr(client, "edit_text"):
        return
    question = (row.text or "").strip()
    choice = LABELS.get(captured.score or 0, str(captured.score))
    try:
        client.edit_text(row.provider_message_id, f"{question}\n\nSua avaliação: {choice}".strip())
    except ProviderError as exc:
        log.warning("editMessageText failed for survey %s: %s", captured.survey_id, exc.reason)
    finally:
        client.close()
