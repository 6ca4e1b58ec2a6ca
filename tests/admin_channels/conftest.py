"""Fixtures of the back office's channel and settings pages: the channel jobs' stubs and contexts."""

from tests.channels.conftest import jobctx, make_chat, stubs, tenant_id  # noqa: F401  (fixtures)
