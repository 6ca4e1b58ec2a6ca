"""pt-BR display helpers: separators, money, durations, and gaps shown as a dash (never 0, never a crash)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from dashboards import formats


def test_pt_br_numbers_money_percent() -> None:
    """Thousands with a dot, decimals with a comma, R$ before the amount."""
    assert formats.number(1234567) == "1.234.567"
    assert formats.number(3.14159, 2) == "3,14"
    assert formats.money(Decimal("1234.56")) == "R$\xa01.234,56"
    assert formats.percent(0.4567) == "45,7\xa0%" or formats.percent(0.4567) == "45,7 %"


def test_durations_and_dates_in_the_tenant_timezone() -> None:
    """Durations at every scale; a UTC instant shown in São Paulo time."""
    assert [formats.duration(s) for s in (45, 200, 7500, 90000)] == [
        "45 s",
        "3 min 20 s",
        "2 h 05 min",
        "1 d 1 h",
    ]
    assert formats.when(datetime(2026, 12, 3, 17, 5, tzinfo=UTC), "America/Sao_Paulo") == "03/12/2026 14:05"


def test_gaps_are_a_dash() -> None:
    """None, NaN and NaT from a query with gaps show as a dash."""
    for value in (None, float("nan")):
        assert formats.number(value) == formats.DASH
        assert formats.duration(value) == formats.DASH
        assert formats.percent(value) == formats.DASH
    assert formats.when(pd.NaT, "America/Sao_Paulo") == formats.DASH
    assert formats.change(float("nan"), 1.0) is None
