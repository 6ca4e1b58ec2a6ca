"""Phones to one E.164 per person, and CPF/CNPJ check digits."""

from __future__ import annotations

import pytest

from models.documents import InvalidDocument, format_cpf_cnpj, is_valid_cnpj, is_valid_cpf, normalize_cpf_cnpj
from models.phones import InvalidPhone, format_phone_br, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "5511987654321@s.whatsapp.net",
        "551187654321@s.whatsapp.net",  # WhatsApp's wa_id without the 9th digit
        "551187654321",
        "5511987654321",
        "+55 11 98765-4321",
        "+55 (11) 8765-4321",
        "(11) 98765-4321",
        "11 8765-4321",
        "5511987654321:17@s.whatsapp.net",  # multi-device suffix
    ],
)
def test_brazilian_mobile_with_and_without_ninth_digit_is_one_number(raw: str) -> None:
    """Every spelling of the same mobile normalizes to the same E.164."""
    assert normalize_phone(raw) == "+5511987654321"


def test_landline_keeps_eight_digits() -> None:
    """Landlines (first digit 2-5) get no 9th digit."""
    assert normalize_phone("551133334444") == "+551133334444"
    assert normalize_phone("(11) 3333-4444") == "+551133334444"


def test_foreign_numbers_are_kept() -> None:
    """Non-Brazilian numbers are formatted, not rewritten."""
    assert normalize_phone("+1 650 253 0000") == "+16502530000"
    assert normalize_phone("+351 912 345 678") == "+351912345678"


@pytest.mark.parametrize("raw", ["", "abc", "123", "+55 11 1234"])
def test_garbage_is_refused(raw: str) -> None:
    """Non-numbers raise InvalidPhone."""
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_display_format() -> None:
    """Brazilian numbers are shown in national format."""
    assert format_phone_br("+5511987654321") == "(11) 98765-4321"


def test_cpf_check_digits() -> None:
    """Valid CPFs pass with or without punctuation; wrong digits and repeated digits fail."""
    assert is_valid_cpf("529.982.247-25")
    assert is_valid_cpf("52998224725")
    assert not is_valid_cpf("529.982.247-24")
    assert not is_valid_cpf("111.111.111-11")
    assert not is_valid_cpf("5299822472")


def test_cnpj_check_digits_numeric_and_alphanumeric() -> None:
    """Numeric CNPJs and the alphanumeric format of July 2026 are validated by check digits."""
    assert is_valid_cnpj("11.222.333/0001-81")
    assert not is_valid_cnpj("11.222.333/0001-82")
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert not is_valid_cnpj("12.ABC.345/01DE-36")


def test_normalize_document() -> None:
    """Documents are stored clean and shown formatted; errors say which document is wrong."""
    assert normalize_cpf_cnpj("529.982.247-25") == "52998224725"
    assert normalize_cpf_cnpj("11.222.333/0001-81") == "11222333000181"
    assert format_cpf_cnpj("52998224725") == "529.982.247-25"
    assert format_cpf_cnpj("11222333000181") == "11.222.333/0001-81"
    with pytest.raises(InvalidDocument, match="CPF"):
        normalize_cpf_cnpj("529.982.247-24")
    with pytest.raises(InvalidDocument, match="CNPJ"):
        normalize_cpf_cnpj("11.222.333/0001-80")
    with pytest.raises(InvalidDocument, match="11 dígitos"):
        normalize_cpf_cnpj("1234")
