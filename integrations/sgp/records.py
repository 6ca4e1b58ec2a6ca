"""The SGP's answers as typed, frozen records: what the attendant reads, whatever the SGP version said.

Amounts are `Decimal` (never float), dates are `date`/`datetime`, CPF/CNPJ and phones are digits only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

# contratoStatus as the SGP numbers it (wire-formats.md §5).
STATUS_LABELS: dict[int, str] = {
    1: "Ativo",
    2: "Inativo",
    3: "Cancelado",
    4: "Suspenso",
    5: "Inviabilidade técnica",
    6: "Novo",
    7: "Ativo (velocidade reduzida)",
}
STATUS_SUSPENDED = 4
STATUSES_ACTIVE = frozenset({1, 7})


@dataclass(frozen=True)
class SgpConfig:
    """How to reach one tenant's SGP. Token+app travel in the body; Basic credentials in the header.

    `body_format` is how the body is encoded: `form` (what every SGP accepts) or `json`.
    `read_retries` is how many times a *read* is repeated after a connection failure, a timeout or a
    5xx; actions (trust unlock, ticket) are never repeated.
    """

    base_url: str
    app: str | None = None
    token: str | None = field(default=None, repr=False)
    basic_user: str | None = None
    basic_password: str | None = field(default=None, repr=False)
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    body_format: Literal["form", "json"] = "form"
    read_retries: int = 2
    retry_backoff: float = 0.3


@dataclass(frozen=True)
class Contract:
    """One service contract of a customer (a customer with two addresses has two)."""

    contract_id: str
    customer_id: str | None
    cpf_cnpj: str
    name: str
    status: int
    status_label: str
    open_amount: Decimal | None
    plan: str | None
    pop: str | None
    address: str | None
    phones: tuple[str, ...] = ()
    email: str | None = None

    @property
    def suspended(self) -> bool:
        return self.status == STATUS_SUSPENDED

    @property
    def active(self) -> bool:
        return self.status in STATUSES_ACTIVE


@dataclass(frozen=True)
class Bill:
    """An open bill (título/fatura). `pix_code` is the copia-e-cola when the SGP sent it along."""

    id: str
    due_date: date
    amount: Decimal
    linha_digitavel: str | None = None
    pix_code: str | None = None
    link: str | None = None
    number: str | None = None

    def is_overdue(self, today: date) -> bool:
        """Past due from the customer's point of view: the due date is before `today` (their local day)."""
        return self.due_date < today


@dataclass(frozen=True)
class UnlockResult:
    """A granted trust unlock (liberação por confiança). A refusal raises `SgpRefused` instead."""

    ok: bool
    days: int | None
    promise_date: date | None
    protocol: str | None
    message: str


@dataclass(frozen=True)
class AccessStatus:
    """The connection as the SGP sees it: online, offline, suspended (financial block) or unknown."""

    state: Literal["online", "offline", "suspended", "unknown"]
    message: str
    login: str | None = None


@dataclass(frozen=True)
class Ticket:
    """A support ticket (chamado/ocorrência) the SGP opened."""

    protocol: str
    id: str | None
    message: str


@dataclass(frozen=True)
class Maintenance:
    """A planned or ongoing outage, optionally limited to one POP."""

    id: str
    description: str
    pop: str | None
    start: datetime | None
    forecast_end: datetime | None
    ongoing: bool


@dataclass(frozen=True)
class Coverage:
    """Whether the provider serves an address (by CEP)."""

    available: bool
    message: str
