"""Syncing a Cloud API inbox's message templates from Meta, for the templates view's button.

Plain functions over a tenant session (no Flask request). Meta is asked first, with no transaction
waiting on it; only then are the rows written (`models.template_sync`). Every failure is a
`TemplateSyncError` whose message an admin can act on, in Portuguese.
"""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from integrations.channels.base import ProviderError, WhatsAppCloudCredentials, build_credentials
from integrations.channels.credentials import CredentialError
from integrations.channels.whatsapp_cloud_client import WhatsAppCloudClient
from integrations.channels.whatsapp_cloud_templates import MetaTemplate
from models.enums import ChannelType
from models.inbox import Inbox
from models.template_sync import SyncReport, apply_listing

CALL_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class TemplateSyncError(RuntimeError):
    """Why the sync did not happen (pt-BR); nothing was changed."""


def cloud_inboxes(session: Session, tenant_id: int) -> list[Inbox]:
    """The tenant's Cloud API inboxes: the only ones whose templates come from Meta."""
    query = (
        sa.select(Inbox)
        .where(Inbox.tenant_id == tenant_id, Inbox.channel_type == ChannelType.WHATSAPP_CLOUD)
        .order_by(Inbox.name, Inbox.id)
    )
    return list(session.scalars(query))


def find_inbox(session: Session, tenant_id: int, value: object) -> Inbox | None:
    """The posted inbox id, if it names one of this tenant's Cloud API inboxes."""
    try:
        inbox_id = int(str(value))
    except (TypeError, ValueError):
        return None
    return next((i for i in cloud_inboxes(session, tenant_id) if i.id == inbox_id), None)


def _error_text(name: str, waba_id: str | None, exc: ProviderError) -> str:
    if exc.code == "no_waba_id":
        return _(
            "A caixa “%(name)s” não tem o WhatsApp Business Account ID: informe-o em Caixas de entrada "
            "> Editar e sincronize de novo.",
            name=name,
        )
    if exc.code == "190" or exc.status_code == 401:
        return _(
            "A Meta recusou o token de acesso da caixa “%(name)s” (inválido ou expirado): atualize-o em "
            "Caixas de entrada > Editar.",
            name=name,
        )
    if exc.code in ("100", "200", "10") or exc.status_code == 403:
        return _(
            "A Meta não encontrou a conta %(waba)s ou o token da caixa “%(name)s” não tem acesso a ela "
            "(permissão whatsapp_business_management).",
            waba=waba_id or "",
            name=name,
        )
    return _("Não foi possível ler os modelos na Meta: %(reason)s", reason=exc.reason)


def _credentials(inbox: Inbox) -> WhatsAppCloudCredentials:
    try:
        creds = build_credentials(
            str(inbox.channel_type), inbox.credentials or {}, webhook_secret=inbox.webhook_secret
        )
    except CredentialError as exc:
        raise TemplateSyncError(exc.message_pt) from exc
    if not isinstance(creds, WhatsAppCloudCredentials):
        raise TemplateSyncError(_("Só caixas da API oficial da Meta têm modelos para sincronizar."))
    return creds


def fetch(inbox: Inbox, *, http: httpx.Client | None = None) -> list[MetaTemplate]:
    """Meta's listing of the inbox's business account (every page)."""
    return _list(_credentials(inbox), inbox.name, http)


def _list(creds: WhatsAppCloudCredentials, name: str, http: httpx.Client | None) -> list[MetaTemplate]:
    try:
        with WhatsAppCloudClient(creds, http=http, timeout=CALL_TIMEOUT) as client:
            return client.list_templates()
    except ProviderError as exc:
        raise TemplateSyncError(_error_text(name, creds.waba_id, exc)) from exc


def sync(session: Session, inbox: Inbox, *, http: httpx.Client | None = None) -> SyncReport:
    """Ask Meta, then store created/updated/removed rows; the caller audits and commits. The read that
    found the inbox is ended before Meta is called (nothing was written yet), so no transaction stays
    open while Meta answers; the rows are written in a new one, the inbox row locked."""
    creds, name, inbox_id = _credentials(inbox), inbox.name, inbox.id
    session.rollback()
    listed = _list(creds, name, http)
    current = session.get(Inbox, inbox_id)
    if current is None:  # deleted meanwhile
        raise TemplateSyncError(_("Caixa de entrada não encontrada."))
    return apply_listing(session, current, listed)


def summary(report: SyncReport) -> str:
    """ "12 modelos sincronizados, 1 removido" — what the flash says."""
    text = ngettext("%(num)d modelo sincronizado", "%(num)d modelos sincronizados", report.listed)
    removed = len(report.removed)
    if removed:
        text += ", " + ngettext("%(num)d removido", "%(num)d removidos", removed)
    return text
