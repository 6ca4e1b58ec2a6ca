"""Slots: documents (check digits), contract, dates relative to `today`, CEP, yes/no, choice."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.nlu import extract

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.mark.parametrize(
    "text",
    [
        "meu cpf é 529.982.247-25",
        "cpf 52998224725",
        "CPF: 529 982 247 25",
        "é 529982247-25 o cpf",
        "oi bom dia meu cpf 529.982.247.25 quero a 2 via",
    ],
)
def test_cpf_in_any_format(text: str) -> None:
    assert extract(text, today=TODAY).documents == ("52998224725",)


def test_cnpj_with_and_without_punctuation() -> None:
    assert extract("cnpj 11.222.333/0001-81", today=TODAY).documents == ("11222333000181",)
    assert extract("11222333000181", today=TODAY).documents == ("11222333000181",)


def test_wrong_check_digits_are_reported_apart() -> None:
    slots = extract("meu cpf é 529.982.247-24", today=TODAY)
    assert slots.documents == ()
    assert slots.invalid_documents == ("52998224724",)


def test_phone_number_is_not_an_invalid_cpf() -> None:
    slots = extract("me liga no (11) 98765-4321", today=TODAY)
    assert slots.documents == () and slots.invalid_documents == ()


def test_two_documents_in_one_message() -> None:
    slots = extract("cpf 529.982.247-25 ou o da minha mae 111.444.777-35", today=TODAY)
    assert slots.documents == ("52998224725", "11144477735")


@pytest.mark.parametrize(
    ("text", "contract"),
    [
        ("contrato 17402", "17402"),
        ("meu contrato é o 17402", "17402"),
        ("Contrato nº 17402", "17402"),
        ("contrato n 17402 sem internet", "17402"),
        ("codigo do cliente: 993", "993"),
        ("quero a 2 via", None),
    ],
)
def test_contract(text: str, contract: str | None) -> None:
    assert extract(text, today=TODAY).contract == contract


def test_contract_number_is_not_taken_for_a_document() -> None:
    slots = extract("contrato 17402 cpf 529.982.247-25", today=TODAY)
    assert slots.contract == "17402" and slots.documents == ("52998224725",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pago amanhã", date(2026, 12, 4)),
        ("pago amanha", date(2026, 12, 4)),
        ("depois de amanhã", date(2026, 12, 5)),
        ("hoje", TODAY),
        ("me libera ai por favor que pago sexta", date(2026, 12, 4)),
        ("pago na sexta-feira", date(2026, 12, 4)),
        ("quinta", date(2026, 12, 10)),  # said on a Thursday: next week's
        ("pago na segunda", date(2026, 12, 7)),
        ("dia 15", date(2026, 12, 15)),
        ("pago dia 2", date(2027, 1, 2)),
        ("paguei dia 1", date(2026, 12, 1)),
        ("paguei ontem", date(2026, 12, 2)),
        ("15/12", date(2026, 12, 15)),
        ("10/01", date(2027, 1, 10)),
        ("15/09/2026", date(2026, 9, 15)),
        ("pago dia 10 de dezembro", date(2026, 12, 10)),
        ("15 de janeiro", date(2027, 1, 15)),
        ("semana que vem", date(2026, 12, 7)),
        ("daqui 3 dias", date(2026, 12, 6)),
        ("quero a segunda via", None),
        ("oi", None),
    ],
)
def test_dates_relative_to_today(text: str, expected: date | None) -> None:
    assert extract(text, today=TODAY).date == expected


def test_cep() -> None:
    assert extract("meu cep é 01310-100", today=TODAY).cep == "01310100"
    assert extract("cep 01310100", today=TODAY).cep == "01310100"
    assert extract("moro na rua x, 74000-000", today=TODAY).cep == "74000000"
    assert extract("contrato 12345678", today=TODAY).cep is None


@pytest.mark.parametrize(
    "text",
    ["sim", "s", "Sim sim", "pode ser", "claro", "isso", "isso mesmo", "ok", "pode", "👍", "siiim", "uhum"],
)
def test_yes(text: str) -> None:
    assert extract(text, today=TODAY).confirmation == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "não",
        "nao",
        "n",
        "não quero",
        "nao obrigado",
        "agora não",
        "negativo",
        "prefiro não",
        "nem pensar",
        "Não.",
    ],
)
def test_no(text: str) -> None:
    assert extract(text, today=TODAY).confirmation == "no"


@pytest.mark.parametrize("text", ["não sei meu contrato", "quero saber o valor da fatura", "a internet caiu"])
def test_not_an_answer(text: str) -> None:
    assert extract(text, today=TODAY).confirmation is None


@pytest.mark.parametrize(
    ("text", "choice"),
    [("1", 1), ("2)", 2), ("opção 2", 2), ("o segundo", 2), ("a primeira", 1), ("quero o terceiro", 3),
     ("numero 3", 3), ("quero a segunda via", None), ("pago sexta", None)],
)  # fmt: skip
def test_choice(text: str, choice: int | None) -> None:
    assert extract(text, today=TODAY).choice == choice


def test_choice_among_listed_options() -> None:
    options = ["17402", "18555"]
    assert extract("contrato 18555", today=TODAY, options=options).choice == 2
    assert extract("o 17402", today=TODAY, options=options).choice == 1
    assert extract("o último", today=TODAY, options=options).choice == 2
    assert extract("5", today=TODAY, options=options).choice is None
