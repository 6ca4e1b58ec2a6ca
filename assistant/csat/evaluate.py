"""Accuracy of the offline interpreter on the labelled replies (tests/data/csat_replies.tsv).

    .venv/bin/python -m assistant.csat.evaluate [--split heldout|train] [--errors]

A row is right when `is_answer` matches and, for an answer, the score matches too.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.csat.rules import interpret

REPLIES_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "csat_replies.tsv"


@dataclass(frozen=True)
class Reply:
    text: str
    reply_id: str | None
    is_answer: bool
    score: int | None
    split: str


@dataclass
class Report:
    rows: int
    right: int
    detection_right: int
    errors: list[tuple[Reply, bool, int | None]]

    @property
    def accuracy(self) -> float:
        return self.right / self.rows if self.rows else 0.0

    @property
    def detection(self) -> float:
        return self.detection_right / self.rows if self.rows else 0.0


def read(path: Path = REPLIES_FILE) -> list[Reply]:
    """Rows of the labelled file; `#` lines are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [
            Reply(
                row["text"],
                row["reply_id"] or None,
                row["is_answer"] == "1",
                int(row["score"]) if row["score"] else None,
                row["split"],
            )
            for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def evaluate(replies: list[Reply]) -> Report:
    report = Report(len(replies), 0, 0, [])
    for reply in replies:
        got = interpret(reply.text, reply.reply_id)
        detected = got.is_answer == reply.is_answer
        report.detection_right += detected
        if detected and (not reply.is_answer or got.score == reply.score):
            report.right += 1
        else:
            report.errors.append((reply, got.is_answer, got.score))
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("train", "heldout"))
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    replies = [r for r in read() if args.split is None or r.split == args.split]
    report = evaluate(replies)
    sys.stdout.write(
        f"{report.rows} replies: accuracy {report.accuracy:.3f}, "
        f"answer/non-answer {report.detection:.3f}, wrong {len(report.errors)}\n"
    )
    if args.errors:
        for reply, is_answer, score in report.errors:
            expected = f"{reply.is_answer}/{reply.score}"
            sys.stdout.write(f"  {reply.text!r}: expected {expected}, got {is_answer}/{score}\n")


if __name__ == "__main__":
    main()
