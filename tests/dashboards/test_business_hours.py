"""The business-hours calendar: opening, closures, national holidays, next opening, and the
attendant's "back at" wording built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.policy import business_status
from models.business_hours import BusinessCalendar

HOURS = {
    "weekly": {str(d): [["08:00", "12:00"], ["13:00", "18:00"]] for d in range(1, 6)} | {"6": [], "7": []},
    "holidays": ["2026-12-24"],
}
SP = "America/Sao_Paulo"


def _sp(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC) + timedelta(hours=3)  # type: ignore[misc]


def test_open_within_an_interval_and_closed_at_lunch() -> None:
    """10:00 is open, 12:30 (between the two intervals) is not."""
    cal = BusinessCalendar.from_config(HOURS, SP)
    assert cal.is_open(_sp(2026, 12, 2, 10, 0))
    assert not cal.is_open(_sp(2026, 12, 2, 12, 30))


def test_custom_closure_and_national_holiday_are_closed_days() -> None:
    """24/12 (the tenant's closure) and 25/12 (Natal) are closed; the default counts national holidays."""
    cal = BusinessCalendar.from_config(HOURS, SP)
    assert not cal.is_open(_sp(2026, 12, 24, 10, 0))
    assert not cal.is_open(_sp(2026, 12, 25, 10, 0))
    off = BusinessCalendar.from_config({**HOURS, "national_holidays": False}, SP)
    assert off.is_open(_sp(2026, 12, 25, 10, 0))


def test_business_seconds_over_lunch_and_a_long_weekend() -> None:
    """Wed 23/12 17:00 -> Mon 28/12 09:00: 1 h on Wednesday, Thu 24 and Fri 25 closed, the weekend too,
    1 h on Monday = 2 h."""
    cal = BusinessCalendar.from_config(HOURS, SP)
    assert cal.business_seconds(_sp(2026, 12, 23, 17, 0), _sp(2026, 12, 28, 9, 0)) == 2 * 3600
    assert cal.business_seconds(_sp(2026, 12, 2, 11, 0), _sp(2026, 12, 2, 14, 0)) == 2 * 3600  # lunch out
    assert cal.business_seconds(_sp(2026, 12, 2, 14, 0), _sp(2026, 12, 2, 11, 0)) == 0


def test_next_opening_skips_closed_days() -> None:
    """After Wednesday 23/12 18:00 the next opening is Monday 28/12 08:00."""
    cal = BusinessCalendar.from_config(HOURS, SP)
    assert cal.next_opening(_sp(2026, 12, 23, 18, 0)) == _sp(2026, 12, 28, 8, 0)
    assert cal.next_opening(_sp(2026, 12, 2, 9, 0)) == _sp(2026, 12, 2, 9, 0)


def test_no_schedule_is_always_open() -> None:
    """Empty hours: open, and business time equals calendar time."""
    cal = BusinessCalendar.from_config({}, SP)
    assert cal.is_open(_sp(2026, 12, 25, 3, 0))
    assert cal.business_seconds(_sp(2026, 12, 24, 0, 0), _sp(2026, 12, 26, 0, 0)) == 48 * 3600


def test_business_status_names_the_next_opening_in_portuguese() -> None:
    """The attendant's after-hours line: "segunda-feira às 08:00" past the holiday, "hoje" at lunch."""
    assert business_status(HOURS, SP, _sp(2026, 12, 23, 19, 0)) == (False, "segunda-feira às 08:00")
    assert business_status(HOURS, SP, _sp(2026, 12, 2, 12, 30)) == (False, "hoje às 13:00")
    assert business_status(HOURS, SP, _sp(2026, 12, 1, 19, 0)) == (False, "amanhã às 08:00")
    assert business_status(HOURS, SP, _sp(2026, 12, 2, 10, 0)) == (True, None)
    assert business_status(None, SP, _sp(2026, 12, 25, 10, 0)) == (True, None)
