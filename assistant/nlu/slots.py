"""Slots: the facts in a message the attendant acts on — documents, contract, date, CEP, yes/no, choice.

Extraction is deterministic and conservative: a number becomes a CPF only when its check digits say so
(a typo in a CPF is reported apart, so the reply can say "esse CPF parece ter um dígito errado" instead
of "não encontrei"), a CEP needs the word "cep" or the 00000-000 shape, a bare weekday is a future date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from validate_docbr import CNPJ, CPF

from assistant.nlu.dates import find_date
from assistant.nlu.normalize import normalize, strip_accents


@dataclass(frozen=True)
class Slots:
    documents: tuple[str, ...] = ()  # valid CPF/CNPJ, digits only
    invalid_documents: tuple[str, ...] = ()  # shaped like one, check digits wrong
    contract: str | None = None
    date: date | None = None
    cep: str | None = None
    confirmation: Literal["yes", "no"] | None = None
    choice: int | None = None  # 1-based


_CPF, _CNPJ = CPF(), CNPJ()
# Digit runs with the separators people type inside a CPF/CNPJ/CEP: dots, dashes, slashes, spaces.
_DIGITS = re.compile(r"(?<![\d])\d(?:[\d.\-/ ]*\d)?(?![\d])")
_CEP_SHAPED = re.compile(r"(?<![\d.])(\d{2}\.?\d{3})-(\d{3})(?![\d])")
_CEP_WORD = re.compile(r"\bcep\b\D{0,12}?(\d{2}\.?\d{3}\s*-?\s*\d{3})(?!\d)")
_CONTRACT = re.compile(
    r"\b(?:contrato|contratos|assinatura|cliente|(?:cod|codigo)\s+(?:do\s+|de\s+)?(?:cliente|contrato))\b"
    r"(?:\s+(?:n|nao|no|nr|numero|num|do|de|e|o|meu|cliente|contrato|:|#|\.|-))*\s*(\d{2,10})\b"
)


def _documents(text: str) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Valid and invalid CPF/CNPJ found, and the spans they took (so no other slot reuses them)."""
    valid: list[str] = []
    invalid: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(text):
        raw = match.group(0).strip(" .-/")
        digits = re.sub(r"\D", "", raw)
        if len(digits) not in (11, 14):
            continue
        if len(digits) == 11 and re.fullmatch(r"\d{11}", raw) is None and "/" in raw:
            continue
        ok = _CPF.validate(digits) if len(digits) == 11 else _CNPJ.validate(digits)
        if len(digits) == 11 and not ok and _looks_like_phone(raw) and not _DOC_WORD.search(text):
            continue  # "(11) 98765-4321" style numbers are phones, not mistyped CPFs
        (valid if ok else invalid).append(digits)
        spans.append(match.span())
    return _unique(valid), _unique(invalid), spans


_DOC_WORD = re.compile(r"\b(?:cpf|cnpj|documento|doc|rg)\b")


