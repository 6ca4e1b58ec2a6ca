"""Fixtures of the back office's channel and settings pages: the channel jobs' stubs and contexts, and
the back office's two-tenant world with logged-in clients (tests/admin)."""

from tests.admin.conftest import login_as, world  # noqa: F401  (fixtures)
from tests.channels.conftest import jobctx, make_chat, stubs, tenant_id  # noqa: F401  (fixtures)
