"""pt-BR display: numbers `1.234,5`, money `R$ 1.234,56`, percentages `45,7 %`, durations `3 min 20 s`,
dates `03/12/2026 14:05` in the tenant's timezone. None shows as an em dash, never as 0."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "pt_BR"
DASH = "—"


def missing(value: object) -> bool:
    """None, or pandas' NaN/NaT for a missing number or time (a query column with gaps)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are the only values unequal to themselves
    except (TypeError, ValueError):
        return False


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None or missing(value):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def money(value: Decimal | float | None) -> str:
    return DASH if value is None or missing(value) else format_currency(value, "BRL", locale=LOCALE)


def percent(value: float | None, digits: int = 1) -> str:
    if value is None or missing(value):
        return DASH
    return format_percent(value, "#,##0" + ("." + "0" * digits if digits else "") + " %", locale=LOCALE)


def duration(seconds: float | None) -> str:
    """Short and readable at every scale: 45 s, 3 min 20 s, 2 h 05 min, 3 d 4 h."""
    if seconds is None or missing(seconds):
        return DASH
    total = round(float(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def when(value: datetime | None, timezone: str) -> str:
    if value is None or missing(value):
        return DASH
    return value.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def day(value: date | None) -> str:
    return DASH if value is None else value.strftime("%d/%m/%Y")


def change(current: float | None, previous: float | None, *, relative: bool = True) -> str | None:
    """The delta text under a KPI card: `+12,5 %` relative, or in points for rates."""
    if current is None or previous is None or missing(current) or missing(previous):
        return None
    if relative:
        if previous == 0:
            return None
        return percent((current - previous) / abs(previous))
    return number((current - previous) * 100, 1) + " p.p."
