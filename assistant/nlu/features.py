"""The features the intent model sees: words, word pairs and character n-grams of normalized text.

Character n-grams inside each word make "cancelament", "cancelei" and "cancelamento" share most of
their features, so spellings the training set never had still land near the right intent; word pairs
keep "sem internet" apart from "internet" alone. Digit runs are replaced by their length ("#11" for a
CPF), so a number's shape counts and its value does not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.nlu.normalize import normalize

CHAR_NGRAMS = (3, 4, 5)
_DIGITS = re.compile(r"^\d+$")


def _shape(word: str) -> str:
    return f"#{min(len(word), 12)}" if _DIGITS.match(word) else word


@lru_cache(maxsize=8192)
def _word_features(word: str) -> tuple[str, ...]:
    out = [f"w:{word}"]
    if word.isalpha() and len(word) > 2:
        padded = f"<{word}>"
        out += [f"c:{padded[i : i + n]}" for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]
    return tuple(out)


def features(text: str) -> list[str]:
    """The distinct features of `text` (order of first appearance)."""
    words = [_shape(w) for w in normalize(text).split()]
    found: dict[str, None] = {}
    for word in words:
        found.update(dict.fromkeys(_word_features(word)))
    for first, second in zip(["^", *words], [*words, "$"], strict=True):
        found[f"b:{first}_{second}"] = None
    return list(found)
