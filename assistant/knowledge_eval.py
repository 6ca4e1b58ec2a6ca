"""Measures `assistant.knowledge` on labelled questions: which entry answers, or none.

    python -m assistant.knowledge_eval tests/data/kb_questions.tsv --split test
    python -m assistant.knowledge_eval tests/data/kb_questions.tsv --split train --sweep   # pick a threshold

Each row goes through what the built-in engine does (`assistant.knowledge.answer`: its intent first,
then the best entry above the threshold). A row is right when the entry answering is the labelled one,
or when the label is `none` and no entry answers. The entries are the demo tenant's
(`niochat.demo_knowledge`), whose keys label the file; the entry matched is recognised by its title.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.knowledge import THRESHOLD, answer

NONE = "none"


@dataclass
class KbReport:
    total: int = 0
    correct: int = 0
    answered: int = 0  # rows some entry answered
    answered_right: int = 0  # … with the labelled entry
    none_rows: int = 0
    none_kept: int = 0  # `none` rows no entry answered
    misses: list[tuple[str, str, str, float]] = field(default_factory=list)  # text, expected, got, score

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        """Of the answers given, how many came from the right entry (a wrong answer is the costly error)."""
        return self.answered_right / self.answered if self.answered else 1.0

    @property
    def none_recall(self) -> float:
        return self.none_kept / self.none_rows if self.none_rows else 1.0


def read(path: Path, split: str | None = None) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["text"], r["entry"]) for r in rows if split is None or r.get("split") == split]


def demo_entries() -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], dict[str, str]]:
    """The demo knowledge base as the engine sees it (entries, tags), and title → key."""
    from niochat.demo_knowledge import DEMO_KNOWLEDGE

    entries = tuple((title, content) for _, title, content, _ in DEMO_KNOWLEDGE)
    tags = tuple(tags for *_, tags in DEMO_KNOWLEDGE)
    return entries, tags, {title: key for key, title, _, _ in DEMO_KNOWLEDGE}


def evaluate(rows: Iterable[tuple[str, str]], threshold: float = THRESHOLD) -> KbReport:
    from assistant.nlu import classify

    entries, tags, keys = demo_entries()
    report = KbReport()
    for text, expected in rows:
        match = answer(entries, text, classify(text).intent, tags, threshold)
        got = keys[match.title] if match is not None else NONE
        report.total += 1
        report.correct += got == expected
        if got != NONE:
            report.answered += 1
            report.answered_right += got == expected
        if expected == NONE:
            report.none_rows += 1
            report.none_kept += got == NONE
        if got != expected:
            report.misses.append((text, expected, got, match.score if match else 0.0))
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--split", default=None)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="accuracy for thresholds 0.10 … 0.50")
    args = parser.parse_args(argv)
    rows = read(args.path, args.split)
    if args.sweep:
        for step in range(10, 51, 2):
            r = evaluate(rows, step / 100)
            sys.stdout.write(f"threshold {step / 100:.2f}: accuracy {r.accuracy:.3f} "
                             f"precision {r.precision:.3f} none kept {r.none_recall:.3f}\n")  # fmt: skip
        return
    r = evaluate(rows, args.threshold)
    sys.stdout.write(f"rows {r.total}  accuracy {r.accuracy:.3f}  answered precision {r.precision:.3f}  "
                     f"none kept {r.none_kept}/{r.none_rows}\n")  # fmt: skip
    for text, expected, got, score in r.misses:
        sys.stdout.write(f"  {expected:>11} → {got:<11} {score:.2f}  {text}\n")


if __name__ == "__main__":
    main()
