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
    from admin.views.audit_log import AuditLogView
    from admin.views.company import CompanyPage
    from admin.views.hours import BusinessHoursPage
    from admin.views.labels import LabelView
    from admin.views.replies import QuickReplyView
    from admin.views.teams import TeamView
    from admin.views.templates import MessageTemplateView
    from admin.views.tenants import TenantView
    from admin.views.users import UserView

    admin.add_view(UserView(name="Usuários", category=PEOPLE, endpoint="admin_users", url="users"))
    admin.add_view(TeamView(name="Equipes", category=PEOPLE, endpoint="admin_teams", url="teams"))
    admin.add_view(LabelView(name="Etiquetas", category=SERVICE, endpoint="admin_labels", url="labels"))
    admin.add_view(
        QuickReplyView(
            name="Respostas rápidas", category=SERVICE, endpoint="admin_quick_replies", url="quick-replies"
        )
    )
    admin.add_view(
        MessageTemplateView(
            name="Modelos de mensagem", category=SERVICE, endpoint="admin_templates", url="templates"
        )
    )
    admin.add_view(
        CompanyPage(name="Configurações", category=COMPANY, endpoint="admin_company", url="company")
    )
    admin.add_view(
        BusinessHoursPage(
            name="Horário de atendimento",
            category=COMPANY,
            endpoint="admin_business_hours",
            url="business-hours",
        )
    )
    admin.add_view(TenantView(name="Empresas", category=PLATFORM, endpoint="admin_tenants", url="tenants"))
    admin.add_view(AuditLogView(name="Auditoria", endpoint="admin_audit", url="audit"))

    from admin.views import channels

    channels.register(admin)  # inboxes, AI, knowledge base, SGP, CSAT (admin-channels)
