"""One export, start to finish, without Streamlit: count, stream, write to a file. The page and the
benchmark both call `export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from dashboards.exports import sources
from dashboards.exports.writers import write_csv
from dashboards.exports.xlsx_stream import write_xlsx_stream
from dashboards.filters import FilterState, Period
from dashboards.queries.filters import TeamScope

Format = Literal["csv", "xlsx"]
Progress = Callable[[int, int], None]  # rows written, rows in total


def export(
    engine: Engine,
    source: sources.ExportSource,
    fmt: Format,
    path: Path,
    *,
    tenant_id: int,
    state: FilterState,
    period: Period,
    timezone: str,
    team_scope: TeamScope,
    progress: Progress | None = None,
    chunk_rows: int = sources.CHUNK_ROWS,
) -> int:
    """Rows written. One read-only transaction, so the count and the rows see the same snapshot.
    `team_scope`: the verified session's (a supervisor's teams; None for the whole tenant), required so
    no caller exports past it by forgetting it."""
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        total = sources.count(conn, source, tenant_id, state, period, timezone, team_scope=team_scope)
        rows = sources.chunks(
            conn, source, tenant_id, state, period, timezone, chunk_rows, team_scope=team_scope
        )
        step = (lambda done: progress(done, total)) if progress else None
        if fmt == "csv":
            return write_csv(path, source.columns, rows, step)
        return write_xlsx_stream(path, source.columns, rows, step, sheet=source.title[:31])


def file_name(source: sources.ExportSource, period: Period, fmt: Format) -> str:
    slug = source.key
    return f"niochat-{slug}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{fmt}"
