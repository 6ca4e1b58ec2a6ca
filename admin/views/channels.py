"""The channel and settings views (inboxes, AI, knowledge base, SGP, CSAT), in one menu category.
`admin.views.register_views` calls `register` once."""

from __future__ import annotations

from flask_admin import Admin

CATEGORY = "Canais e configurações"


def register(admin: Admin) -> None:
    from admin.views.ai import AISettingsPage, KnowledgeView
    from admin.views.csat import CsatPage
    from admin.views.inboxes import InboxView
    from admin.views.sgp import SgpPage
    from models.ai import KnowledgeEntry
    from models.inbox import Inbox

    admin.add_view(
        InboxView(Inbox, name="Caixas de entrada", category=CATEGORY, endpoint="admin_inboxes", url="inboxes")
    )
    admin.add_view(AISettingsPage(name="IA", category=CATEGORY, endpoint="admin_ai", url="ai"))
    admin.add_view(
        KnowledgeView(
            KnowledgeEntry, name="Base de conhecimento", category=CATEGORY, endpoint="admin_knowledge",
            url="knowledge",
        )
    )  # fmt: skip
    admin.add_view(SgpPage(name="SGP", category=CATEGORY, endpoint="admin_sgp", url="sgp"))
    admin.add_view(
        CsatPage(name="Pesquisa de satisfação", category=CATEGORY, endpoint="admin_csat", url="csat")
    )
