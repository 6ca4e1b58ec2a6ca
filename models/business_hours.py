"""The tenant's business hours as a calendar: open now, business seconds between instants, next opening.

`tenants.business_hours` is JSON in the tenant's local time:

    {"weekly": {"1": [["08:00", "18:00"]], ..., "6": [["08:00", "12:00"]], "7": []},
     "holidays": ["2026-12-24"],          # the tenant's own closures (dates, local)
     "national_holidays": true}           # Brazilian national holidays closed too (absent = true)

Keys of "weekly" are ISO weekdays (1 = Monday). No "weekly" at all means always open: business time is
then calendar time. Pure: no Flask, no database; the dashboards' facts and the attendant share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "America/Sao_Paulo"
SEARCH_DAYS = 31  # how far `next_opening` looks before saying "never"

Span = tuple[time, time | None]  # None end = midnight (an interval written as "…-24:00")


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """Brazil's national holidays of a year (the `holidays` package; Carnaval is optional there, so not
    included)."""
    import holidays

    return frozenset(holidays.country_holidays("BR", years=year).keys())


def _parse_time(value: Any) -> time | None:
    text = str(value).strip()
    if text in ("24:00", "24:00:00"):
        return None
    hour, minute = text.split(":")[:2]
    return time(int(hour), int(minute))


def _parse_weekly(weekly: dict[str, Any]) -> dict[int, tuple[Span, ...]]:
    days: dict[int, tuple[Span, ...]] = {}
    for key, spans in weekly.items():
        parsed: list[Span] = []
        for pair in spans or []:
            start, end = _parse_time(pair[0]), _parse_time(pair[1])
            if start is None:
                continue
            if end is not None and end <= start:
                continue  # an empty or inverted interval opens nothing
            parsed.append((start, end))
        days[int(key)] = tuple(sorted(parsed))
    return days


@dataclass(frozen=True)
class BusinessCalendar:
    """One tenant's opening hours in its timezone."""

    tz: ZoneInfo
    weekly: dict[int, tuple[Span, ...]] = field(default_factory=dict)
    closures: frozenset[date] = frozenset()
    national: bool = True
    always_open: bool = False

    @classmethod
    def from_config(cls, hours: dict[str, Any] | None, timezone: str | None) -> BusinessCalendar:
        tz = ZoneInfo(timezone or DEFAULT_TIMEZONE)
        if not hours or not hours.get("weekly"):
            return cls(tz=tz, always_open=True)
        closures = set()
        for value in hours.get("holidays") or []:
            try:
                closures.add(date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue  # a malformed date closes nothing rather than breaking every metric
        national = hours.get("national_holidays")
        return cls(
            tz=tz,
            weekly=_parse_weekly(hours["weekly"]),
            closures=frozenset(closures),
            national=True if national is None else bool(national),
        )

    def is_closed_day(self, day: date) -> bool:
        """A custom closure or (unless turned off) a national holiday."""
        return day in self.closures or (self.national and day in national_holidays(day.year))

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local date, as aware datetimes (UTC)."""
        if self.always_open:
            midnight = datetime.combine(day, time(0), self.tz)
            return [(midnight.astimezone(UTC), datetime.combine(day + timedelta(days=1), time(0), self.tz))]
        if self.is_closed_day(day):
            return []
        out = []
        for begin, end in self.weekly.get(day.isoweekday(), ()):
            opened = datetime.combine(day, begin, self.tz)
            closed = (
                datetime.combine(day + timedelta(days=1), time(0), self.tz)
                if end is None
                else datetime.combine(day, end, self.tz)
            )
            out.append((opened.astimezone(UTC), closed.astimezone(UTC)))
        return out

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        local = at.astimezone(self.tz)
        return any(a <= at < b for a, b in self.intervals(local.date()))

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of [start, end) that fall within opening hours; 0 when end is not after start."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = 0.0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self.intervals(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def next_opening(self, at: datetime) -> datetime | None:
        """`at` itself when open; else the start of the next open interval within a month (None: none)."""
        if self.is_open(at):
            return at
        day = at.astimezone(self.tz).date()
        for offset in range(SEARCH_DAYS + 1):
            for opened, _ in self.intervals(day + timedelta(days=offset)):
                if opened > at:
                    return opened
        return None


def calendar_for(hours: dict[str, Any] | None, timezone: str | None) -> BusinessCalendar:
    """`BusinessCalendar.from_config`, named for call sites that read better as a function."""
    return BusinessCalendar.from_config(hours, timezone)
