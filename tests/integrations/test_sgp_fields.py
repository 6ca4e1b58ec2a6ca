"""The SGP's field variability (numbers or strings, "89,90", dd/mm/aaaa, string booleans, phone objects)
read into one typed shape; money shown as `R$ 1.234,56`; PIX codes checked by their CRC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from integrations.sgp import format_brl, money, phone_matches
from integrations.sgp import parse as sgp_parse
from integrations.sgp.fields import bool_of, date_of, datetime_of, int_of, phones_of
from integrations.sgp.pix import build_brcode, crc16, is_valid_brcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (89.9, "89.90"),
        ("89,90", "89.90"),
        ("89.90", "89.90"),
        ("1.234,56", "1234.56"),
        ("1.234", "1234.00"),
        ("R$ 1.234,5", "1234.50"),
        (120, "120.00"),
        (Decimal("0.005"), "0.01"),
    ],
)
def test_money_reads_every_spelling_as_decimal_cents(raw: object, expected: str) -> None:
    value = money(raw)
    assert isinstance(value, Decimal) and value == Decimal(expected)


@pytest.mark.parametrize("raw", [None, "", "abc", True, [], "NaN"])
def test_money_unreadable_is_none(raw: object) -> None:
    assert money(raw) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "R$ 1.234,50"),
        (Decimal("89.9"), "R$ 89,90"),
        (Decimal("0"), "R$ 0,00"),
        (Decimal("1234567.891"), "R$ 1.234.567,89"),
        (Decimal("-5"), "-R$ 5,00"),
    ],
)
def test_format_brl(value: Decimal, shown: str) -> None:
    assert format_brl(value) == shown


def test_dates_iso_and_brazilian() -> None:
    assert date_of("2026-09-20") == date(2026, 9, 20)
    assert date_of("20/09/2026") == date(2026, 9, 20)
    assert date_of("2026-09-20T10:00:00-03:00") == date(2026, 9, 20)
    assert date_of("20/09/2026 10:00") == date(2026, 9, 20)
    assert date_of("31/02/2026") is None and date_of(None) is None
    assert datetime_of("03/12/2026 14:30") == datetime(2026, 12, 3, 14, 30)
    assert datetime_of("2026-12-03 14:30:00") == datetime(2026, 12, 3, 14, 30)


def test_string_booleans_and_numbers() -> None:
    assert [bool_of(v) for v in (True, "true", "1", 1, "S", "sim")] == [True] * 6
    assert [bool_of(v) for v in (False, "false", "0", 0, "N", "não")] == [False] * 6
    assert bool_of("talvez") is None
    assert [int_of(v) for v in (4, "4", " 4 ", 4.0)] == [4] * 4
    assert int_of("Suspenso") is None


def test_phones_as_strings_objects_and_lists() -> None:
    raw = [
        "(11) 98765-4321",
        {"tipo": "Celular", "numero": "11 3222-1111"},
        {"contato": "21999998888"},
        "11987654321",  # the same line again
        "12",  # not a phone
    ]
    assert phones_of(raw) == ("11987654321", "1132221111", "21999998888")
    assert phones_of("(11) 98765-4321 / (11) 3222-1111") == ("11987654321", "1132221111")
    assert phones_of(None) == ()


def test_phone_matches_with_or_without_country_and_ninth_digit() -> None:
    assert phone_matches("(11) 98765-4321", "+5511987654321")
    assert phone_matches("(11) 8765-4321", "5511987654321")  # stored before the 9th digit
    assert phone_matches("98765-4321", "+5511987654321")  # no area code stored
    assert not phone_matches("(21) 98765-4321", "+5511987654321")
    assert not phone_matches("", "+5511987654321")


def test_contract_in_the_legacy_shape() -> None:
    """Status as text, amount "89,90", id as string, phones as objects, POP as an object."""
    contract = sgp_parse.contract(
        {
            "contrato": "17402",
            "cpfcnpj": "036.668.113-37",
            "nome": "CLIENTE",
            "status": "4",
            "contratoValorAberto": "1.089,90",
            "plano": {"id": 3, "nome": "FIBRA 600"},
            "pop": {"id": 1, "nome": "POP CENTRO"},
            "telefones": [{"numero": "(11) 98765-4321"}],
        }
    )
    assert contract is not None
    assert (contract.contract_id, contract.cpf_cnpj, contract.status) == ("17402", "03666811337", 4)
    assert contract.suspended and not contract.active and contract.status_label == "Suspenso"
    assert contract.open_amount == Decimal("1089.90")
    assert (contract.plan, contract.pop, contract.phones) == ("FIBRA 600", "POP CENTRO", ("11987654321",))


def test_contract_status_from_its_label_when_not_a_number() -> None:
    contract = sgp_parse.contract(
        {"contratoId": 1, "contratoStatusDisplay": "Suspenso", "status": "Suspenso"}
    )
    assert contract is not None and contract.status == 4


def test_bills_skip_paid_and_unreadable_and_sort_by_due_date() -> None:
    bills = sgp_parse.open_bills(
        {
            "faturas": [
                {"id": 2, "vencimento": "20/10/2026", "valor": "89,90", "status": "aberto"},
                {"id": 1, "vencimento": "2026-09-20", "valor": 89.9},
                {"id": 3, "vencimento": "2026-08-20", "valor": 89.9, "status": "Pago"},
                {"id": 4, "valor": 89.9},  # no due date: skipped
            ]
        }
    )
    assert [(b.id, b.due_date, b.amount) for b in bills] == [
        ("1", date(2026, 9, 20), Decimal("89.90")),
        ("2", date(2026, 10, 20), Decimal("89.90")),
    ]
    assert bills[0].is_overdue(date(2026, 9, 21)) and not bills[0].is_overdue(date(2026, 9, 20))


def test_unlock_with_string_booleans() -> None:
    granted = sgp_parse.unlock(
        {"status": "1", "liberado": "true", "liberado_dias": "3", "data_promessa": "15/09/2026"}
    )
    assert granted is not None and (granted.days, granted.promise_date) == (3, date(2026, 9, 15))
    assert sgp_parse.unlock({"status": 2, "liberado": "false", "msg": "não"}) is None


def test_access_status_number_or_string() -> None:
    assert sgp_parse.access({"status": "2", "msg": "Serviço Offline"}).state == "offline"
    assert sgp_parse.access({"status": 4}).state == "suspended"
    assert sgp_parse.access({"status": 9}).state == "unknown"


def test_brcode_builder_and_checker() -> None:
    code = build_brcode(
        key="11222333000181", amount=Decimal("89.9"), merchant="Provedor Ção", city="São Paulo"
    )
    assert is_valid_brcode(code)
    assert "540589.90" in code and "5912PROVEDOR CAO" in code and "6009SAO PAULO" in code
    assert code[-4:] == crc16(code[:-4])
    assert not is_valid_brcode(code[:-1] + ("0" if code[-1] != "0" else "1"))  # CRC mismatch
    assert not is_valid_brcode(code[:40]) and not is_valid_brcode(None)
    # The example of the BCB's BR Code manual (static, key 123e4567-…, no amount).
    manual = (
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
        "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
    )
    assert is_valid_brcode(manual)
