"""What can go wrong when talking to an SGP, as types the attendant can branch on.

Each error carries `message_pt`, exactly one pt-BR sentence an agent (human or AI) can act on or repeat to the
customer; `str(error)` is the same sentence. Messages never contain the base URL's credentials, the
token or the app name: they end up in logs and conversation notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.sgp.records import Contract


class SgpError(Exception):
    """Base of every SGP failure. `code` is a stable machine name for logs and metrics."""

    code = "sgp_error"
    default_message = "Não foi possível concluir a consulta no sistema do provedor (SGP)."

    def __init__(self, message_pt: str | None = None, *, status_code: int | None = None) -> None:
        self.message_pt = message_pt or self.default_message
        self.status_code = status_code
        super().__init__(self.message_pt)


class SgpUnavailable(SgpError):
    """The SGP could not be reached, did not answer in time, or failed on its side (5xx, garbage).

    `outcome_unknown=True` means the request may have reached the SGP and been acted on (the answer was
    lost: a read timeout or a dropped connection after sending). For the two actions that change things
    (trust unlock, opening a ticket) the caller must then NOT repeat the call blindly: the customer may
    already be unlocked or have a ticket.
    """

    code = "unavailable"
    default_message = "O sistema do provedor (SGP) não respondeu; tente novamente em alguns minutos."

    def __init__(
        self,
        message_pt: str | None = None,
        *,
        outcome_unknown: bool = False,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message_pt, status_code=status_code)
        self.outcome_unknown = outcome_unknown


class SgpAuthError(SgpError):
    """The SGP refused our token/app or Basic credentials: an admin must fix the integration."""

    code = "auth"
    default_message = (
        "O SGP recusou as credenciais da integração (token/app ou usuário/senha); "
        "um administrador precisa revisá-las."
    )


class SgpNotFound(SgpError):
    """No customer (or no such bill/contract) for what was asked."""

    code = "not_found"
    default_message = "Nenhum cliente encontrado no SGP com esses dados."


class SgpSeveralContracts(SgpError):
    """The document names more than one contract and the SGP needs to know which one."""

    code = "several_contracts"
    default_message = "Há mais de um contrato para este cliente; é preciso informar qual deles."

    def __init__(self, message_pt: str | None = None, *, contracts: list[Contract] | None = None) -> None:
        super().__init__(message_pt)
        self.contracts: list[Contract] = list(contracts or [])


class SgpRefused(SgpError):
    """The SGP understood and said no (e.g. the trust unlock was already used this month). `message_pt`
    carries the SGP's own explanation when it gave one."""

    code = "refused"
    default_message = "O SGP recusou a operação."
