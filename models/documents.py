"""CPF and CNPJ: check digits validated by `validate-docbr`, which also knows the alphanumeric CNPJ
in force since July 2026. Stored without punctuation, upper-case."""

from __future__ import annotations

import re

from validate_docbr import CNPJ, CPF

_CPF = CPF()
_CNPJ = CNPJ()
_STRIP = re.compile(r"[^0-9A-Za-z]")


class InvalidDocument(ValueError):
    pass


def clean_document(raw: str) -> str:
    return _STRIP.sub("", raw).upper()


def is_valid_cpf(raw: str) -> bool:
    doc = clean_document(raw)
    return len(doc) == 11 and doc.isdigit() and bool(_CPF.validate(doc))


def is_valid_cnpj(raw: str) -> bool:
    doc = clean_document(raw)
    return len(doc) == 14 and bool(_CNPJ.validate(doc))


def normalize_cpf_cnpj(raw: str) -> str:
    """Validated document without punctuation; raises InvalidDocument naming what is wrong."""
    doc = clean_document(raw)
    if len(doc) == 11:
        if is_valid_cpf(doc):
            return doc
        raise InvalidDocument("CPF inválido: dígitos verificadores não conferem")
    if len(doc) == 14:
        if is_valid_cnpj(doc):
            return doc
        raise InvalidDocument("CNPJ inválido: dígitos verificadores não conferem")
    raise InvalidDocument("informe um CPF (11 dígitos) ou CNPJ (14 caracteres)")


def format_cpf_cnpj(doc: str) -> str:
    if len(doc) == 11:
        return f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}"
    if len(doc) == 14:
        return f"{doc[:2]}.{doc[2:5]}.{doc[5:8]}/{doc[8:12]}-{doc[12:]}"
    return doc
