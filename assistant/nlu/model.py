"""The intent model: a multinomial logistic regression over `features()`, weights in `model.npz`.

Trained by `python -m assistant.nlu.train` from the committed labelled set (tests/data/nlu_intents.tsv);
the weights file records the hash of the data it came from, and a test fails when the two drift apart.
Loading is a single numpy file (tens of milliseconds); scoring sums the weight rows of the features
present, so a message costs microseconds to a millisecond whatever its length.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.nlu.features import features

MODEL_PATH = Path(__file__).with_name("model.npz")


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    index: dict[str, int]
    weights: Any  # np.ndarray (features x classes), float32
    bias: Any  # np.ndarray (classes,)
    meta: dict[str, Any]

    def probabilities(self, text: str) -> tuple[dict[str, float], float]:
        """Class probabilities and coverage (share of the message's features the model knows)."""
        feats = features(text)
        rows = [self.index[f] for f in feats if f in self.index]
        coverage = len(rows) / len(feats) if feats else 0.0
        logits = self.bias.copy()
        if rows:
            logits += self.weights[rows].sum(axis=0) / math.sqrt(len(feats))
        logits -= logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}, coverage


def save(
    path: Path, classes: list[str], vocab: list[str], weights: Any, bias: Any, meta: dict[str, Any]
) -> None:
    np.savez_compressed(
        path,
        classes=np.array(classes),
        vocab=np.array(vocab),
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )


def load(path: Path = MODEL_PATH) -> Model | None:
    """The model at `path`, or None when it has not been trained (rules alone then)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        vocab = data["vocab"].tolist()
        return Model(
            classes=tuple(data["classes"].tolist()),
            index={f: i for i, f in enumerate(vocab)},
            weights=data["weights"],
            bias=data["bias"],
            meta=json.loads(str(data["meta"])),
        )


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    return load()
