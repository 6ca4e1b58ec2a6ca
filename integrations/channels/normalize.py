"""Small readers every adapter shares: liberal about spelling, strict about what we hand to `ingest`.

Providers disagree on types (epoch seconds vs milliseconds vs ISO strings, numbers as strings, protobuf
`Long` objects, `URL` vs `url`), so each parser reads through these helpers instead of trusting the JSON.
Anything we cannot make sense of becomes a `PayloadError`, which the webhook answers with 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from integrations.channels.events import PayloadError

_NON_DIGITS = re.compile(r"\D+")
_PHONE_SERVERS = {"s.whatsapp.net", "c.us", "whatsapp.net", ""}
_IGNORED_SERVERS = {"broadcast", "newsletter"}

# Above these an epoch value cannot be seconds (year 5138) or milliseconds (year 5138 again).
_MS_THRESHOLD = 10**11
_US_THRESHOLD = 10**14


def now_utc() -> datetime:
    return datetime.now(UTC)


def long_value(value: Any) -> int | None:
    """Protobuf `Long` as JSON (`{"low":…, "high":…, "unsigned":…}`), which Baileys sometimes leaks."""
    if isinstance(value, Mapping) and "low" in value:
        low, high = value.get("low"), value.get("high", 0)
        if isinstance(low, int) and isinstance(high, int):
            return (high << 32) | (low & 0xFFFFFFFF)
    return None


def to_utc(value: Any, what: str = "timestamp") -> datetime:
    """Epoch seconds, milliseconds or microseconds (int, float or digit string), ISO 8601, or `Long`."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    number: float | None = None
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric or (isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value)):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise PayloadError(f"{what}: not a timestamp: {value!r}") from exc
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    else:
        long = long_value(value)
        number = float(long) if long is not None else None
    if number is None or number < 0:
        raise PayloadError(f"{what}: not a timestamp: {value!r}")
    if number >= _US_THRESHOLD:
        number /= 1_000_000
    elif number >= _MS_THRESHOLD:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"{what}: timestamp out of range: {value!r}") from exc


def opt_utc(value: Any, what: str = "timestamp") -> datetime | None:
    """Like `to_utc`, but absent (None, "", 0) is None rather than an error."""
    if value in (None, "", 0, "0"):
        return None
    return to_utc(value, what)


# --- addresses -------------------------------------------------------------------------------------------


def split_jid(jid: str) -> tuple[str, str]:
    """`5511987654321:12@s.whatsapp.net` → (`5511987654321`, `s.whatsapp.net`); device suffix dropped."""
    user, _, server = jid.strip().partition("@")
    user = user.split(":", 1)[0]
    return user, server.lower()


def normalize_jid(jid: str) -> str:
    """The chat address without the device part, so one person keeps one `chat_id` across devices."""
    user, server = split_jid(jid)
    return f"{user}@{server}" if server else user


def is_group_jid(jid: str) -> bool:
    return split_jid(jid)[1] == "g.us"


def is_ignored_jid(jid: str) -> bool:
    """Status stories (`status@broadcast`), broadcast lists and channels are not conversations."""
    user, server = split_jid(jid)
    return server in _IGNORED_SERVERS or user == "status"


def phone_from_jid(jid: str | None) -> str | None:
    """Digits of a person's JID; None for groups and `@lid` (anonymous ids are not phone numbers)."""
    if not jid:
        return None
    user, server = split_jid(jid)
    if server not in _PHONE_SERVERS:
        return None
    digits = only_digits(user)
    return digits or None


def only_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def whatsapp_number(to: str) -> str:
    """Where a WhatsApp-Web-style API (Evolution, Uazapi) sends: a group keeps its JID, a person goes as
    digits (device suffix dropped; the provider resolves the 9th digit itself)."""
    if is_group_jid(to):
        return normalize_jid(to)
    return only_digits(to.split("@", 1)[0].split(":", 1)[0])


# --- typed readers ---------------------------------------------------------------------------------------


def require_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def opt_dict(value: Any, what: str) -> dict[str, Any] | None:
    """None when absent or null; an error when present with the wrong type (liberal is not lax)."""
    if value is None or value == "":
        return None
    return require_dict(value, what)


def as_dict(value: Any) -> dict[str, Any]:
    """Lenient: anything but an object reads as empty (for optional parts of provider answers)."""
    return value if isinstance(value, dict) else {}


def as_data_uri(value: str | None, mime: str = "image/png") -> str | None:
    """QR codes come as `data:image/png;base64,…` or as bare base64: always hand out a data URI."""
    if not value:
        return None
    return value if value.startswith("data:") else f"data:{mime};base64,{value}"


def opt_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def opt_str(value: Any) -> str | None:
    """Strings and numbers as text; empty, null and anything else as None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def require_str(value: Any, what: str) -> str:
    text = opt_str(value)
    if text is None:
        raise PayloadError(f"{what}: required")
    return text


def opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return long_value(value)


def opt_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def opt_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def ci_get(mapping: Mapping[str, Any] | None, *names: str) -> Any:
    """First present key among `names`, ignoring case: whatsmeow says `URL`, Baileys says `url`."""
    if not mapping:
        return None
    for name in names:
        if name in mapping and mapping[name] not in (None, ""):
            return mapping[name]
    lowered = {k.lower(): v for k, v in mapping.items() if isinstance(k, str)}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return value
    return None


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup that also works on a plain dict (tests, RQ payloads)."""
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value


# --- vCards ----------------------------------------------------------------------------------------------


def parse_vcard(vcard: str, display_name: str | None = None) -> dict[str, Any]:
    """The two things an agent needs from a shared contact: a name and phone digits (WhatsApp id first)."""
    name = display_name
    phones: list[str] = []
    for line in vcard.replace("\r\n", "\n").split("\n"):
        key, sep, value = line.partition(":")
        if not sep:
            continue
        field_name, *params = key.split(";")
        field_name = field_name.split(".")[-1].upper()  # `item1.TEL` → `TEL`
        if field_name == "FN" and not name:
            name = value.strip() or None
        elif field_name == "TEL":
            waid = next((p.split("=", 1)[1] for p in params if p.lower().startswith("waid=")), None)
            number = only_digits(waid or value)
            if number and number not in phones:
                phones.append(number)
    return {"name": name, "phones": phones, "vcard": vcard}
