"""The verdict ingestion needs for a message from a contact whose survey is waiting (models.csat_answers).

Offline and quick (no model call on the webhook path): `answer` when the rules read a rating, `comment`
when the text could be the comment asked after a low rating (anything written that is not a new request).
A reaction to the survey message reads as its emoji.
"""

from __future__ import annotations

from typing import Any

from assistant.csat.rules import interpret


def verdict(row: dict[str, Any]) -> dict[str, bool]:
    """`row` is the message as `models.ingest` hands it to `ingest_messages`."""
    payload = row.get("payload") or {}
    text = row.get("text") or payload.get("emoji") or ""
    reading = interpret(text, payload.get("reply_id"))
    return {"answer": reading.is_answer, "comment": bool(text.strip()) and not reading.request}
