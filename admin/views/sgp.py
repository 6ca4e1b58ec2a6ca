"""SGP: the tenant's connection to its management system, secrets write-only, and "Testar conexão"
(`models.sgp.check_connection`, as `niochat tenant sgp --test`), whose outcome is kept on the row."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_babel import gettext as _

from admin.base import TenantPage
from admin.settings import sgp
from admin.settings.common import SettingsError

TEMPLATE = "niochat_admin/channels/sgp.html"


class SgpPage(TenantPage):
    def _render(self, problems: dict[str, str] | None = None) -> Any:
        row = sgp.load(self.db, self.tenant_id())
        values: dict[str, Any] = {
            "enabled": True, "base_url": "", "auth_mode": "token", "app_name": "", "username": "",
            "allow_trust_unlock": True, "allow_open_ticket": True,
        }  # fmt: skip
        if row is not None:
            values.update({k: getattr(row, k) for k in values})
        if problems:  # show what was typed (secrets excepted: they are never rendered back)
            values.update(
                {k: request.form.get(k, "") for k in ("base_url", "auth_mode", "app_name", "username")}
            )
            values.update(
                {k: k in request.form for k in ("enabled", "allow_trust_unlock", "allow_open_ticket")}
            )
        return self.render(
            TEMPLATE,
            row=row,
            values=values,
            token_set=bool(row and row.token),
            password_set=bool(row and row.password),
            problems=problems or {},
            may_write=self.may_write(),
        )

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        if request.method == "GET":
            return self._render()
        self.require_write()
        try:
            before, after = sgp.save(self.db, self.tenant_id(), request.form)
        except SettingsError as exc:
            self.db.rollback()
            flash(_("Corrija os campos destacados."), "error")
            return self._render(exc.problems)
        self.audit("sgp_integrations.update", target_type="sgp_integrations", before=before, after=after)
        self.db.commit()
        flash(_("Conexão com o SGP salva."), "success")
        return redirect(self.get_url(".index"))

    @expose("/test/", methods=("POST",))
    def test_view(self) -> ResponseReturnValue:
        self.require_write()
        try:
            ok, sentence = sgp.test(self.db, self.tenant_id())
        except SettingsError as exc:
            ok, sentence = False, next(iter(exc.problems.values()))
        else:
            self.audit("sgp_integrations.test", target_type="sgp_integrations", ok=ok)
            self.db.commit()
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": ok, "message": sentence})
        flash(sentence, "success" if ok else "error")
        return redirect(self.get_url(".index"))
