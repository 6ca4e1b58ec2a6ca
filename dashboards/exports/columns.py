"""Export columns: the pt-BR header an analyst reads and the type the spreadsheet cell gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["int", "text", "datetime", "duration", "bool", "number"]


@dataclass(frozen=True)
class Column:
    key: str  # the SQL column alias
    header: str  # pt-BR
    kind: Kind = "text"
    width: int = 14
