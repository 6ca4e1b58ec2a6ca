"""Train the intent model from the labelled set and write `model.json`: `python -m assistant.nlu.train`.

Multinomial logistic regression, full-batch Adam on the train split, L2-regularized, started from zero:
deterministic, so the same data gives the same weights. Features that occur in only one training
message are dropped (they would only memorise it). Rerun after editing tests/data/nlu_intents.tsv;
tests/assistant/test_nlu_model.py fails until the committed weights match the data again.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from assistant.nlu import model as model_file
from assistant.nlu.dataset import INTENTS_FILE, Example, digest, read
from assistant.nlu.features import features
from assistant.nlu.intents import INTENTS

HYPERPARAMETERS: dict[str, Any] = {"epochs": 300, "learning_rate": 0.1, "l2": 1e-4, "min_count": 2}


def fit(examples: list[Example], *, epochs: int, learning_rate: float, l2: float, min_count: int) -> Any:
    """(vocab, weights, bias) of a model trained on `examples`."""
    feats = [features(e.text) for e in examples]
    counts = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, c in counts.items() if c >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(examples), len(vocab)), dtype=np.float64)
    for row, fs in enumerate(feats):
        cols = [index[f] for f in fs if f in index]
        x[row, cols] = 1.0 / math.sqrt(len(fs))
    y = np.zeros((len(examples), len(INTENTS)))
    y[np.arange(len(examples)), [INTENTS.index(e.label) for e in examples]] = 1.0
    w = np.zeros((len(vocab), len(INTENTS)))
    b = np.zeros(len(INTENTS))
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - y) / len(examples)
        grads = (x.T @ error + l2 * w, error.sum(axis=0))
        for k, (param, grad) in enumerate(zip((w, b), grads, strict=True)):
            m, v = moments[2 * k], moments[2 * k + 1]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return vocab, w, b


def train(data: Path = INTENTS_FILE, out: Path = model_file.MODEL_PATH) -> dict[str, Any]:
    """Train on the split=train rows of `data`, write the weights to `out`, return the metadata."""
    examples = [e for e in read(data) if e.split == "train"]
    vocab, w, b = fit(examples, **HYPERPARAMETERS)
    meta = {
        "data_sha256": digest(data),
        "train_examples": len(examples),
        "features": len(vocab),
        "hyperparameters": HYPERPARAMETERS,
    }
    model_file.save(out, list(INTENTS), vocab, w.tolist(), b.tolist(), meta)
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the offline intent model (assistant/nlu).")
    parser.add_argument("--data", type=Path, default=INTENTS_FILE)
    parser.add_argument("--out", type=Path, default=model_file.MODEL_PATH)
    args = parser.parse_args(argv)
    meta = train(args.data, args.out)
    print(f"{args.out}: {meta['features']} features from {meta['train_examples']} messages")  # noqa: T201


if __name__ == "__main__":
    main()