def _looks_like_phone(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    return bool(re.fullmatch(r"[1-9]{2}9\d{8}", digits)) and "." not in raw


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _cep(text: str) -> str | None:
    match = _CEP_WORD.search(text) or _CEP_SHAPED.search(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(0) if match.re is _CEP_SHAPED else match.group(1))
    return digits if len(digits) == 8 else None


_YES = {
    "sim", "pode", "isso", "claro", "ok", "okay", "beleza", "certo", "correto", "exato", "exatamente",
    "confirmo", "confirmado", "quero", "uhum", "aham", "manda", "bora", "positivo", "fechado", "perfeito",
    "top", "show", "firmeza", "yes", "isso mesmo", "pode ser", "com certeza", "pode sim", "quero sim",
    "sim sim", "e isso", "ta bom", "esta bom", "esta certo", "tudo certo", "dale", "partiu", "👍", "✅",
    "👌", "🙏", "concordo", "aceito", "sim senhor", "sim senhora", "pode mandar", "manda ai", "bom",
    "certeza", "ok ok", "esta", "e",
}  # fmt: skip
_NO = {
    "nao", "negativo", "nunca", "jamais", "nada", "nem", "agora nao", "deixa para la", "deixa quieto",
    "dispenso", "cancela", "pare", "nope", "👎", "❌", "errado", "incorreto", "nao e",
    "de jeito nenhum", "nao quero", "melhor nao", "nao precisa", "nao obrigado",
}  # fmt: skip


def _confirmation(norm: str) -> Literal["yes", "no"] | None:
    """Yes/no from the message's first words: "sim, pode" / "s" / "claro" / "não quero" / "n".

    Only short answers or answers that open with a yes/no word count: "não sei meu contrato" opens with
    "nao" but is no refusal, so a "nao" followed by a verb of knowing/finding is left alone.
    """
    words = [w for w in re.split(r"[^a-z0-9👍👎✅❌👌🙏]+", norm) if w]
    if not words:
        return None
    head = words[:3]
    if (
        head[0] == "nao"
        and len(words) > 1
        and words[1] in {"sei", "lembro", "tenho", "achei", "encontro", "consigo", "entendi"}
    ):
        return None
    for size in (3, 2, 1):
        phrase = " ".join(head[:size])
        if phrase in _NO or (size == 1 and phrase in {"nao"}):
            return "no"
        if phrase in _YES:
            if size == 1 and phrase in {"e", "esta", "bom", "quero", "para"} and len(words) > 2:
                return None  # "é que...", "quero saber...": not an answer
            return "yes"
    if len(words) <= 4 and words[-1] == "nao":  # "agora não", "prefiro não", "acho melhor não"
        return "no"
    if len(words) <= 4 and words[-1] == "sim":  # "acho que sim", "claro que sim"
        return "yes"
    if re.search(r"\bacho que sim\b|\bpode sim\b", norm):
        return "yes"
    if re.search(r"\bacho que nao\b|\bnao quero\b|\bnem pensar\b", norm) and len(words) <= 6:
        return "no"
    return None


_ORDINALS = {
    "primeiro": 1, "primeira": 1, "segundo": 2, "segunda": 2, "terceiro": 3, "terceira": 3,
    "quarto": 4, "quarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6,
}  # fmt: skip
_WEEKDAY_NAMES = frozenset({"segunda", "quarta", "quinta", "sexta"})
_CHOICE_NUMBER = re.compile(
    r"^\s*(?:a |o )?(?:opcao|numero|n|item|alternativa|op)?\s*(\d{1,2})\s*[).:-]?\s*$"
)
_CHOICE_PHRASE = re.compile(
    r"\b(?:opcao|numero|alternativa|item|escolho a|escolho o|quero a|quero o)\s*(\d{1,2})\b"
)
_ORDINAL_PHRASE = re.compile(
    r"(?:^|\b(?P<lead>o|a|do|da|quero o|quero a|escolho o|escolho a|e o|e a)\s+)"
    r"(?P<word>primeir[oa]|segund[oa]|terceir[oa]|quart[oa]|quint[oa]|sext[oa])\b(?!\s+(?:via|feira|que vem))"
    r"(?P<noun>\s+(?:opcao|contrato|endereco|plano|boleto|fatura|item|alternativa))?\s*[.!]?\s*$"
)


def _choice(norm: str, options: Sequence[str]) -> int | None:
    for index, option in enumerate(options, start=1):
        key = normalize(option)
        if key and re.search(r"(?<![0-9a-z])" + re.escape(key) + r"(?![0-9a-z])", norm):
            return index
    match = _CHOICE_NUMBER.match(norm) or _CHOICE_PHRASE.search(norm)
    if match:
        value = int(match.group(1))
        return value if value >= 1 and (not options or value <= len(options)) else None
    match = _ORDINAL_PHRASE.search(norm)
    if match and (match["lead"] or match["noun"] or match["word"] not in _WEEKDAY_NAMES):
        return _ORDINALS[match["word"]]  # a bare "sexta" is a day, "a sexta (opção)" a choice
    if options and re.search(r"\b(?:o|a) ultim[oa]\b", norm):
        return len(options)
    return None


def extract(text: str, *, today: date, options: Sequence[str] = ()) -> Slots:
    """Every slot found in `text`. `today` anchors relative dates; `options` (what the attendant just
    listed, e.g. contract numbers or plan names) lets "o 17402" or "o de 500 mega" pick one of them."""
    plain = strip_accents(text.lower())
    valid, invalid, spans = _documents(plain)
    rest = _mask(plain, spans)
    cep = _cep(rest)
    contract_match = _CONTRACT.search(normalize(rest))
    norm = normalize(rest)
    return Slots(
        documents=tuple(valid),
        invalid_documents=tuple(invalid),
        contract=contract_match.group(1) if contract_match else None,
        date=find_date(norm, today),
        cep=cep,
        confirmation=_confirmation(normalize(text)),
        choice=_choice(norm, options),
    )
