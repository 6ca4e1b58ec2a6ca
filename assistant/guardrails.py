"""Facts only from tools: money, dates, long numbers (linha digitável, protocol, contract), PIX codes and
URLs in a reply must appear in that conversation's tool results (or in the tenant's own company data).

A model that invents "R$ 79,90" or a protocol number would send a customer to pay the wrong amount or
quote a ticket that does not exist; a reply carrying such a value is not sent. The model engine asks
once more with a correction naming the values; a second offence hands off with reason `ai_guardrail`.
Values are compared by meaning, not spelling: "R$ 89,90" matches a tool's 89.9, "20/09" its 2026-09-20,
"8361 0000 …" its digits run together.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_MONEY = re.compile(r"R\$\s*(\d{1,3}(?:\.\d{3})*(?:,\d{1,2})?|\d+(?:,\d{1,2})?)")
_PLAIN_DECIMAL = re.compile(r"(?<![\d/])(\d+(?:[.,]\d{1,2}))(?![\d/])")
_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?!\d)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URL = re.compile(r"https?://[^\s<>\"')]+")
_PIX = re.compile(r"000201\S{10,}")
_DIGIT_RUN = re.compile(r"\d(?:[\d .\-]*\d)?")
LONG_NUMBER = 6  # digits: contract numbers, protocols, linha digitável; shorter runs are everyday words


def _money(text: str) -> set[Decimal]:
    found = set()
    for raw in _MONEY.findall(text):
        try:
            found.add(Decimal(raw.replace(".", "").replace(",", ".")))
        except InvalidOperation:
            continue
    return found


def _fact_money(text: str) -> set[Decimal]:
    found = _money(text)
    for raw in _PLAIN_DECIMAL.findall(text):
        try:
            found.add(Decimal(raw.replace(",", ".")))
        except InvalidOperation:
            continue
    for raw in re.findall(r"(?<![\d.,])\d+(?![\d.,])", text):
        found.add(Decimal(raw))
    return found


def _dates(text: str) -> set[tuple[int, int]]:
    found = {(int(d), int(m)) for d, m, _ in _DATE.findall(text) if 1 <= int(m) <= 12}
    found |= {(int(d), int(m)) for _, m, d in _ISO_DATE.findall(text)}
    return found


def _long_numbers(text: str) -> set[str]:
    """Digit runs of a reply worth checking. Spaces join groups only into something as long as a linha
    digitável (47+ digits would be 3+ groups); otherwise each group stands alone, so "contrato 17402 2
    faturas" is the number 17402, not 174022."""
    text = _URL.sub(" ", _PIX.sub(" ", text))
    found: set[str] = set()
    for run in _DIGIT_RUN.findall(text):
        whole = re.sub(r"\D", "", run)
        groups = [re.sub(r"\D", "", g) for g in run.split()]
        if len(groups) >= 3 and len(whole) >= 20:
            found.add(whole)
        else:
            found |= {g for g in groups if len(g) >= LONG_NUMBER}
    return found


def _clean_url(url: str) -> str:
    return url.rstrip(".,;:!?")


def violations(reply: str, facts: str) -> list[str]:
    """The values of `reply` that `facts` does not back, as the reply wrote them (empty: fine to send)."""
    bad: list[str] = []
    fact_money = _fact_money(facts)
    bad += [f"R$ {v}" for v in sorted(_money(reply)) if v not in fact_money]
    reply_wo_urls = _URL.sub(" ", reply)
    fact_dates = _dates(facts)
    bad += [f"{d:02d}/{m:02d}" for d, m in sorted(_dates(reply_wo_urls)) if (d, m) not in fact_dates]
    fact_digits = re.sub(r"\D", " ", facts)
    fact_runs = {re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(facts)} | set(fact_digits.split())
    joined = "".join(sorted(fact_runs, key=len, reverse=True))
    for run in sorted(_long_numbers(reply)):
        if not any(run in fact for fact in fact_runs) and run not in joined:
            bad.append(run)
    bad += [code for code in _PIX.findall(reply) if code not in facts]
    bad += [u for u in (_clean_url(x) for x in _URL.findall(reply)) if u not in facts]
    return bad
