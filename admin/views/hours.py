"""Business hours per tenant: the weekly schedule, Brazil's national holidays on or off, and the
tenant's own closures. Stored in `tenants.business_hours` as
{"weekly": {"1": [["08:00", "18:00"]], …, "7": []}, "holidays": ["2026-12-24", …], "national_holidays": true}
(ISO weekdays, 1 = Monday, local time of the tenant), which models/business_hours.py reads for the
attendant's after-hours message and the dashboards. Keys this page does not know are kept."""

from __future__ import annotations

import re
import time
from datetime import date
from itertools import pairwise
from typing import Any

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from wtforms import BooleanField, StringField, TextAreaField

from admin.base import AdminError, AdminForm, TenantPage
from jobs import queues
from jobs.scheduling import enqueue
from models.tenant import Tenant

WEEKDAYS = [
    ("1", "Segunda-feira"),
    ("2", "Terça-feira"),
    ("3", "Quarta-feira"),
    ("4", "Quinta-feira"),
    ("5", "Sexta-feira"),
    ("6", "Sábado"),
    ("7", "Domingo"),
]
_RANGE = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*$")
MAX_CLOSURES = 366


def parse_ranges(text: str, day_name: str) -> list[list[str]]:
    """ "08:00-12:00, 13:00-18:00" → [["08:00","12:00"],["13:00","18:00"]]; empty = closed all day.
    Ranges must be well formed, start before they end, and not overlap."""
    ranges: list[list[str]] = []
    for part in [p for p in re.split(r"[,;]", text or "") if p.strip()]:
        match = _RANGE.match(part)
        if match is None:
            raise AdminError(f"{day_name}: use faixas como 08:00-12:00, 13:00-18:00.")
        start = f"{match.group(1)}:{match.group(2)}"
        end = f"{match.group(3)}:{match.group(4)}"
        if end > "24:00" or start >= end:
            raise AdminError(f"{day_name}: a faixa {start}-{end} termina antes de começar.")
        ranges.append([start, end])
    ranges.sort()
    for (_s1, e1), (s2, _e2) in pairwise(ranges):
        if s2 < e1:
            raise AdminError(f"{day_name}: as faixas se sobrepõem.")
    return ranges


def parse_closures(text: str) -> list[str]:
    """One date per line (AAAA-MM-DD or DD/MM/AAAA) → sorted unique ISO dates."""
    found: set[str] = set()
    for line in [x.strip() for x in re.split(r"[\n,;]", text or "") if x.strip()]:
        try:
            if "/" in line:
                day, month, year = (int(x) for x in line.split("/"))
                parsed = date(year, month, day)
            else:
                parsed = date.fromisoformat(line)
        except ValueError as exc:
            raise AdminError(f"Data inválida: {line} (use AAAA-MM-DD ou DD/MM/AAAA).") from exc
        found.add(parsed.isoformat())
    if len(found) > MAX_CLOSURES:
        raise AdminError(f"No máximo {MAX_CLOSURES} datas de fechamento.")
    return sorted(found)


def format_ranges(ranges: Any) -> str:
    return ", ".join(f"{r[0]}-{r[1]}" for r in (ranges or []) if isinstance(r, list | tuple) and len(r) == 2)


class HoursForm(AdminForm):
    day_1 = StringField("Segunda-feira")
    day_2 = StringField("Terça-feira")
    day_3 = StringField("Quarta-feira")
    day_4 = StringField("Quinta-feira")
    day_5 = StringField("Sexta-feira")
    day_6 = StringField("Sábado")
    day_7 = StringField("Domingo")
    national_holidays = BooleanField("Fechado nos feriados nacionais do Brasil")
    closures = TextAreaField("Outros dias fechados (um por linha)", render_kw={"rows": 6})


def national_holidays_preview(year: int) -> list[tuple[str, str]]:
    """Brazil's national holidays of `year` (the `holidays` package), for the page; [] without it."""
    try:
        import holidays  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return []
    calendar = holidays.country_holidays("BR", years=year, language="pt_BR")
    return [(day.strftime("%d/%m"), str(name)) for day, name in sorted(calendar.items())]


class BusinessHoursPage(TenantPage):
    """/admin/business-hours/"""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        tenant = self.db.get(Tenant, self.tenant_id())
        if tenant is None:
            abort(404)
        stored = dict(tenant.business_hours or {})
        form = HoursForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            weekly = stored.get("weekly") or {}
            for key, _name in WEEKDAYS:
                getattr(form, f"day_{key}").data = format_ranges(weekly.get(key))
            form.national_holidays.data = bool(stored.get("national_holidays", True))
            form.closures.data = "\n".join(stored.get("holidays") or [])
        else:
            self.require_write()
            if form.validate():
                try:
                    self._save(tenant, stored, form)
                except AdminError as exc:
                    flash(str(exc), "error")
                else:
                    flash(
                        "Horário de atendimento salvo. Os painéis recalculam os tempos em horário "
                        "comercial em segundo plano.",
                        "success",
                    )
                    return redirect(self.get_url(".index"))
        year = date.today().year
        return self.render(
            "niochat_admin/business_hours.html",
            form=form,
            weekdays=WEEKDAYS,
            tenant=tenant,
            holidays=national_holidays_preview(year),
            year=year,
        )

    def _save(self, tenant: Tenant, stored: dict[str, Any], form: HoursForm) -> None:
        weekly = {key: parse_ranges(getattr(form, f"day_{key}").data or "", name) for key, name in WEEKDAYS}
        updated = {
            **stored,
            "weekly": weekly,
            "holidays": parse_closures(form.closures.data or ""),
            "national_holidays": bool(form.national_holidays.data),
        }
        self.audit(
            "tenants.business_hours",
            tenant,
            before={"business_hours": stored},
            after={"business_hours": updated},
        )
        tenant.business_hours = updated
        self.db.commit()
        # The dashboards' business-time durations of past conversations were measured against the old
        # schedule: rebuild the tenant's facts in the background (a pass per tenant, locked).
        enqueue(queues.REPORTING, "jobs.dashboards.backfill_tenant", tenant.id,
                job_id=f"facts-backfill-{tenant.id}-{int(time.time())}")  # fmt: skip
