"""The CSV writer for the streamed rows (the .xlsx one is `xlsx_stream`).

CSV is what Excel in Portuguese opens with a double click: UTF-8 with BOM, `;` between fields, decimal
comma, local date-times as `dd/mm/aaaa hh:mm:ss`, durations as `h:mm:ss`."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

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
