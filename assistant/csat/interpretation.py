"""What a customer's reply to a CSAT survey means: the shape every interpreter returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

By = Literal["button", "number", "emoji", "words", "ai"]
SentimentLabel = Literal["positive", "neutral", "negative"]


@dataclass(frozen=True)
class Interpretation:
    """`is_answer` False means the message is something else (a new request, a greeting): it must open
    a conversation as usual. `request` says the offline rules saw a request in it (a comment window
    ignores requests too). `explicit` is True when a button, digit, emoji or rating word decided it, so
    a model engine is not asked."""

    is_answer: bool
    score: int | None = None
    interpreted_by: By | None = None
    sentiment: SentimentLabel = "neutral"
    themes: tuple[str, ...] = field(default=())
    request: bool = False
    explicit: bool = False

    def as_json(self) -> dict[str, Any]:
        """The public shape (`niochat csat interpret --json`, the API)."""
        return {
            "is_answer": self.is_answer,
            "score": self.score,
            "interpreted_by": self.interpreted_by,
            "sentiment": self.sentiment,
            "themes": list(self.themes),
        }
