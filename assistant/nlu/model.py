"""The intent model: a multinomial logistic regression over `features()`, weights in `model.json`.

Trained by `python -m assistant.nlu.train` from the committed labelled set (tests/data/nlu_intents.tsv);
the weights file records the hash of the data it came from, and a test fails when the two drift apart.
Scoring is plain Python on purpose: a message has tens to hundreds of features, so summing their weight
rows costs well under a millisecond, and not importing numpy keeps the first load fast (numpy alone
takes longer to import than this whole package on a busy machine).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.nlu.features import features

MODEL_PATH = Path(__file__).with_name("model.json")


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    weights: dict[str, list[float]]  # feature -> one weight per class
    bias: list[float]
    meta: dict[str, Any]

    def probabilities(self, text: str) -> dict[str, float]:
        """Class probabilities of `text` (softmax of the summed weights, scaled by 1/sqrt(#features))."""
        feats = features(text)
        rows = [row for row in map(self.weights.get, feats) if row is not None]
        sums = [math.fsum(column) for column in zip(*rows, strict=True)] if rows else [0.0] * len(self.bias)
        scale = 1.0 / math.sqrt(len(feats)) if feats else 0.0
        logits = [value * scale + bias for value, bias in zip(sums, self.bias, strict=True)]
        top = max(logits)
        exps = [math.exp(value - top) for value in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def known_share(self, norm: str) -> float:
        """Share of the words of normalized text the model saw in training ("xkcd qwrtz": 0)."""
        words = [w for w in norm.split() if w.isalpha() and len(w) > 1]
        return sum(f"w:{w}" in self.weights for w in words) / len(words) if words else 1.0


def save(
    path: Path,
    classes: Sequence[str],
    vocab: Sequence[str],
    weights: Sequence[Sequence[float]],
    bias: Sequence[float],
    meta: dict[str, Any],
) -> None:
    """Write the model as JSON, weights rounded to 4 decimals (the file stays small and diffable)."""
    document = {
        "meta": meta,
        "classes": list(classes),
        "bias": [round(float(b), 4) for b in bias],
        "weights": {f: [round(float(w), 4) for w in row] for f, row in zip(vocab, weights, strict=True)},
    }
    path.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")


def load(path: Path = MODEL_PATH) -> Model | None:
    """The model at `path`, or None when it has not been trained (the phrases alone decide then)."""
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    return Model(tuple(document["classes"]), document["weights"], document["bias"], document["meta"])


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    return load()
