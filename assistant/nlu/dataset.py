"""The labelled files in tests/data: one message per row, tab-separated, `#` lines are comments.

Intent file columns: text, intent, split (train/test). Sentiment file: text, label, split. The split
column is fixed in the file so the held-out rows stay held out across retraining and tuning.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTENTS_FILE = ROOT / "tests" / "data" / "nlu_intents.tsv"
SENTIMENT_FILE = ROOT / "tests" / "data" / "nlu_sentiment.tsv"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    split: str  # "train" or "test"; "" when the file has no split column


def read(path: Path) -> list[Example]:
    """Rows of a labelled file; a file with two columns (text, label) is all held-out-free ("")."""
    return list(_rows(path))


def _rows(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            label = row.get("intent") or row.get("label") or ""
            yield Example(row["text"], label.strip(), (row.get("split") or "").strip())


def digest(path: Path) -> str:
    """sha256 of the file's bytes: the model records it so a test can tell when data and weights drift."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
