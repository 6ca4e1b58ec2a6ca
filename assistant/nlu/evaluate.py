"""Score the intent classifier (or the sentiment lexicon) on a labelled file.

`python -m assistant.nlu.evaluate tests/data/nlu_intents.tsv --split test` prints accuracy, per-intent
precision/recall and the most frequent confusions; `--jsonl` prints one JSON object per message instead
(what `niochat ai try --file F` shows), so a tenant can check the engine against its own customers'
messages: a file of `text<TAB>intent` rows, no split column needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.nlu.dataset import INTENTS_FILE, Example, read
from assistant.nlu.intents import classify
from assistant.nlu.sentiment import sentiment


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def per_label(self) -> dict[str, dict[str, float]]:
        """precision, recall, f1 and support of every label seen (expected or predicted)."""
        labels = sorted({e for e, _ in self.confusion} | {p for _, p in self.confusion})
        table: dict[str, dict[str, float]] = {}
        for label in labels:
            tp = self.confusion[(label, label)]
            predicted = sum(n for (_, p), n in self.confusion.items() if p == label)
            support = sum(n for (e, _), n in self.confusion.items() if e == label)
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            table[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        return table

    def mistakes(self, limit: int = 10) -> list[tuple[tuple[str, str], int]]:
        return [(pair, n) for pair, n in self.confusion.most_common() if pair[0] != pair[1]][:limit]


def predictions(examples: Iterable[Example], task: str = "intent") -> Iterator[dict[str, Any]]:
    """One JSON-ready record per example: text, expected, predicted, confidence/score, ok."""
    for example in examples:
        predicted: str
        if task == "sentiment":
            feeling = sentiment(example.text)
            predicted, score = feeling.label, feeling.score
        else:
            result = classify(example.text)
            predicted, score = result.intent, result.confidence
        yield {
            "text": example.text,
            "expected": example.label or None,
            "predicted": predicted,
            "score": round(score, 4),
            "ok": (predicted == example.label) if example.label else None,
        }


def evaluate(examples: Iterable[Example], task: str = "intent") -> Report:
    report = Report()
    for record in predictions(examples, task):
        if record["expected"] is None:
            continue
        report.total += 1
        report.correct += bool(record["ok"])
        report.confusion[(record["expected"], record["predicted"])] += 1
    return report


def select(path: Path, split: str | None) -> list[Example]:
    """Rows of `path` in `split` ("train"/"test"), or all rows when `split` is None."""
    return [e for e in read(path) if split is None or e.split == split]


def format_report(report: Report, write: Callable[[str], Any]) -> None:
    write(f"accuracy {report.accuracy:.3f} ({report.correct}/{report.total})\n")
    write(f"{'label':<15}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}\n")
    for label, row in report.per_label().items():
        write(
            f"{label:<15}{row['precision']:>10.2f}{row['recall']:>8.2f}{row['f1']:>7.2f}{int(row['support']):>5}\n"
        )
    for (expected, predicted), n in report.mistakes():
        write(f"  {expected} -> {predicted}: {n}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate the offline NLU on a labelled TSV file.")
    parser.add_argument("file", type=Path, nargs="?", default=INTENTS_FILE)
    parser.add_argument("--split", choices=["train", "test"], default=None, help="only rows of this split")
    parser.add_argument("--task", choices=["intent", "sentiment"], default="intent")
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per message")
    args = parser.parse_args(argv)
    examples = select(args.file, args.split)
    if args.jsonl:
        for record in predictions(examples, args.task):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    format_report(evaluate(examples, args.task), sys.stdout.write)


if __name__ == "__main__":
    main()
