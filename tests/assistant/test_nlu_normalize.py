"""Normalization: one spelling per idea, and ordinary words left alone."""

from __future__ import annotations

import pytest

from assistant.nlu import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fatuta", "fatura"),
        ("bolerto", "boleto"),
        ("intenet", "internet"),
        ("interent", "internet"),
        ("cancelr", "cancelar"),
        ("bolet0", "boleto"),
        ("oiii", "oi"),
        ("siiiim", "sim"),
        ("nettt", "internet"),
        ("vc tá sem net?", "voce esta sem internet ?"),
        ("q", "que"),
        ("pq n", "porque nao"),
        ("2 via", "segunda via"),
        ("2ª via", "segunda via"),
        ("2a via", "segunda via"),
        ("2via", "segunda via"),
        ("500mb", "500 mega"),
        ("vlw blz", "valeu beleza"),
        ("Não, VOCÊ", "nao , voce"),
    ],
)
def test_folds(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("word", ["falta", "carro", "passo", "pessoal", "casa", "cara", "plano"])
def test_ordinary_words_are_not_corrected(word: str) -> None:
    assert normalize(word) == word


@pytest.mark.parametrize(
    "word", ["tenha", "contra", "comigo", "corta", "peguei", "segundo", "final", "parar"]
)
def test_real_words_one_edit_from_a_key_word_are_not_corrected(word: str) -> None:
    assert normalize(word) == word
