"""Phone numbers to canonical E.164, so one Brazilian mobile is one contact.

WhatsApp often reports Brazilian mobiles without the 9th digit that every mobile has had since 2016
(`55 11 8765-4321` for `+55 11 98765-4321`): both must map to the same contact. Parsing and validation
are Google's libphonenumber (the `phonenumbers` package); only the 9th-digit rule is ours.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_DIGITS = re.compile(r"\D+")
_JID_SUFFIX = re.compile(r"[:@].*$")


class InvalidPhone(ValueError):
    pass


def digits_from_address(address: str) -> str:
    """`5511987654321:12@s.whatsapp.net` → `5511987654321` (device and server suffixes dropped)."""
    return _DIGITS.sub("", _JID_SUFFIX.sub("", address.strip()))


def add_brazilian_ninth_digit(national: str) -> str:
    """Area code + 8-digit mobile (first digit 6-9) → with the 9 in front; landlines (2-5) unchanged."""
    if len(national) == 10 and national[2] in "6789":
        return f"{national[:2]}9{national[2:]}"
    return national


def normalize_phone(raw: str, default_region: str = "BR") -> str:
    """Any human or provider spelling → `+5511987654321`. Raises InvalidPhone when it is not a number."""
    text = raw.strip()
    if "@" in text:
        text = "+" + digits_from_address(text)
    digits = _DIGITS.sub("", text)
    if not digits:
        raise InvalidPhone(f"not a phone number: {raw!r}")
    if not text.startswith("+") and digits.startswith("55") and len(digits) in (12, 13):
        text = "+" + digits  # provider form: country code without the plus
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {raw!r}") from exc
    if number.country_code == 55:
        national = add_brazilian_ninth_digit(str(number.national_number))
        number = phonenumbers.parse("+55" + national)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def try_normalize_phone(raw: str | None, default_region: str = "BR") -> str | None:
    """None when it is not a number. Cached: every webhook names its sender, customers write many
    messages, and libphonenumber's parse took a tenth of a webhook's CPU."""
    if not raw:
        return None
    try:
        return normalize_phone(raw, default_region)
    except InvalidPhone:
        return None


def format_phone_br(e164: str) -> str:
    """For people: `+55 11 98765-4321` → `(11) 98765-4321`; other countries in international format."""
    number = phonenumbers.parse(e164)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 55
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
