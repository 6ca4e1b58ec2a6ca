"""A short pt-BR summary of the Insights list, phrased by the tenant's model engine — never a number the
data does not hold.

The insights (`dashboards.queries.insights`) are computed from the facts; the model only rephrases them.
It is sent each insight's sentence and its numbers (no conversation, no customer, no id: team, inbox,
POP and intent names appear only as the sentences already show them — so a digit in a name, "POP 2", is
backed by the sentence) with a short instruction, and answers two to four sentences. Models round, add
up and invent, so the answer is checked before anyone reads it: every number it writes (integers,
decimals with comma or dot, percentages, R$ values, written pt-BR or en-US) must be one of the insights'
own numbers — as the sentences print them, or as raw values in their usual forms (a fraction 0.4 as
40 %, seconds as minutes/hours/days) — or the summary is not shown.

Nothing here touches Streamlit or the database: the page reads the tenant's `EngineConfig` (the same
`assistant.context.engine_config` the attendant uses) and calls `summarize`; tests call it with the
loopback OpenAI stub. A tenant on the built-in (offline) engine never reaches `summarize`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from assistant.context import EngineConfig
from dashboards.queries.insights import Insight
from integrations.llm import UNAVAILABLE, chat_client

log = logging.getLogger(__name__)

INSTRUCTION = (
    "Você resume, para a gestão de um provedor de internet, os insights calculados a partir dos dados de "
    "atendimento. Escreva de 2 a 4 frases em português do Brasil, em texto corrido, sem listas e sem "
    "títulos, destacando o que pede atenção primeiro. Use somente os números que aparecem nos insights, "
    "escritos como lá estão; não calcule diferenças, somas ou médias, não arredonde e não escreva anos "
    "ou ordinais. Se não houver número para algo, descreva sem número."
)
TIMEOUT_SECONDS = 15.0  # a manager waits on the button; the list is already on screen
MAX_TOKENS = 300

NOT_SHOWN = (
    "O resumo da IA não foi exibido porque citava números que não estão nos dados: {values}. "
    "Os insights abaixo continuam valendo."
)
UNAVAILABLE_NOTE = (
    "Não foi possível gerar o resumo com a IA agora ({detail}). Os insights abaixo continuam valendo."
)

# Keys whose values are fractions (0.4) that sentences print as percentages (40 %), or seconds that they
# print as minutes, hours or days; ids are internal and never sent.
FRACTION_KEYS = {"change", "rate", "previous_rate", "share"}
SECONDS_SUFFIX = "_s"
_SECONDS_UNITS = (1, 60, 3600, 86400)  # as `wording.duration` prints them

# A number as people write it: "1.234,5" / "1,234.5" (thousands), "4,5" / "4.5", "40", "R$ 89,90".
_NUMBER = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Summary:
    """What the page shows: the accepted text, or a note saying why there is none."""

    text: str | None = None
    note: str | None = None
    rejected: tuple[str, ...] = ()  # the numbers that sank a summary, as the model wrote them

    @property
    def ok(self) -> bool:
        return self.text is not None


def readings(token: str) -> set[Decimal]:
    """Every value a written number can mean. "4,5" and "4.5" are 4.5; "1.234" is 1234 in pt-BR and
    1.234 in en-US, so both are kept: the check asks whether *any* reading is in the data, which never
    lets a number through that the data does not hold in some spelling."""
    last = max(token.rfind("."), token.rfind(","))
    if last < 0:
        candidates = [token]
    else:  # the last separator as the decimal point ("1.234,5", "4,5"), the others as thousands
        candidates = [re.sub(r"[.,]", "", token[:last]) + "." + token[last + 1 :]]
        if all(len(group) == 3 for group in re.split(r"[.,]", token)[1:]):  # or all as thousands
            candidates.append(re.sub(r"[.,]", "", token))
    found: set[Decimal] = set()
    for candidate in candidates:
        try:
            found.add(Decimal(candidate))
        except InvalidOperation:
            continue
    return found


def numbers_in(text: str) -> list[str]:
    """The numbers of a text as written (signs dropped: "caiu 5 %" and "-5 %" state the same number)."""
    return _NUMBER.findall(text)


def _forms(value: Decimal, *, whole: bool = False) -> set[Decimal]:
    """A raw value as a sentence may print it: as is, or rounded to 1 or 2 decimals (either rounding);
    to a whole number only where the sentences do so too (percentages, minutes), so a CSAT average of
    3.9 never becomes "4"."""
    forms = {value}
    places = (Decimal(1), Decimal("0.1"), Decimal("0.01")) if whole else (Decimal("0.1"), Decimal("0.01"))
    for place in places:
        for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            forms.add(value.quantize(place, rounding=rounding))
    return forms


def _numeric(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        return abs(Decimal(str(value)))
    except InvalidOperation:
        return None


def sent_numbers(numbers: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of one insight that go to the model: values only, no internal ids."""
    return {
        k: (round(v, 4) if isinstance(v, float) else v)
        for k, v in numbers.items()
        if _numeric(v) is not None and not k.endswith("_id")
    }


