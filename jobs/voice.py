"""Transcribing a customer's voice note for the people handling the conversation (queue `media`).

Relayed when a message's media is stored (`jobs.media`). In a conversation with the AI the attendant's
own run transcribes the note before it answers (`assistant.voice`), so this job leaves those alone — the
tenant never pays twice for one note; everywhere else the agent gets the transcript under the audio, and
the message its intent and sentiment.
"""

from __future__ import annotations

from jobs.context import get_db, get_storage
from jobs.scheduling import relay_now
from models.conversation import Conversation
from models.enums import ConversationStatus
from models.message import Message


def transcribe_message(tenant_id: int, message_id: int) -> str:
    from assistant.context import ai_settings
    from assistant.voice import is_voice, transcribe_turn, transcription_config

    db = get_db()
    with db.tenant_session(tenant_id) as session:
        msg = session.get(Message, message_id)
        if msg is None or not is_voice(msg) or msg.transcription or msg.media_status != "ready":
            return "skip"
        conv = session.get(Conversation, msg.conversation_id)
        settings = ai_settings(session, tenant_id)
        if conv is None or (
            conv.status == ConversationStatus.BOT and conv.inbox.ai_enabled and settings.enabled is not False
        ):
            return "ai"  # the attendant's run transcribes it before answering
        config = transcription_config(settings)
        with_sentiment = settings.analyse_sentiment is not False
        session.expunge_all()
    if config is None:
        return "not_configured"
    outbox_ids = transcribe_turn(db, get_storage(), tenant_id, [msg], config, with_sentiment=with_sentiment)
    relay_now(outbox_ids)
    return "transcribed" if msg.transcription else "failed"
