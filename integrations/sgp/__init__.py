"""Client of the SGP (TSMX), the ISP management system the AI attendant acts on.

No Flask, no tables: `models.sgp.sgp_config(integration)` turns a tenant's stored integration into an
`SgpConfig`; `SgpClient(config)` speaks the wire format (wire-formats.md §5).
"""

from integrations.sgp.client import SgpClient
from integrations.sgp.errors import (
    SgpAuthError,
    SgpError,
    SgpNotFound,
    SgpRefused,
    SgpSeveralContracts,
    SgpUnavailable,
)
from integrations.sgp.fields import format_brl, money, phone_matches
from integrations.sgp.records import (
    STATUS_LABELS,
    AccessStatus,
    Bill,
    Contract,
    Coverage,
    Maintenance,
    SgpConfig,
    Ticket,
    UnlockResult,
)

__all__ = [
    "STATUS_LABELS",
    "AccessStatus",
    "Bill",
    "Contract",
    "Coverage",
    "Maintenance",
    "SgpAuthError",
    "SgpClient",
    "SgpConfig",
    "SgpError",
    "SgpNotFound",
    "SgpRefused",
    "SgpSeveralContracts",
    "SgpUnavailable",
    "Ticket",
    "UnlockResult",
    "format_brl",
    "money",
    "phone_matches",
]
