"""The sidebar's filters as a value: parsed from and written to the URL's query string (so a view can be
shared and saved), and turned into a UTC period in the tenant's timezone. No Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

PRESETS: dict[str, str] = {
    "hoje": "Hoje",
    "ontem": "Ontem",
    "7d": "Últimos 7 dias",
    "30d": "Últimos 30 dias",
    "90d": "Últimos 90 dias",
    "mes": "Este mês",
    "mes_anterior": "Mês passado",
    "personalizado": "Personalizado",
}
DEFAULT_PRESET = "30d"
MAX_DAYS = 731
# URL key -> FilterState field holding ids (or channel names).
LIST_KEYS = {"caixa": "inbox_ids", "equipe": "team_ids", "agente": "agent_ids", "etiqueta": "label_ids"}


@dataclass(frozen=True)
class FilterState:
    preset: str = DEFAULT_PRESET
    start: date | None = None  # only for "personalizado": first and last day, inclusive
    end: date | None = None
    inbox_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    agent_ids: tuple[int, ...] = ()
    label_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) in UTC-aware datetimes, and the same length just before it."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @property
    def previous(self) -> Period:
        length = self.end - self.start
        days = (self.last_day - self.first_day).days + 1
        return Period(
            self.start - length,
            self.start,
            self.first_day - timedelta(days=days),
            self.first_day - timedelta(days=1),
        )


def _ids(raw: str | None) -> tuple[int, ...]:
    if not raw:
        return ()
    out = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit() and len(part) < 19:
            out.append(int(part))
    return tuple(sorted(set(out)))


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def from_query(params: Mapping[str, str]) -> FilterState:
    """Whatever the URL says, a valid state: unknown presets, bad dates and bad ids are dropped."""
    preset = params.get("periodo") or DEFAULT_PRESET
    preset = preset if preset in PRESETS else DEFAULT_PRESET
    start, end = _day(params.get("de")), _day(params.get("ate"))
    if preset == "personalizado":
        if start is None or end is None:
            preset, start, end = DEFAULT_PRESET, None, None
        elif end < start:
            start, end = end, start
        if start is not None and end is not None and (end - start).days > MAX_DAYS:
            start = end - timedelta(days=MAX_DAYS)
    else:
        start = end = None
    channels = tuple(
        sorted({c for c in (params.get("canal") or "").split(",") if c.replace("_", "").isalpha()})
    )
    lists = {attr: _ids(params.get(key)) for key, attr in LIST_KEYS.items()}
    return FilterState(preset=preset, start=start, end=end, channels=channels, **lists)


def to_query(state: FilterState) -> dict[str, str]:
    """Only what differs from the defaults, so a plain view has a plain URL."""
    out: dict[str, str] = {}
    if state.preset != DEFAULT_PRESET:
        out["periodo"] = state.preset
    if state.preset == "personalizado" and state.start and state.end:
        out["de"], out["ate"] = state.start.isoformat(), state.end.isoformat()
    for key, attr in LIST_KEYS.items():
        values = getattr(state, attr)
        if values:
            out[key] = ",".join(str(v) for v in values)
    if state.channels:
        out["canal"] = ",".join(state.channels)
    return out


def query_string(state: FilterState) -> str:
    return urlencode(to_query(state))


def resolve(state: FilterState, timezone: str, today: date | None = None) -> Period:
    """The period in the tenant's calendar: "Hoje" is the tenant's today, midnight to midnight there."""
    zone = ZoneInfo(timezone)
    today = today or datetime.now(zone).date()
    if state.preset == "hoje":
        first, last = today, today
    elif state.preset == "ontem":
        first = last = today - timedelta(days=1)
    elif state.preset in ("7d", "30d", "90d"):
        first, last = today - timedelta(days=int(state.preset[:-1]) - 1), today
    elif state.preset == "mes":
        first, last = today.replace(day=1), today
    elif state.preset == "mes_anterior":
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
    else:
        first, last = state.start or today, state.end or today
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return Period(start, end, first, last)


def with_period(
    state: FilterState, preset: str, start: date | None = None, end: date | None = None
) -> FilterState:
    return replace(state, preset=preset, start=start, end=end)
