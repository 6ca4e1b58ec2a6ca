"""The SGP stub's scripted customers, one per situation the attendant must handle.

| customer       | CPF            | phone (SGP)     | contract(s)  | situation                          |
|----------------|----------------|-----------------|--------------|------------------------------------|
| Lucas Oliveira | 987.654.321-00 | (11) 93333-2222 | 17460        | active, online, a bill due in 7 d  |
| João Pereira   | 111.444.777-35 | (21) 99876-5432 | 17410        | suspended for debt, may unlock     |
| Carla Mendes   | 314.159.265-90 | (11) 95555-4444 | 17440, 17441 | several contracts (home, shop)     |
| Ricardo Alves  | 135.792.468-28 | (41) 98888-7777 | 17430        | active, nothing open               |
| Pedro Santos   | 271.828.182-05 | (11) 94444-3333 | 17450        | suspended, promise already used    |
| Maria Souza    | 529.982.247-25 | (11) 98765-4321 | 17402        | active but offline (no outage)     |
| Fernanda Lima  | 246.813.579-28 | (31) 99123-4567 | 17420        | online, her POP has an outage      |

Maria, João, Fernanda and Ricardo are the demo tenant's WhatsApp contacts (niochat/demo_conversations.py),
so `consultacliente telefone` finds them from the number they write from. Bills are fixed amounts with
due dates relative to the stub's `today`, so a run on any day looks the same. Three customers are
served in the "legacy" wire style (status and money as strings, `"89,90"`, dd/mm/aaaa dates, phones as
objects, `"true"` booleans) so the client's tolerance is exercised by the same scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

COVERED_CEPS = frozenset({"01310100", "30140071", "80010000"})  # Paulista (SP), BH centro, Curitiba centro
UNCOVERED_CEP = "69900000"  # Rio Branco (AC): no coverage
OUTAGE_POP = "POP PAMPULHA"


@dataclass
class ScriptedBill:
    id: str
    days_from_today: int  # negative: overdue
    amount: Decimal


@dataclass
class ScriptedContract:
    contract_id: str
    status: int  # contratoStatus
    access: str  # online | offline | suspended
    plan: str
    pop: str
    street: str
    number: str
    district: str
    city: str
    login: str
    bills: list[ScriptedBill] = field(default_factory=list)
    promise_used: bool = False


@dataclass
class ScriptedCustomer:
    customer_id: str
    name: str
    cpf: str
    phones: tuple[str, ...]
    contracts: list[ScriptedContract]
    legacy: bool = False  # answered in the older SGP field style
    email: str | None = None


def _bill(bill_id: str, days: int, amount: str) -> ScriptedBill:
    return ScriptedBill(bill_id, days, Decimal(amount))


def scripted_customers() -> list[ScriptedCustomer]:
    """A fresh copy (the stub mutates them: an unlock reactivates a contract and uses the promise)."""
    return [
        ScriptedCustomer(
            "16960",
            "LUCAS OLIVEIRA",
            "98765432100",
            ("(11) 93333-2222",),
            [
                ScriptedContract(
                    "17460",
                    1,
                    "online",
                    "FIBRA 300",
                    "POP CENTRO",
                    "RUA AUGUSTA",
                    "1200",
                    "CONSOLAÇÃO",
                    "SÃO PAULO",
                    "lucas.oliveira",
                    [_bill("9601", 7, "89.90")],
                )
            ],
            email="lucas@example.com",
        ),
        ScriptedCustomer(
            "16957",
            "JOÃO PEREIRA",
            "11144477735",
            ("(21) 99876-5432",),
            [
                ScriptedContract(
                    "17410",
                    4,
                    "suspended",
                    "FIBRA 600",
                    "POP CENTRO",
                    "RUA DAS LARANJEIRAS",
                    "523",
                    "LARANJEIRAS",
                    "RIO DE JANEIRO",
                    "joao.pereira",
                    [_bill("9101", -35, "119.90"), _bill("9102", -5, "119.90")],
                )
            ],
            legacy=True,
        ),
        ScriptedCustomer(
            "16970",
            "CARLA MENDES",
            "31415926590",
            ("11955554444",),
            [
                ScriptedContract(
                    "17440",
                    1,
                    "online",
                    "FIBRA 300",
                    "POP CENTRO",
                    "RUA VERGUEIRO",
                    "45",
                    "LIBERDADE",
                    "SÃO PAULO",
                    "carla.casa",
                    [_bill("9401", 12, "89.90")],
                ),
                ScriptedContract(
                    "17441",
                    4,
                    "suspended",
                    "FIBRA 600 EMPRESARIAL",
                    "POP CENTRO",
                    "RUA DOS ANDRADAS",
                    "300",
                    "CENTRO",
                    "SÃO PAULO",
                    "carla.loja",
                    [_bill("9411", -20, "199.90")],
                ),
            ],
        ),
        ScriptedCustomer(
            "16930",
            "RICARDO ALVES",
            "13579246828",
            ("(41) 98888-7777",),
            [
                ScriptedContract(
                    "17430",
                    1,
                    "online",
                    "FIBRA 600",
                    "POP BATEL",
                    "AV. DO BATEL",
                    "1868",
                    "BATEL",
                    "CURITIBA",
                    "ricardo.alves",
                )
            ],
        ),
        ScriptedCustomer(
            "16950",
            "PEDRO SANTOS",
            "27182818205",
            ("11 94444-3333", "(11) 3222-1111"),
            [
                ScriptedContract(
                    "17450",
                    4,
                    "suspended",
                    "FIBRA 300",
                    "POP CENTRO",
                    "RUA CLÉLIA",
                    "88",
                    "LAPA",
                    "SÃO PAULO",
                    "pedro.santos",
                    [_bill("9501", -18, "89.90")],
                    promise_used=True,
                )
            ],
            legacy=True,
        ),
        ScriptedCustomer(
            "16902",
            "MARIA SOUZA",
            "52998224725",
            ("(11) 98765-4321",),
            [
                ScriptedContract(
                    "17402",
                    1,
                    "offline",
                    "FIBRA 600",
                    "POP CENTRO",
                    "RUA X",
                    "523",
                    "CENTRO",
                    "SÃO PAULO",
                    "maria.souza",
                    [_bill("9021", 10, "119.90")],
                )
            ],
            email="maria@example.com",
        ),
        ScriptedCustomer(
            "16920",
            "FERNANDA LIMA",
            "24681357928",
            ("(31) 99123-4567",),
            [
                ScriptedContract(
                    "17420",
                    1,
                    "online",
                    "FIBRA 300",
                    OUTAGE_POP,
                    "AV. OTACÍLIO NEGRÃO DE LIMA",
                    "3000",
                    "PAMPULHA",
                    "BELO HORIZONTE",
                    "fernanda.lima",
                    [_bill("9201", 3, "89.90")],
                )
            ],
            legacy=True,
        ),
    ]
