"""The intent model: a multinomial logistic regression over `features()`, weights in `model.json`.

Trained by `python -m assistant.nlu.train` from the committed labelled set (tests/data/nlu_intents.tsv);
the weights file records the hash of the data it came from, and a test fails when the two drift apart.
Weights are stored as 16-bit integers (base64) with one scale, so loading is a vocabulary list and one
decode rather than tens of thousands of floats to parse. Scoring is plain Python on purpose: a message
has tens to hundreds of features, so summing their weight rows costs well under a millisecond, and not
importing numpy keeps the first load fast (numpy alone takes longer to import than this whole package on
a busy machine).
"""

from __future__ import annotations

import base64
import json
import math
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.nlu.features import features

MODEL_PATH = Path(__file__).with_name("model.json")
_INT16_MAX = 32767


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    index: dict[str, int]  # feature -> row
    flat: array[int]  # rows x classes, int16, times `scale`
    scale: float
    bias: list[float]
    meta: dict[str, Any]

    def probabilities(self, text: str) -> dict[str, float]:
        """Class probabilities of `text` (softmax of the summed weights, scaled by 1/sqrt(#features))."""
        feats = features(text)
        width = len(self.classes)
        starts = [self.index[f] * width for f in feats if f in self.index]
        rows = [self.flat[start : start + width] for start in starts]
        sums = [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * width
        factor = self.scale / math.sqrt(len(feats)) if feats else 0.0
        logits = [value * factor + bias for value, bias in zip(sums, self.bias, strict=True)]
        top = max(logits)
        exps = [math.exp(value - top) for value in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def known_share(self, norm: str) -> float:
        """Share of the words of normalized text the model saw in training ("xkcd qwrtz": 0)."""
        words = [w for w in norm.split() if w.isalpha() and len(w) > 1]
        return sum(f"w:{w}" in self.index for w in words) / len(words) if words else 1.0


def save(
    path: Path,
    classes: Sequence[str],
    vocab: Sequence[str],
    weights: Sequence[Sequence[float]],
    bias: Sequence[float],
    meta: dict[str, Any],
) -> None:
    """Write the model as JSON: the weights quantized to int16 (little-endian, base64) with one scale."""
    largest = max((abs(w) for row in weights for w in row), default=1.0) or 1.0
    scale = largest / _INT16_MAX
    flat = array("h", (round(w / scale) for row in weights for w in row))
    if sys.byteorder != "little":
        flat.byteswap()
    document = {
        "meta": meta,
        "classes": list(classes),
        "bias": [round(float(b), 6) for b in bias],
        "scale": scale,
        "vocab": list(vocab),
        "weights_int16": base64.b64encode(flat.tobytes()).decode("ascii"),
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n")


def load(path: Path = MODEL_PATH) -> Model | None:
    """The model at `path`, or None when it has not been trained (the phrases alone decide then)."""
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    flat = array("h", base64.b64decode(document["weights_int16"]))
    if sys.byteorder != "little":
        flat.byteswap()
    return Model(
        classes=tuple(document["classes"]),
        index={f: i for i, f in enumerate(document["vocab"])},
        flat=flat,
        scale=float(document["scale"]),
        bias=[float(b) for b in document["bias"]],
        meta=document["meta"],
    )


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    return load()
