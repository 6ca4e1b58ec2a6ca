"""Readers for the SGP's loosely typed fields.

The same SGP field comes in different shapes across versions and installations: a status is `1` or
`"1"`, a boolean is `true`, `"true"`, `"1"` or `"S"`, money is `89.9` or `"89,90"` (or `"1.234,56"`), a
date is `"2026-09-20"`, `"20/09/2026"` or a timestamp, a phone is `"(11) 98765-4321"` or an object with
the number inside. Every reader here is total: a value it cannot read becomes None, never an exception,
because one odd field must not make a customer's whole lookup fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

_NON_DIGITS = re.compile(r"\D+")
_TRUE = {"true", "1", "s", "sim", "y", "yes", "t", "on"}
_FALSE = {"false", "0", "n", "nao", "não", "no", "f", "off", ""}
_CENTS = Decimal("0.01")


def digits(value: Any) -> str:
    """Only the digits of a CPF, CNPJ, CEP or phone, whatever punctuation the SGP kept."""
    text = text_of(value)
    return _NON_DIGITS.sub("", text) if text else ""


def pick(record: Mapping[str, Any], *names: str) -> Any:
    """The first of `names` present and not empty: `contratoId` in one version is `contrato` in another."""
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def text_of(value: Any) -> str | None:
    """Strings and numbers as stripped text (an integral float loses its `.0`); anything else is None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, Decimal):
        return str(value)
    return None


def int_of(value: Any) -> int | None:
    """`1`, `"1"`, `1.0` and `" 1 "` are 1; `"ativo"` is None (callers fall back to a label)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = text_of(value)
    if text is not None and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return None


def bool_of(value: Any) -> bool | None:
    """JSON booleans, numbers and the strings SGPs use (`"true"`, `"1"`, `"S"`, `"sim"`); None if unsure."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def money(value: Any) -> Decimal | None:
    """Money as Decimal rounded to cents, from `89.9`, `"89.90"`, `"89,90"`, `"1.234,56"` or `"R$ 89,90"`.

    Floats go through `str` so 89.9 is 89.90 and not 89.900000000000005684…. A comma is the decimal mark
    when present (dots before it are thousands); a lone dot with exactly three digits after it
    (`"1.234"`) is read as thousands, as a Brazilian screen would show it.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace("R$", "").replace("\xa0", "").replace(" ", "")
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite():
        return None
    return number.quantize(_CENTS, rounding=ROUND_HALF_UP)


def format_brl(value: Decimal) -> str:
    """`Decimal("1234.5")` → `"R$ 1.234,50"`: how a Brazilian customer reads an amount."""
    amount = Decimal(value).quantize(_CENTS, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}R$ {groups},{cents}"


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)


def datetime_of(value: Any) -> datetime | None:
    """ISO (with or without zone), `dd/mm/aaaa HH:MM[:SS]` or a bare date at midnight. Naive values stay
    naive: the SGP speaks its own local time and we do not guess its zone."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = text_of(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    day = date_of(text)
    return datetime(day.year, day.month, day.day) if day else None


def date_of(value: Any) -> date | None:
    """`"2026-09-20"`, `"20/09/2026"`, `"20-09-2026"` or a datetime string (its date part)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    if text is None:
        return None
    head = text.split("T", 1)[0].split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


_PHONE_KEYS = ("numero", "telefone", "contato", "celular", "fone", "phone", "number", "valor")


def phones_of(value: Any) -> tuple[str, ...]:
    """Phone digits from a list of strings, of objects (`{"numero": …}`, `{"contato": …, "tipo": …}`),
    a single string with several numbers separated by `,`/`;`/`/`, or a mix. Order kept, duplicates out."""
    found: list[str] = []

    def add(raw: Any) -> None:
        if isinstance(raw, Mapping):
            for key in _PHONE_KEYS:
                if raw.get(key) not in (None, ""):
                    add(raw[key])
                    return
            return
        if isinstance(raw, list | tuple):
            for item in raw:
                add(item)
            return
        text = text_of(raw)
        if text is None:
            return
        for part in re.split(r"[,;/|]", text):
            number = digits(part)
            if len(number) >= 8 and number not in found:
                found.append(number)

    add(value)
    return tuple(found)


def phone_matches(stored: str, wanted: str) -> bool:
    """Whether two Brazilian phone numbers are the same line, with or without 55, the area code or the
    mobile's ninth digit: the SGP keeps `(11) 8765-4321` while WhatsApp says `+55 11 98765-4321`."""
    a, b = _phone_key(stored), _phone_key(wanted)
    if not a or not b:
        return False
    if len(a) >= 10 and len(b) >= 10:
        return a == b
    return a[-8:] == b[-8:]


def _phone_key(number: str) -> str:
    """Area code + last 8 digits (the ninth digit dropped), or just the last 8 when there is no area."""
    value = digits(number)
    if value.startswith("55") and len(value) in (12, 13):
        value = value[2:]
    if len(value) == 11 and value[2] == "9":
        value = value[:2] + value[3:]
    if len(value) >= 10:
        return value[-10:]
    return value[-8:] if len(value) >= 8 else ""


def join_address(street: Any, number: Any, *rest: Any) -> str | None:
    """`"RUA X, 523 - CENTRO - CIDADE"` from whatever address parts the SGP filled."""
    head = ", ".join(t for t in (text_of(street), text_of(number)) if t)
    texts = [t for t in (head, *(text_of(p) for p in rest)) if t]
    return " - ".join(texts) if texts else None
