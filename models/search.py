"""Free-text search as agents type it: a name, a phone in any spelling, a CPF/CNPJ with or without
punctuation, or words from a message.

Everything is a substring match (ILIKE '%…%'), which PostgreSQL answers from the pg_trgm GIN indexes
on `contacts.name` and `messages.text` where the extension is installed (migration 0002), and by a scan
otherwise. Wildcards typed by the user are escaped: searching for "50%" finds "50%", not everything.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from models.contact import Contact
from models.documents import clean_document
from models.message import Message

_NON_DIGITS = re.compile(r"\D+")
MIN_DIGITS = 3  # "1" or "22" would match nearly every phone number


def like_pattern(term: str) -> str:
    """`%term%` with the LIKE wildcards of `term` escaped (escape character: backslash)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contact_matches(term: str) -> ColumnElement[bool]:
    """A WHERE clause over `Contact` for what an agent typed in the search box."""
    pattern = like_pattern(term)
    clauses: list[ColumnElement[bool]] = [
        Contact.name.ilike(pattern, escape="\\"),
        Contact.email.ilike(pattern, escape="\\"),
    ]
    digits = _NON_DIGITS.sub("", term)
    if len(digits) >= MIN_DIGITS:
        # Phones are stored E.164 (+5511987654321): the digits typed, in any formatting, are a substring.
        clauses.append(Contact.phone_e164.like(f"%{digits}%"))
    document = clean_document(term)
    if len(document) >= MIN_DIGITS and any(c.isdigit() for c in document):
        # CPF/CNPJ are stored without punctuation; typed with dots and dashes they still match.
        clauses.append(Contact.cpf_cnpj.like(like_pattern(document), escape="\\"))
    return sa.or_(*clauses)


def message_text_matches(term: str) -> ColumnElement[bool]:
    """A WHERE clause over `Message` for words in the text (internal notes included: staff search)."""
    return Message.text.ilike(like_pattern(term), escape="\\")
