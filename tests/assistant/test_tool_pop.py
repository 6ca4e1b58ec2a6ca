"""Each tool call names the POP of the contract it concerned (the dashboards find outages per POP from the
tool-call events); a lookup that found several contracts names none, and CPFs stay masked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assistant.tools.base import Budget, MemoryOnceGuard, ToolBox
from integrations.sgp.records import Contract

CPF = "31415926590"


def _contract(contract_id: str, pop: str | None) -> Contract:
    return Contract(
        contract_id=contract_id, customer_id="1", cpf_cnpj=CPF, name="CARLA MENDES", status=1,
        status_label="Ativo", open_amount=Decimal("0"), plan="FIBRA 300", pop=pop, address="Rua A, 1",
        phones=("11955554444",),
    )  # fmt: skip


class FakeSgp:
    """Home at POP Centro, shop at POP Vila Nova; the phone finds only the home."""

    def __init__(self, contracts: list[Contract] | None = None) -> None:
        self.contracts = contracts or [_contract("17440", "POP Centro"), _contract("17441", "POP Vila Nova")]

    def find_contracts(self, *, cpfcnpj: str | None = None, contrato: str | None = None,
                       telefone: str | None = None) -> list[Contract]:  # fmt: skip
        if contrato:
            return [c for c in self.contracts if c.contract_id == contrato]
        return self.contracts[:1] if telefone else list(self.contracts)

    def open_bills(self, contrato: str) -> list[Any]:
        return []


def _box(sgp: FakeSgp | None = None, **kw: Any) -> ToolBox:
    return ToolBox(sgp or FakeSgp(), once=MemoryOnceGuard(), budget=Budget(6, 30.0), **kw)


def test_a_call_names_its_contracts_pop_and_the_next_run_remembers_it() -> None:
    box = _box()
    assert box.call("buscar_cliente", {"cpfcnpj": "314.159.265-90"}).ok
    lookup = box.calls[-1]
    assert lookup.pop is None  # two contracts: none identified yet
    assert lookup.arguments["cpfcnpj"] == "314******90"
    box.call("segunda_via", {"contrato": "17441"})
    assert (box.calls[-1].contract, box.calls[-1].pop) == ("17441", "POP Vila Nova")
    # The next run knows the contract (memory) and the POPs the lookup returned.
    later = _box(contract_id="17441", pops=box.pops)
    later.call("segunda_via", {})
    assert (later.calls[-1].contract, later.calls[-1].pop) == ("17441", "POP Vila Nova")


def test_a_lookup_that_identifies_one_contract_names_its_pop() -> None:
    box = _box(contact_phone="5511955554444")
    box.call("buscar_cliente", {})
    assert box.contract_id == "17440" and box.calls[-1].pop == "POP Centro"
    box.call("segunda_via", {})
    assert box.calls[-1].pop == "POP Centro"


def test_a_contract_without_pop_names_none() -> None:
    box = _box(FakeSgp([_contract("17440", None)]), contact_phone="5511955554444")
    box.call("buscar_cliente", {})
    assert box.contract_id == "17440" and box.calls[-1].pop is None and box.pops == {}
