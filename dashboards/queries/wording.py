"""pt-BR numbers for the sentences of the insights (pages format their own tables)."""

from __future__ import annotations

WEEKDAYS_PLURAL = {
    1: "segundas",
    2: "terças",
    3: "quartas",
    4: "quintas",
    5: "sextas",
    6: "sábados",
    7: "domingos",
}


def label(code: str) -> str:
    """An intent or theme code as a sentence quotes it: "sem_internet" -> "sem internet"."""
    return code.replace("_", " ")


def number(value: float, decimals: int = 0) -> str:
    """1234.5 -> "1.234,5"."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(fraction: float, decimals: int = 0) -> str:
    """0.4 -> "40 %" (the space as pt-BR style guides write it)."""
    return f"{number(fraction * 100, decimals)} %"


def duration(seconds: float) -> str:
    """Short and readable: "45 s", "12 min", "3,5 h", "2,1 dias"."""
    if seconds < 60:
        return f"{number(seconds)} s"
    if seconds < 3600:
        return f"{number(seconds / 60, 1 if seconds < 600 else 0)} min"
    if seconds < 86400:
        return f"{number(seconds / 3600, 1)} h"
    return f"{number(seconds / 86400, 1)} dias"
