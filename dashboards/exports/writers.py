"""Writers for the streamed rows: CSV for any tool, .xlsx with typed cells for spreadsheets.

CSV is what Excel in Portuguese opens with a double click: UTF-8 with BOM, `;` between fields, decimal
comma, local date-times as `dd/mm/aaaa hh:mm:ss`, durations as `h:mm:ss`. The .xlsx keeps real types:
date-times and durations are Excel serial numbers with a pt-BR display format, numbers are numbers,
yes/no are booleans."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from dashboards.exports.columns import Column

Progress = Callable[[int], None]  # rows written so far
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _hms(seconds: float) -> str:
    total = round(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _csv_value(value: Any, column: Column) -> Any:
    if value is None:
        return ""
    if column.kind == "datetime":
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if column.kind == "duration":
        return _hms(float(value))
    if column.kind == "bool":
        return "Sim" if value else "Não"
    if column.kind == "number":
        return f"{float(value):.2f}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def write_csv(
    path: Path,
    columns: Sequence[Column],
    chunks: Iterable[Sequence[Sequence[Any]]],
    progress: Progress | None = None,
) -> int:
    done = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([c.header for c in columns])
        for chunk in chunks:
            writer.writerows([_csv_value(v, c) for v, c in zip(row, columns, strict=True)] for row in chunk)
            done += len(chunk)
            if progress:
                progress(done)
    return done


def write_xlsx(
    path: Path,
    columns: Sequence[Column],
    chunks: Iterable[Sequence[Sequence[Any]]],
    progress: Progress | None = None,
    *,
    sheet: str = "Dados",
) -> int:
    """Constant-memory mode flushes each row to disk as it is written: memory stays flat whatever the
    row count (the 1,048,575-row sheet limit is the only bound; past it a new sheet starts)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_urls": False,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
        },
    )
    header = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    formats = {
        "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"}),
        "duration": workbook.add_format({"num_format": "[h]:mm:ss"}),
        "number": workbook.add_format({"num_format": "#,##0.00"}),
        "int": workbook.add_format({"num_format": "0"}),
    }
    writers = [_cell_writer(c, formats) for c in columns]
    sheets = 0
    row_index = 1 << 30

    def new_sheet() -> Any:
        nonlocal sheets, row_index
        sheets += 1
        ws = workbook.add_worksheet(sheet if sheets == 1 else f"{sheet} {sheets}")
        for col, column in enumerate(columns):
            ws.set_column(col, col, column.width)
            ws.write_string(0, col, column.header, header)
        ws.freeze_panes(1, 0)
        row_index = 1
        return ws

    worksheet = None
    done = 0
    for chunk in chunks:
        for row in chunk:
            if row_index > 1_048_575:
                worksheet = new_sheet()
            for col, value in enumerate(row):
                if value is not None:
                    assert worksheet is not None
                    writers[col](worksheet, row_index, col, value)
            row_index += 1
        done += len(chunk)
        if progress:
            progress(done)
    if worksheet is None:
        new_sheet()
    workbook.close()
    return done


def _cell_writer(column: Column, formats: dict[str, Any]) -> Callable[[Any, int, int, Any], None]:
    kind = column.kind
    if kind == "datetime":
        fmt = formats["datetime"]
        return lambda ws, r, c, v: ws.write_number(r, c, (v - _EXCEL_EPOCH).total_seconds() / 86400, fmt)
    if kind == "duration":
        fmt = formats["duration"]
        return lambda ws, r, c, v: ws.write_number(r, c, float(v) / 86400, fmt)
    if kind == "bool":
        return lambda ws, r, c, v: ws.write_boolean(r, c, bool(v))
    if kind in ("int", "number"):
        fmt = formats[kind]
        return lambda ws, r, c, v: ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v, fmt)

    def text(ws: Any, r: int, c: int, v: Any) -> None:
        ws.write_string(r, c, ", ".join(map(str, v)) if isinstance(v, list) else str(v))

    return text
