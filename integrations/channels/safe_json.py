"""JSON from outside, made safe to store: what `json.loads` accepts but PostgreSQL refuses.

A client that cuts an emoji in half sends `"Oi \\ud83d"`: valid JSON whose string holds a lone UTF-16
surrogate, which no UTF-8 encoder (psycopg's, JSONB's) accepts; `\\u0000` is valid JSON too, and neither a
text column nor JSONB takes it. Refusing such a body would lose the customer's message on every
redelivery, so strings are repaired instead: a lone surrogate becomes U+FFFD, NUL is removed, bytes that
are not UTF-8 are decoded with U+FFFD. Nesting deeper than any provider sends is refused (the
recursive parser would otherwise overflow the stack: a 500 before authentication).
"""

from __future__ import annotations

import json
import re
from typing import Any

from integrations.channels.events import PayloadError

MAX_DEPTH = 64  # real webhooks nest about 8 deep; Graph API answers about 10
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads already joined every valid pair
# A surrogate escape in the raw body; whether it is half of a pair is checked by `_has_risky_escape`.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse and repair; PayloadError (a ValueError) for anything that is not usable JSON."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    # Decoded here, not by json.loads: it decodes bytes with "surrogatepass", so CESU-8 bytes would
    # become lone surrogates that no escape in the body announces.
    value = _loads_text(data.decode("utf-8", "replace"), max_depth)
    # Fast path for the common body: no escape that can hide a surrogate or NUL, and too few brackets
    # to nest `max_depth` deep, so there is nothing to repair or to measure.
    if not _has_risky_escape(data) and data.count(b"{") + data.count(b"[") <= max_depth:
        return value
    return clean(value, max_depth=max_depth)


def _has_risky_escape(data: bytes) -> bool:
    """An escape that decodes to NUL or to a lone surrogate: a high half not followed at once by a low
    half, or a low half without its high one. A whole emoji (a pair, as Meta escapes them) is fine, so
    ordinary bodies skip the walk. A literal backslash before `ud83d` is a false alarm: a walk, no harm."""
    if b"\\u0000" in data:
        return True
    high_ends_at: int | None = None
    for match in _SURROGATE_ESCAPE.finditer(data):
        if match.group(1) in b"89abAB":  # a high half
            if high_ends_at is not None:
                return True
            high_ends_at = match.end()
        elif high_ends_at != match.start():  # a low half without its high half right before it
            return True
        else:
            high_ends_at = None
    return high_ends_at is not None


def _refuse_constant(name: str) -> Any:
    """NaN and ±Infinity are not JSON (RFC 8259) though `json.loads` takes them, and JSONB refuses them:
    a body holding one was a 500 when stored, so it is malformed here, like any other non-JSON."""
    raise ValueError(f"{name} is not a JSON number")


def _loads_text(text: str, max_depth: int) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise PayloadError(f"invalid JSON: {exc}") from None


def clean_str(text: str) -> str:
    """A lone surrogate becomes U+FFFD and NUL goes: what is left is storable anywhere."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)


def clean(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """Every string (keys too) repaired; PayloadError past `max_depth` levels of arrays and objects."""
    return _clean(value, max_depth)


def _clean(value: Any, depth_left: int) -> Any:
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, dict):
        if depth_left <= 0:
            raise PayloadError("JSON nested too deeply")
        return {clean_str(k): _clean(v, depth_left - 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth_left <= 0:
            raise PayloadError("JSON nested too deeply")
        return [_clean(v, depth_left - 1) for v in value]
    return value
