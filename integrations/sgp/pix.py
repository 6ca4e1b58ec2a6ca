"""PIX "copia e cola" (EMV BR Code) checks and a small builder.

A BR Code is a string of EMV TLV fields (two-digit id, two-digit length, value) ending in field 63, a
CRC16/CCITT-FALSE of everything before it. `binascii.crc_hqx(data, 0xFFFF)` is exactly that CRC, so the
standard library suffices; the PyPI BR Code packages (pixqrcode, pybrcode, pypix…) are small, unranked,
single-author projects that would add a dependency for thirty lines. The attendant uses
`is_valid_brcode` before sending a code to a customer (a truncated code is worse than none); the SGP stub
uses `build_brcode` to hand out real, payable-looking codes.
"""

from __future__ import annotations

import binascii
import unicodedata
from decimal import Decimal

_GUI = "br.gov.bcb.pix"


def crc16(payload: str) -> str:
    """CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as four upper-case hex digits."""
    return f"{binascii.crc_hqx(payload.encode('utf-8'), 0xFFFF):04X}"


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"BR Code field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _ascii(text: str, limit: int) -> str:
    """Merchant name and city: upper-case ASCII without accents, as banks print them."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.upper()[:limit]


def build_brcode(
    *, key: str, amount: Decimal | None, merchant: str, city: str, txid: str = "***", description: str = ""
) -> str:
    """A static BR Code for `key` (CPF/CNPJ, e-mail, phone or random key) and an optional amount."""
    account = _field("00", _GUI) + _field("01", key)
    if description:
        account += _field("02", description[:40])
    payload = (
        _field("00", "01")
        + _field("26", account)
        + _field("52", "0000")
        + _field("53", "986")
        + (_field("54", f"{amount:.2f}") if amount is not None else "")
        + _field("58", "BR")
        + _field("59", _ascii(merchant, 25))
        + _field("60", _ascii(city, 15))
        + _field("62", _field("05", txid[:25]))
        + "6304"
    )
    return payload + crc16(payload)


def parse_tlv(code: str) -> dict[str, str]:
    """Top-level fields of a BR Code (`{"00": "01", "26": "…", …}`); ValueError when malformed."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(code):
        tag, size = code[i : i + 2], code[i + 2 : i + 4]
        if len(tag) < 2 or not size.isdigit():
            raise ValueError("malformed BR Code")
        end = i + 4 + int(size)
        if end > len(code):
            raise ValueError("truncated BR Code")
        fields[tag] = code[i + 4 : end]
        i = end
    return fields


def is_valid_brcode(code: str | None) -> bool:
    """Well-formed TLV, starts with the format indicator, ends with a matching CRC."""
    if not code or len(code) < 12 or not code.startswith("000201"):
        return False
    try:
        fields = parse_tlv(code)
    except ValueError:
        return False
    return code[-8:-4] == "6304" and fields.get("63") == crc16(code[:-4])
