"""The web process: webhooks, the agent inbox, the REST API and the back office, built by `create_app`."""

from web.app import create_app

__all__ = ["create_app"]
