"""The evaluation entry point a tenant (and `niochat ai try --file`) uses on its own labelled messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.nlu.dataset import read
from assistant.nlu.evaluate import evaluate, main, predictions


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.tsv"
    path.write_text(
        "# my customers\ntext\tintent\n"
        "quero a 2 via\tfatura\nta sem net\tsem_conexao\nobrigado\tcancelamento\n",
        encoding="utf-8",
    )
    return path


def test_report_counts_and_confusions(tmp_path: Path) -> None:
    report = evaluate(read(_file(tmp_path)))
    assert (report.total, report.correct) == (3, 2)
    assert report.mistakes() == [(("cancelamento", "agradecimento"), 1)]
    assert report.per_label()["fatura"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_jsonl_prints_one_record_per_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(_file(tmp_path)), "--jsonl"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["predicted"] for r in records] == ["fatura", "sem_conexao", "agradecimento"]
    assert [r["ok"] for r in records] == [True, True, False]
    assert set(records[0]) == {"text", "expected", "predicted", "score", "ok"}


def test_unlabelled_rows_are_predicted_not_scored(tmp_path: Path) -> None:
    path = tmp_path / "raw.tsv"
    path.write_text("text\nquero cancelar\n", encoding="utf-8")
    (record,) = predictions(read(path))
    assert record["predicted"] == "cancelamento" and record["expected"] is None and record["ok"] is None
    assert evaluate(read(path)).total == 0


def test_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(_file(tmp_path))])
    out = capsys.readouterr().out
    assert out.startswith("accuracy 0.667 (2/3)")
    assert "cancelamento -> agradecimento: 1" in out
