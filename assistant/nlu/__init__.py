"""Offline Portuguese understanding for the attendant: intent, sentiment and slots of a customer message.

Pure Python (+ numpy), no database, no network: `classify`, `sentiment` and `extract` are safe to call for
every inbound message. The first call loads the intent model (well under a second); each call after
that takes about a millisecond. See docs/ai.md for how it was built and how well it does.
"""

from assistant.nlu.intents import INTENTS, IntentResult, classify
from assistant.nlu.normalize import normalize
from assistant.nlu.sentiment import Sentiment, sentiment
from assistant.nlu.slots import Slots, extract

__all__ = [
    "INTENTS",
    "IntentResult",
    "Sentiment",
    "Slots",
    "classify",
    "extract",
    "normalize",
    "sentiment",
]
