"""The streaming .xlsx writer: files openpyxl reads back with the right types, a new sheet past the row
limit, characters XML forbids dropped, and an empty export still a valid workbook."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import openpyxl

from dashboards.exports import xlsx_stream
from dashboards.exports.columns import Column

COLUMNS = (
    Column("id", "Conversa", "int"),
    Column("at", "Aberta em", "datetime"),
    Column("took", "Resolução", "duration"),
    Column("ai", "Pela IA", "bool"),
    Column("avg", "Média", "number"),
    Column("text", "Comentário"),
)


def test_types_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Numbers, date-times, durations, booleans, gaps and hostile text come back as written."""
    rows = [
        (1, datetime(2026, 12, 3, 14, 5, 7), 3725.0, True, Decimal("4.50"), "Ótimo & <rápido>\x00\x07"),
        (2, None, None, False, None, ["a", "b"]),
    ]
    path = tmp_path / "x.xlsx"
    assert xlsx_stream.write_xlsx_stream(path, COLUMNS, [rows]) == 2
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    first = [c.value for c in sheet[2]]
    assert first[0] == 1 and first[1] == datetime(2026, 12, 3, 14, 5, 7) and first[3] is True
    assert abs(first[2].total_seconds() - 3725) < 0.01  # a [h]:mm:ss cell reads back as a timedelta
    assert (
        sheet.cell(2, 3).number_format == "[h]:mm:ss"
        and sheet.cell(2, 2).number_format == "dd/mm/yyyy hh:mm:ss"
    )
    assert first[4] == 4.5 and first[5] == "Ótimo & <rápido>"
    assert [c.value for c in sheet[3]] == [2, None, None, False, None, "a, b"]
    assert sheet.freeze_panes == "A2"


def test_new_sheet_past_the_row_limit(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past the limit the rows continue on "Dados 2", each sheet with its header."""
    monkeypatch.setattr(xlsx_stream, "MAX_ROWS", 3)
    rows = [(i, None, None, False, None, "x") for i in range(7)]
    path = tmp_path / "x.xlsx"
    xlsx_stream.write_xlsx_stream(path, COLUMNS, [rows[:2], rows[2:]])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Dados", "Dados 2", "Dados 3"]
    assert [r[0] for r in book["Dados 2"].iter_rows(values_only=True)] == ["Conversa", 3, 4, 5]
    assert [r[0] for r in book["Dados 3"].iter_rows(values_only=True)] == ["Conversa", 6]


def test_empty_export_is_a_workbook(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No rows: a workbook with the header only."""
    path = tmp_path / "x.xlsx"
    assert xlsx_stream.write_xlsx_stream(path, COLUMNS, []) == 0
    assert [c.value for c in openpyxl.load_workbook(path).active[1]] == [c.header for c in COLUMNS]
