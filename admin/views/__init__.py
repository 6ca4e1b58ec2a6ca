"""Every back-office view, registered in menu order. A new view: add one `admin.add_view(...)` line to
`register_views` (endpoint names are prefixed `admin_`, never a blueprint's name such as `inbox`)."""

from __future__ import annotations

from flask_admin import Admin

# Menu categories (pt-BR, shown as is).
PEOPLE = "Pessoas"
SERVICE = "Atendimento"
COMPANY = "Empresa"
PLATFORM = "Plataforma"


def register_views(admin: Admin) -> None:
    from admin.views.labels import LabelView
    from admin.views.replies import QuickReplyView
    from admin.views.teams import TeamView
    from admin.views.users import UserView

    admin.add_view(UserView(name="Usuários", category=PEOPLE, endpoint="admin_users", url="users"))
    admin.add_view(TeamView(name="Equipes", category=PEOPLE, endpoint="admin_teams", url="teams"))
    admin.add_view(LabelView(name="Etiquetas", category=SERVICE, endpoint="admin_labels", url="labels"))
    admin.add_view(
        QuickReplyView(
            name="Respostas rápidas", category=SERVICE, endpoint="admin_quick_replies", url="quick-replies"
        )
    )

    from admin.views import channels

    channels.register(admin)  # inboxes, AI, knowledge base, SGP, CSAT (admin-channels)
