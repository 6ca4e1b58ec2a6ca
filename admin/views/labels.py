"""Labels agents put on conversations and contacts."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from wtforms import validators

from admin.base import AdminError, TenantModelView
from models.label import Label

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LabelView(TenantModelView):
    column_list: ClassVar[list[str]] = ["name", "color", "description"]
    column_searchable_list: ClassVar[list[str]] = ["name"]
    column_sortable_list: ClassVar[list[str]] = ["name"]
    column_default_sort = "name"
    form_columns: ClassVar[list[str]] = ["name", "color", "description"]
    column_labels: ClassVar[dict[str, str]] = {"name": "Nome", "color": "Cor", "description": "Descrição"}
    form_args: ClassVar[dict[str, Any]] = {
        "name": {"validators": [validators.InputRequired(), validators.Length(max=60)]},
        "color": {
            "validators": [
                validators.InputRequired(),
                validators.Regexp(_COLOR, message="Use uma cor como #0e9f6e."),
            ]
        },
        "description": {"validators": [validators.Optional(), validators.Length(max=200)]},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Label, **kwargs)

    def validate_model(self, model: Any, is_created: bool) -> None:
        model.name = " ".join((model.name or "").split())
        if not model.name:
            raise AdminError("Informe o nome da etiqueta.")
