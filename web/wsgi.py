"""The servers' entry, `web.wsgi:app`: granian for the webhooks service, gunicorn gthread for the web."""

import gc

from web import create_app

app = create_app()

# What is built by now (modules, the app, SQLAlchemy's metadata: about 150,000 objects) lives as long as
# the process. Frozen, it leaves the collector's reach: a full collection walked all of it, about 100 ms
# on this project's machine during which every request of the process waits. Startup garbage is
# collected first so that none of it is kept for good.
gc.collect()
gc.freeze()
