"""The stored reading of every customer message: intent and sentiment, by the offline classifier.

Every inbound customer message gets one — also in conversations a person is handling, where the
attendant never runs — so hand-off, the inbox and the dashboards read the same numbers. The offline
`assistant.nlu` classifies in well under 5 ms, so `jobs.analysis` does it for each message off the
outbox relay, never in the webhook request; voice notes are read once their transcript is stored
(`assistant.voice`). What is already stored is kept: the attendant's own reading of a burst, written by
the runner, is not overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.message import Message

MAX_CHARS = 4000  # a pasted contract is read by its start; the classifier trims long texts itself


@dataclass(frozen=True)
class Reading:
    intent: str
    confidence: float
    sentiment: str
    sentiment_score: Decimal


def read(text: str) -> Reading:
    from assistant.nlu import classify, sentiment

    text = text[:MAX_CHARS]
    intent = classify(text)
    mood = sentiment(text)
    score = Decimal(str(round(max(-1.0, min(1.0, mood.score)), 3)))
    return Reading(intent.intent, intent.confidence, str(mood.label), score)


def mark(session: Session, message_id: int, text: str, *, with_sentiment: bool = True) -> Reading | None:
    """Store the reading of `text` on the message where none is stored yet; None for an empty text."""
    if not text.strip():
        return None
    reading = read(text)
    values: dict[str, object] = {"intent": sa.func.coalesce(Message.intent, reading.intent)}
    if with_sentiment:
        values["sentiment"] = sa.func.coalesce(Message.sentiment, reading.sentiment)
        values["sentiment_score"] = sa.func.coalesce(Message.sentiment_score, reading.sentiment_score)
    session.execute(sa.update(Message).where(Message.id == message_id).values(**values))
    return reading
