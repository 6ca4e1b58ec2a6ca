"""Dates as customers say them ("amanhã", "sexta", "dia 15", "15/09", "semana que vem"), resolved
against the caller's `today` (the tenant's local date), never the server clock, so tests and time zones
agree. A promise to pay is always about the future: a bare weekday or day of the month means the next one.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

WEEKDAYS: dict[str, int] = {
    "segunda": 0, "segunda-feira": 0, "terca": 1, "terca-feira": 1, "quarta": 2, "quarta-feira": 2,
    "quinta": 3, "quinta-feira": 3, "sexta": 4, "sexta-feira": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip

# "segunda" is also "segunda via" and "a segunda (opção)": as a bare word it is a date only after one
# of these, or when "feira"/"que vem" follows.
_DATE_LEAD = r"(?:na|no|ate|pra|para|dia|essa|esta|nessa|nesta|proxima|proximo|de|so|la|pela|agora)"
_WEEKDAY = re.compile(
    r"\b(?:(?P<lead>"
    + _DATE_LEAD
    + r")\s+)?(?P<day>segunda|terca|quarta|quinta|sexta|sabado|domingo)(?!\s+(?:via|opcao))"
    r"(?P<tail>(?:\s*-?\s*feira)?(?:\s+que\s+vem)?)"
)
_MONTH_NAMES = "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro"
MONTHS: dict[str, int] = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
_MONTH_NAME = re.compile(
    r"\b(?P<d>[0-3]?\d)\s+de\s+(?P<m>" + "|".join(MONTHS) + r")\b(?:\s+de\s+(?P<y>\d{4}))?"
)
_NUMERIC = re.compile(r"\b(?P<d>[0-3]?\d)\s*[/.-]\s*(?P<m>[01]?\d)(?:\s*[/.-]\s*(?P<y>\d{2}|\d{4}))?\b")
_DAY_OF_MONTH = re.compile(r"\bdia\s+(?P<d>[0-3]?\d)\b(?!\s*[/.-]\s*\d)")
_IN_DAYS = re.compile(
    r"\b(?:daqui|em|dentro de)\s+(?:a\s+)?(?P<n>\d{1,2}|um|dois|tres|quatro|cinco)\s+dias?\b"
)
_NUMBER_WORDS = {"um": 1, "dois": 2, "tres": 3, "quatro": 4, "cinco": 5}


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_of_month(day: int, today: date, past: bool) -> date | None:
    """ "dia 15": this month's 15th if still ahead (or today), else next month's; in a sentence about
    the past ("paguei dia 15") the latest 15th up to today."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    step = -1 if past else 1
    for _ in range(3):
        candidate = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if (candidate <= today) if past else (candidate >= today):
            return candidate
        month += step
        year, month = (year + 1, 1) if month == 13 else (year - 1, 12) if month == 0 else (year, month)
    return None


def _weekday(weekday: int, today: date, past: bool) -> date:
    """The next such weekday strictly after today ("sexta" said on a Friday is next week's), or the
    last one strictly before it in a sentence about the past ("paguei na sexta")."""
    if past:
        return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


_PAST = re.compile(
    r"\b(?:paguei|pagamos|pagou|fiz|fizemos|foi|ontem|passad[oa]|caiu|depositei|transferi|quitei)\b"
)


def find_date(text: str, today: date) -> date | None:
    """The first date mentioned in normalized `text`, or None."""
    if re.search(r"\bdepois de amanha\b", text):
        return today + timedelta(days=2)
    if re.search(r"\bamanha\b", text):
        return today + timedelta(days=1)
    if re.search(r"\bhoje\b", text):
        return today
    if re.search(r"\banteontem\b", text):
        return today - timedelta(days=2)
    if re.search(r"\bontem\b", text):
        return today - timedelta(days=1)
    past = bool(_PAST.search(text))
    match = _NUMERIC.search(text) or _MONTH_NAME.search(text)
    if match:
        day = int(match["d"])
        month = int(match["m"]) if match["m"].isdigit() else MONTHS[match["m"]]
        year = int(match["y"]) if match["y"] else today.year
        year = year + 2000 if year < 100 else year
        found = _safe(year, month, day) if 1 <= month <= 12 else None
        if found is not None and not match["y"] and found < today - timedelta(days=180):
            found = _safe(year + 1, month, day)  # "05/01" said in December is next year's
        if found is not None:
            return found
    match = _IN_DAYS.search(text)
    if match:
        count: str = match["n"]
        return today + timedelta(days=int(count) if count.isdigit() else _NUMBER_WORDS[count])
    for match in _WEEKDAY.finditer(text):
        name: str = match["day"]
        if name == "segunda" and not (match["lead"] or match["tail"].strip()):
            continue
        return _weekday(WEEKDAYS[name], today, past)
    match = _DAY_OF_MONTH.search(text)
    if match:
        return _day_of_month(int(match["d"]), today, past)
    if re.search(r"\bsemana que vem\b|\bproxima semana\b", text):
        return _weekday(0, today, past=False)
    if re.search(r"\bfim do mes\b|\bfinal do mes\b", text):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if re.search(r"\bmes que vem\b|\bproximo mes\b", text):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return None
