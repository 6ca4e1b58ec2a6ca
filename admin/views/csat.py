"""CSAT: the survey settings (delay, expiry, style, texts, alerts) with a preview of the survey as the
customer will see it on each channel, following the form as it is edited."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_babel import gettext as _

from admin.base import TenantPage
from admin.settings import csat, csat_preview
from admin.settings.common import SettingsError

TEMPLATE = "niochat_admin/channels/csat.html"


class CsatPage(TenantPage):
    def _render(self, problems: dict[str, str] | None = None) -> Any:
        row = csat.load(self.db, self.tenant_id())
        values = csat.snapshot(row)
        if problems:  # show what was typed, not what is stored
            values.update({k: request.form.get(k, "") for k in csat.FIELDS})
            values.update({k: k in request.form for k in ("enabled", "reopen_on_bad")})
        return self.render(
            TEMPLATE,
            values=values,
            styles=csat.STYLES,
            previews={style: csat_preview.previews({**values, "style": style}) for style in csat.STYLES},
            problems=problems or {},
            template_options=csat.template_options(self.db),
            may_write=self.may_write(),
        )

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        if request.method == "GET":
            return self._render()
        self.require_write()
        try:
            before, after = csat.save(self.db, self.tenant_id(), request.form)
        except SettingsError as exc:
            self.db.rollback()
            flash(_("Corrija os campos destacados."), "error")
            return self._render(exc.problems)
        self.audit("csat_settings.update", target_type="csat_settings", before=before, after=after)
        self.db.commit()
        flash(_("Pesquisa de satisfação salva."), "success")
        return redirect(self.get_url(".index"))
