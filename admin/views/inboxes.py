"""Caixas de entrada: create per channel, edit (secrets write-only), and the inbox's page — webhook to
paste, QR/pair-code connection watched live, history recovery with progress, health and failed sends.

A `TenantModelView` over `Inbox`, so listing, details, edit and export go through the tenant filters
(and the walking isolation test); create, edit and details are our own pages because the credential
fields depend on the channel and secrets must never be rendered back. Every action looks the inbox up
with `get_one` (404 for another tenant's id) and writes an audit row. The business rules are in
`admin.inboxes` (no Flask there).
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import abort, flash, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from admin.access import acting_tenant_id, admin_user
from admin.audit import audit
from admin.base import TenantModelView
from admin.inboxes import connection, health, history, reveal, service
from admin.inboxes.fields import CHANNEL_FIELDS, CHANNEL_LABELS, QR_CHANNELS
from jobs.scheduling import relay_now
from models.enums import ChannelType
from models.inbox import Inbox
from models.user import Team
from web.services import services

TEMPLATES = "niochat_admin/channels/"


def _channel_label(_view: Any, _context: Any, model: Inbox, _name: str) -> str:
    return str(CHANNEL_LABELS.get(ChannelType(model.channel_type), model.channel_type))


def _state_badge(_view: Any, _context: Any, model: Inbox, _name: str) -> Markup:
    label = connection.STATE_LABELS.get(model.connection_state, model.connection_state)
    return Markup('<span class="conn-badge conn-{}">{}</span>').format(model.connection_state, label)


def _name_link(view: Any, _context: Any, model: Inbox, _name: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(view.get_url(".details_view", id=model.id), model.name)


def _flag(name: str) -> bool:
    return request.form.get(name) in ("y", "on", "1", "true")


class InboxView(TenantModelView):
    audit_name = "inboxes"
    secret_fields = frozenset({"credentials", "webhook_secret"})
    allow_delete = False  # an inbox holds conversations: deactivate it instead
    column_list = ("name", "channel_type", "connection_state", "last_inbound_at", "ai_enabled", "is_active")
    column_export_list = (
        "id", "name", "channel_type", "phone_number", "connection_state", "last_inbound_at", "is_active",
    )  # fmt: skip
    column_searchable_list = ("name",)
    column_default_sort = "name"
    column_labels: ClassVar[dict[str, Any]] = {
        "name": _l("Nome"),
        "channel_type": _l("Canal"),
        "connection_state": _l("Conexão"),
        "last_inbound_at": _l("Última mensagem recebida"),
        "ai_enabled": _l("IA"),
        "csat_enabled": _l("CSAT"),
        "is_active": _l("Ativa"),
        "phone_number": _l("Telefone"),
    }
    column_formatters: ClassVar[dict[str, Any]] = {
        "name": _name_link,
        "channel_type": _channel_label,
        "connection_state": _state_badge,
    }
    column_formatters_export: ClassVar[dict[str, Any]] = {
        "channel_type": lambda v, c, m, n: str(m.channel_type)
    }
    list_template = TEMPLATES + "inbox_list.html"

    # --- helpers ---------------------------------------------------------------------------------------
    def _inbox(self) -> Inbox:
        inbox: Inbox = self.get_one(request.args.get("id", ""))
        return inbox

    def _details(self, inbox: Inbox, **params: Any) -> ResponseReturnValue:
        return redirect(self.get_url(".details_view", id=inbox.id, **params))

    def _teams(self) -> list[Team]:
        return list(self.db.query(Team).order_by(Team.name))

    def _submitted(self, channel: str) -> dict[str, str]:
        """The credential inputs of one channel (`cred-<channel>-<field>`: channels share field names)."""
        prefix = f"cred-{channel}-"
        return {k[len(prefix) :]: v for k, v in request.form.items() if k.startswith(prefix)}

    def _wants_json(self) -> bool:
        return request.accept_mimetypes.best == "application/json" or request.is_json

    def _answer(self, inbox: Inbox, ok: bool, message: str, **data: Any) -> ResponseReturnValue:
        """JSON for the page's scripts, a flash and the inbox page otherwise."""
        if self._wants_json():
            return jsonify({"ok": ok, "message": message, **data}), (200 if ok else 422)
        flash(message, "success" if ok else "error")
        return self._details(inbox)

    def _write(self) -> None:
        self.require_write()

    def _tenant(self) -> int:
        tenant_id = acting_tenant_id()
        if tenant_id is None:  # require_write already refused a superadmin acting for no tenant
            abort(403)
        return tenant_id

    # --- create, edit, details -------------------------------------------------------------------------
    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> ResponseReturnValue:
        self._write()
        channel = request.values.get("channel_type", "")
        problems: dict[str, str] = {}
        if request.method == "POST":
            try:
                inbox = service.create(
                    self.db,
                    self._tenant(),
                    channel=channel,
                    name=request.form.get("name"),
                    submitted=self._submitted(channel),
                    ai_enabled=_flag("ai_enabled"),
                    csat_enabled=_flag("csat_enabled"),
                    default_team_id=request.form.get("default_team_id"),
                )
            except service.InboxFormError as exc:
                problems = exc.problems
                self.db.rollback()
            else:
                audit(self.action("create"), inbox, after=service.snapshot(inbox), session=self.db)
                inbox_id, secret = inbox.id, inbox.webhook_secret
                self.db.commit()
                flash(
                    _("Caixa de entrada criada. Copie agora o segredo do webhook: ele não aparece de novo.")
                )
                token = reveal.stash(services().redis, admin_user().id, inbox_id, secret)
                return redirect(self.get_url(".details_view", id=inbox_id, reveal=token))
        return self.render(
            TEMPLATES + "inbox_new.html",
            channels=[(c.value, CHANNEL_LABELS[c], CHANNEL_FIELDS[c]) for c in ChannelType],
            chosen=channel,
            form=request.form,
            problems=problems,
            teams=self._teams(),
            return_url=get_redirect_target() or self.get_url(".index_view"),
        )

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        problems: dict[str, str] = {}
        if request.method == "POST":
            try:
                change = service.update(
                    self.db,
                    inbox,
                    name=request.form.get("name"),
                    submitted=self._submitted(str(inbox.channel_type)),
                    ai_enabled=_flag("ai_enabled"),
                    csat_enabled=_flag("csat_enabled"),
                    is_active=_flag("is_active"),
                    default_team_id=request.form.get("default_team_id"),
                )
            except service.InboxFormError as exc:
                problems = exc.problems
                self.db.rollback()
                inbox = self._inbox()
            else:
                if change:
                    audit(
                        self.action("update"),
                        inbox,
                        before=change.before,
                        after=change.after,
                        session=self.db,
                    )
                self.db.commit()
                flash(_("Caixa de entrada salva."), "success")
                return self._details(inbox)
        return self.render(
            TEMPLATES + "inbox_edit.html",
            inbox=inbox,
            channel_label=CHANNEL_LABELS[ChannelType(inbox.channel_type)],
            rows=service.credential_rows(inbox),
            form=request.form if request.method == "POST" else None,
            problems=problems,
            teams=self._teams(),
        )

    @expose("/details/")
    def details_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        secret = reveal.take(services().redis, request.args.get("reveal"), admin_user().id, inbox.id)
        public_url = services().settings.public_url
        channel = ChannelType(inbox.channel_type)
        settings = dict(inbox.settings or {})
        return self.render(
            TEMPLATES + "inbox_details.html",
            inbox=inbox,
            channel_label=CHANNEL_LABELS[channel],
            qr_channel=channel in QR_CHANNELS,
            can_set_webhook=channel is not ChannelType.WHATSAPP_CLOUD,
            setup=service.webhook_setup(inbox, public_url, secret=secret),
            state_label=connection.STATE_LABELS.get(inbox.connection_state, inbox.connection_state),
            qr_code=settings.get("qr_code") if inbox.connection_state != "open" else None,
            pair_code=settings.get("pair_code") if inbox.connection_state != "open" else None,
            runs=history.runs(self.db, inbox.id) if channel in QR_CHANNELS else [],
            card=health.card(self.db, inbox.id),
            failed=health.failed_sends(self.db, inbox.id),
            may_write=self.may_write(),
        )

    # --- connection ------------------------------------------------------------------------------------
    @expose("/connect/", methods=("POST",))
    def connect_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        phone = request.form.get("phone")
        try:
            view = connection.start(inbox.tenant_id, inbox.id, phone)
        except connection.ConnectError as exc:
            return self._answer(inbox, False, str(exc))
        audit("inboxes.connect", inbox, session=self.db, by="pair_code" if phone else "qr_code")
        self.db.commit()
        message = _("Escaneie o QR code no WhatsApp do número: Aparelhos conectados > Conectar aparelho.")
        if view.pair_code:
            message = _("No WhatsApp do número: Aparelhos conectados > Conectar com número de telefone.")
        if view.connected:
            message = _("O número já está conectado.")
        return self._answer(inbox, True, message, connection=view.as_dict())

    @expose("/connection/")
    def connection_view(self) -> ResponseReturnValue:
        """Polled by the page every few seconds while it shows a code: the state now, a fresh code."""
        inbox = self._inbox()
        if ChannelType(inbox.channel_type) not in QR_CHANNELS:
            abort(404)
        try:
            view = connection.poll(inbox.tenant_id, inbox.id)
        except connection.ConnectError as exc:
            return jsonify({"ok": False, "message": str(exc)}), 502
        return jsonify({"ok": True, "connection": view.as_dict()})

    @expose("/logout/", methods=("POST",))
    def logout_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        try:
            view = connection.logout(inbox.tenant_id, inbox.id)
        except connection.ConnectError as exc:
            return self._answer(inbox, False, str(exc))
        audit("inboxes.logout", inbox, session=self.db)
        self.db.commit()
        return self._answer(inbox, True, _("Sessão do WhatsApp desconectada."), connection=view.as_dict())

    # --- webhook ---------------------------------------------------------------------------------------
    @expose("/webhook/", methods=("POST",))
    def webhook_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        try:
            url = connection.set_webhook(inbox.tenant_id, inbox.id, services().settings.public_url)
        except connection.ConnectError as exc:
            return self._answer(inbox, False, str(exc))
        audit("inboxes.set_webhook", inbox, session=self.db, url=url)
        self.db.commit()
        return self._answer(inbox, True, _("Webhook configurado no provedor: %(url)s", url=url))

    @expose("/rotate-secret/", methods=("POST",))
    def rotate_secret_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        secret = service.rotate_webhook_secret(self.db, inbox)
        audit("inboxes.rotate_webhook_secret", inbox, session=self.db)
        inbox_id = inbox.id
        self.db.commit()
        flash(_("Novo segredo gerado; o antigo deixou de valer. Atualize o provedor (“Configurar webhook”)."))
        token = reveal.stash(services().redis, admin_user().id, inbox_id, secret)
        return redirect(self.get_url(".details_view", id=inbox_id, reveal=token))

    # --- history ---------------------------------------------------------------------------------------
    @expose("/sync/", methods=("POST",))
    def sync_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        form = {k: request.form.get(k) for k in ("phone", "since", "until")}
        try:
            run_id = history.start(self.db, inbox.tenant_id, inbox.id, **form)
        except history.SyncStartError as exc:
            return self._answer(inbox, False, str(exc))
        chosen = {k: v for k, v in form.items() if v}
        audit("inboxes.sync", inbox, session=self.db, run_id=run_id, options=chosen)
        self.db.commit()
        return self._answer(inbox, True, _("Recuperação de histórico na fila (execução %(id)s).", id=run_id))

    @expose("/sync-runs/")
    def sync_runs_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        return jsonify({"runs": history.runs(self.db, inbox.id)})

    # --- health ----------------------------------------------------------------------------------------
    def _ids(self) -> list[int]:
        return [int(v) for v in request.form.getlist("message_id") if v.isdigit()]

    @expose("/replay/", methods=("POST",))
    def replay_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        ids = None if request.form.get("all") else self._ids()
        replayed, outbox_ids = health.replay(self.db, inbox.id, ids)
        if replayed:
            audit("inboxes.replay", inbox, session=self.db, message_ids=replayed)
        self.db.commit()
        relay_now(outbox_ids)
        return self._answer(inbox, True, _("%(n)d mensagem(ns) de volta à fila de envio.", n=len(replayed)))

    @expose("/acknowledge/", methods=("POST",))
    def acknowledge_view(self) -> ResponseReturnValue:
        inbox = self._inbox()
        self._write()
        ids = self._ids()
        count = health.acknowledge(self.db, inbox.id, ids, admin_user().id)
        if count:
            audit("inboxes.acknowledge_failed", inbox, session=self.db, message_ids=ids)
        self.db.commit()
        return self._answer(inbox, True, _("%(n)d falha(s) marcada(s) como tratada(s).", n=count))