def allowed_numbers(insights: Iterable[Insight]) -> set[Decimal]:
    """Every value the summary may cite: the numbers each sentence prints, and each raw number in its
    usual forms (fractions as percentages, seconds in larger units)."""
    allowed: set[Decimal] = set()
    for insight in insights:
        for token in numbers_in(insight.text):
            allowed |= readings(token)
        for key, raw in sent_numbers(insight.numbers).items():
            value = _numeric(raw)
            assert value is not None
            allowed |= _forms(value)
            if key in FRACTION_KEYS:
                allowed |= _forms(value * 100, whole=True)
            if key.endswith(SECONDS_SUFFIX):
                for unit in _SECONDS_UNITS[1:]:
                    allowed |= _forms(value / unit, whole=True)
    return allowed


def unbacked(summary: str, allowed: set[Decimal]) -> list[str]:
    """The numbers of `summary` that no reading puts in `allowed` (empty: every number is in the data)."""
    bad: list[str] = []
    for token in numbers_in(summary):
        if not readings(token) & allowed and token not in bad:
            bad.append(token)
    return bad


def prompt(insights: Sequence[Insight]) -> list[dict[str, str]]:
    """The chat messages: the instruction, then the insights as JSON (sentence and numbers only)."""
    payload = [{"texto": i.text, "numeros": sent_numbers(i.numbers)} for i in insights]
    return [
        {"role": "system", "content": INSTRUCTION},
        {"role": "user", "content": "Insights:\n" + json.dumps(payload, ensure_ascii=False, default=str)},
    ]


def check(text: str, insights: Sequence[Insight]) -> Summary:
    """The model's answer as the page may show it: accepted, or refused naming the unbacked numbers."""
    text = text.strip()
    if not text:
        return Summary(note=UNAVAILABLE_NOTE.format(detail="resposta vazia"))
    bad = unbacked(text, allowed_numbers(insights))
    if bad:
        return Summary(note=NOT_SHOWN.format(values=", ".join(bad[:5])), rejected=tuple(bad))
    return Summary(text=text)


def summarize(insights: Sequence[Insight], config: EngineConfig, client: Any = None) -> Summary:
    """Ask the tenant's model for the summary and check it. Only for the model engine: the built-in one
    has no model, and this must never make a network call for it."""
    if config.engine != "model":
        raise ValueError("the insight summary needs the model engine")
    if not insights:
        return Summary()
    try:
        client = client or chat_client(
            api_key=config.api_key or "not-needed", base_url=config.base_url, timeout=TIMEOUT_SECONDS
        )
        create: Any = client.chat.completions.create  # plain dict messages, not the SDK TypedDicts
        response = create(
            model=config.model or "gpt-4o-mini",
            messages=prompt(insights),
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
        content = response.choices[0].message.content if response.choices else ""
    except UNAVAILABLE as exc:
        status = getattr(exc, "status_code", None)
        log.warning("insight summary: model unavailable: %s %s", type(exc).__name__, status or "")
        return Summary(note=UNAVAILABLE_NOTE.format(detail="o modelo não respondeu"))
    except Exception:  # a malformed answer, an odd base URL: the summary is optional, the page is not
        log.exception("insight summary: model call failed")
        return Summary(note=UNAVAILABLE_NOTE.format(detail="erro ao chamar o modelo"))
    return check(content if isinstance(content, str) else "", insights)
